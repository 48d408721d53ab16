"""Kazakh typed without its letters: «Енбек шартын калай бузуга болады?» read as «Еңбек шартын қалай бұзуға
болады?».

Many users type Kazakh on a Russian keyboard, writing а г к н о у у х и for ә ғ қ ң ө ұ ү һ і. Such a question
matches neither the corpus's words (BM25, concept coverage, the term bridge) nor its language: on KazQAD's Kazakh
questions typed so, hit@5 fell from 0.92 to 0.74 (`bench/results/xling.plain.first-read.md`). A question word the
corpus never uses gets its letters back when the corpus (or the language resources' Kazakh words: number words,
months, countries) has that word with them (among several, the one whose stem
most chunks use); a form the corpus does not have («қызметкерлерді») is spelled letter by letter as the corpus's
words make likeliest (a character trigram model of its vocabulary). The question is rewritten only when one of its
words is a corpus word typed plainly and at least half of its unknown words are respelled: so were 329 of KazQAD's
352 Kazakh questions typed plainly and all 48 of the legal and article sets', against 5 of KazQAD's 352 Russian
questions (each naming a Kazakh name or title) and none of the other sets' 49.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable

from index.text.normalize import STOPWORDS

KAZAKH_ONLY = "әғқңөұүһі"
_PLAIN = str.maketrans(KAZAKH_ONLY, "агкноуухи")
# what each plainly typed letter may stand for
_OPTIONS = {"а": "аә", "г": "гғ", "к": "кқ", "н": "нң", "о": "оө", "у": "уұү", "х": "хһ", "и": "иі"}
_CYRILLIC_WORD = re.compile(r"[а-яёәғқңөұүһі]+", re.IGNORECASE)
MIN_LETTERS = 3  # shorter words are not respelled (a corpus vocabulary holds words of 4+ letters, the stopword
# list shorter ones: «қай», «кім»)
GUESS_MARGIN = 4.0  # log-likelihood a letter-by-letter respelling must gain over the word as typed


def plain(word: str) -> str:
    """A word as typed without Kazakh letters."""
    return word.translate(_PLAIN)


class LetterRestorer:
    """Gives a question's words typed without Kazakh letters the letters the corpus spells them with.

    `words`: the corpus's word forms (lower case), to which the words of the stopword list are added (a law rarely
    writes «қалай», «қанша»); `weight`: how common each candidate spelling is in the corpus (higher first), asked
    only when several corpus words are typed alike."""

    def __init__(
        self, words: Iterable[str], weight: Callable[[list[str]], list[float]] | None = None, enabled: bool = True
    ):
        self.enabled = enabled  # off: every question as typed (the benchmarks' "− respelling")
        self.known: set[str] = set()
        self.spellings: dict[str, list[str]] = {}
        self.trigrams: Counter[str] = Counter()
        self.bigrams: Counter[str] = Counter()
        for word in dict.fromkeys([*words, *sorted(STOPWORDS)]):
            self.known.add(word)
            if any(ch in KAZAKH_ONLY for ch in word):
                self.spellings.setdefault(plain(word), []).append(word)
            if _CYRILLIC_WORD.fullmatch(word):
                padded = f"^^{word}$"
                self.trigrams.update(padded[i : i + 3] for i in range(len(padded) - 2))
                self.bigrams.update(padded[i : i + 2] for i in range(len(padded) - 2))
        self.kazakh = sum(n for g, n in self.trigrams.items() if any(ch in KAZAKH_ONLY for ch in g)) > 0
        self.weight = weight

    def restore(self, text: str) -> str:
        """`text` with its plainly typed Kazakh words respelled, or `text` itself."""
        if not self.enabled:
            return text
        unknown, exact = 0, 0
        found: dict[tuple[int, int], str] = {}
        for match in _CYRILLIC_WORD.finditer(text):
            word = match.group(0)
            low = word.lower()
            if len(low) < MIN_LETTERS or low in self.known or any(ch in KAZAKH_ONLY for ch in low):
                continue
            unknown += 1
            candidates = self.spellings.get(low)
            if candidates:
                exact += 1
                found[match.span()] = _cased(self._best(candidates), word)
            elif self.kazakh and len(low) > MIN_LETTERS and (guess := self.likeliest(low)) != low:
                found[match.span()] = _cased(guess, word)
        if not exact or 2 * len(found) < unknown:
            return text
        out, last = [], 0
        for (start, end), spelled in sorted(found.items()):
            out += [text[last:start], spelled]
            last = end
        return "".join(out + [text[last:]])

    def likeliest(self, word: str) -> str:
        """The spelling of a plainly typed word that the corpus's letter trigrams make likeliest (Viterbi over the
        letters each plain letter may stand for; add-one smoothing), when it beats the word as typed by
        GUESS_MARGIN; else the word."""
        states: dict[str, tuple[float, str]] = {"^^": (0.0, "")}
        for ch in [*word, "$"]:
            nxt: dict[str, tuple[float, str]] = {}
            for ctx, (score, spelled) in states.items():
                for option in _OPTIONS.get(ch, ch):
                    total = score + self._logp(ctx, option)
                    key = ctx[1] + option
                    if key not in nxt or nxt[key][0] < total:
                        nxt[key] = (total, spelled + option)
            states = nxt
        best, spelled = max(states.values())
        as_typed = sum(self._logp(f"^^{word}$"[i : i + 2], f"^^{word}$"[i + 2]) for i in range(len(word) + 1))
        return spelled.rstrip("$") if best - as_typed >= GUESS_MARGIN else word

    def _logp(self, context: str, letter: str) -> float:
        return math.log((self.trigrams[context + letter] + 1) / (self.bigrams[context] + len(self.bigrams) + 1))

    def _best(self, candidates: list[str]) -> str:
        if len(candidates) == 1 or self.weight is None:
            return candidates[0]
        weights = self.weight(candidates)
        return max(zip(candidates, weights), key=lambda cw: cw[1])[0]


def _cased(spelled: str, typed: str) -> str:
    """`spelled` in the case the user typed: «ЕНБЕК» -> «ЕҢБЕК», «Енбек» -> «Еңбек»."""
    if typed.isupper() and len(typed) > 1:
        return spelled.upper()
    return spelled[:1].upper() + spelled[1:] if typed[:1].isupper() else spelled
