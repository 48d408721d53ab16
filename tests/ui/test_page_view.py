"""The page view of a PDF citation: the right page, rendered, with the quote painted where it is printed."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pypdfium2
import pytest
from fpdf import FPDF
from PIL import Image

from ui.page_view import SCALE, band, find_spans, line_boxes, render

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FIRST = "Бірінші бет. Мұнда басқа тақырып туралы бір сөйлем бар."
LEAD = ("36-бап. Сауда көлемі\n1. Алғашқы сөйлем осында тұр және ол ұзын болуы керек, жолдан жолға ауысуы үшін "
        "тағы да бірнеше сөз қосамыз. ")
QUOTE = "2023 жылы Қытай мен Түрікменстан арасындағы сауда көлемі 10,59 миллиард долларды құрады."
AFTER = " Бұл көрсеткіш алдыңғы жылмен салыстырғанда 6,2 пайызға өсті."


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pages")
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=FONT)
    pdf.set_font("DejaVu", size=12)
    for text in (FIRST, LEAD + QUOTE + AFTER):
        pdf.add_page()
        pdf.multi_cell(0, 7, text)
    pdf.output(str(folder / "typed.pdf"))
    doc = pypdfium2.PdfDocument(folder / "typed.pdf")
    scan = doc[1].render(scale=200 / 72).to_pil().convert("RGB")
    doc.close()
    scan.save(folder / "scan.pdf", "PDF", resolution=200)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\nnot really")
    return {"typed": folder / "typed.pdf", "scan": folder / "scan.pdf", "broken": folder / "broken.pdf"}


def yellow(png: bytes) -> np.ndarray:
    """Mask of highlighter pixels: strong red and green, little blue (on white paper or dark ink)."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return (rgb[..., 0] > 200) & (rgb[..., 1] > 170) & (rgb[..., 2] < 140)


def test_the_cited_page_is_rendered_with_the_quote_marked(pdfs):
    view = render(pdfs["typed"], 2, QUOTE)
    assert view is not None and view.page_index == 1
    assert view.marked == 2  # the quoted sentence runs over two printed lines
    mask = yellow(view.png)
    rows = np.flatnonzero(mask.any(axis=1))
    assert mask.sum() > 5000
    # the marks are on the quote's lines, below the article heading and above the following lines
    heading_bottom = 40 * SCALE  # mm-ish: the first two lines of the page are not marked
    assert rows.min() > heading_bottom and rows.max() < 120 * SCALE


def test_a_quote_not_on_the_page_gives_the_page_unmarked(pdfs):
    view = render(pdfs["typed"], 1, QUOTE)
    assert view is not None and view.page_index == 0 and view.marked == 0
    assert yellow(view.png).sum() == 0


def test_a_scanned_page_is_marked_from_ocr_word_boxes(pdfs):
    view = render(pdfs["scan"], 1, QUOTE)
    assert view is not None and view.marked >= 2
    assert yellow(view.png).sum() > 5000


def test_an_unreadable_file_gives_no_view(pdfs, tmp_path):
    assert render(pdfs["broken"], 1, QUOTE) is None
    assert render(tmp_path / "gone.pdf", 1, QUOTE) is None


def test_quote_found_across_line_breaks_hyphens_and_case():
    glyphs = list("Жолдың соңында сау-\nда КӨЛЕМІ өсті. Басқа сөйлем.")
    [(start, end)] = find_spans(glyphs, "сауда көлемі өсті.")
    assert "".join(glyphs[start:end]) == "сау-\nда КӨЛЕМІ өсті"
    assert find_spans(glyphs, "мүлде басқа мәтін") == []
    # two quoted sentences joined by an ellipsis are found one by one
    assert len(find_spans(glyphs, "сауда көлемі өсті … Басқа сөйлем")) == 2


def test_character_boxes_merge_into_one_box_per_line():
    line1 = [(10 + 8 * i, 100, 17 + 8 * i, 112) for i in range(5)]
    line2 = [(10 + 8 * i, 120, 17 + 8 * i, 132) for i in range(3)]
    assert line_boxes(line1 + line2) == [(10, 100, 49, 112), (10, 120, 33, 132)]


def test_crop_keeps_half_the_page_around_the_quote(pdfs):
    full = Image.open(io.BytesIO(render(pdfs["typed"], 2, QUOTE).png))
    view = render(pdfs["typed"], 2, QUOTE, crop=True)
    cropped = Image.open(io.BytesIO(view.png))
    assert cropped.width == full.width and abs(cropped.height - full.height // 2) <= 2
    assert yellow(view.png).sum() == yellow(render(pdfs["typed"], 2, QUOTE).png).sum()  # every mark kept
    unmarked = Image.open(io.BytesIO(render(pdfs["typed"], 1, QUOTE, crop=True).png))
    assert unmarked.size == full.size


def test_band_fits_the_marks_and_stays_on_the_page():
    assert band([(0, 500, 10, 520)], 1000) == (260, 761)
    assert band([(0, 10, 10, 30)], 1000) == (0, 500)
    assert band([(0, 980, 10, 995)], 1000) == (500, 1000)
    assert band([(0, 100, 10, 900)], 1000) == (100, 901)  # a long quote: all of it
