"""Sibling chunks merged: chunks of one section (a law's article, a report's section) among the best results are
handed on as one result, in document order, at the rank of the best of them.

A long article is cut into several chunks (index/chunk.py: ≤ 300 e5 tokens, never across two articles), and a
question about it often ranks two of them near the top: the list's lead-in in one and its points in the next, or
a rule and its exception. As separate results they are two sources that each show a piece of the article; merged,
the top source holds the article's parts that were found, in their order (a gap marked between parts that are not
neighbours), and a quote's context stays within its own part (RetrievedChunk.part_range). LlamaIndex's
AutoMergingRetriever does the same for a hierarchy of nodes; here the hierarchy is the document's own (its section
path), so no parent nodes are stored.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from assistant.retrieve.types import Part, RetrievedChunk
from index.structure import is_note

# A merged result stays short enough to read and to quote from (about four chunks of Kazakh text).
MAX_CHARS = 4000
GAP = "\n…\n"  # between two parts that are not neighbours in the document


def _key(chunk: RetrievedChunk) -> tuple[str, str] | None:
    """Chunks with the same key are siblings: one document, one section (its whole path). An editorial note of
    the register («Ескерту. 37-бапқа өзгерістер енгізілді ...») is metadata of its article and stays apart."""
    if not chunk.section or chunk.position is None or is_note(chunk.text):
        return None
    return chunk.source, chunk.section


def merge_siblings(chunks: list[RetrievedChunk], max_chars: int = MAX_CHARS) -> list[RetrievedChunk]:
    """The ranked results with each one's siblings joined to it, at the rank of the best of them. Only chunks
    already among the results are joined: the answerer reads the same text as without merging (more text would
    also let a question about something the sources lack find its names somewhere: bench/results/sibling-merge.md)."""
    groups: list[list[RetrievedChunk]] = []
    by_key: dict[tuple[str, str], list[RetrievedChunk]] = {}
    for chunk in chunks:
        key = _key(chunk)
        group = by_key.get(key) if key else None
        if group is not None and sum(len(c.text) for c in group) + len(chunk.text) <= max_chars:
            group.append(chunk)
            continue
        groups.append([chunk])
        if key and group is None:
            by_key[key] = groups[-1]
    return [join(group) if len(group) > 1 else group[0] for group in groups]


def join(chunks: list[RetrievedChunk]) -> RetrievedChunk:
    """Sibling chunks as one result: their texts in document order (a gap marked where they are not neighbours),
    sentences, scores and pages carried over, and the score and id of the best of them."""
    ordered = sorted(chunks, key=lambda c: c.position or 0)
    best = max(chunks, key=lambda c: c.score)
    first = ordered[0]
    text, sentences, scores, vectors = "", [], [], []
    parts: list[Part] = []
    breaks = list(first.page_breaks)
    page = first.page
    previous = None
    for chunk in ordered:
        if previous is not None:
            follows = chunk.position == previous.position + 1
            text += "\n" if follows else GAP
            offset = len(text)
            parts.append(Part(offset, len(sentences), chunk.point, chunk.subpoint, follows))
            last_page = breaks[-1][1] if breaks else page
            if chunk.page != last_page:
                breaks.append((offset, chunk.page))
            breaks += [(offset + o, p) for o, p in chunk.page_breaks]
        offset = len(text)
        sentences += [(offset + s, offset + e) for s, e in chunk.sentences]
        scores += chunk.sentence_scores if len(chunk.sentence_scores) == len(chunk.sentences) else []
        vectors.append(chunk.sentence_vectors)
        text += chunk.text
        previous = chunk
    whole = all(v is not None and len(v) == len(c.sentences) for v, c in zip(vectors, ordered, strict=True))
    return replace(
        best,
        text=text,
        page=page,
        point=first.point,
        subpoint=first.subpoint,
        sentences=sentences,
        sentence_scores=scores if len(scores) == len(sentences) else [],
        sentence_vectors=np.vstack(vectors) if whole else None,
        page_breaks=breaks,
        position=first.position,
        parts=parts,
    )
