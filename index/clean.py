"""Turn a RawDocument into paragraphs with page and section: undo PDF artefacts and find section headings.

For PDF-like text: running headers and bare page numbers go; wrapped lines and line-end hyphenation are
joined.
"""

from __future__ import annotations

import re
import statistics
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate

from index.document import Document, Page, Paragraph, RawDocument
from index.structure import (
    MAX_HEADING_CHARS,
    Heading,
    SectionPath,
    inline_numbered_title,
    is_note,
    numbered_heading,
    point_of,
    structural_heading,
)
from index.text.language import dominant_language, fix_mixed_script

PAGE_CHARS = 3500  # about one printed page: beyond this from a page-number line, the page is unknown
MIN_RUNNING_LINE = 12  # shorter repeated lines ("* * *", "Abstract") are not running headers

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
_PRIVATE_BULLETS = re.compile(r"^[\uf0a7\uf0b7\uf076\uf0d8\uf0fc\uf06e]")
_PAGE_NUMBER = re.compile(r"\d{1,4}")
_JOURNAL_ISSUE = re.compile(r"№\s*\d+\s*(?:\(\d+\))?\s*,?\s*(?:19|20)\d\d")  # "№2(90) 2025 ж."
_BULLET = re.compile(r"(?:[•●▪◦■*]|\d{1,2}[.)]|\(\d{1,2}\)|[a-zа-я]\))\s+\S")
_DASH_ITEM = re.compile(r"[-–—]\s+\S")
_TERMINAL = re.compile(r"[.!?…:;][»\"”’)\]]*$")
_MARKDOWN_HEADING = re.compile(r"(#{1,6})\s+(.+?)\s*#*")
# a MediaWiki heading ("== Тарихы ==", level 1 for "=="), as exports of Wikipedia articles carry them; text that a
# flattened export runs on after the heading on the same line ("==Қозғыштық ==Қозғыштық – ...") is a new line
_WIKI_HEADING = re.compile(r"(={2,6})\s*([^=]+?)\s*\1\s*(.*)")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# a Markdown / reStructuredText underline: the line above is a heading ("=" level 1, "-" level 2, "~" level 3); with
# a blank line above, a thematic break
UNDERLINE = re.compile(r"(={3,}|-{3,}|~{3,})")
_UNDERLINE_LEVEL = {"=": 1, "-": 2, "~": 3}
# text boxed in asterisks, as plain-text licences print their disclaimers: "*****" borders, "* text *" lines
FRAME_BORDER = re.compile(r"\*{5,}")
FRAMED = re.compile(r"\*(?:\s+(.*?))?\s*\*")
MIN_FRAME_LINES = 3
MIN_CAPS_PARAGRAPH = 3
MAX_UNDERLINED = 150  # a longer underlined line is a paragraph above a rule

_LABELS = (
    "Abstract", "Аннотация", "Аңдатпа", "Түйін сөздер", "Түйінді сөздер", "Кілт сөздер", "Keywords",
    "Key words",
    "Ключевые слова", "Introduction", "Кіріспе", "Введение", "Conclusion", "Conclusions", "Қорытынды",
    "Заключение", "References", "Әдебиеттер", "Әдебиеттер тізімі", "Пайдаланылған әдебиеттер", "Литература",
    "Список литературы", "Summary", "Резюме", "Methods", "Results", "Discussion", "Acknowledgements",
)  # fmt: skip
_LABEL_NAMES = {label.casefold(): label for label in _LABELS}
_INLINE_LABEL = re.compile(
    r"(Abstract|Аннотация|Аңдатпа|Түйін(?:ді)? сөздер|Кілт сөздер|Keywords|Key words|Ключевые слова)"
    r"\s*[:.—–-]\s+\S",
    re.IGNORECASE,
)


@dataclass
class _Line:
    text: str
    page: int | None


@dataclass
class _Unit:
    kind: str  # "heading" (a section starts), "title" (all-caps title block) or "paragraph"
    text: str
    page: int | None
    name: str | None = None  # section name of a heading
    heading: Heading | None = None
    breaks: list[tuple[int, int | None]] = field(default_factory=list)  # a paragraph's later pages (offset, page)


def clean(raw: RawDocument) -> Document:
    """Paragraphs of ``raw`` with page and section, offsets into the cleaned full text."""
    lines = _unframe(_lines(raw.pages))
    if raw.pdf_like:
        lines = _drop_running_lines(lines, multi_page=len(raw.pages) > 1)
    units = _mark_titles(_units(lines, raw.pdf_like))
    return _document(raw, units)


