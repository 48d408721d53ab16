"""A citation's one-line reference in the source's own terms: the document's title (or file name, never a server
path), its structure path (chapter, article, point) and its page: «Қазақстан Республикасының Еңбек Кодексі,
2-БӨЛІМ, 4-тарау, 36-бап, 2-тармақ», "Трудовой кодекс, Глава 4, Статья 36, п. 2", "Report, Chapter 3, p. 12"."""

from __future__ import annotations

from pathlib import PurePath

from assistant.messages import message
from index.structure import LABEL_SEPARATOR, structural_heading

MAX_TITLE = 120
# how a numbered point and a sub-point are named in each language of the document
POINT = {"kk": "{}-тармақ", "ru": "п. {}", "en": "para. {}"}
SUBPOINT = {"kk": "{} тармақша", "ru": "пп. {}", "en": "item {}"}


def reference(
    title: str,
    source: str,
    section: str | None,
    page: int | None,
    language: str,
    point: str | None = None,
    subpoint: str | None = None,
) -> str:
    """The reference of a chunk: title, structure path, point, page; unknown parts are left out."""
    name = PurePath(source.replace("\\", "/")).name if source else ""
    title = " ".join((title or "").split())
    if not title or title == source or "/" in title:
        title = name
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1].rstrip() + "…"
    parts = [title] if title else []
    path = section.split(LABEL_SEPARATOR) if section else []
    while path and " ".join(path[0].split()).casefold() == title.casefold():
        path = path[1:]  # the document's title heading opens the path: named once
    if path:
        leaf = structural_heading(path[-1])
        parts += path[:-1] + [leaf.label if leaf else path[-1]]
        lang = language if language in POINT else "en"
        if leaf and point:
            parts.append(POINT[lang].format(point))
        if leaf and subpoint:
            parts.append(SUBPOINT[lang].format(subpoint))
    if page is not None:
        parts.append(f"{message('page', language if language in POINT else 'en')} {page}")
    return ", ".join(p for p in parts if p)


def chunk_reference(chunk, offset: int | None = None) -> str:
    """reference() of a RetrievedChunk; with the offset of a quote in its text, the quote's own page, point and
    sub-point (a chunk may go on across pages and numbered points)."""
    if offset is None:
        page, point, subpoint = chunk.page, chunk.point, chunk.subpoint
    else:
        page, (point, subpoint) = chunk.page_at(offset), chunk.point_at(offset)
    return reference(chunk.title, chunk.source, chunk.section, page, chunk.language or "en", point, subpoint)
