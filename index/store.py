"""Chroma behind one small adapter: embedded PersistentClient by default, a Chroma server over HTTP when configured.

Chunks and sentences are written and searched through LlamaIndex's `ChromaVectorStore`
(llama-index-vector-stores-chroma), as the nodes of `index/nodes.py`; the flat metadata stored beside each node
(source, title, page, section, ...) is what the retriever reads back. Three collections per index: `<name>` holds
chunks, `<name>__sentences` holds each chunk's sentences, so retrieval can score the best sentence as well as the
chunk, and `<name>__terms` holds one vector per distinct word form of the corpus (the vocabulary the cross-lingual
term bridge maps question words onto; shared by all documents, so deleting a document leaves its words, which then
match nothing). Embeddings are always passed in: Chroma never embeds.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from index.document import Chunk
from index.errors import DerekError
from index.lexical import LexicalIndex, chunk_terms

SCHEMA = 1
_BATCH = 500


@dataclass
class StoredChunk:
    """A chunk as read back from the store."""

    id: str
    text: str
    metadata: dict[str, Any]

    @property
    def sentences(self) -> list[tuple[int, int]]:
        return [tuple(s) for s in json.loads(self.metadata.get("sentences", "[]"))]

    @property
    def page(self) -> int | None:
        page = self.metadata.get("page", -1)
        return None if page is None or page < 0 else int(page)

    @property
    def page_breaks(self) -> list[tuple[int, int | None]]:
        return [tuple(b) for b in json.loads(self.metadata.get("page_breaks") or "[]")]


def _vector_store(collection: Any):
    from llama_index.vector_stores.chroma import ChromaVectorStore

    return ChromaVectorStore(chroma_collection=collection)


def term_id(word: str) -> str:
    return hashlib.sha1(word.encode()).hexdigest()[:16]


log = logging.getLogger(__name__)

# HNSW search breadth (Chroma's `ef_search`). Chroma's default, 100, is hardly more than the 40 chunks and 80 sentences
# a question asks for: the neighbours found were approximate and, as a collection's graph is rebuilt from its log when
# a process opens it, differed from one run to the next (KazQAD's 965 chunks: the top 60 of 33 of 120 Russian
# questions). At 1000 they agree in 119 of 120 and recall more (dense R@5 0.633 -> 0.642, R@40 0.925 -> 0.933 on the
# same 120). The cost grows with it: 8.5 ms against 2 ms a search over 100 000 vectors (fresh processes, this machine),
# once per question for the chunks. The word vocabulary is searched once per question word (24 neighbours each), so
# it keeps Chroma's default breadth.
EF_SEARCH = 1000
TERM_EF_SEARCH = 100


def _chroma_settings():
    from chromadb.config import Settings

    return Settings(anonymized_telemetry=False, allow_reset=False)


def _search_breadth(col: Any, ef_search: int) -> None:
    """A collection made before EF_SEARCH (or by another program) gets it: `ef_search` may change at any time."""
    try:
        current = (col.configuration_json or {}).get("hnsw", {}).get("ef_search")
        if current is not None and current != ef_search:
            col.modify(configuration={"hnsw": {"ef_search": ef_search}})
    except Exception as exc:  # an older server: its own search breadth stays
        log.info("cannot set ef_search on %s: %s", getattr(col, "name", "?"), exc)


class ChromaStore:
    """Chunks and sentences of one Derek index in Chroma."""

    def __init__(self, client: Any, name: str, embed_model: str, where: str, lexical: Path | None = None):
        self.client = client
        self.name = name
        self.embed_model = embed_model
        self.where = where  # "embedded:<path>" or "http://host:port", for status output
        # the lexical side (BM25 postings, numbers, tokens), written with the chunks: on disk under DEREK_HOME
        # when given a path, in memory otherwise (then a retriever fills it from the chunks on first use)
        self.lexical = LexicalIndex(lexical)
        self._dimension: int | None = None  # of the stored vectors, read on first need (dimension())
        self._chunks = self._open(name)
        self._sentences = self._open(f"{name}__sentences")
        self._terms = self._open(f"{name}__terms", TERM_EF_SEARCH)

    @classmethod
    def embedded(cls, path: Path, name: str, embed_model: str, lexical: Path | None = None) -> ChromaStore:
        import chromadb

        path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
        return cls(client, name, embed_model, f"embedded:{path}", lexical)

    @classmethod
    def http(cls, host: str, port: int, name: str, embed_model: str, lexical: Path | None = None) -> ChromaStore:
        import chromadb

        try:
            client = chromadb.HttpClient(host=host, port=port, settings=_chroma_settings())
            client.heartbeat()
        except Exception as exc:
            raise DerekError(f"Cannot reach the Chroma server at {host}:{port}: {type(exc).__name__}.") from exc
        return cls(client, name, embed_model, f"http://{host}:{port}", lexical)

    def _open(self, name: str, ef_search: int = EF_SEARCH) -> Any:
        try:
            col = self.client.get_or_create_collection(
                name,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine", "ef_search": ef_search}},
                metadata={"embed_model": self.embed_model, "derek_schema": SCHEMA},
            )
        except Exception as exc:
            if "name" in str(exc).lower():
                raise DerekError(
                    f"Invalid collection name {name!r}: use 3-60 letters, digits, '.', '_' or '-'."
                ) from exc
            raise
        _search_breadth(col, ef_search)
        stored = (col.metadata or {}).get("embed_model")
        if stored and stored != self.embed_model:
            raise DerekError(
                f"Collection {self.name!r} was built with embeddings {stored!r}, not {self.embed_model!r}; "
                "use another collection or rebuild it with `derek index --reset`."
            )
        return col

    # writing
    def upsert(self, chunks: list[Chunk], chunk_vectors: np.ndarray, sentence_vectors: list[np.ndarray]) -> None:
        """Write chunks and their sentences (idempotent: ids are deterministic)."""
        from index.nodes import chunk_nodes, set_vectors

        nodes = []
        for chunk, vector, svecs in zip(chunks, chunk_vectors, sentence_vectors, strict=True):
            made = chunk_nodes(chunk)
            set_vectors(made, vector, svecs)
            nodes += made
        self.add_nodes(nodes)

    def add_nodes(self, nodes: list, overwrite: bool = True) -> None:
        """Write embedded chunk and sentence nodes (index/nodes.py) through ChromaVectorStore; a node already
        stored under its id is replaced. `overwrite=False` skips that lookup, for a caller that has just deleted
        the nodes' source (ids include the source): on many small files it was 6% of indexing time."""
        from index.nodes import is_sentence

        chunks = [n for n in nodes if not is_sentence(n)]
        sentences = [n for n in nodes if is_sentence(n)]
        for collection, part in ((self._chunks, chunks), (self._sentences, sentences)):
            for i in range(0, len(part), _BATCH):
                batch = part[i : i + _BATCH]
                if overwrite:
                    collection.delete(ids=[n.node_id for n in batch])  # ChromaVectorStore.add does not upsert
                _vector_store(collection).add(batch)
        by_chunk: dict[str, list] = {}
        for n in sentences:
            by_chunk.setdefault(n.metadata["chunk_id"], []).append(n)
        vectors = {cid: np.asarray([n.embedding for n in sorted(group, key=lambda n: n.metadata["i"])],
                                   dtype=np.float32) for cid, group in by_chunk.items()}
        self.lexical.add(replace(chunk_terms(n.node_id, n.get_content(), n.metadata), vectors=vectors.get(n.node_id))
                         for n in chunks)

    def missing_terms(self, words: list[str]) -> list[str]:
        """The words (distinct, in order) that have no vector in the vocabulary yet."""
        words = list(dict.fromkeys(words))
        have: set[str] = set()
        for i in range(0, len(words), _BATCH):
            part = words[i : i + _BATCH]
            have.update(self._terms.get(ids=[term_id(w) for w in part], include=[])["ids"])
        return [w for w in words if term_id(w) not in have]

    def add_terms(self, words: list[str], vectors: np.ndarray) -> None:
        """Add word vectors to the vocabulary (idempotent: the id is a hash of the word)."""
        for i in range(0, len(words), _BATCH):
            part = words[i : i + _BATCH]
            self._terms.upsert(
                ids=[term_id(w) for w in part],
                embeddings=np.asarray(vectors[i : i + _BATCH], dtype=np.float32),
                documents=part,
            )

    def vector_store(self):
        """The chunks as a LlamaIndex ChromaVectorStore (what `VectorStoreIndex.from_vector_store` takes)."""
        return _vector_store(self._chunks)

    def term_count(self) -> int:
        return self._terms.count()

    def term_words(self) -> list[str]:
        """Every word of the vocabulary (no vectors), in pages of 5000."""
        return [w for got in _pages(self._terms, ["documents"], 5000) for w in got["documents"] if w]

    def query_terms(self, vectors: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        """For each vector, the nearest vocabulary words as (word, cosine similarity)."""
        if not len(vectors):
            return []
        got = self._terms.query(
            query_embeddings=np.asarray(vectors, dtype=np.float32), n_results=k, include=["documents", "distances"]
        )
        return [
            [(w, 1.0 - float(d)) for w, d in zip(words, dists)]
            for words, dists in zip(got["documents"], got["distances"])
        ]

    def delete_source(self, source: str) -> None:
        """Remove every chunk and sentence of one source file."""
        self._sentences.delete(where={"source": source})
        self._chunks.delete(where={"source": source})
        self.lexical.delete_source(source)

    def reset(self) -> None:
        """Drop both collections and create them empty."""
        for col in (self._chunks, self._sentences, self._terms):
            self.client.delete_collection(col.name)
        self._chunks = self._open(self.name)
        self._sentences = self._open(f"{self.name}__sentences")
        self._terms = self._open(f"{self.name}__terms", TERM_EF_SEARCH)
        self._dimension = None
        self.lexical.clear()

    # reading
    def count(self) -> int:
        return self._chunks.count()

    def dimension(self) -> int | None:
        """How many numbers the stored vectors have (None while the collection is empty); read once."""
        if self._dimension is None:
            got = self._chunks.get(limit=1, include=["embeddings"])
            embeddings = got.get("embeddings")
            self._dimension = len(embeddings[0]) if embeddings is not None and len(embeddings) else None
        return self._dimension

    def check_dimension(self, vectors: np.ndarray) -> None:
        """Refuse vectors of another size than the stored ones with one line (an embeddings server hosting
        another model under the same name), before anything is written or searched."""
        have = self.dimension()
        got = int(vectors.shape[-1]) if vectors.ndim and vectors.size else None
        if have is not None and got is not None and got != have:
            raise DerekError(
                f"The embedder returned vectors of {got} numbers, but collection {self.name!r} holds vectors of "
                f"{have} ({self.embed_model!r}): check DEREK_EMBED_MODEL and the embeddings server."
            )

    def sentence_count(self) -> int:
        return self._sentences.count()

    def all_chunks(self) -> list[StoredChunk]:
        """Every chunk (text and metadata), in pages of 5000 to bound memory per request."""
        return [
            StoredChunk(i, d, m)
            for got in _pages(self._chunks, ["documents", "metadatas"], 5000)
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])
        ]

    def chunk_id_list(self) -> list[str]:
        """Every chunk id (no text, no vectors), in pages of 20000."""
        return [i for got in _pages(self._chunks, [], 20000) for i in got["ids"]]

    def get_chunks(self, ids: list[str]) -> list[StoredChunk]:
        """The chunks with these ids (text and metadata); ids not stored are left out."""
        if not ids:
            return []
        got = self._chunks.get(ids=list(ids), include=["documents", "metadatas"])
        return [StoredChunk(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]

    def chunk_ids(self, source: str) -> list[str]:
        return self._chunks.get(where={"source": source}, include=[])["ids"]

    def query_chunks(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Nearest chunks as (id, cosine similarity)."""
        return self._query(self._chunks, vector, k)

    def query_sentences(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Nearest sentences as (sentence id "<chunk_id>:<i>", cosine similarity)."""
        return self._query(self._sentences, vector, k)

    def _query(self, col: Any, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Ids and cosine similarities only (the collections use cosine space: similarity = 1 - distance). The
        retriever reads candidates' text from the lexical index, so neither documents nor metadata are fetched, nor
        turned into LlamaIndex nodes (ChromaVectorStore.query does both: 7 of 18 ms per question here)."""
        # Chroma returns fewer than k hits (or none) on a small or empty collection: no count() round trip
        got = col.query(query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=k, include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(got["ids"][0], got["distances"][0])]

    def sentence_vectors(self, chunk_ids: list[str], counts: dict[str, int] | None = None) -> dict[str, np.ndarray]:
        """Sentence vectors per chunk id, rows in sentence order: from the lexical index, which holds a copy of
        each chunk's, so a search never loads Chroma's sentence graph (at 100k chunks, 400k sentences, that load
        was most of a cold start); a chunk it lacks is read from Chroma."""
        found = self.lexical.sentence_vectors(chunk_ids) if chunk_ids else {}
        rest = [cid for cid in chunk_ids if cid not in found and (counts is None or counts.get(cid, 0))]
        return found | self.stored_sentence_vectors(rest, counts) if rest else found

    def stored_sentence_vectors(
        self, chunk_ids: list[str], counts: dict[str, int] | None = None
    ) -> dict[str, np.ndarray]:
        """Sentence vectors per chunk id as stored in Chroma. With each chunk's sentence count, they are read by id
        (vectors only: several times faster than a metadata filter on a large collection)."""
        if not chunk_ids:
            return {}
        if counts is not None:
            ids = [f"{cid}:{j}" for cid in chunk_ids for j in range(counts.get(cid, 0))]
            got = self._sentences.get(ids=ids, include=["embeddings"]) if ids else {"ids": [], "embeddings": []}
            vectors = dict(zip(got["ids"], got["embeddings"]))
            return {cid: np.vstack([np.asarray(vectors[f"{cid}:{j}"], dtype=np.float32)
                                    for j in range(counts.get(cid, 0))])
                    for cid in chunk_ids
                    if counts.get(cid, 0) and all(f"{cid}:{j}" in vectors for j in range(counts[cid]))}
        got = self._sentences.get(where={"chunk_id": {"$in": list(chunk_ids)}}, include=["embeddings", "metadatas"])
        rows: dict[str, list[tuple[int, np.ndarray]]] = {}
        for meta, vec in zip(got["metadatas"], got["embeddings"]):
            rows.setdefault(meta["chunk_id"], []).append((int(meta["i"]), np.asarray(vec, dtype=np.float32)))
        return {cid: np.vstack([v for _, v in sorted(r, key=lambda x: x[0])]) for cid, r in rows.items()}

    def chunk_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored chunk vectors by id; ids not stored are left out."""
        if not ids:
            return {}
        got = self._chunks.get(ids=list(ids), include=["embeddings"])
        return {i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"])}


def _pages(collection, include: list[str], size: int):
    """A collection's records, one `get` of `size` at a time (bounded memory per request), until a short page."""
    offset = 0
    while True:
        got = collection.get(include=include, limit=size, offset=offset)
        yield got
        if len(got["ids"]) < size:
            return
        offset += size
