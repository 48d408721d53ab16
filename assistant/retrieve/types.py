"""What retrieval hands to the answerers."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from index.document import page_at


@dataclass(frozen=True)
class Part:
    """Where a merged result's next chunk begins (assistant/retrieve/merge.py): its offset in the text, its first
    sentence, the numbered point and sub-point it starts in, and whether it follows the previous chunk in the
    document (else text between them was left out)."""

    offset: int
    sentence: int
    point: str | None = None
    subpoint: str | None = None
    follows: bool = False


@dataclass
class RetrievedChunk:
    """A chunk with its final score and per-sentence evidence."""

    chunk_id: str
    text: str
    source: str
    title: str
    page: int | None
    section: str | None
    language: str
    score: float  # the final pipeline's fused score when `fused`, else the mode's own (cosine, BM25, RRF)
    sentences: list[tuple[int, int]] = field(default_factory=list)  # spans into text
    # query similarity of each sentence (same order as `sentences`), when known
    sentence_scores: list[float] = field(default_factory=list)
    # stored passage vectors of the sentences, (n, dim), when known: verification reuses them
    sentence_vectors: np.ndarray | None = None
    point: str | None = None  # the numbered point and sub-point the chunk starts in (structured documents)
    subpoint: str | None = None
    # the question's words bridged to corpus stems by the retriever (question stem -> corpus stems)
    bridged: dict[str, list[str]] = field(default_factory=dict)
    fused: bool = False  # `score` is the final pipeline's fused score (assistant.retrieve.hybrid.Weights)
    # (offset in text, page) where a later page begins: a chunk that goes on across a page break
    page_breaks: list[tuple[int, int | None]] = field(default_factory=list)
    position: int | None = None  # the chunk's place in its document (merging joins neighbours in this order)
    # the chunks after the first one, when this result joins several chunks of one section (merge.py)
    parts: list[Part] = field(default_factory=list)

    def sentence_texts(self) -> list[str]:
        return [self.text[s:e] for s, e in self.sentences]

    def page_at(self, offset: int) -> int | None:
        """The page the text at `offset` is printed on."""
        return page_at(self.page, self.page_breaks, offset)

    def sentence_start(self, index: int) -> int:
        """Where sentence `index` starts in the text (0 for an index the chunk has not)."""
        return self.sentences[index][0] if 0 <= index < len(self.sentences) else 0

    def part_range(self, index: int) -> tuple[int, int]:
        """The sentences (first, end) of the stretch of consecutive text that holds sentence `index`: the whole
        chunk unless it joins chunks that are not neighbours in the document. A sentence's context (the sentence
        before, the sentences earlier in its chunk) stays within that stretch."""
        starts = [0, *(p.sentence for p in self.parts if not p.follows), len(self.sentences)]
        for lo, hi in zip(starts, starts[1:], strict=False):
            if lo <= index < hi:
                return lo, hi
        return 0, len(self.sentences)

    def point_at(self, offset: int) -> tuple[str | None, str | None]:
        """The numbered point and sub-point the text at `offset` belongs to: those the chunk (or the merged part
        holding `offset`) starts in, moved on by each point («2. ...») or sub-point («3) ...») that opens one of
        its paragraphs up to `offset`."""
        from index.structure import point_of

        point, subpoint, start = self.point, self.subpoint, 0
        for part in self.parts:
            if part.offset <= offset:
                point, subpoint, start = part.point, part.subpoint, part.offset
        for line in self.text[start:].split("\n"):
            if start > offset:
                break
            found = point_of(line)
            if found and found.endswith(")"):
                subpoint = found
            elif found:
                point, subpoint = found, None
            start += len(line) + 1
        return point, subpoint
