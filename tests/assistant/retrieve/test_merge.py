"""Sibling chunks (one document, one section) among the results are one result (assistant/retrieve/merge.py)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.answer.extractive import ExtractiveAnswerer
from assistant.retrieve.hybrid import RetrievalMode
from assistant.retrieve.merge import GAP, MAX_CHARS, join, merge_siblings
from assistant.retrieve.types import RetrievedChunk
from index.sentences import split_sentences

SECTION = "2-БӨЛІМ › 4-тарау › 32-бап. Еңбек шартын жасасу үшін қажетті құжаттар"


def chunk(cid, text, position, score, section=SECTION, source="labour.kk.txt", page=None, point=None):
    sentences = split_sentences(text)
    return RetrievedChunk(
        chunk_id=cid, text=text, source=source, title="Еңбек кодексі", page=page, section=section, language="kk",
        score=score, sentences=sentences, sentence_scores=[score - 0.01 * i for i in range(len(sentences))],
        sentence_vectors=np.full((len(sentences), 4), position, dtype=np.float32), point=point, position=position,
        fused=True,
    )


LEAD = chunk("c1", "1. Еңбек шартын жасау үшін мынадай құжаттар: 1) жеке куәлігі; 2) еңбек кітапшасы.", 10, 1.30,
             point="1")
NEXT = chunk("c2", "2. Құжаттардың көшірмелері жұмыс берушіде сақталады.", 11, 1.36, point="2")
LATER = chunk("c4", "4. Жұмыскер қоса атқаратын жұмыс үшін анықтама ұсынады. Ол бір ай ішінде беріледі.", 13,
              1.40, page=3, point="4")
OTHER = chunk("o1", "1. Еңбек шарты жазбаша нысанда жасалады.", 5, 1.35,
              section="2-БӨЛІМ › 4-тарау › 33-бап. Еңбек шартын жасасу тәртібі")


def test_siblings_join_at_the_rank_of_the_best_in_document_order():
    merged = merge_siblings([LATER, OTHER, LEAD, NEXT])
    assert [c.chunk_id for c in merged] == ["c4", "o1"]  # the article's three chunks at the rank of its best
    top = merged[0]
    assert top.score == LATER.score and top.position == 10 and top.point == "1"
    # document order, neighbours joined by a line break, a gap marked before a part that is not a neighbour
    assert top.text == f"{LEAD.text}\n{NEXT.text}{GAP}{LATER.text}"
    assert top.sentence_texts() == LEAD.sentence_texts() + NEXT.sentence_texts() + LATER.sentence_texts()
    assert top.sentence_scores == LEAD.sentence_scores + NEXT.sentence_scores + LATER.sentence_scores
    assert top.sentence_vectors[:, 0].tolist() == [10.0] * len(LEAD.sentences) + [11.0] * len(
        NEXT.sentences) + [13.0] * len(LATER.sentences)
    assert [p.follows for p in top.parts] == [True, False]


def test_a_quote_keeps_its_own_page_point_and_context():
    top = join([LATER, LEAD, NEXT])
    later = top.text.index("Жұмыскер қоса")
    assert top.page_at(0) is None and top.page_at(later) == 3
    assert top.point_at(0) == ("1", None) and top.point_at(top.text.index("Құжаттардың")) == ("2", None)
    assert top.point_at(later)[0] == "4"
    n_lead, n_next = len(LEAD.sentences), len(NEXT.sentences)
    # the lead's points and its neighbour run on; the later part's sentences have only each other as context
    assert top.part_range(0) == (0, n_lead + n_next) == top.part_range(n_lead)
    assert top.part_range(n_lead + n_next) == (n_lead + n_next, len(top.sentences))


def test_chunks_of_other_sections_documents_or_with_no_section_stay_apart():
    elsewhere = chunk("x", "1. Басқа заңның бабы.", 11, 1.2, source="other.kk.txt")
    plain = chunk("p", "Бөлімі жоқ мәтін.", 12, 1.1, section=None)
    unplaced = chunk("u", "Орны белгісіз мәтін.", None, 1.0)
    unplaced_too = chunk("u2", "Орны белгісіз тағы бір мәтін.", None, 0.9)
    # an editorial note shares its article's section path but is metadata of it, not its text
    note = chunk("n", "Ескерту. 32-бапқа өзгерістер енгізілді - ҚР 04.05.2020 № 321-VI Заңымен.", 12, 0.8)
    ranked = [LEAD, OTHER, elsewhere, plain, unplaced, unplaced_too, note]
    assert [c.chunk_id for c in merge_siblings(ranked)] == [c.chunk_id for c in ranked]
    assert merge_siblings([]) == []


def test_a_merged_result_stays_under_its_size():
    merged = merge_siblings([LEAD, NEXT, LATER], max_chars=len(LEAD.text) + len(NEXT.text))
    assert [c.chunk_id for c in merged] == ["c2", "c4"]  # the third sibling is a result of its own
    assert merged[0].text == f"{LEAD.text}\n{NEXT.text}" and not merged[1].parts


def test_a_figure_for_another_place_in_a_distant_part_does_not_answer():
    """The quantity check reads the place a figure is for in the figure's own part: «Өзбекстан» in the first part
    does not make the Turkmen trade figure of a later, distant part an answer about Uzbekistan."""
    first = chunk("a", "Өзбекстан Қытаймен ынтымақтастықты дамытып келеді.", 3, 1.3, section="Талқылау")
    figure = chunk("b", "2023 жылы Қытай мен Түрікменстан арасындағы сауда көлемі 10,59 миллиард АҚШ долларын "
                        "құрады.", 9, 1.35, section="Талқылау")
    question = "2023 жылы Өзбекстан мен Қытай арасындағы сауда көлемі қанша болды?"
    merged = merge_siblings([figure, first])
    assert len(merged) == 1 and not merged[0].parts[0].follows
    answer = ExtractiveAnswerer(abstain_below=0.0).answer(question, "kk", merged)
    assert not answer.answerable, answer.answer
    # the same two sentences as neighbours in one stretch of text do answer (the place is named just before)
    neighbours = join([figure, chunk("a", first.text, 8, 1.3, section="Талқылау")])
    assert ExtractiveAnswerer(abstain_below=0.0).answer(question, "kk", [neighbours]).answerable


@pytest.mark.parametrize(
    "fixture, question, language",
    [
        ("legal_service", "Какие документы нужны для заключения трудового договора?", "ru"),
        ("legal_service", "What does the employer have to do when a worker is transferred to another job?", "en"),
        ("legal_service", "Еңбек шартында қандай мәліметтер болуы керек?", "kk"),
        ("service", "Қытай мен Түрікменстан арасындағы сауда көлемі қанша?", "kk"),
        ("service", "What are the foreign-policy priorities of the Central Asian republics?", "en"),
    ],
)
def test_merged_results_hold_the_same_text_as_the_chunks_they_join(request, fixture, question, language):
    """On two corpora: merging reorders nothing but siblings, drops no sentence and adds none."""
    service = request.getfixturevalue(fixture)
    merged = service.retriever.retrieve(question, language, 6, mode=RetrievalMode.FINAL)
    ranked = service.retriever_with(merge=False).retrieve(question, language, 6, mode=RetrievalMode.FINAL)
    sentences = sorted(s for c in merged for s in c.sentence_texts())
    assert sentences == sorted(s for c in ranked for s in c.sentence_texts())
    assert [c.score for c in merged] == sorted((c.score for c in merged), reverse=True)
    assert merged[0].score == ranked[0].score
    first: dict[tuple, RetrievedChunk] = {}
    for c in merged:  # a section twice only where its chunks would pass the size limit together
        seen = first.setdefault((c.source, c.section), c)
        assert seen is c or len(seen.text) + len(c.text) > MAX_CHARS
    for c in merged:
        assert len(c.sentence_scores) == len(c.sentences) == len(c.sentence_vectors)


def test_the_top_result_holds_the_articles_list_with_its_lead_in(legal_service):
    """«Какие документы нужны ...»: the article's two chunks rank first and third; merged, the first result holds
    the list's lead-in («... мынадай құжаттар:») as well as its later points."""
    question = "Какие документы нужны для заключения трудового договора?"
    top = legal_service.retriever.retrieve(question, "ru", 5)[0]
    plain = legal_service.retriever_with(merge=False)
    assert "мынадай құжаттар" not in plain.retrieve(question, "ru", 5)[0].text
    assert "32-бап" in top.section and "Еңбек шартын жасау үшін мынадай құжаттар" in top.text and top.parts
