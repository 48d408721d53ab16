"""Cut a cleaned Document into sentence-aligned chunks sized in e5 tokens, one section each.

A chunk never crosses a section; it goes on across a page break (a printed article continued on the next page
stays one chunk) and records where the later page begins, so a quote names its own page. Consecutive chunks of a
run overlap by whole sentences.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby

from index.document import Chunk, Document, Paragraph
from index.sentences import split_sentences
from index.text.language import detect_language


@dataclass(frozen=True)
class _Piece:
    """A sentence (or a word-boundary part of an over-long one) as offsets into Document.text."""

    paragraph: int
    start: int
    end: int
    tokens: int  # its own token count less the fixed cost of an empty text (specials, "passage: ")


class _Budget:
    """Whether pieces fit in ``max_tokens``: summed piece counts when clearly below, a real count near it."""

    SURE_SHARE = 0.85  # token counts of joined sentences are (nearly) additive: below 85% no need to count

    def __init__(self, text: str, count_tokens: Callable[[str], int], max_tokens: int):
        self.text, self.count_tokens, self.max_tokens = text, count_tokens, max_tokens
        self.overhead = count_tokens("")

    def piece(self, paragraph: int, start: int, end: int) -> _Piece:
        return _Piece(paragraph, start, end, self.count_tokens(self.text[start:end]) - self.overhead)

    def fits(self, pieces: list[_Piece]) -> bool:
        estimate = self.overhead + sum(piece.tokens + 1 for piece in pieces)
        if estimate <= self.max_tokens * self.SURE_SHARE:
            return True
        return self.count_tokens(_render(self.text, pieces)) <= self.max_tokens


def chunk_document(
    doc: Document, count_tokens: Callable[[str], int], max_tokens: int = 300, overlap_sentences: int = 1
) -> list[Chunk]:
    """Chunks of ``doc``, each at most ``max_tokens`` by ``count_tokens``, with ids stable across runs.

    ``start``/``end`` span the chunk in ``doc.text``; the chunk text joins its paragraphs with "\n", so it
    equals ``doc.text[start:end]`` only when the chunk lies in one paragraph.
    """
    chunks: list[Chunk] = []
    budget = _Budget(doc.text, count_tokens, max_tokens)
    runs = groupby(enumerate(doc.paragraphs), key=lambda item: (item[1].section, item[1].role))
    for (section, role), items in runs:
        pieces = [piece for index, paragraph in items for piece in _pieces(index, paragraph, budget)]
        for group in _pack(pieces, budget, overlap_sentences):
            text = _render(doc.text, group)
            first = doc.paragraphs[group[0].paragraph]
            page, breaks = _pages(doc, group)
            chunks.append(
                Chunk(
                    id=chunk_id(doc.source, len(chunks), text),
                    text=text,
                    source=doc.source,
                    title=doc.title,
                    language=detect_language(text, default=doc.language),
                    section=section,
                    page=page,
                    start=group[0].start,
                    end=group[-1].end,
                    index=len(chunks),
                    sentences=split_sentences(text),
                    role=role,
                    point=first.point,
                    subpoint=first.subpoint,
                    page_breaks=breaks,
                )
            )
    return chunks


def _pages(doc: Document, pieces: list[_Piece]) -> tuple[int | None, list[tuple[int, int | None]]]:
    """The page a chunk starts on, and (offset in its text, page) where a later page begins: offsets as _render
    lays the paragraphs out."""
    offset, page, current, breaks = 0, None, None, []
    for i, (_, group) in enumerate(groupby(pieces, key=lambda piece: piece.paragraph)):
        group = list(group)
        paragraph = doc.paragraphs[group[0].paragraph]
        start, end = group[0].start - paragraph.start, group[-1].end - paragraph.start  # in the paragraph
        here = paragraph.page_at(start)
        if i == 0:
            page = current = here
        elif here != current:  # None too: a page the cleaner could not number
            breaks.append((offset, here))
            current = here
        for at, later in paragraph.page_breaks:  # the paragraph itself goes on to another page
            if start < at < end and later != current:
                breaks.append((offset + at - start, later))
                current = later
        offset += end - start + 1  # the paragraph's text and the "\n" after it
    return page, breaks


def chunk_id(source: str, index: int, text: str) -> str:
    """The same file content gives the same ids in every run."""
    return hashlib.sha1(f"{source}\x00{index}\x00{text}".encode()).hexdigest()[:20]


def _pieces(index: int, paragraph: Paragraph, budget: _Budget) -> list[_Piece]:
    pieces = []
    for start, end in split_sentences(paragraph.text):
        piece = budget.piece(index, paragraph.start + start, paragraph.start + end)
        if piece.tokens + budget.overhead <= budget.max_tokens:
            pieces.append(piece)
        else:
            parts = _split_long(budget.text, piece.start, piece.end, budget.count_tokens, budget.max_tokens)
            pieces.extend(budget.piece(index, s, e) for s, e in parts)
    return pieces


def _split_long(
    text: str, start: int, end: int, count_tokens: Callable[[str], int], max_tokens: int
) -> list[tuple[int, int]]:
    """Cut an over-long sentence at word boundaries (inside a word only when one word is too long)."""
    parts = []
    while start < end:
        cut = _longest_fit(text, start, end, count_tokens, max_tokens)
        parts.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    return parts


def _longest_fit(text: str, start: int, end: int, count_tokens: Callable[[str], int], max_tokens: int) -> int:
    """The furthest end (a word boundary if one fits) such that text[start:end] fits in max_tokens."""
    boundaries = [i for i in range(start + 1, end) if text[i].isspace() and not text[i - 1].isspace()] + [end]
    fitting = _last_fitting(boundaries, lambda cut: count_tokens(text[start:cut]) <= max_tokens)
    if fitting is not None:
        return fitting
    return _last_fitting(
        list(range(start + 1, end + 1)), lambda cut: count_tokens(text[start:cut]) <= max_tokens
    ) or (start + 1)


def _last_fitting(cuts: list[int], fits: Callable[[int], bool]) -> int | None:
    """Binary search for the last cut that fits (token counts grow with the cut)."""
    low, high, best = 0, len(cuts) - 1, None
    while low <= high:
        middle = (low + high) // 2
        if fits(cuts[middle]):
            best, low = cuts[middle], middle + 1
        else:
            high = middle - 1
    return best


INTRO_REACH = 3  # an introducing sentence this close to a chunk's end is carried into the next chunk


def _carried(current: list[_Piece], text: str, overlap: int) -> list[_Piece]:
    """What the next chunk repeats of this one: the last ``overlap`` pieces, or, when one of the last few
    pieces introduces what follows (ends with ':'), everything from it, so a list or a quotation stays with
    the sentence that announces it."""
    if overlap <= 0:
        return []
    for back in range(1, min(INTRO_REACH, len(current)) + 1):
        piece = current[-back]
        if text[piece.start : piece.end].rstrip().endswith(":"):
            return current[-back:] if back > overlap else current[len(current) - overlap :]
    return current[len(current) - overlap :]


def _pack(pieces: list[_Piece], budget: _Budget, overlap: int) -> list[list[_Piece]]:
    """Greedy packing of consecutive pieces; a new chunk starts with the last ``overlap`` of the previous
    (more when an introducing sentence ends the previous chunk)."""
    groups: list[list[_Piece]] = []
    current: list[_Piece] = []
    for piece in pieces:
        if not current or budget.fits([*current, piece]):
            current.append(piece)
            continue
        groups.append(current)
        carried = _carried(current, budget.text, overlap)
        while carried and not budget.fits([*carried, piece]):
            carried = carried[1:]
        current = [*carried, piece]
    if current:
        groups.append(current)
    return groups


def _render(text: str, pieces: list[_Piece]) -> str:
    """Pieces as chunk text: original spacing inside a paragraph, "\\n" between paragraphs."""
    return "\n".join(
        text[group[0].start : group[-1].end]
        for group in (list(g) for _, g in groupby(pieces, key=lambda piece: piece.paragraph))
    )