def normalize_spaces(text: str) -> str:
    """One space for any run of spaces, tabs and non-breaking spaces; invisible characters removed."""
    text = fix_mixed_script(_SPACES.sub(" ", _INVISIBLE.sub("", text)).strip())
    return re.sub("\u00ad(?=.)", "", text)  # a soft hyphen matters only at the line end (see _join)


def _lines(pages: list[Page]) -> list[_Line]:
    lines: list[_Line] = []
    for page in pages:
        for text in page.text.splitlines():
            text = _PRIVATE_BULLETS.sub("•", normalize_spaces(text))
            wiki = _WIKI_HEADING.fullmatch(text)
            if wiki and wiki.group(3):
                lines += [_Line(text[: wiki.start(3)].rstrip(), page.number), _Line("", page.number)]
                text = wiki.group(3)
            lines.append(_Line(text, page.number))
        lines.append(_Line("", page.number))  # a page break is a possible paragraph break
    return lines


def _unframe(lines: list[_Line]) -> list[_Line]:
    """Text boxed in asterisks keeps its text and loses the box (3+ framed lines in a row; borders are blanks)."""
    out = list(lines)
    i = 0
    while i < len(out):
        j = i
        while j < len(out) and (FRAME_BORDER.fullmatch(out[j].text) or FRAMED.fullmatch(out[j].text)):
            j += 1
        if j - i >= MIN_FRAME_LINES:
            for k in range(i, j):
                framed = None if FRAME_BORDER.fullmatch(out[k].text) else FRAMED.fullmatch(out[k].text)
                out[k] = _Line((framed.group(1) or "") if framed else "", out[k].page)
        i = max(j, i + 1)
    return out


def _all_caps_paragraphs(lines: list[_Line]) -> set[int]:
    """Indices of lines in a run of MIN_CAPS_PARAGRAPH+ all-caps lines: a paragraph set in capitals (a licence's
    disclaimer), not headings; a title wraps over two lines at most."""
    return _in_runs([i for i, line in enumerate(lines) if line.text and _is_all_caps(line.text)], MIN_CAPS_PARAGRAPH)


def _in_runs(indices: list[int], length: int) -> set[int]:
    """The line indices (ascending) that belong to a run of `length` or more consecutive ones."""
    found: set[int] = set()
    run: list[int] = []
    for i in [*indices, -2]:  # -2 ends the last run
        if run and i == run[-1] + 1:
            run.append(i)
            continue
        if len(run) >= length:
            found.update(run)
        run = [i]
    return found


# A "#" line that is an item of a numbered list, as MediaWiki writes one («# Исабаев Қалмұқан – жазушы (1925)»), not
# a Markdown heading: too long for a heading, two sentences in it, in lower case or ending in ";" or "," as a list
# item goes on, or one of a run of such lines with nothing between
_LIST_MARK = re.compile(r"#\s+(\S.*)")
_TWO_SENTENCES = re.compile(r"[^\W\d_]{2}[.!?…]\s+[\"«“(]?[^\W\d_]")
MIN_LIST_RUN = 3


