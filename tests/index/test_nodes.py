"""Ingestion as LlamaIndex: Document -> IngestionPipeline (clean, structure-aware node parser, embed) -> chunk and
sentence TextNodes linked by relationships -> ChromaVectorStore, with Derek's deterministic ids and metadata."""

from __future__ import annotations

import numpy as np
from llama_index.core.schema import TextNode
from llama_index.core.vector_stores.types import VectorStoreQuery
from llama_index.vector_stores.chroma import ChromaVectorStore

from index.chunk import chunk_document
from index.clean import clean
from index.load import load
from index.nodes import document_from, ingestion_pipeline, is_sentence
from index.store import ChromaStore

LAW = """ЕҢБЕК ТУРАЛЫ ЗАҢ

1-бап. Жалпы ережелер
Осы Заң еңбек қатынастарын реттейді. Ол барлық жұмыс берушілерге қолданылады.

2-бап. Сынақ мерзімі
1. Сынақ мерзімі үш айдан аспауға тиіс. Басшылар үшін ол алты айға дейін болуы мүмкін.
2. Жүкті әйелдерге сынақ мерзімі белгіленбейді.
"""


class WordEmbedder:
    """Deterministic unit vectors from a text's words; one token per word."""

    model_name = "words"

    def passage_vectors(self, texts):
        out = []
        for text in texts:
            v = np.zeros(16, dtype=np.float32)
            for word in text.lower().split():
                v[sum(map(ord, word)) % 16] += 1.0
            out.append(v / max(np.linalg.norm(v), 1e-9))
        return np.stack(out) if out else np.zeros((0, 16), dtype=np.float32)

    query_vectors = passage_vectors

    def count_tokens(self, text):
        return len(text.split())


def nodes_of(path):
    return ingestion_pipeline(WordEmbedder(), max_tokens=40).run(documents=[document_from(load(path))])


def test_the_pipeline_makes_linked_chunk_and_sentence_nodes(tmp_path):
    path = tmp_path / "law.kk.txt"
    path.write_text(LAW, encoding="utf-8")
    nodes = nodes_of(path)
    chunks = [n for n in nodes if not is_sentence(n)]
    sentences = {n.node_id: n for n in nodes if is_sentence(n)}
    assert chunks and sentences and all(isinstance(n, TextNode) for n in nodes)
    expected = chunk_document(clean(load(path)), WordEmbedder().count_tokens, max_tokens=40)
    assert [c.node_id for c in chunks] == [c.id for c in expected]  # Derek's deterministic ids
    assert [n.node_id for n in nodes_of(path)] == [n.node_id for n in nodes]
    for chunk in chunks:
        assert chunk.metadata["source"] == path.as_posix() or chunk.metadata["source"].endswith("law.kk.txt")
        assert chunk.source_node.node_id == chunk.metadata["source"]
        assert chunk.source_node.metadata["language"] == "kk"
        children = [c.node_id for c in chunk.child_nodes]
        assert children and all(sentences[c].parent_node.node_id == chunk.node_id for c in children)
        squeeze = lambda text: "".join(text.split())  # noqa: E731
        assert squeeze("".join(sentences[c].text for c in children)) == squeeze(chunk.text)
    assert all(n.embedding is not None and len(n.embedding) == 16 for n in nodes)
    probation = next(c for c in chunks if "Сынақ мерзімі үш айдан" in c.text)
    assert probation.metadata["section"].endswith("2-бап. Сынақ мерзімі")


def test_nodes_are_stored_and_found_through_chroma_vector_store(tmp_path):
    path = tmp_path / "law.kk.txt"
    path.write_text(LAW, encoding="utf-8")
    nodes = nodes_of(path)
    store = ChromaStore.embedded(tmp_path / "chroma", "law", "words")
    store.add_nodes(list(nodes))
    store.add_nodes(list(nodes))  # replacing, never duplicating
    chunks = [n for n in nodes if not is_sentence(n)]
    assert store.count() == len(chunks) and store.sentence_count() == len(nodes) - len(chunks)
    stored = store._chunks.get(ids=[chunks[0].node_id], include=["metadatas"])["metadatas"][0]
    assert "_node_content" in stored and stored["source"] == chunks[0].metadata["source"]
    query = np.asarray(WordEmbedder().query_vectors(["Сынақ мерзімі қанша?"])[0])
    found = ChromaVectorStore(chroma_collection=store._chunks).query(
        VectorStoreQuery(query_embedding=query.tolist(), similarity_top_k=2))
    assert found.nodes[0].metadata["section"] and found.nodes[0].source_node.node_id.endswith("law.kk.txt")
    cosines = dict(store.query_chunks(query, 2))
    vectors = store.chunk_vectors(list(cosines))
    for cid, cosine in cosines.items():
        assert abs(cosine - float(vectors[cid] @ query)) < 1e-4  # the retriever gets cosines, as before
    store.delete_source(chunks[0].metadata["source"])
    assert store.count() == 0 and store.sentence_count() == 0
