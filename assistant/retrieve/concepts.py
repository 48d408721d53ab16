"""Language-neutral concept matching: does a text mention what the question asks about, in any language?

A question's concepts are lexicon entries (with their kk/ru/en spellings) and the question words no entry covers.
A multi-word spelling matches only when all its words are present, so «халық саны» is not matched by «халық».
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from assistant.retrieve.expand import LEXICON_PATH, ExpandedQuery, load_lexicon
from assistant.retrieve.normalize import tokenize

# Lexicon sections whose concepts name things (countries, organisations, initiatives, people): a question about
# one of them cannot be answered from sources that never mention it.
ENTITY_SECTIONS = ("countries", "organisations", "initiatives", "people")


@dataclass(frozen=True)
class Concept:
    key: str
    alternatives: tuple[frozenset[str], ...]  # each spelling as its set of normalized tokens
    entity: bool

    def in_tokens(self, tokens: set[str] | frozenset[str]) -> bool:
        return any(alt <= tokens for alt in self.alternatives)


@lru_cache(maxsize=1)
def _entity_keys() -> frozenset[str]:
    keys, entity = set(), False
    for line in LEXICON_PATH.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            header = line.lower()
            if not header.startswith("# cross") and not header.startswith("# a general"):
                entity = any(word in header for word in ENTITY_SECTIONS)
        elif line.strip() and entity:
            keys.add(line.split("\t", 1)[0])
    return frozenset(keys)


@lru_cache(maxsize=4096)
def _lexicon_concept(key: str) -> Concept:
    lexicon = load_lexicon()
    alternatives = []
    for lang, spellings in lexicon.forms[key].items():
        for spelling in spellings:
            tokens = frozenset(tokenize(spelling, lang))
            if tokens:
                alternatives.append(tokens)
    return Concept(key, tuple(dict.fromkeys(alternatives)), key in _entity_keys())


def question_concepts(expanded: ExpandedQuery) -> list[Concept]:
    """Lexicon concepts of the question, then each remaining question word as a concept of its own."""
    concepts = [_lexicon_concept(c) for c in expanded.concepts]
    covered = set().union(*(alt for c in concepts for alt in c.alternatives)) if concepts else set()
    own = [t for t in dict.fromkeys(expanded.own_terms) if t not in covered and not t[0].isdigit()]
    return concepts + [Concept(t, (frozenset([t]),), False) for t in own]


def coverage(concepts: list[Concept], tokens: set[str] | frozenset[str], weights: list[float] | None = None) -> float:
    """Share of concepts (optionally weighted) that a token set mentions."""
    if not concepts:
        return 0.0
    weights = weights or [1.0] * len(concepts)
    total = sum(weights)
    return sum(w for c, w in zip(concepts, weights) if c.in_tokens(tokens)) / total if total else 0.0
