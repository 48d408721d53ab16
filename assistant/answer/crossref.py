"""Provisions that refer to a quoted point of a law: they qualify it, and a lawyer needs them with it.

A law states a rule in one point and its conditions in another that names the first: «3) кинематография ұйымдарында
... он төрт жасқа толмаған адамдармен еңбек шарты жасалуы мүмкін» (31-бап, 2-тармақ) is completed by «3. Осы баптың
2-тармағында айқындалған жағдайларда ... оның заңды өкілдерінің біреуі қол қоюға тиіс»; a ground for dismissal
(52-бап, 1-тармақ, 25) тармақша) by the procedure «... осы Кодекстің 52-бабы 1-тармағының 25) тармақшасында көзделген
негіз бойынша ...». The reference forms of kk, ru and en laws are language resources; no law's content is listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.retrieve.types import RetrievedChunk
from index.structure import section_heading, structural_heading

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
_ARTICLE_NUMBER = re.compile(r"\d+(?:-\d+)?")
MAX_ADDED = 1  # referring provisions added to an answer


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


def article_of(chunk: RetrievedChunk) -> str | None:
    """The number of the article a chunk is in («36» for «36-бап. ...», "12" for "Статья 12"), else None."""
    heading = structural_heading(section_heading(chunk.section)) if chunk.section else None
    number = _ARTICLE_NUMBER.search(heading.label) if heading else None
    return number.group() if number else None


def referring(
    quoted: list[tuple[int, int]], chunks: list[RetrievedChunk], limit: int = MAX_ADDED
) -> list[tuple[int, int]]:
    """(chunk rank, sentence index) of the retrieved sentences, not quoted, that refer to the point (and sub-point)
    of a quoted sentence, in the same document: at most `limit`, the quotes' order first."""
    have, added = set(quoted), []
    for rank, index in quoted:
        chunk = chunks[rank]
        article = article_of(chunk)
        point, subpoint = chunk.point_at(chunk.sentence_start(index))
        subpoint = subpoint.rstrip(")") if subpoint else None
        if not article or not (point or subpoint):
            continue
        for other_rank, other in enumerate(chunks):
            if other.source != chunk.source:
                continue
            here = article_of(other)
            for j, text in enumerate(other.sentence_texts()):
                if len(added) >= limit:
                    return added
                if (other_rank, j) in have:
                    continue
                if any(
                    (ref.article or here) == article
                    and ref.point == point
                    and ref.subpoint in ((None, subpoint) if point else (subpoint,))
                    for ref in references(text)
                ):
                    added.append((other_rank, j))
                    have.add((other_rank, j))
    return added
