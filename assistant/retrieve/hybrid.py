"""Language-aware hybrid retrieval: dense chunks + best sentence (e5, Chroma) fused with lexical evidence.

Lexical evidence is fused only where it applies across languages: dictionary-expanded terms (BM25 over kk/ru/en
normalised tokens), numbers from the question matched exactly, and proper names matched by transliteration.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, fields
from enum import Enum
from pathlib import Path

import numpy as np

from assistant.retrieve.bridge import BridgeOptions, TermBridge, no_vocabulary
from assistant.retrieve.lexical import BM25Index, MultilingualBM25
from assistant.retrieve.shift import LanguageShift
from assistant.retrieve.types import RetrievedChunk
from index.store import ChromaStore, StoredChunk
from index.structure import with_heading
from index.text.concepts import (
    Concept,
    adjacency,
    coverage,
    mention_set,
    question_concepts,
    token_positions,
)
from index.text.expand import expand_query, load_lexicon, name_matches
from index.text.normalize import tokenize
from index.text.numbers import extract_numbers


class RetrievalMode(str, Enum):
    DENSE = "dense"  # chunk cosine only
    LEXICAL = "bm25"  # BM25 over the question's own tokens only
    HYBRID = "hybrid"  # reciprocal rank fusion of the two above (the usual baseline)
    FINAL = "final"  # the pipeline Derek answers with


@dataclass
class Weights:
    """Linear fusion of per-chunk signals (cosines are ~0.7-0.9 for e5; the others are in [0, 1])."""

    chunk: float = 0.5
    sentence: float = 1.0
    lexical: float = 0.05
    coverage: float = 0.15
    adjacency: float = 0.05
    numbers: float = 0.05
    names: float = 0.05
    summary: float = -0.02  # abstracts and keyword lists restate the body: cite the body, where the facts are
    note: float = -0.05  # editorial notes (amendment history) annotate an article; the article states the law


# Derek's additions over dense + BM25, each switched off in turn by the benchmarks' ablation rows:
# name -> HybridRetriever options.
ABLATIONS: dict[str, dict] = {
    "− term bridge": {"bridge": False},
    "+ language shift": {"shift": "replace"},
    "+ domain lexicon": {"lexicon": (Path(__file__).resolve().parents[2] / "lexicons" / "central-asia.tsv",)},
}

_FUSED = tuple(f.name for f in fields(Weights))

# Sections that summarise a document rather than state its facts.
SUMMARY_SECTION = re.compile(r"abstract|summary|keywords|key words|аннотация|ключевые слова|аңдатпа|түйін", re.I)


@dataclass
class Signals:
    """Per-chunk evidence; each field named like a Weights field is fused with that weight."""

    chunk: float = 0.0
    sentence: float = 0.0
    lexical: float = 0.0
    coverage: float = 0.0
    adjacency: float = 0.0
    numbers: float = 0.0
    names: float = 0.0
    summary: float = 0.0
    note: float = 0.0
    sentence_scores: np.ndarray | None = None
    sentence_vectors: np.ndarray | None = None
    bridged: dict[str, list[str]] | None = None


class HybridRetriever:
    """Retrieves chunks for a question; built once per store generation (holds the BM25 index in memory)."""

    def __init__(
        self,
        store: ChromaStore,
        embedder,
        weights: Weights | None = None,
        dense_k: int = 40,
        sentence_k: int = 80,
        lexical_k: int = 20,
        lexicon: tuple[Path, ...] = (),
        bridge: bool = True,
        bridge_options: BridgeOptions | None = None,
        shift: str = "off",  # the language shift: "replace" the question vector, "add" a shifted one, "off"
    ):
        self.lexicon = load_lexicon(tuple(lexicon))
        self.store = store
        self.shift_mode = shift
        self.shift = LanguageShift(getattr(embedder, "model_name", "")) if shift != "off" else None
        self.bridge = TermBridge(store, embedder, bridge_options) if bridge and not no_vocabulary(store) else None
        self.embedder = embedder
        self.weights = weights or Weights()
        self.dense_k, self.sentence_k, self.lexical_k = dense_k, sentence_k, lexical_k
        chunks = store.all_chunks()
        self.chunks: dict[str, StoredChunk] = {c.id: c for c in chunks}
        self.ids = [c.id for c in chunks]
        languages = [c.metadata.get("language") or "kk" for c in chunks]
        # the corpus languages a question is shifted towards: those of at least a tenth of the chunks
        self.languages = {lang for lang in set(languages) if languages.count(lang) >= 0.1 * len(languages)}
        # a chunk's tokens include its section heading: a chunk deep in an article still says what it is about
        tokens = [tokenize(with_heading(c.metadata.get("section"), c.text), lang) for c, lang in zip(chunks, languages)]
        self.bm25 = BM25Index(self.ids, tokens)
        # per-language BM25: each chunk is matched with the question's terms for its own language
        self.bm25_by_language = MultilingualBM25(self.ids, tokens, languages)
        self.token_sets: dict[str, frozenset[str]] = {c.id: frozenset(t) for c, t in zip(chunks, tokens)}
        self.mentions = {cid: mention_set(t) for cid, t in self.token_sets.items()}
        self.positions = {
            c.id: token_positions([tokenize(c.text[a:b], lang) for a, b in c.sentences] or [t])
            for c, t, lang in zip(chunks, tokens, languages)
        }
        self.df: dict[str, int] = {}
        for t in self.token_sets.values():
            for tok in t:
                self.df[tok] = self.df.get(tok, 0) + 1
        self.numbers: dict[str, set[str]] = {c.id: set(extract_numbers(c.text)) for c in chunks}
        self.by_number: dict[str, set[str]] = {}
        for cid, found in self.numbers.items():
            for n in found:
                self.by_number.setdefault(n, set()).add(cid)
        self._vectors: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # chunk id -> (chunk vec, sentence vecs)
        self._cache_lock = threading.Lock()


    def __len__(self) -> int:
        return len(self.ids)

    def _vectors_for(self, ids: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        missing = [i for i in ids if i not in self._vectors]
        if missing:
            chunk_vecs = self.store.chunk_vectors(missing)
            sent_vecs = self.store.sentence_vectors(missing)
            with self._cache_lock:
                for i in missing:
                    if i in chunk_vecs:
                        self._vectors[i] = (chunk_vecs[i], sent_vecs.get(i, np.zeros((0, chunk_vecs[i].shape[0]))))
        return {i: self._vectors[i] for i in ids if i in self._vectors}

    def retrieve(
        self,
        question: str,
        language: str,
        k: int = 5,
        mode: RetrievalMode = RetrievalMode.FINAL,
        extra_queries: list[str] | None = None,
    ) -> list[RetrievedChunk]:
        if not self.ids:
            return []
        queries = [question] + [q for q in (extra_queries or []) if q.strip()]
        qvecs = self.embedder.query_vectors(queries)
        if mode is RetrievalMode.DENSE:
            hits = self.store.query_chunks(qvecs[0], k)
            return [self._result(cid, score) for cid, score in hits if cid in self.chunks]
        if mode is RetrievalMode.LEXICAL:
            hits = self.bm25.search(tokenize(question, language), k)
            return [self._result(cid, score) for cid, score in hits]
        if mode is RetrievalMode.HYBRID:
            return self._rrf(question, language, qvecs[0], k)
        return self._final(question, language, qvecs, k, self._chunk_probes(qvecs, language))

    def _chunk_probes(self, qvecs: np.ndarray, language: str) -> np.ndarray:
        """The question vectors that chunks are matched with: shifted into each corpus language other than the
        question's (see retrieve/shift.py). Sentences keep the plain question: a shifted one drifts towards
        short generic sentences of the other language (KazQAD en: sentence hit@5 .53 -> .38, chunk .57 -> .62)."""
        if not self.shift:
            return qvecs
        moved = self.shift.shifted(qvecs, language, self.languages)
        if not len(moved):
            return qvecs
        if self.shift_mode == "add" or language in self.languages:
            return np.vstack([qvecs, moved])
        return moved

    def _rrf(self, question: str, language: str, qvec: np.ndarray, k: int, c: int = 60) -> list[RetrievedChunk]:
        dense = self.store.query_chunks(qvec, self.dense_k)
        lexical = self.bm25.search(tokenize(question, language), self.dense_k)
        fused: dict[str, float] = {}
        for ranking in (dense, lexical):
            for rank, (cid, _) in enumerate(ranking):
                fused[cid] = fused.get(cid, 0.0) + 1.0 / (c + rank + 1)
        best = sorted(((c, v) for c, v in fused.items() if c in self.chunks), key=lambda x: -x[1])[:k]
        return [self._result(cid, score) for cid, score in best]

    def signals(
        self, question: str, language: str, qvecs: np.ndarray, chunk_qvecs: np.ndarray | None = None
    ) -> dict[str, Signals]:
        """Candidate chunks (dense, sentence, lexical and number hits) with every signal the fusion uses."""
        expanded = expand_query(question, language, self.lexicon)
        candidates: dict[str, None] = {}
        feedback: list[str] = []  # the best dense chunks, for the bridge's pseudo-relevance feedback
        chunk_qvecs = qvecs if chunk_qvecs is None else chunk_qvecs
        for qvec in chunk_qvecs:
            hits = self.store.query_chunks(qvec, self.dense_k)
            feedback += [cid for cid, _ in hits[: self.bridge.options.feedback]] if self.bridge else []
            candidates.update((cid, None) for cid, _ in hits)
        for qvec in qvecs:
            candidates.update(
                (sid.rsplit(":", 1)[0], None) for sid, _ in self.store.query_sentences(qvec, self.sentence_k)
            )
        if self.bridge is not None:
            skip = expanded.lexicon_stems() | {t for n in expanded.names for t in tokenize(n, language)}
            used = frozenset().union(*(self.mentions[c] for c in feedback if c in self.mentions))
            expanded.bridged = self.bridge.bridge(question, language, skip, used, self.languages)
        lexical = self.bm25_by_language.scores({lang: expanded.terms_for(lang) for lang in ("kk", "ru", "en")})
        top_lex = np.argsort(-lexical)[: self.lexical_k]
        candidates.update((self.ids[i], None) for i in top_lex if lexical[i] > 0)
        if expanded.numbers:
            candidates.update((cid, None) for cid in self._chunks_with_numbers(expanded.numbers))
        lex_max = float(lexical.max()) if len(lexical) and lexical.max() > 0 else 1.0
        lex_by_id = dict(zip(self.ids, lexical))
        concepts = question_concepts(expanded)
        idf = [self.idf(c) for c in concepts]
        out: dict[str, Signals] = {}
        # the store may hold chunks written after this retriever was built (another session's upload): skip
        # them until the retriever is rebuilt, rather than fail
        known = [cid for cid in candidates if cid in self.chunks]
        for cid, (cvec, svecs) in self._vectors_for(known).items():
            sig = Signals(chunk=float(np.max(chunk_qvecs @ cvec)))
            if len(svecs):
                sims = (svecs @ qvecs.T).max(axis=1)
                sig.sentence, sig.sentence_scores, sig.sentence_vectors = float(sims.max()), sims, svecs
            else:
                sig.sentence = sig.chunk
            sig.lexical = float(lex_by_id.get(cid, 0.0)) / lex_max
            sig.coverage = coverage(concepts, self.mentions[cid], idf)
            present = [c for c in concepts if c.match(self.mentions[cid])]
            # a phrase needs two concepts present; the pairs count against all of the question's concepts
            sig.adjacency = adjacency(concepts, self.positions[cid], idf) if len(present) >= 2 else 0.0
            if expanded.numbers:
                found = self.numbers[cid]
                sig.numbers = sum(n in found for n in expanded.numbers) / len(expanded.numbers)
            if expanded.names:
                sig.names = name_matches(expanded.names, self.chunks[cid].text)
            meta = self.chunks[cid].metadata
            sig.summary = float(bool(SUMMARY_SECTION.search(meta.get("section") or "")))
            sig.note = float(meta.get("role") == "note")

            sig.bridged = expanded.bridged
            out[cid] = sig
        return out

    def idf(self, concept: Concept) -> float:
        """Inverse document frequency of a concept's most frequent spelling in this index."""
        spellings = (*concept.alternatives, *concept.bridged)
        df = max((min(self.df.get(t, 0) for t in alt) for alt in spellings), default=0)
        return float(np.log(1 + len(self.ids) / (1 + df)))

    def fuse(self, sig: Signals) -> float:
        """The weighted sum of the signals, one term per field of Weights."""
        return sum(getattr(self.weights, name) * getattr(sig, name) for name in _FUSED)

    def _final(
        self, question: str, language: str, qvecs: np.ndarray, k: int, chunk_qvecs: np.ndarray | None = None
    ) -> list[RetrievedChunk]:
        scored = sorted(
            ((self.fuse(sig), cid, sig) for cid, sig in self.signals(question, language, qvecs, chunk_qvecs).items()),
            key=lambda x: -x[0],
        )
        return [self._result(cid, score, sig) for score, cid, sig in scored[:k]]

    def _chunks_with_numbers(self, numbers: list[str]) -> list[str]:
        counts: dict[str, int] = {}
        for n in set(numbers):
            for cid in self.by_number.get(n, ()):
                counts[cid] = counts.get(cid, 0) + 1
        return [cid for cid, _ in sorted(counts.items(), key=lambda x: -x[1])[: self.lexical_k]]

    def _result(self, cid: str, score: float, sig: Signals | None = None) -> RetrievedChunk:
        c = self.chunks[cid]
        section = c.metadata.get("section") or None
        result = RetrievedChunk(
            chunk_id=cid,
            text=c.text,
            source=c.metadata.get("source", ""),
            title=c.metadata.get("title", ""),
            page=c.page,
            section=section,
            language=c.metadata.get("language", ""),
            score=float(score),
            sentences=c.sentences,
            point=c.metadata.get("point") or None,
            subpoint=c.metadata.get("subpoint") or None,
        )
        if sig is not None and sig.sentence_scores is not None:
            result.sentence_scores = [float(x) for x in sig.sentence_scores]
            result.sentence_vectors = sig.sentence_vectors
        if sig is not None and sig.bridged:
            result.bridged = sig.bridged
        return result
