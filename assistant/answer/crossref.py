"""Provisions that refer to a quoted point of a law: they qualify it, and a lawyer needs them with it.

A law states a rule in one point and its conditions in another that names the first: «3) кинематография ұйымдарында
... он төрт жасқа толмаған адамдармен еңбек шарты жасалуы мүмкін» (31-бап, 2-тармақ) is completed by «3. Осы баптың
2-тармағында айқындалған жағдайларда ... оның заңды өкілдерінің біреуі қол қоюға тиіс»; a ground for dismissal
(52-бап, 1-тармақ, 25) тармақша) by the procedure «... осы Кодекстің 52-бабы 1-тармағының 25) тармақшасында көзделген
негіз бойынша ...». The reference forms of kk, ru and en laws are language resources; no law's content is listed.
"""

from __future__ import annotations

from assistant.retrieve.types import RetrievedChunk
from index.structure import article_number, references

MAX_ADDED = 1  # referring provisions added to an answer


def referring(
    quoted: list[tuple[int, int]], chunks: list[RetrievedChunk], limit: int = MAX_ADDED
) -> list[tuple[int, int]]:
    """(chunk rank, sentence index) of the retrieved sentences, not quoted, that refer to the point (and sub-point)
    of a quoted sentence, in the same document: at most `limit`, the quotes' order first."""
    have, added = set(quoted), []
    for rank, index in quoted:
        chunk = chunks[rank]
        article = article_number(chunk.section)
        point, subpoint = chunk.point_at(chunk.sentence_start(index))
        subpoint = subpoint.rstrip(")") if subpoint else None
        if not article or not (point or subpoint):
            continue
        for other_rank, other in enumerate(chunks):
            if other.source != chunk.source:
                continue
            here = article_number(other.section)
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
