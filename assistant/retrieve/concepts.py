"""Language-neutral concept matching: does a text mention what the question asks about, in any language?

A question's concepts are lexicon entries (with their kk/ru/en spellings) and the question words no entry covers.
A multi-word spelling matches only when all its words are present, so «халық саны» is not matched by «халық».
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

from assistant.retrieve.expand import LEXICON_PATH, ExpandedQuery, load_lexicon
from assistant.retrieve.normalize import text_tokens, tokenize

# Lexicon sections whose concepts name things (countries, organisations, initiatives, people): a question about
# one of them cannot be answered from sources that never mention it.
ENTITY_SECTIONS = ("countries", "organisations", "initiatives", "people")
# A generic word in a question is answered by the names of its kind: "which organisations" by ШЫҰ, ҰҚШҰ, ...
KIND_OF = {"organization": "organisations", "country": "countries"}


@dataclass(frozen=True)
class Concept:
    key: str
    alternatives: tuple[frozenset[str], ...]  # each spelling as its set of normalized tokens
    entity: bool

    def in_tokens(self, tokens: set[str] | frozenset[str]) -> bool:
        return any(alt <= tokens for alt in self.alternatives)

    def in_positions(self, positions: dict[str, list[int]]) -> bool:
        """Stricter than in_tokens: a spelling of several words must occur as a phrase (its words within a
        window of its length), so «Орта дәліз» is not found in «Орталық Азия ... дәліздер»."""
        for alt in self.alternatives:
            places = [positions.get(t) for t in alt]
            if not all(places):
                continue
            n = len(alt)
            if n == 1 or any(all(any(abs(j - i) < n for j in p) for p in places) for i in places[0]):
                return True
        return False


@lru_cache(maxsize=1)
def _entity_sections() -> dict[str, str]:
    """Lexicon key -> the entity section it is listed in (countries, organisations, ...)."""
    keys: dict[str, str] = {}
    section = None
    for line in LEXICON_PATH.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            header = line.lower()
            if not header.startswith("# cross") and not header.startswith("# a general"):
                section = next((word for word in ENTITY_SECTIONS if word in header), None)
        elif line.strip() and section:
            keys[line.split("\t", 1)[0]] = section
    return keys


def _spellings(key: str) -> list[frozenset[str]]:
    lexicon = load_lexicon()
    out = []
    for lang, spellings in lexicon.forms[key].items():
        for spelling in spellings:
            tokens = frozenset(tokenize(spelling, lang))
            if tokens:
                out.append(tokens)
    return out


@lru_cache(maxsize=4096)
def _lexicon_concept(key: str) -> Concept:
    sections = _entity_sections()
    alternatives = _spellings(key)
    if key in KIND_OF:
        alternatives += [alt for k, sec in sections.items() if sec == KIND_OF[key] for alt in _spellings(k)]
    return Concept(key, tuple(dict.fromkeys(alternatives)), key in sections)


def question_concepts(expanded: ExpandedQuery) -> list[Concept]:
    """Lexicon concepts of the question, then each remaining question word as a concept of its own."""
    concepts = [_lexicon_concept(c) for c in expanded.concepts]
    covered = set().union(*(alt for c in concepts for alt in c.alternatives)) if concepts else set()
    own = [t for t in dict.fromkeys(expanded.own_terms) if t not in covered and not t[0].isdigit()]
    return concepts + [Concept(t, (frozenset([t]),), False) for t in own]


def mention_set(tokens) -> frozenset[str]:
    """Tokens plus each long token less its last letter, so a stem the suffix stripper left one letter longer
    still matches (Kazakh drops a vowel before a suffix: кәсіпорын -> кәсіпорны gives кәсіпор / кәсіпорн)."""
    tokens = frozenset(tokens)
    return tokens | {t[:-1] for t in tokens if len(t) >= 6 and not t[-1].isdigit()}


@lru_cache(maxsize=50_000)
def mentions_in(text: str) -> frozenset[str]:
    """mention_set of a text's tokens (language guessed), cached."""
    return mention_set(text_tokens(text))


def coverage(concepts: list[Concept], mentions: frozenset[str], weights: list[float] | None = None) -> float:
    """Share of concepts (optionally weighted) that a text mentions, given its mention_set."""
    if not concepts:
        return 0.0
    weights = weights or [1.0] * len(concepts)
    total = sum(weights)
    return sum(w for c, w in zip(concepts, weights) if c.in_tokens(mentions)) / total if total else 0.0


def token_positions(sentences: list[list[str]]) -> dict[str, list[int]]:
    """Where each token (and, like mention_set, each long token less its last letter) occurs in a text given as
    its sentences' tokens; a gap separates sentences, so no two tokens of different sentences are adjacent."""
    positions: dict[str, list[int]] = {}
    i = 0
    for tokens in sentences:
        for t in tokens:
            positions.setdefault(t, []).append(i)
            if len(t) >= 6 and not t[-1].isdigit():
                positions.setdefault(t[:-1], []).append(i)
            i += 1
        i += 1
    return positions


def adjacency(concepts: list[Concept], positions: dict[str, list[int]], weights: list[float] | None = None) -> float:
    """Share of the question's concept pairs (each weighted by its commoner concept) that stand side by side in a
    text, stopwords aside: a phrase match across languages ("the goal of the study" ~ «зерттеудің мақсаты»)."""
    weights = weights or [1.0] * len(concepts)
    places = [
        {i for alt in c.alternatives for t in alt for i in positions.get(t, ())} for c in concepts
    ]
    total = found = 0.0
    for (a, wa), (b, wb) in combinations(zip(places, weights), 2):
        w = min(wa, wb)
        total += w
        if a and b and any(i + 1 in b or i - 1 in b for i in a):
            found += w
    return found / total if total else 0.0
