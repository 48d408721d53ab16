"""BM25 over pre-tokenized passages (bm25s sparse scores); tokens come from normalize.tokenize, not bm25s."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import bm25s
import numpy as np


class BM25Index:
    """A BM25 index over passages given as ids and token lists (see index.text.normalize.tokenize)."""

    def __init__(self, ids: Sequence[str], tokens: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75):
        if len(ids) != len(tokens):
            raise ValueError(f"{len(ids)} ids but {len(tokens)} token lists")
        self.ids = list(ids)
        self.vocab: dict[str, int] = {}
        token_ids = [[self.vocab.setdefault(t, len(self.vocab)) for t in doc] for doc in tokens]
        self._bm25: bm25s.BM25 | None = None
        if self.ids and self.vocab:
            self._bm25 = bm25s.BM25(k1=k1, b=b)
            # ids + our vocab: bm25s neither splits, stems nor drops stopwords
            self._bm25.index((token_ids, dict(self.vocab)), create_empty_token=False, show_progress=False)

    def __len__(self) -> int:
        return len(self.ids)

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage, aligned with self.ids (zeros for unknown or no query tokens)."""
        known = [self.vocab[t] for t in dict.fromkeys(query_tokens) if t in self.vocab]
        if self._bm25 is None or not known:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._bm25.get_scores_from_ids(known), dtype=np.float32)

    def search(self, query_tokens: Sequence[str], k: int) -> list[tuple[str, float]]:
        """The k best (id, score) pairs with score > 0, best first."""
        return _top(self.ids, self.scores(query_tokens), k)


class MultilingualBM25:
    """One BM25Index per passage language, so that each passage is matched with terms for its language
    (ExpandedQuery.terms_for) and term statistics come from passages in that language only."""

    def __init__(self, ids: Sequence[str], tokens: Sequence[Sequence[str]], languages: Sequence[str]):
        if not len(ids) == len(tokens) == len(languages):
            raise ValueError(f"{len(ids)} ids, {len(tokens)} token lists, {len(languages)} languages")
        self.ids = list(ids)
        self.languages = np.asarray(languages, dtype=object)
        self.positions = {lang: np.flatnonzero(self.languages == lang) for lang in dict.fromkeys(languages)}
        self.indexes = {
            lang: BM25Index([self.ids[i] for i in pos], [tokens[i] for i in pos])
            for lang, pos in self.positions.items()
        }

    def scores(self, terms: Mapping[str, Sequence[str]]) -> np.ndarray:
        """Scores aligned with self.ids; terms maps a language to its query tokens (missing -> zeros)."""
        out = np.zeros(len(self.ids), dtype=np.float32)
        for lang, query_tokens in terms.items():
            if lang in self.indexes:
                out[self.positions[lang]] = self.indexes[lang].scores(query_tokens)
        return out

    def search(self, terms: Mapping[str, Sequence[str]], k: int) -> list[tuple[str, float]]:
        """The k best (id, score) pairs with score > 0, best first."""
        return _top(self.ids, self.scores(terms), k)


def _top(ids: list[str], scores: np.ndarray, k: int) -> list[tuple[str, float]]:
    k = min(k, int((scores > 0).sum()))
    if k <= 0:
        return []
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(ids[i], float(scores[i])) for i in top]
