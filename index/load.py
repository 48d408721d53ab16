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
        numbering = DocxNumbering(document)
        blocks = [_docx_block(item, numbering) for item in document.iter_inner_content()]
        title = (document.core_properties.title or "").strip()
    except Exception as error:  # a broken zip or XML comes out as many exception types
        raise DerekError(f"{source}: not a readable DOCX file ({type(error).__name__})") from error
    text = "\n\n".join(block for block in blocks if block)
    return title or _first_line(text), [Page(text)]


def _docx_block(item, numbering: DocxNumbering | None = None) -> str:
    from docx.table import Table

    if isinstance(item, Table):
        return "\n\n".join(_table_row(cell.text for cell in row.cells) for row in item.rows)
    text = " ".join(item.text.split())
    number = numbering.label(item) if numbering is not None and text else None
    style = (item.style.name if item.style is not None else "") or ""
    level = re.fullmatch(r"Heading ([1-6])", style)
    text = f"{number} {text}" if number else text
    if text and (level or style == "Title"):
        return "#" * (int(level.group(1)) if level else 1) + " " + text
    if text and style.startswith("List") and not number:
        return "- " + text
    return text


_LETTERS = {"Letter": "abcdefghijklmnopqrstuvwxyz", "russian": "абвгдежзиклмнопрстуфхцчшщэюя"}
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _formatted(n: int, fmt: str) -> str:
    """A list counter in Word's number format (decimal, lowerLetter, upperRoman, russianLower, ...)."""
    if "Roman" in fmt:
        out = ""
        for value, numeral in _ROMAN:
            count, n = divmod(n, value)
            out += numeral * count
        return out.upper() if fmt.startswith("upper") else out
    for key, letters in _LETTERS.items():
        if key in fmt:
            letter = letters[(n - 1) % len(letters)] * ((n - 1) // len(letters) + 1)
            return letter.upper() if "Upper" in fmt or fmt.startswith("upper") else letter
    return f"{n:02d}" if fmt == "decimalZero" else str(n)


class DocxNumbering:
    """Word's automatic numbering, which python-docx leaves out of a paragraph's text: a contract's «1.», «1.1.»,
    «а)» come from the numbering definitions (numbering.xml), counted per list in document order. Bullets and
    lists without a number format give no label."""

    def __init__(self, document) -> None:
        from docx.oxml.ns import qn

        self._qn = qn
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # abstract list -> level -> (format, text, start)
        self.lists: dict[str, str] = {}  # numId -> abstract list
        self.counts: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):  # a document without numbering definitions
            return
        try:
            self._read(root)
        except (ValueError, TypeError):  # a malformed definition: the text without numbers, not a failed file
            self.levels, self.lists = {}, {}

    def _read(self, root) -> None:
        qn = self._qn
        for abstract in root.findall(qn("w:abstractNum")):
            levels = {}
            for lvl in abstract.findall(qn("w:lvl")):
                fmt, text, start = (lvl.find(qn(tag)) for tag in ("w:numFmt", "w:lvlText", "w:start"))
                levels[int(lvl.get(qn("w:ilvl"), "0"))] = (
                    fmt.get(qn("w:val"), "decimal") if fmt is not None else "decimal",
                    text.get(qn("w:val"), "") if text is not None else "",
                    int(start.get(qn("w:val"), "1")) if start is not None else 1,
                )
            self.levels[abstract.get(qn("w:abstractNumId"))] = levels
        for num in root.findall(qn("w:num")):
            link = num.find(qn("w:abstractNumId"))
            if link is not None:
                self.lists[num.get(qn("w:numId"))] = link.get(qn("w:val"))

    def _num_pr(self, paragraph):
        """The paragraph's numbering properties, its own or its style's (List Number, a heading style)."""
        ppr = paragraph._p.pPr
        if ppr is not None and ppr.numPr is not None:
            return ppr.numPr
        style = paragraph.style
        for _ in range(10):  # a style's bases, as deep as Word goes (and never round a cycle)
            if style is None:
                break
            spr = style.element.pPr
            if spr is not None and spr.numPr is not None:
                return spr.numPr
            style = style.base_style
        return None

    def label(self, paragraph) -> str | None:
        """«2.1.» for a numbered paragraph (its list's counters move on), None otherwise (also when its numbering
        cannot be read)."""
        try:
            return self._label(paragraph)
        except (ValueError, TypeError, AttributeError):
            return None

    def _label(self, paragraph) -> str | None:
        num_pr = self._num_pr(paragraph)
        if num_pr is None or num_pr.numId is None:
            return None
        abstract = self.lists.get(str(num_pr.numId.val))
        levels = self.levels.get(abstract or "")
        if not levels:
            return None
        ilvl = min(int(num_pr.ilvl.val), 8) if num_pr.ilvl is not None else 0  # Word has levels 0-8
        fmt, text, start = levels.get(ilvl, ("decimal", f"%{ilvl + 1}.", 1))
        counts = self.counts.setdefault(abstract, [0] * 10)
        counts[ilvl] = counts[ilvl] + 1 if counts[ilvl] else start
        counts[ilvl + 1 :] = [0] * (len(counts) - ilvl - 1)
        if fmt in ("bullet", "none") or not text:
            return None

        def counter(match: re.Match[str]) -> str:
            level = int(match.group(1)) - 1
            level_fmt, _, level_start = levels.get(level, ("decimal", "", 1))
            return _formatted(counts[level] or level_start, level_fmt)

        return re.sub(r"%([1-9])", counter, text).strip() or None


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


# the parts of a page around its content (HTML5 landmarks): the site's banner, menus, sidebars and footer
_CHROME_ROLES = ("banner", "navigation", "contentinfo", "complementary", "search")


def _keep_main_content(soup) -> None:
    """A saved web page keeps its content only: the <main> element (or role="main") when the page marks one,
    else its one <article>; otherwise the landmark parts around the content go (a <header>, <footer> or <aside>
    that is no part of an <article> or <section>, and elements whose role names site chrome)."""
    body = soup.body or soup
    main = body.find("main") or body.find(attrs={"role": "main"})
    articles = body.find_all("article")
    keep = main or (articles[0] if len(articles) == 1 else None)
    if keep is not None and keep.get_text(strip=True):
        keep = keep.extract()
        body.clear()
        body.append(keep)
        return
    for tag in body.find_all(["header", "footer", "aside"]):
        if not tag.find_parent(["article", "section"]):
            tag.decompose()
    for tag in body.find_all(attrs={"role": list(_CHROME_ROLES)}):
        tag.decompose()


def _read_html(markup: str) -> tuple[str, list[Page]]:
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(markup, "html.parser")
    title = " ".join((soup.title.get_text() if soup.title else "").split())
    first_h1 = soup.find("h1")
    title = title or (" ".join(first_h1.get_text().split()) if first_h1 else "")
    for tag in soup(_HTML_DROP):
        tag.decompose()
    _keep_main_content(soup)
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
