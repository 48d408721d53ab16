"""The corpus term bridge: a question's words mapped onto the corpus's own word forms by e5 similarity.

The vocabulary is the user's corpus (every distinct word form, embedded once at indexing), so the bridge adapts to
any document: "citizenship" finds «азаматтығы», «гражданство» finds it too, with no hand list. A word's
neighbours count only when they are close (`min_similarity`) and nearly as close as its best one (`margin`); each
becomes an alternative spelling of that question word for the lexical signals (coverage, adjacency, BM25).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass

from index.text.normalize import STOPWORDS, stem, word_language, word_languages
from index.vocabulary import MIN_LETTERS

_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class BridgeOptions:
    min_similarity: float = 0.86
    margin: float = 0.03
    per_word: int = 3
    neighbours: int = 24  # nearest vocabulary words looked at per question word
    feedback: int = 8  # a neighbour counts only if the top dense chunks use it (pseudo-relevance feedback)


class TermBridge:
    """Maps question words to corpus stems through the store's vocabulary collection."""

    def __init__(self, store, embedder, options: BridgeOptions | None = None, cache_size: int = 4096):
        self.store, self.embedder = store, embedder
        self.options = options or BridgeOptions()
        self._cache: OrderedDict[str, list[tuple[str, float]]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def neighbours(self, words: list[str]) -> dict[str, list[tuple[str, float]]]:
        """Each word's nearest corpus word forms with their similarity, best first (cached per word)."""
        with self._lock:
            todo = [w for w in dict.fromkeys(words) if w not in self._cache]
        if todo:
            vectors = self.embedder.query_vectors(todo)
            found = self.store.query_terms(vectors, self.options.neighbours)
            with self._lock:
                for word, hits in zip(todo, found, strict=True):
                    self._cache[word] = [(w, s) for w, s in hits if w != word]
                    if len(self._cache) > self._cache_size:
                        self._cache.popitem(last=False)
        with self._lock:
            return {w: self._cache.get(w, []) for w in words}

    def bridge(
        self,
        question: str,
        language: str,
        skip: set[str],
        feedback: set[str] | frozenset[str] | None = None,
        corpus_languages: set[str] | None = None,
        tokenized_as: set[str] | None = None,
    ) -> dict[str, list[str]]:
        """Question stem -> corpus stems it bridges to. `skip` holds the stems already matched otherwise
        (lexicon concepts, names); with `feedback` (the stems of the best dense hits), only neighbours the
        corpus uses there count, which picks the sense the question is about («capital» -> «астана», not
        «капитал», in chunks about cities). `tokenized_as`: every language the corpus's chunks were tokenized in
        (default `corpus_languages`), which decides how a neighbour is stemmed."""
        words: dict[str, tuple[str, str]] = {}  # question word -> (its stem, its language)
        for word in _WORD.findall(unicodedata.normalize("NFKC", question).lower()):
            if len(word) < MIN_LETTERS or word in STOPWORDS:
                continue
            lang = word_language(word, language)
            if corpus_languages and lang in corpus_languages:
                continue  # the corpus's own language: its stems match directly
            own = stem(word, lang)
            if own not in skip and own not in STOPWORDS:
                words.setdefault(word, (own, lang))
        if not words:
            return {}
        read_in = tokenized_as or corpus_languages
        out: dict[str, list[str]] = {}
        for word, hits in self.neighbours(list(words)).items():
            own, lang = words[word]
            hits = [(w, s) for w, s in hits if word_language(w) != lang]  # the bridge crosses languages only
            if not hits:
                continue
            floor = max(self.options.min_similarity, hits[0][1] - self.options.margin)
            # stemmed as the corpus's own tokens were: «неке», «шарты» are Kazakh words in a Kazakh corpus
            stems = [stem(w, x) for w, s in hits if s >= floor for x in word_languages(w, read_in)]
            stems = [s for s in dict.fromkeys(stems) if s != own and s not in STOPWORDS]
            if feedback is not None:
                stems = [s for s in stems if s in feedback]
            if stems[: self.options.per_word]:
                out[own] = list(dict.fromkeys(out.get(own, []) + stems[: self.options.per_word]))
        return out


def no_vocabulary(store) -> bool:
    try:
        return store.term_count() == 0
    except Exception:  # a store without the vocabulary collection (older index): no bridge
        return True
