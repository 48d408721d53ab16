"""The page view of a PDF citation: the cited page rendered as an image (pypdfium2), the quoted sentences marked.

The quote is the cleaned text (lines joined, hyphens removed, spacing normalised), so it is found on the page by its
letters and digits alone, case-folded; each matched character's box (PDFium's text boxes, or Tesseract's word
boxes on a scanned page) is painted. Rendering never fails an answer: any problem returns None and the UI falls
back to the text view.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

SCALE = 1.6  # 115 dpi: a full page about 950 px wide, legible in the sources column
MARK = (255, 226, 70)  # a highlighter's yellow, multiplied into the page so the ink stays dark
MIN_PIECE = 8  # letters and digits: shorter pieces of a quote match by chance
BAND = 0.5  # with crop=True, the share of the page's height kept around the marks (none: the whole page)

log = logging.getLogger(__name__)


@dataclass
class PageView:
    png: bytes
    page_index: int  # 0-based page of the file
    marked: int  # line boxes painted over the quote (0: the page is shown without marks)


def _fold(ch: str) -> str:
    return ch.casefold() if ch.isalnum() else ""


def find_spans(glyphs: list[str], quote: str) -> list[tuple[int, int]]:
    """[start, end) glyph ranges where the quote's pieces occur, comparing letters and digits only."""
    keys, owner = [], []
    for i, glyph in enumerate(glyphs):
        for ch in glyph:
            folded = _fold(ch)
            if folded:
                keys.append(folded)
                owner.append(i)
    haystack = "".join(keys)
    spans = []
    pieces = re.split(r"\s*(?:…|\.\.\.)\s*|\n+", quote)
    for piece in pieces:
        needle = "".join(_fold(ch) for ch in piece)
        found = haystack.find(needle) if len(needle) >= MIN_PIECE else -1
        if found < 0 and len(needle) >= MIN_PIECE:  # a sentence broken by a page or column: its longest part
            parts = [p for p in re.split(r"(?<=[.;:!?])\s+|,\s+", piece) if p]
            for part in sorted(parts, key=len, reverse=True)[:3]:
                sub = "".join(_fold(ch) for ch in part)
                at = haystack.find(sub) if len(sub) >= MIN_PIECE * 2 else -1
                if at >= 0:
                    spans.append((owner[at], owner[at + len(sub) - 1] + 1))
            continue
        if found >= 0:
            spans.append((owner[found], owner[found + len(needle) - 1] + 1))
    return spans


def line_boxes(boxes: list[tuple[float, float, float, float]]) -> list[tuple[float, float, float, float]]:
    """Consecutive character boxes (pixels: left, top, right, bottom) merged into one box per text line."""
    lines: list[list[float]] = []
    for left, top, right, bottom in boxes:
        if lines:
            cur = lines[-1]
            middle = (top + bottom) / 2
            if cur[1] <= middle <= cur[3] and left >= cur[0] - 2:
                cur[:] = [min(cur[0], left), min(cur[1], top), max(cur[2], right), max(cur[3], bottom)]
                continue
        lines.append([left, top, right, bottom])
    return [tuple(line) for line in lines]


def page_index(path: Path, label: int | None) -> int:
    """The 0-based page whose number (the printed label Derek cites, else 1..n) is ``label``."""
    from pypdf import PdfReader

    from index.load import page_labels

    if label is None:
        return 0
    reader = PdfReader(path)
    labels = page_labels(reader, len(reader.pages))
    return labels.index(label) if label in labels else max(0, min(label - 1, len(labels) - 1))


def _pdfium_glyphs(page) -> tuple[list[str], list[tuple[float, float, float, float]]]:
    """Characters of the page's text layer and their boxes (left, bottom, right, top) in PDF points."""
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count) if count else ""
        if len(text) != count:  # characters outside the BMP: fall back to one call per character
            text = "".join(textpage.get_text_range(i, 1) or " " for i in range(count))
        boxes = [textpage.get_charbox(i) for i in range(count)]
    finally:
        textpage.close()
    return list(text), boxes


def _ocr_glyphs(image) -> tuple[list[str], list[tuple[float, float, float, float]]]:
    """Tesseract's words on a scanned page, each letter boxed by its word (pixel boxes, top-left origin)."""
    import pytesseract

    from index.ocr import DEFAULT_LANGUAGES, check_tesseract

    check_tesseract(DEFAULT_LANGUAGES)
    data = pytesseract.image_to_data(image, lang=DEFAULT_LANGUAGES, output_type=pytesseract.Output.DICT)
    glyphs, boxes = [], []
    for word, left, top, width, height in zip(data["text"], data["left"], data["top"], data["width"],
                                               data["height"]):
        for ch in word.strip() + " ":
            glyphs.append(ch)
            boxes.append((left, top, left + width, top + height))
    return glyphs, boxes


def band(rects: list[tuple[float, float, float, float]], height: int, share: float = BAND) -> tuple[int, int]:
    """The rows (top, bottom) of a band of ``share`` of the page around the marked lines; the marks always fit."""
    top, bottom = min(r[1] for r in rects), max(r[3] for r in rects)
    room = max(share * height - (bottom - top), 0) / 2
    start = max(0, int(top - room))
    end = min(height, int(bottom + room) + 1)
    if end - start < share * height:  # near an edge of the page: extend the other way
        keep = int(share * height)
        start, end = (0, min(height, keep)) if start == 0 else (max(0, height - keep), height)
    return start, end


def render(path: Path, label: int | None, quote: str, scale: float = SCALE, crop: bool = False) -> PageView | None:
    """The cited page with the quote marked, as PNG; None when the file cannot be rendered. With ``crop``, half
    the page around the marks is kept (the whole page when nothing is marked)."""
    try:
        import pypdfium2
        from PIL import Image, ImageChops, ImageDraw

        index = page_index(path, label)
        pdf = pypdfium2.PdfDocument(path)
        try:
            page = pdf[index]
            height = page.get_height()
            image = page.render(scale=scale).to_pil().convert("RGB")
            glyphs, boxes = _pdfium_glyphs(page)
            to_pixels = lambda b: (b[0] * scale, (height - b[3]) * scale, b[2] * scale, (height - b[1]) * scale)  # noqa: E731
            if sum(g.isalnum() for g in glyphs) < 16:  # a scan: Tesseract's boxes, in this image's pixels
                glyphs, boxes = _ocr_glyphs(image)
                to_pixels = lambda b: b  # noqa: E731
        finally:
            pdf.close()
        overlay = Image.new("RGB", image.size, (255, 255, 255))
        draw = ImageDraw.Draw(overlay)
        rects = line_boxes([to_pixels(boxes[i]) for start, end in find_spans(glyphs, quote)
                            for i in range(start, end) if glyphs[i].strip()])
        for left, top, right, bottom in rects:
            draw.rectangle((left - 1, top - 2, right + 1, bottom + 2), fill=MARK)
        marked = len(rects)
        page_image = ImageChops.multiply(image, overlay)
        if crop and rects:
            start, end = band(rects, page_image.height)
            page_image = page_image.crop((0, start, page_image.width, end))
        out = io.BytesIO()
        page_image.save(out, "PNG", optimize=True)
        return PageView(png=out.getvalue(), page_index=index, marked=marked)
    except Exception as error:  # noqa: BLE001 -- a citation is shown as text when its page cannot be drawn
        log.warning("page view of %s p. %s failed: %s", path, label, error)
        return None
