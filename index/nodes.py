"""Ingestion as LlamaIndex: a loaded file becomes a `Document`, then chunk `TextNode`s and sentence `TextNode`s
linked to their chunk (PARENT / CHILD relationships, SOURCE = the file), through an `IngestionPipeline` of three
transformations: cleaning, the structure- and sentence-aware node parser, and embedding.

The pipeline only makes nodes; `index/pipeline.py` decides when they are written (after the file's old chunks are
deleted, before its manifest entry), which keeps re-indexing incremental and crash-safe.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from llama_index.core.ingestion import IngestionPipeline
from llama_index.core.schema import (
    BaseNode,
    Document,
    NodeRelationship,
    ObjectType,
    RelatedNodeInfo,
    TextNode,
    TransformComponent,
)
from pydantic import PrivateAttr

from index.chunk import chunk_document
from index.clean import clean
from index.document import Chunk, Page, Paragraph, RawDocument
from index.document import Document as CleanDocument

_PRIVATE = ["pages", "paragraphs", "pdf_like"]  # what the transformations pass on, never embedded or prompted
_SENTENCE_KEYS = ["chunk_id", "i"]


def document_from(raw: RawDocument) -> Document:
    """A loaded file as a LlamaIndex Document (its id is the source name, its pages ride in the metadata)."""
    return Document(
        id_=raw.source,
        text="\n\n".join(page.text for page in raw.pages),
        metadata={"source": raw.source, "title": raw.title, "pdf_like": raw.pdf_like,
                  "pages": [[page.text, page.number] for page in raw.pages]},
        excluded_embed_metadata_keys=_PRIVATE, excluded_llm_metadata_keys=_PRIVATE,
    )


def is_sentence(node: BaseNode) -> bool:
    return "i" in node.metadata and "chunk_id" in node.metadata


def chunk_of(node: BaseNode) -> Chunk:
    """Derek's Chunk back from a chunk node."""
    meta = node.metadata
    page = meta.get("page", -1)
    return Chunk(
        id=node.node_id, text=node.get_content(), source=meta["source"], title=meta.get("title", ""),
        language=meta.get("language", ""), section=meta.get("section") or None,
        page=None if page is None or page < 0 else int(page), start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)), index=int(meta.get("index", 0)),
        sentences=[tuple(s) for s in json.loads(meta.get("sentences", "[]"))], role=meta.get("role", ""),
        point=meta.get("point") or None, subpoint=meta.get("subpoint") or None,
        page_breaks=[tuple(b) for b in json.loads(meta.get("page_breaks") or "[]")],
    )


class CleanDocuments(TransformComponent):
    """Wrapped lines joined, hyphenation undone, headers dropped, sections and points found (index/clean.py)."""

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[BaseNode]:
        out: list[BaseNode] = []
        for node in nodes:
            meta = node.metadata
            raw = RawDocument(source=meta["source"], title=meta["title"], pdf_like=bool(meta.get("pdf_like")),
                              pages=[Page(text, number) for text, number in meta["pages"]])
            doc = clean(raw)
            out.append(Document(
                id_=doc.source, text=doc.text,
                metadata={"source": doc.source, "title": doc.title, "language": doc.language,
                          "paragraphs": [vars(p) for p in doc.paragraphs]},
                excluded_embed_metadata_keys=_PRIVATE, excluded_llm_metadata_keys=_PRIVATE,
            ))
        return out


class StructureNodeParser(TransformComponent):
    """Sentence-aligned chunks within one section, sized in e5 tokens (index/chunk.py), as TextNodes, each
    followed by its sentence nodes."""

    max_tokens: int = 300
    _count_tokens: Callable[[str], int] = PrivateAttr()

    def __init__(self, count_tokens: Callable[[str], int], max_tokens: int = 300) -> None:
        super().__init__(max_tokens=max_tokens)
        self._count_tokens = count_tokens

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[BaseNode]:
        out: list[BaseNode] = []
        for node in nodes:
            meta = node.metadata
            doc = CleanDocument(source=meta["source"], title=meta["title"], language=meta["language"],
                                text=node.get_content(),
                                paragraphs=[Paragraph(**p) for p in meta["paragraphs"]])
            for chunk in chunk_document(doc, self._count_tokens, max_tokens=self.max_tokens):
                out += chunk_nodes(chunk, {"title": doc.title, "language": doc.language})
        return out