def _wiki_list_items(lines: list[_Line]) -> dict[int, str]:
    """Line index -> item text for the "# ..." lines that are numbered list items (a run of MIN_LIST_RUN+ of them
    with no blank line between: three headings in a row with no text under any is no document's outline)."""
    marked = {i: m.group(1) for i, line in enumerate(lines) if (m := _LIST_MARK.fullmatch(line.text))}
    items = {
        i: text
        for i, text in marked.items()
        if len(text) > MAX_HEADING_CHARS
        or (len(text) > MAX_HEADING_CHARS // 4 and _TWO_SENTENCES.search(text))  # not "# Mr. Smith"
        or text[0].islower()
        or text.rstrip().endswith((";", ","))
    }
    items.update((i, marked[i]) for i in _in_runs(sorted(marked), MIN_LIST_RUN))
    return items


def _numbered_headings(lines: list[_Line]) -> dict[int, tuple[Heading, str]]:
    """Line index -> (heading, the text that runs on after it) for the numbered section headings of a plain text:
    a numbered title on a line of its own (a blank or an underline before and after it), or an English Title Case
    one that runs on. Only in a document with 2+ of them and no part/chapter/article headings: a law's short
    points («2. Күшін жойды.») and a list's items are not sections."""
    found: dict[int, tuple[Heading, str]] = {}
    structural = 0
    for i, line in enumerate(lines):
        if not line.text or (i and lines[i - 1].text and not UNDERLINE.fullmatch(lines[i - 1].text)):
            continue
        if structural_heading(line.text):
            structural += 1
            continue
        after = lines[i + 1].text if i + 1 < len(lines) else ""
        heading = numbered_heading(line.text) if not after or UNDERLINE.fullmatch(after) else None
        if heading:
            found[i] = (heading, "")
        elif inline := inline_numbered_title(line.text):
            found[i] = inline
    return found if len(found) >= 2 and not structural else {}


def _drop_running_lines(lines: list[_Line], multi_page: bool) -> list[_Line]:
    """Blank out running headers and bare page numbers; number the pages from those numbers if unknown."""
    edges = _page_edges(lines) if multi_page else set()

    def standalone(i: int) -> bool:
        before = i == 0 or not lines[i - 1].text
        after = i + 1 == len(lines) or not lines[i + 1].text
        return (before and after) or i in edges

    candidates = [i for i, line in enumerate(lines) if line.text and standalone(i)]
    repeated = Counter(_running_key(lines[i].text) for i in candidates)
    for i in candidates:
        text = lines[i].text
        if (
            _JOURNAL_ISSUE.search(text)
            and len(text) < 200
            or (len(text) >= MIN_RUNNING_LINE and repeated[_running_key(text)] >= 2)
        ):
            lines[i] = _Line("", lines[i].page)
    markers = []
    for i, line in enumerate(lines):
        if _PAGE_NUMBER.fullmatch(line.text) and standalone(i):
            markers.append((i, int(line.text)))
            lines[i] = _Line("", line.page)
    if markers and all(line.page is None for line in lines):
        _number_pages(lines, markers)
    return lines


def _page_edges(lines: list[_Line]) -> set[int]:
    """Indexes of the first and last non-empty line of each page, and of the next one in after a number."""
    by_page: dict[int | None, list[int]] = {}
    for i, line in enumerate(lines):
        if line.text:
            by_page.setdefault(line.page, []).append(i)
    edges = set()
    for indexes in by_page.values():
        for end in (indexes, indexes[::-1]):
            edges.add(end[0])
            if len(end) > 1 and _PAGE_NUMBER.fullmatch(lines[end[0]].text):
                edges.add(end[1])
    return edges


def _running_key(text: str) -> str:
    return re.sub(r"\d+", "#", text)


def _number_pages(lines: list[_Line], markers: list[tuple[int, int]]) -> None:
    """Text after a page-number line N is on page N, text before it on N-1, within about one page of it."""
    markers = _consistent(markers)
    positions = [m for m, _ in markers]
    chars = list(accumulate((len(line.text) for line in lines), initial=0))  # chars[i]: text before line i
    for i, line in enumerate(lines):
        k = bisect_left(positions, i)
        guesses = set()
        if k > 0 and chars[i] - chars[positions[k - 1]] <= PAGE_CHARS:
            guesses.add(markers[k - 1][1])
        if k < len(markers) and chars[positions[k]] - chars[i] <= PAGE_CHARS:
            guesses.add(markers[k][1] - 1)
        line.page = guesses.pop() if len(guesses) == 1 else None


def _consistent(markers: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Page numbers that agree with a neighbour (a few pages on); a lone one is trusted, a stray year not."""
    if len(markers) == 1:
        return markers
    numbers = [n for _, n in markers]
    return [
        marker
        for k, marker in enumerate(markers)
        if (k > 0 and 1 <= numbers[k] - numbers[k - 1] <= 3)
        or (k + 1 < len(markers) and 1 <= numbers[k + 1] - numbers[k] <= 3)
    ]


def _units(lines: list[_Line], pdf_like: bool) -> list[_Unit]:
    """Group lines into headings and paragraphs."""
    return _UnitReader(lines, pdf_like).read()


class _UnitReader:
    """Reads lines in order into units: each line is a numbered heading, an underline, the wrapped end of the
    heading just read, a heading, or paragraph text (a new paragraph or the one being read, joined)."""

    def __init__(self, lines: list[_Line], pdf_like: bool):
        self.lines, self.pdf_like = lines, pdf_like
        self.width = statistics.median([len(line.text) for line in lines if line.text] or [0])
        self.vocabulary = _Vocabulary(lines) if pdf_like else None
        self.numbered = _numbered_headings(lines)
        self.caps_text = _all_caps_paragraphs(lines)
        self.list_items = _wiki_list_items(lines)
        self.units: list[_Unit] = []
        self.paragraph: list[str] = []  # the lines of the paragraph being read, joined as they will be
        self.page: int | None = None  # the page it starts on
        self.breaks: list[tuple[int, int | None]] = []  # where it went on to another page
        self.blank_before = True

    def read(self) -> list[_Unit]:
        for i, line in enumerate(self.lines):
            if not line.text:
                self.blank_before = True
            elif i in self.numbered:
                self._numbered_heading(i, line)
            elif i in self.list_items:  # a paragraph of its own, without the list mark
                self._flush()
                self._start_paragraph(self.list_items[i], line.page)
                self.blank_before = False
            elif UNDERLINE.fullmatch(line.text):
                self._underline(i, line.text)
            elif _continues_heading(self._last(), line.text, self.paragraph, self.blank_before):
                last = self._last()
                last.text = last.name = f"{last.text} {line.text}"  # a heading wrapped onto the next line
                last.heading = _retitled(last.heading, last.text)
            else:
                self._text(i, line)
        self._flush()
        return self.units

    def _last(self) -> _Unit | None:
        return self.units[-1] if self.units else None

    def _flush(self) -> None:
        if self.paragraph:
            self.units.append(_Unit("paragraph", "".join(self.paragraph), self.page, breaks=list(self.breaks)))
            self.paragraph.clear()
        self.breaks.clear()

    def _start_paragraph(self, text: str, page: int | None) -> None:
        self.paragraph.append(text)
        self.page = page

    def _numbered_heading(self, i: int, line: _Line) -> None:
        self._flush()
        heading, rest = self.numbered[i]
        self.units.append(_Unit("heading", heading.text, line.page, heading.text, heading))
        if rest:
            self._start_paragraph(rest, line.page)
        self.blank_before = False

    def _underline(self, i: int, text: str) -> None:
        """The line above underlined is a heading; under a blank line, a thematic break."""
        if i - 1 in self.numbered and not self.blank_before:
            return  # the underline of a numbered heading
        if len(self.paragraph) == 1 and not self.blank_before and len(self.paragraph[0]) <= MAX_UNDERLINED:
            name = self.paragraph.pop()
            heading = structural_heading(name) or Heading(_UNDERLINE_LEVEL[text[0]], name, name)
            self.units.append(_Unit("heading", heading.text, self.page, heading.text, heading))
        else:
            self._flush()  # a thematic break
        self.blank_before = True

    def _text(self, i: int, line: _Line) -> None:
        """A heading line, the first line of a paragraph, or a line of the paragraph being read."""
        text, paragraph = line.text, self.paragraph
        previous = paragraph[-1] if paragraph else ""
        after_break = self.blank_before or not paragraph or bool(_TERMINAL.search(previous))
        heading = _heading(text, after_break and i not in self.caps_text)
        label = _INLINE_LABEL.match(text) if after_break else None
        if heading:
            self._flush()
            last = self._last()
            if (
                last
                and last.kind == "heading"
                and not self.blank_before
                and _is_all_caps(last.text)
                and _is_all_caps(text)
            ):
                last.text = last.name = f"{last.text} {text}"  # an all-caps title wrapped over two lines
                last.heading = Heading(last.heading.level, last.text, last.text) if last.heading else None
            elif _bare_label(last) and _is_all_caps(text) and not structural_heading(text):
                # the title of a heading that is its number alone, on the next line («I бөлім» / «ЖАЛПЫ ЕРЕЖЕЛЕР»)
                last.text = last.name = f"{last.text}. {text}"
                last.heading = Heading(last.heading.level, last.heading.label, last.text)
            else:
                self.units.append(_Unit("heading", heading.text, line.page, heading.text, heading))
        elif label or _starts_paragraph(text, paragraph, self.blank_before, self.pdf_like, self.width):
            self._flush()
            if label:
                name = label.group(1)
                self.units.append(_Unit("heading", "", line.page, name, Heading(1, name, name)))
            self._start_paragraph(text, line.page)
        else:
            paragraph[-1], joined = _join(previous, text, self.vocabulary)
            breaks = self.breaks
            if line.page != (breaks[-1][1] if breaks else self.page):  # the paragraph goes on to the next page
                breaks.append((sum(map(len, paragraph)) + len(joined) - len(joined.lstrip()), line.page))
            paragraph.append(joined)
        self.blank_before = False


def _continues_heading(last: _Unit | None, text: str, paragraph: list[str], blank_before: bool) -> bool:
    """Whether a line goes on with the heading just read: right under it, in lower case, the heading not ended
    by punctuation («26-бап. Еңбек шартын жасасуға және жұмысқа орналасуға салынатын» / «тыйымдар және
    қойылатын шектеулер», as a printed page wraps a long article title)."""
    return bool(
        last is not None
        and last.kind == "heading"
        and last.heading is not None
        and last.text
        and not paragraph
        and not blank_before
        and text[:1].islower()
        and not _TERMINAL.search(last.text)
        and len(last.text) + len(text) <= MAX_HEADING_CHARS
    )


def _bare_label(unit: _Unit | None) -> bool:
    """Whether a unit is a part, chapter or article heading that is its number alone («I бөлім», "Раздел 2")."""
    heading = unit.heading if unit is not None and unit.kind == "heading" else None
    return bool(heading and heading.text == heading.label and structural_heading(heading.text))


def _retitled(heading: Heading, text: str) -> Heading:
    """The heading with its whole line now `text` (a label that was the whole line follows it)."""
    return Heading(heading.level, text if heading.label == heading.text else heading.label, text)


def _heading(text: str, after_break: bool) -> Heading | None:
    """The heading when ``text`` is a heading line (other than "#" and "==" ones, only after a finished line): a
    part, chapter or article heading in kk/ru/en, a Markdown heading (DOCX and HTML headings come as these) or a
    MediaWiki one, a usual label of a paper ("Abstract", «Кіріспе»), or a short all-caps line."""
    markup = _markup_heading(text)
    if markup:
        return markup
    if not after_break or "|" in text:  # a table row of abbreviations is no heading
        return None
    structural = structural_heading(text)
    if structural:
        return structural
    label = _LABEL_NAMES.get(text.rstrip(":.").strip().casefold())
    if label:
        name = text.rstrip(":.").strip()
        return Heading(1, name, name)
    if _is_all_caps(text) and len(text) <= 150 and len(text.split()) <= 15 and not text.endswith((",", ";")):
        if re.search(r"[^\W\d_]{4,}", text) and not _BULLET.match(text) and not _DASH_ITEM.match(text):
            return Heading(1, text, text)
    return None


def _markup_heading(text: str) -> Heading | None:
    """A Markdown ("## X") or MediaWiki ("== X ==", level 1 for "==") heading line; its name may be structural."""
    if markdown := _MARKDOWN_HEADING.fullmatch(text):
        level, name = len(markdown.group(1)), markdown.group(2)
    elif (wiki := _WIKI_HEADING.fullmatch(text)) and not wiki.group(3):
        level, name = len(wiki.group(1)) - 1, wiki.group(2)
    else:
        return None
    return structural_heading(name) or Heading(level, name, name)


def _is_all_caps(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 4 and all(ch.isupper() for ch in letters)


def _starts_paragraph(
    text: str, paragraph: list[str], blank_before: bool, pdf_like: bool, width: float
) -> bool:
    previous = paragraph[-1] if paragraph else ""
    ends_sentence = bool(_TERMINAL.search(previous))
    if not previous or _BULLET.match(text):
        return True
    if _DASH_ITEM.match(text):
        # in PDF text a wrapped line may start with a dash: an item follows a blank, a finished line or item
        in_list = bool(_DASH_ITEM.match(paragraph[0]) or _BULLET.match(paragraph[0]))
        return blank_before or ends_sentence or in_list or not pdf_like
    if not pdf_like:
        return blank_before or ends_sentence
    if blank_before:  # PDF text breaks paragraphs with blank lines, but also puts blanks inside them
        return ends_sentence or not (text[0].islower() or len(previous) >= width * 0.75)
    return ends_sentence and len(previous) < width * 0.75  # a short last line ends a paragraph


def _join(previous: str, text: str, vocabulary: _Vocabulary | None) -> tuple[str, str]:
    """The previous line and the next one's text as they join: with a space, or across a line-end hyphen."""
    if previous.endswith("\u00ad"):
        return previous[:-1], text
    match = re.search(r"([^\W\d_]+)-$", previous)
    if match and vocabulary is not None:
        right = _WORD.match(text)
        if right is None or vocabulary.keeps_hyphen(match.group(1), right.group().split("-")[0]):
            return previous, text
        return previous[:-1], text
    return previous, " " + text


class _Vocabulary:
    """Words and hyphenated compounds written inside lines, to tell line-end hyphenation from compounds."""

    def __init__(self, lines: list[_Line]):
        words: set[str] = set()
        self.compounds: dict[str, set[str]] = {}
        for line in lines:
            text = re.sub(r"\S+-$", "", line.text)  # a word split at the line end is not evidence
            for token in _WORD.findall(text.lower()):
                parts = token.split("-")
                words.update(parts)
                for left, right in zip(parts, parts[1:], strict=False):
                    self.compounds.setdefault(left, set()).add(right)
        self.words = sorted(words)

    def keeps_hyphen(self, left: str, right: str) -> bool:
        """True for a compound ("мақсат-міндеттеріне"), False for a hyphenated word ("қарасты-рады")."""
        if right[:1].isupper():  # "Солтүстік-Оңтүстік", "Қытай-Қырғыз"
            return True
        left, right = left.lower(), right.lower()
        if any(
            _common_prefix(right, other) >= min(5, len(right), len(other))
            for other in self.compounds.get(left, ())
        ):
            return True
        if self._has_prefix((left + right)[: len(left) + 2]):  # the joined word, or a form of it, occurs
            return False
        return self._has_prefix(left, whole=True) and len(right) >= 4 and self._has_prefix(right[:5])

    def _has_prefix(self, prefix: str, whole: bool = False) -> bool:
        """True when some word starts with ``prefix`` (is ``prefix`` itself when ``whole``)."""
        i = bisect_left(self.words, prefix)
        if i == len(self.words):
            return False
        return self.words[i] == prefix if whole else self.words[i].startswith(prefix)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _mark_titles(units: list[_Unit]) -> list[_Unit]:
    """An all-caps heading right before another heading is a title, not a section: it joins the next one. So does
    a document's first line when it is a short unpunctuated line right before a heading ("Ақуыз", then "== … =="):
    alone it would be a chunk of a few words, which e5 places near many questions."""
    for unit, following in zip(units, units[1:], strict=False):
        structural = unit.heading is not None and structural_heading(unit.heading.text) is not None
        if unit.kind == "heading" and following.kind == "heading" and _is_all_caps(unit.text) and not structural:
            unit.kind = "title"
    if len(units) > 1 and units[0].kind == "paragraph" and units[1].kind == "heading" and _title_like(units[0].text):
        units[0].kind = "title"
    return units


def _title_like(text: str) -> bool:
    return len(text) <= 150 and len(_WORD.findall(text)) <= 12 and not _TERMINAL.search(text)


def _following_path(path: SectionPath, unit: _Unit) -> str | None:
    """The section path the heading `unit` will open, without opening it."""
    if unit.heading is None:
        return unit.name
    preview = SectionPath()
    preview.open = list(path.open)
    return preview.enter(unit.heading)


def _document(raw: RawDocument, units: list[_Unit]) -> Document:
    parts: list[str] = []
    paragraphs: list[Paragraph] = []
    offset = 0
    section: str | None = None
    path = SectionPath()
    point: str | None = None
    subpoint: str | None = None
    for i, unit in enumerate(units):
        if unit.kind == "heading":
            section = path.enter(unit.heading) if unit.heading else unit.name
            point = subpoint = None
        if not unit.text:
            continue
        start = offset + (2 if parts else 0)
        parts.append(unit.text)
        offset = start + len(unit.text)
        if unit.kind == "paragraph":
            starts = point_of(unit.text)
            if starts and starts.endswith(")"):
                subpoint = starts
            elif starts:
                point, subpoint = starts, None
            role = "note" if is_note(unit.text) else ""
            paragraphs.append(
                Paragraph(
                    unit.text, unit.page, section, start, offset, role,
                    None if role else point, None if role else subpoint, unit.breaks,
                )
            )
        elif unit.kind == "title":
            following = next(
                (_following_path(path, u) for u in units[i + 1 :] if u.kind == "heading"), section
            )
            paragraphs.append(Paragraph(unit.text, unit.page, following, start, offset))
    text = "\n\n".join(parts)
    language = dominant_language(p.text for p in paragraphs)
    return Document(raw.source, raw.title, language, text, paragraphs)
