"""Scanned PDFs: pages without a text layer are OCR'd (Tesseract kaz+rus+eng), only where needed, page numbers kept;
photos are dropped with a note; without tesseract one line names the file and the other files go on."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pypdfium2
import pytest
from fpdf import FPDF
from PIL import Image

from assistant.service import Derek
from assistant.settings import Settings
from index.errors import DerekError
from index.load import load
from index.ocr import needs_ocr

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SCANNED = ("36-бап. Сауда көлемі\n1. 2023 жылы Қытай мен Түрікменстан арасындағы сауда көлемі 10,59 миллиард "
           "долларды құрады. Бұл көрсеткіш алдыңғы жылмен салыстырғанда 6,2 пайызға өсті.")
TYPED = ("35-бап. Жалпы ережелер\nОсы тарау Орталық Азия елдерінің сыртқы сауда байланыстарын сипаттайды және "
         "негізгі ұғымдарды анықтайды.")


def text_pdf(path: Path, pages: list[str]) -> Path:
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=FONT)
    pdf.set_font("DejaVu", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 7, text)
    pdf.output(str(path))
    return path


def page_images(pdf_path: Path, dpi: int = 200) -> list[Image.Image]:
    pdf = pypdfium2.PdfDocument(pdf_path)
    try:
        return [pdf[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(pdf))]
    finally:
        pdf.close()


def photo(width: int = 1654, height: int = 2339) -> Image.Image:
    """A smooth colour picture with no text in it."""
    x, y = np.linspace(0, 1, width), np.linspace(0, 1, height)[:, None]
    rgb = np.stack([np.sin(x * 9 + y * 4), np.cos(x * 3 - y * 7), np.sin(x * y * 20)], -1) * 120 + 128
    return Image.fromarray(rgb.astype("uint8"))


def image_pdf(path: Path, images: list[Image.Image]) -> Path:
    """An image-only PDF: no text layer at all, as a scanner makes it."""
    images[0].save(path, "PDF", resolution=200, save_all=True, append_images=images[1:])
    return path


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scans")
    typed = text_pdf(folder / "typed.pdf", [TYPED, SCANNED])
    scanned_page = page_images(typed)[1]
    mixed = folder / "mixed.pdf"  # page 1 has a text layer, page 2 is a scan
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=FONT)
    pdf.set_font("DejaVu", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 7, TYPED)
    pdf.add_page()
    scanned_page.save(folder / "page2.png")
    pdf.image(str(folder / "page2.png"), x=0, y=0, w=210, h=297)
    pdf.output(str(mixed))
    return {
        "mixed": mixed,
        "scan": image_pdf(folder / "scan.pdf", [scanned_page]),
        "photo": image_pdf(folder / "photo.pdf", [photo()]),
        "scan_and_photo": image_pdf(folder / "scan-and-photo.pdf", [scanned_page, photo()]),
    }


def test_image_only_pdf_is_read_by_ocr(scans):
    raw = load(scans["scan"])
    assert needs_ocr("") and not needs_ocr(TYPED)
    assert "10,59 миллиард" in raw.pages[0].text and "Түрікменстан" in raw.pages[0].text
    assert raw.pages[0].number == 1 and raw.notes == []


def test_only_pages_without_text_are_ocrd_and_pages_are_kept(scans):
    seen: list[tuple[int, int]] = []
    raw = load(scans["mixed"], on_page=lambda done, total: seen.append((done, total)))
    assert [p.number for p in raw.pages] == [1, 2]
    assert raw.pages[0].text.startswith("35-бап")  # the text layer, untouched
    assert "10,59" in raw.pages[1].text and "35-бап" not in raw.pages[1].text
    assert sorted(seen) == [(1, 2), (2, 2)]  # progress per page


def test_a_photo_is_dropped_with_a_note(scans):
    raw = load(scans["scan_and_photo"])
    assert "10,59" in raw.pages[0].text
    assert raw.pages[1].text == ""
    assert raw.notes == ["page 2: OCR found no readable text, left out"]
    with pytest.raises(DerekError, match=r"photo\.pdf: no text could be extracted \(page 1: OCR found no"):
        load(scans["photo"], source="photo.pdf")


def test_ocr_off_is_a_note(scans):
    with pytest.raises(DerekError, match="without a text layer skipped \\(OCR is off\\)"):
        load(scans["scan"], ocr_languages="")


def test_a_question_finds_a_figure_on_a_scanned_page(scans, tmp_path):
    derek = Derek(Settings(home=tmp_path / "home", llm="extractive", _env_file=None))
    report = derek.index([scans["mixed"]])
    assert not report.failed and len(report.added) == 1
    answer = derek.ask("2023 жылы Қытай мен Түрікменстан арасындағы сауда көлемі қанша болды?")
    assert answer.answerable and "10,59" in answer.answer
    cited = [c for c in answer.citations if "10,59" in c.quote]
    assert cited and cited[0].page == 2 and cited[0].reference.endswith("2")


def test_without_tesseract_one_line_names_the_file_and_the_rest_go_on(scans, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(scans["scan"].read_bytes())
    (folder / "mixed.pdf").write_bytes(scans["mixed"].read_bytes())
    (folder / "note.txt").write_text("Қарапайым мәтін файлы. Онда 2024 жылғы есеп бар.", encoding="utf-8")
    bin_dir = Path(sys.executable).parent  # the venv's derek, and no tesseract on PATH
    env = {**os.environ, "PATH": str(bin_dir), "DEREK_HOME": str(tmp_path / "home"), "DEREK_LLM": "extractive",
           "ANONYMIZED_TELEMETRY": "False"}
    run = subprocess.run([str(bin_dir / "derek"), "index", str(folder), "--json"], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    report = json.loads(run.stdout)
    assert sorted(Path(p).name for p in report["added"]) == ["mixed.pdf", "note.txt"]
    [(failed, reason)] = [(Path(f["path"]).name, f["error"]) for f in report["failed"]]
    assert failed == "scan.pdf" and "tesseract is not installed" in reason and "\n" not in reason
    [note] = report["notes"]
    assert note["path"].endswith("mixed.pdf") and "page 2 without a text layer skipped" in note["note"]


def test_the_page_limit_holds_for_image_only_pdfs(scans, tmp_path):
    images = [Image.open(io.BytesIO(_png(scans["scan"])))] * 3
    big = image_pdf(tmp_path / "big-scan.pdf", images)
    with pytest.raises(DerekError, match="the PDF has 3 pages, more than the limit of 2"):
        load(big, max_pdf_pages=2)


def _png(pdf_path: Path) -> bytes:
    out = io.BytesIO()
    page_images(pdf_path, dpi=100)[0].save(out, "PNG")
    return out.getvalue()