def chunk_nodes(chunk: Chunk, document: dict | None = None) -> list[TextNode]:
    """A chunk's node and its sentences' nodes, linked; ids are Derek's deterministic chunk ids. The chunk's
    SOURCE relationship carries its document's title and dominant language."""
    source = RelatedNodeInfo(node_id=chunk.source, node_type=ObjectType.DOCUMENT, metadata=document or {})
    parent = RelatedNodeInfo(node_id=chunk.id, node_type=ObjectType.TEXT)
    sentences = [
        TextNode(id_=f"{chunk.id}:{j}", text=chunk.text[s:e],
                 metadata={"chunk_id": chunk.id, "source": chunk.source, "i": j},
                 excluded_embed_metadata_keys=_SENTENCE_KEYS + ["source"], excluded_llm_metadata_keys=_SENTENCE_KEYS,
                 relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=chunk.source,
                                                                         node_type=ObjectType.DOCUMENT),
                                NodeRelationship.PARENT: parent})
        for j, (s, e) in enumerate(chunk.sentences)
    ]
    meta = chunk.metadata()
    meta["sentences"] = json.dumps(chunk.sentences)
    node = TextNode(
        id_=chunk.id, text=chunk.text, metadata=meta,
        excluded_embed_metadata_keys=list(meta),
        excluded_llm_metadata_keys=["sentences", "start", "end", "index", "page_breaks"],
        relationships={
            NodeRelationship.SOURCE: source,
            NodeRelationship.CHILD: [RelatedNodeInfo(node_id=n.node_id, node_type=ObjectType.TEXT)
                                     for n in sentences],
        },
    )
    return [node, *sentences]


def set_vectors(nodes: list[BaseNode], vector, sentence_vectors) -> None:
    """Put a chunk's vector on its node and its sentences' vectors on theirs (`nodes` as chunk_nodes() makes
    them: the chunk, then its sentences in order)."""
    chunk, *sentences = nodes
    chunk.embedding = np.asarray(vector, dtype=np.float32).tolist()
    for sentence, svec in zip(sentences, sentence_vectors, strict=True):
        sentence.embedding = np.asarray(svec, dtype=np.float32).tolist()


class EmbedNodes(TransformComponent):
    """Chunk vectors (with their heading, or derived from their sentences) and sentence vectors, in batches with
    progress; a sentence shared by overlapping chunks is embedded once (index/pipeline.py: embed_chunks)."""

    chunk_vectors: str = "embed"
    _embedder: Any = PrivateAttr()
    _progress: Callable[[int, int], None] | None = PrivateAttr(default=None)

    def __init__(self, embedder, chunk_vectors: str = "embed", progress: Callable[[int, int], None] | None = None):
        super().__init__(chunk_vectors=chunk_vectors)
        self._embedder, self._progress = embedder, progress

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[BaseNode]:
        from index.pipeline import embed_chunks

        chunk_nodes_ = [n for n in nodes if not is_sentence(n)]
        by_chunk: dict[str, list[BaseNode]] = {}
        for n in nodes:
            if is_sentence(n):
                by_chunk.setdefault(n.metadata["chunk_id"], []).append(n)
        chunks = [chunk_of(n) for n in chunk_nodes_]
        if not chunks:
            return list(nodes)
        chunk_vecs, sentence_vecs = embed_chunks(chunks, self._embedder, self._progress, self.chunk_vectors)
        for node, vector, svecs in zip(chunk_nodes_, chunk_vecs, sentence_vecs, strict=True):
            group = sorted(by_chunk.get(node.node_id, []), key=lambda n: n.metadata["i"])
            set_vectors([node, *group], vector, svecs)
        return list(nodes)


def ingestion_pipeline(embedder, max_tokens: int, chunk_vectors: str = "embed",
                       progress: Callable[[int, int], None] | None = None) -> IngestionPipeline:
    """Document -> cleaned Document -> chunk and sentence nodes -> embedded nodes (no cache: ids are content
    hashes already, and the manifest decides what is re-indexed)."""
    return IngestionPipeline(
        transformations=[CleanDocuments(), StructureNodeParser(embedder.count_tokens, max_tokens),
                         EmbedNodes(embedder, chunk_vectors, progress)],
        disable_cache=True,
    )
