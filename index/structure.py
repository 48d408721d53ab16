"""Document structure in kk/ru/en: headings of parts, chapters and articles, numbered points, editorial notes.

A structural heading («4-тарау. ЕҢБЕК ШАРТЫ», «Статья 12», "Article 5 - Scope") opens a section one level
below the last heading of a higher level, so each paragraph gets a path such as «4-тарау › 36-бап. Сынақ
мерзімі». Editorial notes of official registers («Ескерту. 50-бапқа өзгеріс енгізілді - ҚР ... Заңымен»,
«Сноска. ...») are metadata of the article they follow, not its content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PART, CHAPTER, ARTICLE = 1, 2, 3
# the divisions of a code between those: a sub-part of a part («1-кіші бөлім», «Подраздел 1») and a paragraph of a
# chapter, which groups its articles («1-параграф. Жалпы ережелер», «Параграф 1. Общие положения»)
SUBPART, PARAGRAPH = 1.5, 2.5

_NUMBER = r"(\d+(?:[-.]\d+)*|[IVXLC]+)"
# text after a structural number: ". Title", ": Title", " - Title", or nothing
_AFTER = r"(?:\s*[.:]\s*|\s+[-–—]\s+|\s*$)"
_LABELS: tuple[tuple[float, str], ...] = (
    # Kazakh: the number comes first («24-бап», «1 тарау», «2-БӨЛІМ», «24-1-бап»)
    (PART, _NUMBER + r"[-\s]?бөлім"),
    (SUBPART, _NUMBER + r"[-\s]?кіші\s+бөлім"),
    (CHAPTER, _NUMBER + r"[-\s]?тарау"),
    (PARAGRAPH, _NUMBER + r"[-\s]?параграф"),
    (ARTICLE, _NUMBER + r"[-\s]?бап"),
    # Russian and English: the word comes first
    (PART, r"(?:раздел|часть|part)\s+" + _NUMBER),
    (SUBPART, r"подраздел\s+" + _NUMBER),
    (CHAPTER, r"(?:глава|chapter)\s+" + _NUMBER),
    (PARAGRAPH, r"параграф\s+" + _NUMBER),
    (ARTICLE, r"(?:статья|article|section|§)\s*" + _NUMBER),
)
_PATTERNS = tuple((level, re.compile(label + _AFTER, re.IGNORECASE)) for level, label in _LABELS)
# ... or, with no separator, a title in capitals on the same line («I БӨЛІМ ЖАЛПЫ ЕРЕЖЕЛЕР», "РАЗДЕЛ I ОБЩИЕ
# ПОЛОЖЕНИЯ"); a line that goes on in lower case is a sentence, not a heading («1 бап бойынша ...»)
_CAPITAL_TITLES = tuple((level, re.compile(label + r"\s+(\S.*)$", re.IGNORECASE)) for level, label in _LABELS)
MAX_HEADING_CHARS = 200
LABEL_SEPARATOR = " › "

# A note of the register that edited the text: «Ескерту. ...», «Сноска. ...», «Ескертпе!», "Footnote. ...".
_NOTE = re.compile(r"(?:ескерту|ескертпе|сноска|footnote)\s*[.!:]", re.IGNORECASE)
# A numbered point of an article: «2. Шағын ...» (a point) or «1) ...» (a sub-point).
_POINT = re.compile(r"(\d{1,3})\.\s+\S")
_SUBPOINT = re.compile(r"(\d{1,3})\)\s+\S")


# A numbered section heading of a plain text ("8. Termination.", "3.1. Distribution of Source Form", «2. Предмет
# договора»): a number of up to three levels, then a short title that starts with a capital letter. Only a line
# that stands alone counts, and only in a document without part/chapter/article headings (clean.py decides both).
_NUMBERED = re.compile(r"(\d{1,2}(?:\.\d{1,2}){0,2})\.?\s+([^\W\d_][^\n]*)")
MAX_NUMBERED_WORDS = 10
_TITLE_WORD = r"[A-Z][\w'’-]*"
_SMALL_WORD = r"(?:of|and|or|the|to|for|in|on|with|by|a|an|as|at|from)"
# ... or the Title Case title of an English section that runs on in the same line ("3. Grant of Patent License.
# Subject to ..."): English capitalises its titles, other languages do not, so only this one is recognised.
_INLINE_TITLE = re.compile(
    rf"(\d{{1,2}}(?:\.\d{{1,2}}){{0,2}})\.\s+({_TITLE_WORD}(?:\s+(?:{_TITLE_WORD}|{_SMALL_WORD})){{0,7}})\.\s+(?=\S)"
)


@dataclass(frozen=True)
class Heading:
    level: float  # PART, SUBPART, CHAPTER, PARAGRAPH, ARTICLE; 1-6 for Markdown headings; 1 for other headings
    label: str  # how the path names it: «36-бап», "Статья 12", or the whole heading text
    text: str  # the whole heading line


def structural_heading(text: str) -> Heading | None:
    """The heading a line opens when it is a part, chapter or article heading in kk, ru or en."""
    line = text.strip()
    if not line or len(line) > MAX_HEADING_CHARS:
        return None
    for level, pattern in _PATTERNS:
        match = pattern.match(line)
        if match:
            label = line[: match.end()].rstrip(" .:-–—")
            return Heading(level, label, line)
    for level, pattern in _CAPITAL_TITLES:
        match = pattern.match(line)
        if match and match.group(match.lastindex).isupper():
            return Heading(level, line[: match.start(match.lastindex)].rstrip(), line)
    return None


def numbered_heading(line: str) -> Heading | None:
    """The heading a numbered title line would open ("8. Termination." -> level 2, "3.1. ..." -> level 3: below a
    document's unnumbered top headings), when the line has that shape: a short title without a sentence inside."""
    match = _NUMBERED.fullmatch(line.strip())
    if not match:
        return None
    number, title = match.groups()
    words = title.split()
    if (
        not title[0].isupper()
        or len(words) > MAX_NUMBERED_WORDS
        or len(line) > MAX_HEADING_CHARS // 2
        or title.rstrip().endswith((",", ";", ":"))
        or re.search(r"[.!?]\s+\S", title)  # two sentences: a numbered point, not a title
        or (title.rstrip().endswith(".") and len(words) > 3 and not _title_case(words))  # a sentence
    ):
        return None
    text = f"{number}. {title.rstrip(' .')}"
    return Heading(number.count(".") + 2, text, text)


def _title_case(words: list[str]) -> bool:
    """Most words capitalised, as English titles are ("Acceptance Not Required for Having Copies.")."""
    words = [w for w in words if w[0].isalpha()]  # "Interpretation of Sections 15 and 16."
    return sum(w[0].isupper() for w in words) * 2 > len(words)


def inline_numbered_title(line: str) -> tuple[Heading, str] | None:
    """("3. Grant of Patent License" heading, "Subject to ...") for an English numbered section whose Title Case
    title runs on in the same line as its text."""
    match = _INLINE_TITLE.match(line.strip())
    if not match:
        return None
    number, title = match.groups()
    text = f"{number}. {title}"
    return Heading(number.count(".") + 2, text, text), line.strip()[match.end() :]


def is_note(text: str) -> bool:
    """True for an editorial note of the register (amendment history), not the text of the law."""
    return bool(_NOTE.match(text.strip()))


def point_of(text: str) -> str | None:
    """The numbered point a paragraph starts: "2" for «2. ...», "2)" for «2) ...», else None."""
    match = _POINT.match(text)
    if match:
        return match.group(1)
    match = _SUBPOINT.match(text)
    return f"{match.group(1)})" if match else None


def section_heading(section: str | None) -> str:
    """The innermost heading of a section path (its whole line): «36-бап. Сынақ мерзімі»; "" without a section."""
    return (section or "").split(LABEL_SEPARATOR)[-1]


def with_heading(section: str | None, text: str) -> str:
    """A chunk's text preceded by its section's heading line (what its vector and its BM25 tokens are computed
    from: a chunk deep in an article still says which article it is); not repeated when the text starts with it."""
    heading = section_heading(section)
    return text if not heading or text.startswith(heading) else f"{heading}\n{text}"


class SectionPath:
    """The open headings, outermost first; a heading closes every open one of its level or deeper."""

    def __init__(self) -> None:
        self.open: list[Heading] = []

    def enter(self, heading: Heading) -> str:
        while self.open and self.open[-1].level >= heading.level:
            self.open.pop()
        self.open.append(heading)
        return self.path()

    def path(self) -> str:
        """«4-тарау › 36-бап. Сынақ мерзімі»: the labels of the outer headings, then the innermost in full."""
        if not self.open:
            return ""
        return LABEL_SEPARATOR.join([h.label for h in self.open[:-1]] + [self.open[-1].text])


# References to a point of a law, in a law's own text and in a question (kk / ru / en reference forms: language
# resources). A reference names an article (None: "this article"), a point and a sub-point.
_N = r"(\d+(?:-\d+)?)"
# each pattern with the groups of (article: None for "this article", point, sub-point); 0: the form has no such part
_REFERENCES: tuple[tuple[re.Pattern, tuple[int, int, int]], ...] = (
    # «52-бабы 1-тармағының 25) тармақшасында», «осы баптың 2-тармағында»
    (re.compile(rf"(?:{_N}-баб\w*|осы баптың)\s+{_N}-тармағ\w*(?:\s+{_N}\)\s+тармақша)?", re.I), (1, 2, 3)),
    # «44-бабының 3) тармақшасында» (an article of sub-points only)
    (re.compile(rf"(?:{_N}-баб\w*|осы баптың)\s+{_N}\)\s+тармақша", re.I), (1, 0, 2)),
    # «подпунктом 25) пункта 1 статьи 52», «пунктом 2 настоящей статьи», «частью 2 настоящей статьи»
    (re.compile(rf"(?:подпункт\w*\s+{_N}\)\s+)?(?:пункт|част)\w*\s+{_N}\s+(?:настоящей статьи|статьи\s+{_N})", re.I),
     (3, 2, 1)),
    # «подпунктом 3) статьи 44»
    (re.compile(rf"подпункт\w*\s+{_N}\)\s+(?:настоящей статьи|статьи\s+{_N})", re.I), (2, 0, 1)),
    # "subparagraph (a) of paragraph 1 of Article 5", "paragraph 2 of this Article"
    (re.compile(rf"(?:sub-?(?:paragraph|point)\s+\(?(\w{{1,3}})\)?\s+of\s+)?(?:paragraph|point)\s+{_N}\s+of\s+"
                rf"(?:this Article|Article\s+{_N})", re.I), (3, 2, 1)),
    # "subparagraph 3) of Article 44"
    (re.compile(rf"sub-?(?:paragraph|point)\s+\(?(\w{{1,3}})\)?\s+of\s+(?:this Article|Article\s+{_N})", re.I),
     (2, 0, 1)),
)


@dataclass(frozen=True)
class Reference:
    article: str | None  # None: "this article"
    point: str | None  # None: an article of sub-points only
    subpoint: str | None


def references(text: str) -> list[Reference]:
    """The points of a law a sentence refers to."""
    found = []
    for pattern, groups in _REFERENCES:
        for m in pattern.finditer(text):
            found.append(Reference(*(m.group(g) if g else None for g in groups)))
    return found


# A question that names an article, with or without its point: "Article 24", "Article 36(2)", «статье 4», «ст. 50»,
# «13-бабы» (the forms above come first: they name the point too); each with its article and point groups.
_ASKED_ARTICLE: tuple[tuple[re.Pattern, int, int], ...] = (
    (re.compile(rf"\b{_N}-ба[бп]\w*", re.I), 1, 0),
    (re.compile(rf"(?:\bстат(?:ья|ьи|ье|ью|ьей|ьях?)\s+|\bст\.\s*){_N}", re.I), 1, 0),
    (re.compile(rf"\b(?:article|art\.)\s*{_N}(?:\s*\((\d{{1,3}})\))?", re.I), 1, 2),
)
_ARTICLE_NUMBER = re.compile(_N)


def asked_reference(question: str) -> Reference | None:
    """The provision a question names ("What does paragraph 3 of Article 61 require?" -> 61, 3), if any."""
    for ref in references(question):
        if ref.article:
            return ref
    for pattern, article, point in _ASKED_ARTICLE:
        if match := pattern.search(question):
            return Reference(match.group(article), match.group(point) if point else None, None)
    return None


def article_number(section: str | None) -> str | None:
    """The number of the article a section path ends in («36» for «... › 36-бап. ...», "12" for "Статья 12")."""
    heading = structural_heading(section_heading(section)) if section else None
    if heading is None or heading.level != ARTICLE:
        return None
    number = _ARTICLE_NUMBER.search(heading.label)
    return number.group() if number else None
