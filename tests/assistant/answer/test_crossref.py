"""A provision that names a quoted point of a law («осы баптың 2-тармағында», «подпунктом 25) пункта 1 статьи 52",
"paragraph 2 of this Article") is quoted with it."""

from __future__ import annotations

from assistant.answer.crossref import referring
from assistant.answer.extractive import ExtractiveAnswerer
from assistant.retrieve.types import RetrievedChunk
from index.sentences import split_sentences
from index.structure import Reference, references


def test_references_are_read_in_kazakh_russian_and_english():
    assert references("Осы Кодекстің 52-бабы 1-тармағының 25) тармақшасында көзделген негіз бойынша") == [
        Reference("52", "1", "25")
    ]
    assert references("Осы баптың 2-тармағында айқындалған жағдайларда") == [Reference(None, "2", None)]
    assert references("по основанию, предусмотренному подпунктом 25) пункта 1 статьи 52 настоящего Кодекса") == [
        Reference("52", "1", "25")
    ]
    assert references("в случаях, указанных в пункте 2 настоящей статьи") == [Reference(None, "2", None)]
    assert references("under subparagraph (b) of paragraph 1 of Article 52") == [Reference("52", "1", "b")]
    assert references("the cases in paragraph 2 of this Article") == [Reference(None, "2", None)]
    # an article of sub-points only (a constitution's list of powers)
    assert references("Конституцияның 44-бабының 3) тармақшасында көзделген") == [Reference("44", None, "3")]
    assert references("в случаях, предусмотренных подпунктом 3) статьи 44") == [Reference("44", None, "3")]
    assert references("under subparagraph 3) of Article 44") == [Reference("44", None, "3")]
    assert references("2. Еңбек шарты жазбаша нысанда жасалады.") == []


ARTICLE = (
    "1. Он алты жасқа толған азаматтармен еңбек шартын жасасуға жол беріледі.\n"
    "2. Еңбек шарты:\n"
    "1) он бес жасқа толған азаматтармен;\n"
    "3) театрларда он төрт жасқа толмаған адамдармен еңбек шарты жасалуы мүмкін.\n"
    "3. Осы баптың 2-тармағында айқындалған жағдайларда оның заңды өкілдерінің біреуі қол қоюға тиіс.\n"
    "4. Осы баптың 1-тармағында көзделген жас шегі сақталады."
)


def _chunk(chunk_id: str, text: str, section: str, source: str = "code.kk.txt", score: float = 1.3):
    return RetrievedChunk(
        chunk_id=chunk_id, text=text, source=source, title="Кодекс", page=None, section=section, language="kk",
        score=score, sentences=split_sentences(text),
    )


def test_the_point_that_names_a_quoted_one_is_found_in_its_article_or_by_article_number():
    chunk = _chunk("a31", ARTICLE, "31-бап. Жас мөлшері")
    texts = chunk.sentence_texts()
    quoted = next(i for i, t in enumerate(texts) if t.startswith("3) театрларда"))
    names_point_2 = next(i for i, t in enumerate(texts) if "2-тармағында" in t)
    assert referring([(0, quoted)], [chunk]) == [(0, names_point_2)]
    # point 1 is named by point 4, not by point 3
    first = next(i for i, t in enumerate(texts) if t.startswith("1. Он алты"))
    assert referring([(0, first)], [chunk]) == [(0, next(i for i, t in enumerate(texts) if t.startswith("4.")))]
    # from another article, by number; another document's «31-бабы 2-тармағы» is not about this one
    procedure = _chunk("a53", "Осы Кодекстің 31-бабы 2-тармағында көзделген шарттар сақталады.", "53-бап. Тәртіп")
    elsewhere = _chunk("b", "Осы Заңның 31-бабы 2-тармағында көзделген тіл.", "9-бап. Тіл", source="law.kk.txt")
    found = referring([(0, quoted)], [chunk, procedure, elsewhere], limit=3)
    assert (1, 0) in found and all(rank != 2 for rank, _ in found)
    # an article of sub-points only: «44-бабының 3) тармақшасы» names its sub-point 3), not its 2)
    powers = _chunk("c44", "Президент:\n2) тағайындайды;\n3) шақырады;", "44-бап")
    names_3 = _chunk("c45", "Осы Конституцияның 44-бабының 3) тармақшасында көзделген жағдайда ...", "45-бап")
    third = next(i for i, t in enumerate(powers.sentence_texts()) if t.startswith("3)"))
    second = next(i for i, t in enumerate(powers.sentence_texts()) if t.startswith("2)"))
    assert referring([(0, third)], [powers, names_3]) == [(1, 0)]
    assert referring([(0, second)], [powers, names_3]) == []
    # a chunk outside any article has no points to refer to
    assert referring([(0, quoted)], [_chunk("x", ARTICLE, "Кіріспе")]) == []


def test_the_answer_quotes_the_condition_a_later_point_sets(legal_service):
    """The labour code's article 31: a theatre may hire a child under 14 (point 2, sub-point 3)), and point 3 says
    that a legal representative signs too; e5 and the question's words choose point 2 alone (the legal set's l03,
    key facts 0 -> 1 over the Kazakh and the Russian texts, bench/results/cross-references.md)."""
    question = "Can a theatre or film studio sign an employment contract with a child younger than 14?"
    chunks = legal_service.retrieve(question, k=5)
    with_references = ExtractiveAnswerer().answer(question, "en", chunks)
    without = ExtractiveAnswerer(references=False).answer(question, "en", chunks)
    assert "театрларда" in " ".join(c.quote for c in without.citations)
    assert "заңды өкілдерінің" not in " ".join(c.quote for c in without.citations)
    assert "заңды өкілдерінің" in " ".join(c.quote for c in with_references.citations)
