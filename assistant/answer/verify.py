"""Checks each answer sentence against the sources it cites: its numbers must occur there, its meaning too."""

from __future__ import annotations

import re

import numpy as np

from assistant.answer.cite import chunk_sentences, split_claims
from assistant.answer.types import Citation
from assistant.prompts import NO_ANSWER
from assistant.retrieve.types import RetrievedChunk
from index.text.numbers import extract_numbers, numbers_match

# Cosine of e5 passage vectors (claim vs best sentence of the cited chunk). Calibrated on sentences of
# corpus/central-asia-china-foreign-policy.kk.txt: en/ru translations and loose paraphrases of 12 Kazakh
# sentences scored 0.842-0.963 (32/32 ≥ 0.84); wrong claims on the same topic scored 0.745-0.836.
SUPPORT_THRESHOLD = 0.84

# Source sentences that give the reader instructions are not evidence (prompt injection inside a source).
INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget)\b.{0,40}\b(?:instructions?|prompt|rules)\b|\bsystem prompt\b"
    r"|\byou (?:must|should) (?:now )?(?:answer|reply|say)\b"
    r"|(?:игнорир|проигнорир|забудь|не обращай).{0,40}(?:инструкц|указани|правил|промпт)"
    r"|нұсқау.{0,40}(?:елеме|ұмыт)|(?:елеме|ұмыт).{0,40}нұсқау",
    re.IGNORECASE,
)
# Clause boundaries inside a long source sentence (not a decimal comma).
_CLAUSE = re.compile(r"[,;:]\s+(?!\d)|\s[–—]\s")
# "The sources say:" style lead-ins: short, end with a colon, no digits or markers.
_LEAD = re.compile(r"^[^\d\[\]]{0,80}:$")


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[«»\"“”.!]", " ", text).casefold().split())


NO_ANSWER_FORMS = tuple(_normal(p) for p in NO_ANSWER.values())


def is_no_answer(text: str) -> bool:
    """True when the text contains the fixed no-answer sentence of any language."""
    normal = _normal(text)
    return any(p in normal for p in NO_ANSWER_FORMS)


def _is_claim(text: str) -> bool:
    return bool(re.search(r"\w", text)) and not _LEAD.match(text) and not is_no_answer(text)


def _sources(markers: list[int]) -> str:
    label = "source" if len(markers) == 1 else "sources"
    return f"cited {label} " + ", ".join(f"[{m}]" for m in markers)


def _clause_support(numbers: list[str], sentences: list[str], claim_vector: np.ndarray, embedder) -> float:
    """Best similarity to a clause carrying one of the claim's numbers: a short true claim ("It fell by 5.2%")
    matches its clause better than the long source sentence that packs several facts."""
    clauses = [
        c for s in sentences for c in _CLAUSE.split(s) if len(numbers_match(numbers, c)) < len(numbers)
    ]
    return float((embedder.passage_vectors(clauses) @ claim_vector).max()) if clauses else 0.0


def verify_claims(
    answer_text: str,
    citations: list[Citation],
    chunks_by_marker: dict[int, RetrievedChunk] | None = None,
    embedder=None,
    threshold: float = SUPPORT_THRESHOLD,
) -> list[str]:
    """Human-readable problems: numbers absent from the cited sources, claims not close to any cited sentence,
    and uncited sentences carrying numbers. Without an embedder only numbers are checked."""
    chunks = dict(chunks_by_marker or {})
    for c in citations:  # a citation without its chunk is checked against its text
        fallback = RetrievedChunk(c.chunk_id, c.text, c.source, c.title, c.page, c.section, "", 0.0)
        chunks.setdefault(c.marker, fallback)
    evidence: dict[int, tuple[list[str], np.ndarray | None, str]] = {}
    for marker, chunk in chunks.items():
        sentences, vectors = chunk_sentences(chunk, embedder)
        keep = [i for i, s in enumerate(sentences) if not INSTRUCTION.search(s)]
        kept_vectors = None if vectors is None else vectors[keep]
        evidence[marker] = ([sentences[i] for i in keep], kept_vectors, chunk.text)

    claims = [c for c in split_claims(answer_text) if _is_claim(c.text)]
    vectors = embedder.passage_vectors([c.text for c in claims]) if embedder is not None and claims else None
    problems = []
    for k, claim in enumerate(claims):
        numbers = extract_numbers(claim.text)
        cited = [m for m in claim.markers if m in evidence]
        if not cited:
            if numbers:
                problems.append(f'"{claim.text}": cites no source for {", ".join(numbers)}')
            continue
        reasons = []
        facts = [s for m in cited for s in evidence[m][0]]
        missing = numbers_match(numbers, " ".join(facts))
        for number in [n for n in missing if f"{n}%" not in missing]:  # "15%" missing says "15" is too
            whole = " ".join(evidence[m][2] for m in cited)
            where = "only inside an instruction in" if not numbers_match([number], whole) else "not in"
            reasons.append(f"number {number} {where} {_sources(cited)}")
        if vectors is not None:
            scores = [float((evidence[m][1] @ vectors[k]).max()) for m in cited if len(evidence[m][0])]
            best = max(scores, default=0.0)
            if best < threshold and numbers and not missing:
                best = max(best, _clause_support(numbers, facts, vectors[k], embedder))
            if best < threshold:
                reasons.append(
                    f"not supported by {_sources(cited)} (similarity {best:.2f} < {threshold:.2f})"
                )
        if reasons:
            problems.append(f'"{claim.text}": ' + "; ".join(reasons))
    return problems
