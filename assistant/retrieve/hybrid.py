"""Language-aware hybrid retrieval: dense chunks + best sentence (e5, Chroma) fused with lexical evidence.

Lexical evidence is fused only where it applies across languages: dictionary-expanded terms (BM25 over kk/ru/en
normalised tokens), numbers from the question matched exactly, and proper names matched by transliteration.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, fields
from enum import Enum
from functools import cached_property
from pathlib import Path

import numpy as np

from assistant.letters import LetterRestorer
from assistant.retrieve.bridge import BridgeOptions, TermBridge, no_vocabulary
from assistant.retrieve.merge import merge_siblings
from assistant.retrieve.shift import LanguageShift
from assistant.retrieve.types import RetrievedChunk
from index.lexical import in_context
from index.store import ChromaStore, StoredChunk
from index.structure import Reference, article_number, asked_reference, point_of
from index.text.concepts import (
    Concept,
    adjacency,
    coverage,
    mention_set,
    named_titles,
    question_concepts,
    token_positions,
)
from index.text.expand import expand_query, load_lexicon, name_matches
from index.text.normalize import tokenize


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
    asked: float = 0.2  # the article (and point) a question names: "What does Article 36(2) say?"


# Derek's additions over dense + BM25, each switched off in turn by the benchmarks' ablation rows:
# name -> HybridRetriever options.
ABLATIONS: dict[str, dict] = {
    "− term bridge": {"bridge": False},
    "+ language shift": {"shift": "replace"},
    "+ domain lexicon": {"lexicon": (Path(__file__).resolve().parents[2] / "lexicons" / "central-asia.tsv",)},
    "+ sentence search": {"sentence_search": True},
    "− asked article": {"articles": False},
    "− named document": {"documents": False},
    "− respelling": {"respell": False},
    "− sibling merge": {"merge": False},
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
    asked: float = 0.0
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
        cache_size: int = 4096,  # candidate chunks whose text, vectors and tokens are kept in memory
        # Candidates from a search over every sentence as well as every chunk. Off: on the article's three sets,
        # the legal set and KazQAD kk/en/ru it found no gold chunk the others miss (hit@1/@5 identical on the
        # first two, R@1/R@5 within 0.003 on KazQAD), and its graph (4 sentences a chunk) is what a cold start loads.
        sentence_search: bool = False,
        articles: bool = True,  # a question that names an article or point finds it (the `asked` signal)
        documents: bool = True,  # ... in the document it names, when it names one ("of the Law on Languages")
        respell: bool = True,  # Kazakh typed without its letters is respelled with the corpus's words (`letters`)
        merge: bool = True,  # chunks of one section among the best results are one result (merge.py)
    ):
        self.lexicon = load_lexicon(tuple(lexicon))
        self.store = store
        self.shift_mode = shift
        self.shift = LanguageShift(getattr(embedder, "model_name", "")) if shift != "off" else None
        self.bridge = TermBridge(store, embedder, bridge_options) if bridge and not no_vocabulary(store) else None
        self.embedder = embedder
        self.weights = weights or Weights()
        self.dense_k, self.sentence_k, self.lexical_k = dense_k, sentence_k, lexical_k
        self.sentence_search = sentence_search
        self.articles = articles
        self.documents = documents
        # the lexical side is persisted with the chunks (index/lexical.py): opening it reads nothing per chunk;
        # an index written before it existed, or by another machine to a Chroma server, is brought in step once
        self.lex = store.lexical
        if self.lex.count() != store.count():
            self.lex.sync(store)
        per_language = self.lex.languages()
        self.size = sum(per_language.values())
        # the corpus languages a question is shifted towards: those of at least a tenth of the chunks
        self.languages = {lang for lang, n in per_language.items() if n >= 0.1 * self.size}
        self.tokenized_as = {lang for lang, n in per_language.items() if n}  # how the bridge stems corpus words
        # what candidates need, read on demand and kept for the most recent ones (bounded memory at any size)
        self._cache: _LRU = _LRU(cache_size)
        self.respell = respell
        self.merge = merge
        self._letters: LetterRestorer | None = None
        self._letters_lock = threading.Lock()

    @property
    def letters(self) -> LetterRestorer:
        """Respells Kazakh typed without its letters by this corpus's words (assistant/letters.py), read once."""
        with self._letters_lock:
            if self._letters is None and not self.respell:
                self._letters = LetterRestorer([], enabled=False)
            elif self._letters is None:
                words = [] if no_vocabulary(self.store) else self.store.term_words()
                # and the Kazakh words of the language resources: number words, months, countries («екі», «Қытай»)
                words += [
                    word.lower() for forms in self.lexicon.forms.values() for spelling in forms.get("kk", [])
                    for word in spelling.split()
                ]
                self._letters = LetterRestorer(words, self._stem_counts)
            return self._letters

    def _stem_counts(self, words: list[str]) -> list[float]:
        """How many chunks use each word's stem."""
        stems = [next(iter(tokenize(w, "kk")), w) for w in words]
        df = self.lex.df(stems)
        return [float(df.get(s, 0)) for s in stems]

    def __len__(self) -> int:
        return self.size

    def _candidates(self, ids: list[str]) -> dict[str, _Candidate]:
        """What the fusion needs of each chunk: its record (text, metadata, tokens: from the lexical index) and
        its vectors (from Chroma, by id). A chunk missing from either (written after the lexical index was read,
        or deleted since the search) is left out, not failed."""
        found = self._cache.get_many(ids)
        missing = [i for i in dict.fromkeys(ids) if i not in found]
        if missing:
            records = self.lex.records(missing)
            chunks = {i: StoredChunk(i, rec.text, dict(rec.metadata)) for i, rec in records.items()}
            vectors = self.store.chunk_vectors(list(records))
            sentence_vectors = self.store.sentence_vectors(
                [i for i in records if i in vectors], {i: len(c.sentences) for i, c in chunks.items()})
            for i, rec in records.items():
                if i not in vectors:
                    continue
                vec = vectors[i]
                found[i] = _Candidate(
                    chunk=chunks[i], vector=vec,
                    sentence_vectors=sentence_vectors.get(i, np.zeros((0, vec.shape[0]), dtype=np.float32)),
                    mentions=mention_set(rec.tokens), sentence_tokens=rec.sentences, numbers=set(rec.numbers),
                )
                self._cache.put(i, found[i])
        return found

    def retrieve(
        self,
        question: str,
        language: str,
        k: int = 5,
        mode: RetrievalMode = RetrievalMode.FINAL,
        extra_queries: list[str] | None = None,
    ) -> list[RetrievedChunk]:
        if not self.size:
            return []
        queries = [question] + [q for q in (extra_queries or []) if q.strip()]
        qvecs = self.embedder.query_vectors(queries)
        self.store.check_dimension(qvecs)
        if mode is RetrievalMode.DENSE:
            return self._results(self.store.query_chunks(qvecs[0], k))
        if mode is RetrievalMode.LEXICAL:
            return self._results(self.lex.bm25_all(tokenize(question, language)).top(k))
        if mode is RetrievalMode.HYBRID:
            return self._rrf(question, language, qvecs[0], k)
        ranked = self._final(question, language, qvecs, k, self._chunk_probes(qvecs, language))
        return merge_siblings(ranked) if self.merge else ranked

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
        lexical = self.lex.bm25_all(tokenize(question, language)).top(self.dense_k)
        fused: dict[str, float] = {}
        for ranking in (dense, lexical):
            for rank, (cid, _) in enumerate(ranking):
                fused[cid] = fused.get(cid, 0.0) + 1.0 / (c + rank + 1)
        return self._results(sorted(fused.items(), key=lambda x: -x[1])[:k])

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
        for qvec in qvecs if self.sentence_search else ():
            candidates.update(
                (sid.rsplit(":", 1)[0], None) for sid, _ in self.store.query_sentences(qvec, self.sentence_k)
            )
        if self.bridge is not None:
            skip = expanded.lexicon_stems() | {t for n in expanded.names for t in tokenize(n, language)}
            used = frozenset().union(*(c.mentions for c in self._candidates(feedback).values()))
            expanded.bridged = self.bridge.bridge(question, language, skip, used, self.languages, self.tokenized_as)
        lexical = self.lex.bm25({lang: expanded.terms_for(lang) for lang in ("kk", "ru", "en")})
        candidates.update((cid, None) for cid, _ in lexical.top(self.lexical_k))
        if expanded.numbers:
            candidates.update((cid, None) for cid in self._chunks_with_numbers(expanded.numbers))
        asked = asked_reference(question) if self.articles else None
        if asked is not None:
            candidates.update((cid, None) for cid in self._article_chunks(asked.article))
        lex_max = lexical.max() or 1.0
        concepts = question_concepts(expanded)
        df = self.lex.df(t for c in concepts for alt in (*c.alternatives, *c.bridged) for t in alt)
        idf = [self.idf(c, df) for c in concepts]
        out: dict[str, Signals] = {}
        found = self._candidates(list(candidates))
        lex_of = lexical.of(list(found))
        # "Article 30 of the Law on Languages" is not article 30 of another law among the documents
        documents = None
        if asked is not None and self.documents:
            documents = named_titles(concepts, {c.chunk.metadata.get("title", "") for c in found.values()})
        for cid, cand in found.items():
            chunk, cvec, svecs = cand.chunk, cand.vector, cand.sentence_vectors
            mentions, numbers = cand.mentions, cand.numbers
            sig = Signals(chunk=float(np.max(chunk_qvecs @ cvec)))
            if len(svecs):
                sims = (svecs @ qvecs.T).max(axis=1)
                sig.sentence, sig.sentence_scores, sig.sentence_vectors = float(sims.max()), sims, svecs
            else:
                sig.sentence = sig.chunk
            sig.lexical = lex_of.get(cid, 0.0) / lex_max
            sig.coverage = coverage(concepts, mentions, idf)
            present = [c for c in concepts if c.match(mentions)]
            # a phrase needs two concepts present; the pairs count against all of the question's concepts
            sig.adjacency = adjacency(concepts, cand.positions, idf) if len(present) >= 2 else 0.0
            if expanded.numbers:
                sig.numbers = sum(n in numbers for n in expanded.numbers) / len(expanded.numbers)
            if expanded.names:
                sig.names = name_matches(expanded.names, in_context(chunk.metadata, chunk.text))
            meta = chunk.metadata
            sig.summary = float(bool(SUMMARY_SECTION.search(meta.get("section") or "")))
            sig.note = float(meta.get("role") == "note")
            if asked is not None and (documents is None or meta.get("title", "") in documents):
                sig.asked = asked_match(chunk, asked)

            sig.bridged = expanded.bridged
            out[cid] = sig
        return out

    def idf(self, concept: Concept, df: dict[str, int]) -> float:
        """Inverse document frequency of a concept's most frequent spelling in this index (df: LexicalIndex.df)."""
        spellings = (*concept.alternatives, *concept.bridged)
        most = max((min(df.get(t, 0) for t in alt) for alt in spellings), default=0)
        return float(np.log(1 + self.size / (1 + most)))

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
        return list(self.lex.with_numbers(numbers, self.lexical_k))

    def _article_chunks(self, article: str) -> list[str]:
        """The chunks of the articles numbered `article` (in any document): among the chunks whose tokens hold its
        number (each chunk's tokens include its heading, «24-бап. ...»), those whose section is that article."""
        number = article.split("-")[0]
        hits = self.lex.bm25({lang: [number] for lang in ("kk", "ru", "en")}).top(ARTICLE_LOOKUP)
        records = self.lex.records([cid for cid, _ in hits])
        return [cid for cid, rec in records.items() if article_number((rec.metadata or {}).get("section")) == article]

    def _results(self, hits: list[tuple[str, float]]) -> list[RetrievedChunk]:
        found = self._candidates([cid for cid, _ in hits])
        return [self._result(cid, score, chunk=found[cid].chunk) for cid, score in hits if cid in found]

    def _result(
        self, cid: str, score: float, sig: Signals | None = None, chunk: StoredChunk | None = None
    ) -> RetrievedChunk:
        c = chunk or self._candidates([cid])[cid].chunk
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
            page_breaks=c.page_breaks,
            position=c.metadata.get("index"),
        )
        result.fused = sig is not None
        if sig is not None and sig.sentence_scores is not None:
            result.sentence_scores = [float(x) for x in sig.sentence_scores]
            result.sentence_vectors = sig.sentence_vectors
        if sig is not None and sig.bridged:
            result.bridged = sig.bridged
        return result


