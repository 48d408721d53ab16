"""Read .txt, .md, .pdf, .docx and .html files into a RawDocument; a failure the file causes is a DerekError.

DOCX and HTML headings come out as Markdown "#" lines, so cleaning finds headings the same way everywhere.
"""

from __future__ import annotations

import logging
import re
import statistics
from collections.abc import Callable
from pathlib import Path

from charset_normalizer import from_bytes

from index.document import Page, RawDocument
from index.errors import DerekError
from index.ocr import DEFAULT_LANGUAGES, OcrUnavailable, needs_ocr, ocr_image, render_page

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")
MAX_PDF_PAGES = 2000
_TERMINAL_END = re.compile(r"[.!?…:;»\"”)\]]$")


PageProgress = Callable[[int, int], None]  # (pages done, pages in the file)


def load(
    path: Path, source: str | None = None, max_pdf_pages: int = MAX_PDF_PAGES, *,
    ocr_languages: str = DEFAULT_LANGUAGES, on_page: PageProgress | None = None,
) -> RawDocument:
    """Read ``path``; ``source`` (the name citations use) defaults to the path relative to the cwd, posix.

    PDF pages without a text layer are OCR'd in ``ocr_languages`` (Tesseract codes; "" turns OCR off), and
    ``on_page`` hears of every PDF page read. What the reader had to leave out is in ``RawDocument.notes``.
    """
    path = Path(path)
    source = source or _default_source(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise DerekError(f"{source}: file not found")
    if suffix not in SUPPORTED_SUFFIXES:
        raise DerekError(
            f"{source}: unsupported file type '{suffix}' (supported: {', '.join(SUPPORTED_SUFFIXES)})"
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DerekError(f"{source}: cannot be read ({error.strerror or error})") from error
    if not data.strip():
        raise DerekError(f"{source}: the file is empty")
    pdf_like = False
    notes: list[str] = []
    if suffix == ".pdf":
        title, pages, notes = _read_pdf(path, source, max_pdf_pages, ocr_languages, on_page)
        pdf_like = True
    elif suffix == ".docx":
        title, pages = _read_docx(path, source)
    elif suffix in (".html", ".htm"):
        title, pages = _read_html(decode(data, source))
    else:
        text = decode(data, source)
        title, pages = _first_line(text), [Page(text)]
        pdf_like = suffix == ".txt" and looks_pdf_extracted(text)
    if not any(page.text.strip() for page in pages):
        hint = f" ({'; '.join(notes)})" if notes else ""
        raise DerekError(f"{source}: no text could be extracted{hint}")
    return RawDocument(source=source, title=title or path.stem, pages=pages, pdf_like=pdf_like, notes=notes)


def _default_source(path: Path) -> str:
    absolute = path.absolute()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def decode(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM) first, else the encoding charset-normalizer finds; refuse binary data."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        text = str(best) if best is not None else ""
    if not text or not _is_readable(text):
        raise DerekError(f"{source}: not a readable text file (unknown encoding or binary data)")
    return text


def _is_readable(text: str) -> bool:
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f") or ch == "\ufffd")
    return bad <= len(text) * 0.01


def _first_line(text: str) -> str:
    """The first non-empty line; an all-caps title wrapped over the next lines is taken whole."""
    lines = [line.strip().strip("#").strip() for line in text.splitlines()]
    start = next((i for i, line in enumerate(lines) if line), None)
    if start is None:
        return ""
    title = [lines[start]]
    for line in lines[start + 1 :]:
        if not (line and _is_all_caps(title[-1]) and _is_all_caps(line)):
            break
        title.append(line)
    return " ".join(title)[:200]


def _is_all_caps(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) >= 4 and all(ch.isupper() for ch in letters)


def looks_pdf_extracted(text: str) -> bool:
    """Hard-wrapped text: most lines near one width, and most line ends are not sentence ends."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 10:
        return False
    width = statistics.median(len(line) for line in lines)
    if not 40 <= width <= 200:
        return False
    near_width = sum(abs(len(line) - width) <= width * 0.15 for line in lines)
    mid_sentence = sum(not _TERMINAL_END.search(line) for line in lines)
    return near_width >= len(lines) * 0.6 and mid_sentence >= len(lines) * 0.5


def _read_pdf(
    path: Path, source: str, max_pages: int, ocr_languages: str, on_page: PageProgress | None,
) -> tuple[str, list[Page], list[str]]:
    from pypdf import PdfReader

    # pypdf logs warnings about damaged files ("EOF marker not found"); the DerekError below is the one line
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DerekError(f"{source}: the PDF is password-protected")
        count = len(reader.pages)
        if count > max_pages:
            raise DerekError(f"{source}: the PDF has {count} pages, more than the limit of {max_pages}")
        labels = page_labels(reader, count)
        outline = outline_headings(reader)
        pages = []
        for n, (page, number) in enumerate(zip(reader.pages, labels, strict=True)):
            pages.append(Page(with_paragraph_gaps(page.extract_text() or "", _layout_text(page)), number))
            if on_page and not needs_ocr(pages[-1].text):
                on_page(n + 1, count)
        title = str((reader.metadata or {}).get("/Title") or "").strip()
    except DerekError:
        raise
    except Exception as error:  # pypdf raises many types on damaged files; all mean "this PDF is unreadable"
        raise DerekError(f"{source}: not a readable PDF ({type(error).__name__})") from error
    notes = _ocr_pages(path, pages, ocr_languages, on_page)
    title = title or _first_line("\n".join(page.text for page in pages))
    return title, mark_outline(pages, outline), notes


GAP_LOOKAHEAD = 4  # layout lines searched for the next text line (the layout may add or drop a line or two)


def _layout_text(page) -> str:
    """The page as pypdf lays it out (lines at their height, a blank line where the print leaves a gap); "" when
    that fails: the gaps are a hint only."""
    try:
        return page.extract_text(extraction_mode="layout") or ""
    except Exception:  # noqa: BLE001 -- pypdf's layout mode fails on some fonts; the plain text still reads
        return ""


def with_paragraph_gaps(text: str, layout: str) -> str:
    """The page's text with a blank line before each line that the layout shows after a vertical gap: where a
    printed paragraph, heading or list item ends, which the plain extraction runs together. The two are walked
    in order and a line is matched by its words within a few lines ahead; lines the layout puts side by side
    (columns) match nothing, and the text stays as it is."""
    laid: list[tuple[str, bool]] = []  # (words, after a gap)
    gap = False
    for line in layout.splitlines():
        words = " ".join(line.split())
        if words:
            laid.append((words, gap))
        gap = not words
    out: list[str] = []
    j = 0
    for line in text.splitlines():
        words = " ".join(line.split())
        match = next((k for k in range(j, min(j + GAP_LOOKAHEAD, len(laid))) if laid[k][0] == words), None)
        if match is not None:
            if laid[match][1] and out and out[-1].strip():
                out.append("")
            j = match + 1
        out.append(line)
    return "\n".join(out)


def outline_headings(reader) -> list[tuple[int, str, int]]:
    """The PDF's outline (bookmarks) as (page index, title, level from 1), in document order; [] when it has
    none or it cannot be read (an outline is a help, never a reason to refuse a file)."""
    out: list[tuple[int, str, int]] = []

    def walk(items, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            try:
                page = reader.get_destination_page_number(item)
            except Exception:  # noqa: BLE001 -- a broken destination: skip that entry
                continue
            title = " ".join(str(getattr(item, "title", "") or "").split())
            if page is not None and page >= 0 and title:
                out.append((page, title, min(level, 6)))

    try:
        walk(reader.outline, 1)
    except Exception:  # noqa: BLE001 -- a damaged outline tree
        return []
    return out


def _outline_key(text: str) -> str:
    return " ".join(text.split()).casefold().rstrip(".:")


def mark_outline(pages: list[Page], outline: list[tuple[int, str, int]]) -> list[Page]:
    """Each outline title found as a line of its page (or of the next: a destination often points just above a
    heading at the foot of a page) becomes a Markdown heading of its level, as DOCX and HTML headings do, so that
    sections follow the author's own structure where the text gives no other sign of it ("Payment terms" is no
    numbered article). A title wrapped over two lines is joined; a title not found is left alone (no text is
    added that the page does not show)."""
    if not outline:
        return pages
    lines = [page.text.split("\n") for page in pages]
    for index, title, level in outline:
        key = _outline_key(title)
        for p in (index, index + 1):
            if p >= len(lines):
                break
            found = _find_title(lines[p], key)
            if found is not None:
                start, end = found
                text = " ".join(line.strip() for line in lines[p][start:end])
                lines[p][start:end] = ["#" * level + " " + text]
                break
    return [Page("\n".join(page_lines), page.number) for page, page_lines in zip(pages, lines, strict=True)]


def _find_title(lines: list[str], key: str) -> tuple[int, int] | None:
    """The line range [start, end) of `lines` that reads `key` (one line, or two when the title wraps)."""
    for i, line in enumerate(lines):
        own = _outline_key(line)
        if not own or line.lstrip().startswith("#"):
            continue
        if own == key:
            return i, i + 1
        if key.startswith(own + " ") and i + 1 < len(lines) and _outline_key(f"{line} {lines[i + 1]}") == key:
            return i, i + 2
    return None


def _ocr_pages(path: Path, pages: list[Page], languages: str, on_page: PageProgress | None) -> list[str]:
    """OCR the pages whose text layer is missing, in place; returns notes on the pages left out."""
    scanned = [i for i, page in enumerate(pages) if needs_ocr(page.text)]
    if not scanned:
        return []
    if not languages:
        return [f"{_pages(scanned, pages)} without a text layer skipped (OCR is off)"]
    import pypdfium2

    dropped: list[int] = []
    try:
        pdf = pypdfium2.PdfDocument(path)
    except Exception as error:  # noqa: BLE001 -- pypdf read it; pdfium's refusal is only an OCR note
        return [f"{_pages(scanned, pages)} without a text layer could not be rendered for OCR ({error})"]
    try:
        for n, i in enumerate(scanned):
            try:
                result = ocr_image(render_page(pdf, i), languages)
            except OcrUnavailable as error:
                return [f"{_pages(scanned[n:], pages)} without a text layer skipped: {error}"]
            if result.usable:
                pages[i] = Page(result.text, pages[i].number)
            else:
                dropped.append(i)
            if on_page:
                on_page(i + 1, len(pages))
    finally:
        pdf.close()
    return [f"{_pages(dropped, pages)}: OCR found no readable text, left out"] if dropped else []


def _pages(indexes: list[int], pages: list[Page]) -> str:
    numbers = [str(pages[i].number if pages[i].number is not None else i + 1) for i in indexes]
    shown = ", ".join(numbers[:10]) + (f" and {len(numbers) - 10} more" if len(numbers) > 10 else "")
    return f"page{'s' if len(numbers) > 1 else ''} {shown}"


def page_labels(reader, count: int) -> list[int]:
    """Printed page numbers when the PDF declares numeric labels (a journal's 139, 140...), else 1..n."""
    try:
        labels = [int(label) for label in reader.page_labels]
    except Exception:  # no labels, roman numerals or a damaged label tree
        return list(range(1, count + 1))
    return labels if len(labels) == count else list(range(1, count + 1))


def _read_docx(path: Path, source: str) -> tuple[str, list[Page]]:
    import docx

    try:
        document = docx.Document(str(path))
        blocks = [_docx_block(item) for item in document.iter_inner_content()]
        title = (document.core_properties.title or "").strip()
    except Exception as error:  # a broken zip or XML comes out as many exception types
        raise DerekError(f"{source}: not a readable DOCX file ({type(error).__name__})") from error
    text = "\n\n".join(block for block in blocks if block)
    return title or _first_line(text), [Page(text)]


def _docx_block(item) -> str:
    from docx.table import Table

    if isinstance(item, Table):
        return "\n\n".join(_table_row(cell.text for cell in row.cells) for row in item.rows)
    text = " ".join(item.text.split())
    style = (item.style.name if item.style is not None else "") or ""
    level = re.fullmatch(r"Heading ([1-6])", style)
    if text and (level or style == "Title"):
        return "#" * (int(level.group(1)) if level else 1) + " " + text
    if text and style.startswith("List"):
        return "- " + text
    return text


def _table_row(cells) -> str:
    """Cells of one row joined with " | ", merged cells (repeated by python-docx) once."""
    texts: list[str] = []
    for cell in cells:
        text = " ".join(cell.split())
        if text and (not texts or texts[-1] != text):
            texts.append(text)
    return " | ".join(texts)


_HTML_DROP = ("script", "style", "nav", "noscript", "template", "svg", "iframe", "head")
_HTML_BLOCKS = (
    "p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "pre", "ul", "ol",
    "li", "dl", "dt", "dd", "figure", "figcaption", "table", "form", "address",
    "h1", "h2", "h3", "h4", "h5", "h6",
)  # fmt: skip


def _read_html(markup: str) -> tuple[str, list[Page]]:
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(markup, "html.parser")
    title = " ".join((soup.title.get_text() if soup.title else "").split())
    first_h1 = soup.find("h1")
    title = title or (" ".join(first_h1.get_text().split()) if first_h1 else "")
    for tag in soup(_HTML_DROP):
        tag.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for string in soup.find_all(string=True):
        string.replace_with(re.sub(r"\s+", " ", str(string)))
    for row in soup("tr"):
        row.replace_with("\n" + _table_row(cell.get_text(" ") for cell in row(["td", "th"])) + "\n")
    for br in soup("br"):
        br.replace_with("\n")
    for tag in soup(_HTML_BLOCKS):
        if tag.name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            tag.insert(0, "#" * int(tag.name[1]) + " ")
        elif tag.name == "li":
            tag.insert(0, "- ")
        tag.insert_before("\n")
        tag.insert_after("\n")
    lines = [" ".join(line.split()) for line in soup.get_text().split("\n")]
    text = "\n\n".join(line for line in lines if line and line.strip("#- "))
    return title or _first_line(text), [Page(text)]
