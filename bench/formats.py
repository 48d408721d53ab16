"""The text files of a dev set laid out as the documents users upload: a PDF printed like a law (A4, serif 11 pt,
justified, bold headings, a running header and page numbers), a DOCX with its headings in heading styles, or a web
page saved from a site (the text in <main>, inside a site header with a menu, a sidebar of links and a footer),
so `derek bench qa --as pdf|docx|html` measures what the file format costs on the same questions.

A paragraph is a block of lines between blank lines (a hard-wrapped licence's lines join); a heading is a
structural one (N-бап, Статья N, Article N, ...), a numbered title, a Markdown / underlined one, or a line set in
capitals, as Derek's own reader finds them in the text files.
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path

from index.clean import FRAME_BORDER, FRAMED, UNDERLINE

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf")
_ITEM = re.compile(r"\s*(?:\([a-z0-9]{1,4}\)|\d{1,2}(?:\.\d{1,2})*[.)]|[a-z]\))\s")  # (a) 1. 1.1. a)


class Format(str, Enum):
    TXT = "txt"
    PDF = "pdf"
    DOCX = "docx"
    HTML = "html"


def blocks(text: str) -> list[tuple[str, bool]]:
    """(paragraph, is_heading) in order: blank-line separated blocks with their lines joined."""
    from index.structure import numbered_heading, structural_heading

    out = []
    for block in _paragraphs(text):
        lines = [line.strip() for line in block.splitlines() if line.strip() and not UNDERLINE.fullmatch(line.strip())]
        if not lines:
            continue
        joined = " ".join(lines)
        underlined = any(UNDERLINE.fullmatch(line.strip()) for line in block.splitlines())
        letters = [ch for ch in joined if ch.isalpha()]
        heading = (
            underlined
            or joined.startswith("#")
            or structural_heading(joined) is not None
            or numbered_heading(joined) is not None
            or (len(joined) < 150 and len(letters) >= 4 and all(ch.isupper() for ch in letters))
        )
        out.append((joined.lstrip("# "), heading))
    return out


def _paragraphs(text: str) -> list[str]:
    """Blocks between blank lines, split again where a list item starts a line ("(a) ...", "1.1. ..."); a box of
    asterisks around a disclaimer is dropped (a printed document frames it, if at all, with a border)."""
    lines = []
    for line in text.splitlines():
        if FRAME_BORDER.fullmatch(line.strip()):
            lines.append("")
        elif framed := FRAMED.fullmatch(line.strip()):
            lines.append(framed.group(1) or "")
        else:
            lines.append(line)
    out: list[str] = []
    for block in re.split(r"\n\s*\n", "\n".join(lines)):
        current: list[str] = []
        for line in block.splitlines():
            if current and _ITEM.match(line):
                out.append("\n".join(current))
                current = []
            current.append(line)
        if current:
            out.append("\n".join(current))
    return out


def convert(source: Path, target: Path, fmt: Format) -> list[Path]:
    """Each .txt file of `source` as `fmt` in `target`; the paths. A file newer than its source and than this
    module is kept (the same bytes each run: the index is not rebuilt for a new timestamp inside a PDF)."""
    if fmt is Format.TXT:
        return sorted(source.glob("*.txt"))
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(source.glob("*.txt")):
        out = target / f"{path.stem}.{fmt.value}"
        if not out.exists() or out.stat().st_mtime < max(path.stat().st_mtime, Path(__file__).stat().st_mtime):
            write = {Format.PDF: _pdf, Format.DOCX: _docx, Format.HTML: _html}[fmt]
            write(blocks(path.read_text(encoding="utf-8")), out)
        written.append(out)
    return written


def _pdf(parts: list[tuple[str, bool]], out: Path) -> None:
    from fpdf import FPDF  # a dev dependency: only the benchmark writes PDFs

    title = parts[0][0][:90] if parts else ""

    class Printed(FPDF):
        def header(self):
            self.set_font("serif", size=8)
            self.cell(0, 6, title, align="C")
            self.ln(10)

        def footer(self):
            self.set_y(-15)
            self.set_font("serif", size=9)
            self.cell(0, 10, str(self.page_no()), align="C")

    pdf = Printed(format="A4")
    pdf.add_font("serif", fname=str(FONT))
    pdf.add_font("serif", style="B", fname=str(BOLD))
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, 20)
    pdf.add_page()
    for text, heading in parts:
        pdf.set_font("serif", style="B" if heading else "", size=11)
        pdf.multi_cell(0, 5.5, text, align="L" if heading else "J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.output(str(out))


def _docx(parts: list[tuple[str, bool]], out: Path) -> None:
    import docx

    document = docx.Document()
    for text, heading in parts:
        if heading:
            document.add_heading(text, level=2)
        else:
            document.add_paragraph(text)
    document.save(str(out))


# what a saved page of a legal portal carries around its text: the site's banner and menu, a sidebar, a footer
_SITE_HEADER = ("<header><div class='logo'>Әділет · Adilet · Нормативтік құқықтық актілердің ақпараттық-құқықтық "
                "жүйесі</div><nav><a href='/'>Басты бет</a> <a href='/codes'>Кодекстер</a></nav><ul class='menu'>"
                "<li>Заңдар</li><li>Кодекстер</li><li>Жарлықтар</li><li>Қаулылар</li><li>Іздеу</li>"
                "<li>Жаңа актілер</li><li>Байланыс</li></ul></header>")
_SITE_ASIDE = ("<aside><h3>Соңғы өзгерістер</h3><ul><li>Еңбек кодексіне өзгерістер енгізілді</li>"
               "<li>Салық кодексінің жаңа редакциясы</li><li>Тіл туралы заңға түсініктеме</li></ul>"
               "<p>Жаңалықтарға жазылыңыз: электрондық поштаңызды қалдырыңыз.</p></aside>")
_SITE_FOOTER = ("<footer><p>© 2024 Қазақстан Республикасы Әділет министрлігі. Барлық құқықтар қорғалған.</p>"
                "<p>Байланыс: +7 (7172) 00-00-00, info@example.kz</p></footer>")


def _html(parts: list[tuple[str, bool]], out: Path) -> None:
    import html

    title = html.escape(parts[0][0]) if parts else ""
    body = "".join(f"<h2>{html.escape(t)}</h2>" if h else f"<p>{html.escape(t)}</p>" for t, h in parts)
    out.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body>{_SITE_HEADER}"
        f"<div class='page'>{_SITE_ASIDE}<main>{body}</main></div>{_SITE_FOOTER}</body></html>",
        encoding="utf-8",
    )
