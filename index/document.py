"""What crosses the index boundary: loaded documents, cleaned paragraphs, chunks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from index.structure import section_heading


@dataclass
class Page:
    """Raw text of one page (or of the whole file when pages are unknown)."""

    text: str
    number: int | None = None


@dataclass
class RawDocument:
    """A file as its reader returns it, before cleaning."""

    source: str  # how the file is named in citations and the manifest (path relative to cwd, posix)
    title: str
    pages: list[Page]
    # True for text that came out of a PDF (or a .txt that looks PDF-extracted): cleaning joins wrapped lines
    pdf_like: bool = False
    notes: list[str] = field(default_factory=list)  # what the reader left out (unreadable scanned pages)


def page_at(page: int | None, page_breaks: list[tuple[int, int | None]], offset: int) -> int | None:
    """The page a text that starts on `page` and goes on to later pages at `page_breaks` (offset, page) prints
    `offset` on: a paragraph's or a chunk's."""
    for start, later in page_breaks:
        if offset >= start:
            page = later
    return page


@dataclass
class Paragraph:
    """A cleaned paragraph with where it came from."""

    text: str
    page: int | None
    section: str | None
    start: int  # character offsets into Document.text
    end: int
    role: str = ""  # "note" for an editorial note of the register (see index/structure.py)
    point: str | None = None  # the numbered point of its article that it belongs to ("2" for «2. ...»)
    subpoint: str | None = None  # and the sub-point ("3)" for «3) ...»)
    # where the paragraph goes on to a later page (offset into `text`, page): a printed paragraph split by a page
    page_breaks: list[tuple[int, int | None]] = field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        """The page the paragraph's text at `offset` is printed on."""
        return page_at(self.page, self.page_breaks, offset)


@dataclass
class Document:
    """A cleaned document: full text plus paragraphs that carry page and section."""

    source: str
    title: str
    language: str  # dominant language: kk | ru | en
    text: str
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass
class Chunk:
    """A retrieval unit: sentence-aligned, within one section, sized in e5 tokens."""

    id: str
    text: str
    source: str
    title: str
    language: str
    section: str | None
    page: int | None
    start: int
    end: int
    index: int  # position within the document
    sentences: list[tuple[int, int]] = field(default_factory=list)  # sentence spans, offsets into text
    role: str = ""  # "note": an editorial note, kept apart from the content it annotates
    point: str | None = None  # the numbered point the chunk starts in
    subpoint: str | None = None
    # where a later page begins in `text` (offset, page): a chunk goes on across a page break within its section
    page_breaks: list[tuple[int, int | None]] = field(default_factory=list)

    @property
    def heading(self) -> str:
        """The innermost heading of the chunk's section (its title line), "" when it has none."""
        return section_heading(self.section)

    def metadata(self) -> dict:
        """Flat metadata for Chroma (no None values: Chroma rejects them)."""
        meta = {
            "source": self.source,
            "title": self.title,
            "language": self.language,
            "section": self.section or "",
            "page": self.page if self.page is not None else -1,
            "start": self.start,
            "end": self.end,
            "index": self.index,
            "role": self.role,
            "point": self.point or "",
            "subpoint": self.subpoint or "",
        }
        if self.page_breaks:
            meta["page_breaks"] = json.dumps(self.page_breaks)
        return meta
