"""Citation markers in a generated answer → numbered Citations with the supporting sentence of each source."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.answer.reference import chunk_reference
from assistant.answer.types import Citation
from assistant.retrieve.types import RetrievedChunk
from index.sentences import split_sentences
from index.text.numbers import extract_numbers, numbers_match

# "[1]", "[1, 2]", "[1;2]", "[1-3]", "[1–3]"; adjacent "[1][2]" are two markers. The leading space is part of
# the match so that a dropped marker leaves no gap before the full stop.
MARKER = re.compile(r"[ \t]*\[(\d{1,4}(?:\s*[-–,;]\s*\d{1,4})*)\]")
_MAX_RANGE = 50
_WORD = re.compile(r"\w+")
_BULLET = re.compile(r"^(?:[-*•–—]|\d{1,2}[.)])\s+", re.MULTILINE)  # list item prefixes are not claims


@dataclass
class Claim:
    """One sentence of an answer (markers removed) and the source numbers it cites."""

    text: str
    markers: list[int]


def marker_numbers(body: str) -> list[int] | None:
    """The numbers of one marker body ("1, 3-4" → [1, 3, 4]); None for an absurd range like "2021-2025"."""
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", body):
        ends = [int(x) for x in re.split(r"\s*[-–]\s*", part)]
        if len(ends) == 2 and 0 <= ends[1] - ends[0] <= _MAX_RANGE:
            numbers.extend(range(ends[0], ends[1] + 1))
        elif len(ends) == 1:
            numbers.append(ends[0])
        else:
            return None
    return list(dict.fromkeys(numbers))


def split_claims(answer_text: str) -> list[Claim]:
    """Sentences of the answer with their markers; a marker after a full stop belongs to that sentence."""
    blank = lambda m: " " * len(m[0])  # noqa: E731 - masking keeps offsets, so spans index answer_text
    masked = _BULLET.sub(blank, MARKER.sub(blank, answer_text))
    spans = split_sentences(masked)
    if not spans:
        return []
    owned: list[list[int]] = [[] for _ in spans]
    for m in MARKER.finditer(answer_text):
        # the last sentence starting before the marker owns it (or the first one)
        i = max([k for k, (s, _) in enumerate(spans) if s <= m.start()] or [0])
        owned[i].extend(marker_numbers(m[1]) or [])
    return [
        Claim(" ".join(MARKER.sub("", answer_text[s:e]).split()), list(dict.fromkeys(marks)))
        for (s, e), marks in zip(spans, owned, strict=True)
    ]


def chunk_sentences(chunk: RetrievedChunk, embedder=None) -> tuple[list[str], np.ndarray | None]:
    """The chunk's sentences and their passage vectors; computed once and kept on the chunk when missing."""
    if not chunk.sentences:
        chunk.sentences = split_sentences(chunk.text) or [(0, len(chunk.text))]
    texts = chunk.sentence_texts()
    if embedder is None:
        return texts, None
    vectors = chunk.sentence_vectors
    if vectors is None or len(vectors) != len(texts):
        vectors = chunk.sentence_vectors = embedder.passage_vectors(texts)
    return texts, np.asarray(vectors, dtype=np.float32)


def _overlap(a: str, b: str) -> float:
    """Share of the claim's word stems (first 5 letters: kk/ru endings vary) found in the sentence."""
    stems_a = {w[:5] for w in _WORD.findall(a.lower())}
    stems_b = {w[:5] for w in _WORD.findall(b.lower())}
    return len(stems_a & stems_b) / max(len(stems_a), 1)


def best_sentence(claim: str, sentences: list[str], vectors: np.ndarray | None, claim_vector=None) -> int:
    """Index of the sentence that best supports the claim: most shared numbers, then similarity."""
    numbers = extract_numbers(claim)
    shared = [len(numbers) - len(numbers_match(numbers, s)) for s in sentences]
    if vectors is not None and claim_vector is not None:
        similarity = [float(x) for x in vectors @ claim_vector]
    else:
        similarity = [_overlap(claim, s) for s in sentences]
    return max(range(len(sentences)), key=lambda i: (shared[i], similarity[i]))


def map_citations(
    answer_text: str, chunks: list[RetrievedChunk], embedder=None
) -> tuple[str, list[Citation], list[str]]:
    """Renumber the answer's [n] markers (1-based positions in `chunks`) to 1..m in order of first use.

    Returns the rewritten text, the citations and messages about removed markers (for Answer.unsupported).
    """
    renumber: dict[int, int] = {}
    problems: list[str] = []

    def rewrite(m: re.Match[str]) -> str:
        numbers = marker_numbers(m[1]) or []
        valid = [n for n in numbers if 1 <= n <= len(chunks)]
        bad = [m[1]] if not valid else [str(n) for n in numbers if n not in valid]
        for body in bad:  # "[2021-2025]" is reported as written, "[2, 9]" as "[9]"
            if (msg := f"Marker [{body}] points at no source; removed.") not in problems:
                problems.append(msg)
        kept = [renumber.setdefault(n, len(renumber) + 1) for n in valid]
        leading = m[0][: len(m[0]) - len(m[0].lstrip(" \t"))]
        return f"{leading}[{', '.join(map(str, dict.fromkeys(kept)))}]" if kept else ""

    text = MARKER.sub(rewrite, answer_text)
    claims = split_claims(text)
    claim_vectors = (
        embedder.passage_vectors([c.text for c in claims]) if embedder is not None and claims else None
    )
    citations = []
    for old, new in renumber.items():
        chunk = chunks[old - 1]
        sentences, vectors = chunk_sentences(chunk, embedder)
        picked = {
            best_sentence(c.text, sentences, vectors, None if claim_vectors is None else claim_vectors[i])
            for i, c in enumerate(claims)
            if new in c.markers
        } or {0}
        offset = chunk.sentence_start(min(picked))  # the quote's page and point: a chunk may span several
        citations.append(
            Citation(
                marker=new,
                source=chunk.source,
                title=chunk.title,
                page=chunk.page_at(offset),
                section=chunk.section,
                quote=" … ".join(sentences[i] for i in sorted(picked)),
                text=chunk.text,
                chunk_id=chunk.chunk_id,
                reference=chunk_reference(chunk, offset),
            )
        )
    return text, citations, problems
