"""Language-neutral concept matching: does a text mention what the question asks about, in any language?

A question's concepts are lexicon entries (with their kk/ru/en spellings) and the question words no entry covers.
A multi-word spelling matches only when all its words are present, so «халық саны» is not matched by «халық».
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

from index.text.expand import ExpandedQuery, Lexicon, load_lexicon
from index.text.normalize import text_tokens

# A generic word in a question is answered by the names of its kind: "which organisations" by ШЫҰ, ҰҚШҰ, ...
KIND_OF = {"organization": "organisations", "country": "countries"}


BRIDGED_CREDIT = 0.5  # a word found only through the corpus term bridge counts this much of a spelling match


@dataclass(frozen=True)
class Concept:
    key: str
    alternatives: tuple[frozenset[str], ...]  # each spelling as its set of normalized tokens
    entity: bool
    bridged: tuple[frozenset[str], ...] = ()  # corpus stems the term bridge maps the word to (less certain)

    def in_tokens(self, tokens: set[str] | frozenset[str]) -> bool:
        return any(alt <= tokens for alt in self.alternatives)

    def match(self, tokens: set[str] | frozenset[str]) -> float:
        """1 for a spelling in tokens, BRIDGED_CREDIT for a bridged stem only, else 0."""
        if self.in_tokens(tokens):
            return 1.0
        return BRIDGED_CREDIT if any(alt <= tokens for alt in self.bridged) else 0.0

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


def lexicon_concept(lexicon: Lexicon, key: str) -> Concept:
    """A lexicon entry as a Concept (cached per lexicon); a generic kind word also matches the names of its kind."""
    cached = lexicon._concepts.get(key)
    if cached is None:
        alternatives = lexicon.spellings(key)
        if key in KIND_OF:
            alternatives += [
                alt for k, sec in lexicon.sections.items() if sec == KIND_OF[key] for alt in lexicon.spellings(k)
            ]
        cached = Concept(key, tuple(dict.fromkeys(alternatives)), lexicon.is_entity(key))
        lexicon._concepts[key] = cached
    return cached


def question_concepts(expanded: ExpandedQuery) -> list[Concept]:
    """Lexicon concepts of the question, then each remaining question word as a concept of its own."""
    lexicon = expanded.lexicon or load_lexicon()
    concepts = [lexicon_concept(lexicon, c) for c in expanded.concepts]
    covered = set().union(*(alt for c in concepts for alt in c.alternatives)) if concepts else set()
    own = [t for t in dict.fromkeys(expanded.own_terms) if t not in covered and not t[0].isdigit()]
    return concepts + [
        Concept(t, (frozenset([t]),), False, tuple(frozenset([b]) for b in expanded.bridged.get(t, []))) for t in own
    ]


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
    return sum(w * c.match(mentions) for c, w in zip(concepts, weights)) / total if total else 0.0


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
        {i for alt in (*c.alternatives, *c.bridged) for t in alt for i in positions.get(t, ())} for c in concepts
    ]
    total = found = 0.0
    for (a, wa), (b, wb) in combinations(zip(places, weights), 2):
        w = min(wa, wb)
        total += w
        if a and b and any(i + 1 in b or i - 1 in b for i in a):
            found += w
    return found / total if total else 0.0


def named_titles(concepts: list[Concept], titles: set[str]) -> set[str] | None:
    """The document titles a question names ("Article 30 of the Law on Languages" names «Қазақстан
    Республикасындағы тіл туралы», not «... Еңбек Кодексі»): those whose words meet the most of the question's
    concepts (a bridged word at its credit), when that is more than another title meets. None when the question
    names no title over another (one document, or none named): a reference then holds in every document."""
    scores = {t: sum(c.match(mentions_in(t)) for c in concepts) for t in titles if t}
    best = max(scores.values(), default=0.0)
    if best <= 0 or min(scores.values()) == best:
        return None
    return {t for t, s in scores.items() if s == best}