ARTICLE_LOOKUP = 200  # chunks holding an asked article's number that are looked at for its section


def asked_match(chunk: StoredChunk, asked: Reference) -> float:
    """1 for a chunk of the article a question names (and of its point, when it names one: a point the chunk starts
    in or opens), 0.5 for the article without that point, else 0."""
    if article_number(chunk.metadata.get("section")) != asked.article:
        return 0.0
    if asked.point is None:
        return 1.0
    points = {chunk.metadata.get("point")} | {point_of(line) for line in chunk.text.split("\n")}
    return 1.0 if asked.point in points else 0.5


@dataclass
class _Candidate:
    chunk: StoredChunk
    vector: np.ndarray
    sentence_vectors: np.ndarray
    mentions: frozenset[str]
    sentence_tokens: tuple[tuple[str, ...], ...]
    numbers: set[str]

    @cached_property
    def positions(self) -> dict[str, list[int]]:
        """Where each token occurs (phrase adjacency), computed for the candidates that need it."""
        return token_positions([list(t) for t in self.sentence_tokens])


class _LRU:
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int):
        self.size = size
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys) -> dict:
        with self._lock:
            out = {}
            for key in keys:
                if key in self._data:
                    self._data.move_to_end(key)
                    out[key] = self._data[key]
            return out

    def put(self, key, value) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
