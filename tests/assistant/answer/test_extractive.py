"""The extractive answerer's sentence scoring and quote selection."""

from pathlib import Path as _Path

import pytest

from index.text.expand import load_lexicon as _load_lexicon

# the article's domain vocabulary: these tests are about mechanisms that work on a lexicon's concepts
DOMAIN = _load_lexicon((_Path(__file__).resolve().parents[3] / "lexicons" / "central-asia.tsv",))


def test_a_sentence_continuing_the_named_subject_is_credited_with_it(chunk_of):
    """«Еңбекте ...» (In the book ...) continues the sentence naming Paramonov's book: it inherits part of that
    sentence's match, so the 30-year answer outranks the same sentence placed after an unrelated one."""
    from assistant.answer.extractive import score_sentences
    from index.text.expand import expand_query

    naming = "Ғылыми еңбектердің ішінде В.В. Парамоновтың монографиясын атауға болады."
    unrelated = "Қытай Орталық Азия үшін маңызды серіктес болып табылады."
    answer = "Еңбекте Орталық Азия республикаларының Қытаймен байланыстарының 30 жылдық тарихы зерттелген."
    question = expand_query("Какой период истории отношений исследован в монографии В.В. Парамонова?", "ru", DOMAIN)

    def answer_score(first: str) -> float:
        chunk = chunk_of("c", f"{first} {answer}")
        chunk.sentence_scores = [0.85, 0.85]
        return next(s.score for s in score_sentences([chunk], question) if s.text == answer)

    assert answer_score(naming) > answer_score(unrelated) + 0.02


@pytest.mark.parametrize("opening", ["Олардың ішінде", "Среди них", "Among them"])
def test_a_sentence_listing_what_the_quote_announced_is_quoted_with_it(chunk_of, opening):
    from assistant.answer.extractive import ScoredSentence, select_quotes

    announce = "Бейнесаммитте Өзбекстан президенті бірқатар бастамалар ұсынды."
    listing = f"{opening} «Ақылды Жібек жолы» мен мәдениет жылы бар."
    chunk = chunk_of("c", f"{announce} {listing} Басқа тақырыптағы сөйлем.")
    chosen = select_quotes([ScoredSentence(1.0, 0, 0, announce)], [chunk], [])
    assert [s.text for s in chosen] == [announce, listing]
    unrelated = chunk_of("d", f"{announce} Басқа тақырыптағы сөйлем.")
    assert [s.text for s in select_quotes([ScoredSentence(1.0, 0, 0, announce)], [unrelated], [])] == [announce]


def test_a_near_tie_is_quoted_too_and_a_clearly_weaker_sentence_is_not(chunk_of):
    """A sentence 0.03 below the best is a tie within the sentence scores' noise: both are quoted, in source
    order. One 0.07 below, which adds no part of the question, is not. (The first build's window of 0.015 quoted
    only the best.)"""
    from assistant.answer.extractive import ScoredSentence, select_quotes

    first = "Қазақстан мен Қытай арасындағы сауда көлемі өткен жылы едәуір өсті."
    second = "Екі ел көлік дәліздерін бірлесіп дамыту туралы келісімге қол қойды."
    third = "Конференцияға көптеген шетелдік сарапшылар мен журналистер қатысты."
    chunk = chunk_of("c", f"{first} {second} {third}")
    ranked = [ScoredSentence(0.90, 0, 1, second), ScoredSentence(0.87, 0, 0, first), ScoredSentence(0.83, 0, 2, third)]
    assert [s.text for s in select_quotes(ranked, [chunk], [])] == [first, second]


def test_a_heading_brings_the_sentence_under_it(chunk_of):
    from assistant.answer.extractive import ScoredSentence, select_quotes

    heading = "• Аймақтық интеграцияны күшейту."
    body = "Орталық Азия елдері ортақ экономикалық, көлік және сауда стратегияларын қалыптастыруы қажет."
    chunk = chunk_of("c", f"{heading} {body} Қаржылық тәуелділікті төмендету.")
    chosen = select_quotes([ScoredSentence(1.0, 0, 0, heading)], [chunk], [])
    assert [s.text for s in chosen] == [heading, body]


def test_question_parts():
    from assistant.answer.extractive import question_parts

    assert question_parts("Does an employment contract have to be in writing, and in how many copies?") == [
        "Does an employment contract have to be in writing", "and in how many copies?"
    ]
    assert question_parts("Можно ли уволить сотрудника на больничном? Через какое время это допускается?") == [
        "Можно ли уволить сотрудника на больничном?", "Через какое время это допускается?"
    ]
    assert question_parts("Когда и в каком городе открылся Секретариат?") == [
        "Когда и в каком городе открылся Секретариат?"
    ]  # one thing asked: a short "when and where"


def test_a_two_part_question_gets_a_quote_for_each_part(chunk_of):
    """The figure for the second part scores far below the first part's answer: answered as one question the
    quantity rule finds no figure near the best sentence and abstains; part by part, each part has its quote."""
    from assistant.answer.extractive import ExtractiveAnswerer

    who = "Шартқа жұмыс беруші мен жұмыскер қол қояды."
    copies = "Шарт 2 данада жасалады және тараптарға беріледі."
    chunk = chunk_of("c", f"{who} {copies}")
    chunk.sentence_scores = [0.97, 0.78]
    question = "Шартқа кім қол қояды және неше данада жасалады?"
    whole = ExtractiveAnswerer(by_parts=False).answer(question, "kk", [chunk])
    parts = ExtractiveAnswerer().answer(question, "kk", [chunk])
    assert not whole.answerable
    assert parts.answerable and who in parts.answer and copies in parts.answer


def test_the_abstention_threshold_is_lower_across_languages(chunk_of):
    """e5 scores a question against a sentence of another language lower than against one of its own: the same
    best-sentence score (0.85) answers from a Kazakh sentence and not from an English one."""
    from assistant.answer.extractive import ExtractiveAnswerer, Thresholds

    kazakh = chunk_of("k", "Жұмыскердің сынақ мерзімі үш айдан аспауға тиіс және еңбек өтіліне қосылады.")
    english = chunk_of("e", "The probation period of an employee may not exceed three months.")
    kazakh.sentence_scores, english.sentence_scores = [0.70], [0.55]  # + coverage 0.15 / 0.30 = 0.85 each
    answerer = ExtractiveAnswerer(Thresholds(same_language=0.90, cross_language=0.82))
    question = "Is the probation period three months?"
    assert answerer.answer(question, "en", [kazakh]).answerable
    assert not answerer.answer(question, "en", [english]).answerable


def test_a_weak_fused_retrieval_score_abstains_in_the_question_language_only(chunk_of):
    """The final pipeline's fused score of the top chunk is the retrieval-side half of the answer decision: below
    the floor, a same-language match is not an answer even when its best sentence clears the sentence threshold;
    the floor does not apply across languages, nor to scores that are not fused (other retrieval modes)."""
    from assistant.answer.extractive import ExtractiveAnswerer, Thresholds

    question = "Жұмыскердің сынақ мерзімі неше ай?"
    answerer = ExtractiveAnswerer(Thresholds(fused_same_language=1.32))
    chunk = chunk_of("k", "Жұмыскердің сынақ мерзімі үш айдан аспауға тиіс және еңбек өтіліне қосылады.")
    chunk.language, chunk.sentence_scores = "kk", [0.95]
    chunk.fused, chunk.score = True, 1.40
    assert answerer.answer(question, "kk", [chunk]).answerable
    chunk.score = 1.25
    assert not answerer.answer(question, "kk", [chunk]).answerable
    assert not Thresholds(fused_same_language=1.32).retrieval_too_weak("en", [chunk])  # across languages: no floor
    chunk.fused = False  # a dense or BM25 score is on another scale: no floor
    assert answerer.answer(question, "kk", [chunk]).answerable
    chunk.fused = True
    assert ExtractiveAnswerer(Thresholds(fused_same_language=0.0)).answer(question, "kk", [chunk]).answerable


def test_a_quote_from_the_next_page_of_a_chunk_names_that_page(chunk_of):
    """A chunk goes on across a page break; the citation names the page its quote is printed on, in the page
    field and in the one-line reference."""
    from assistant.answer.extractive import ExtractiveAnswerer

    first = "Түрікменстанмен сауда көлемі 2023 жылы 10,59 млрд долларды құрады."
    second = "Қырғызстанға Қытай инвестициясы 2022 жылы 1,2 млрд долларға жетті."
    chunk = chunk_of("c", f"{first}\n{second}", page=5)
    chunk.page_breaks = [(len(first) + 1, 6)]
    chunk.sentence_scores = [0.80, 0.95]
    answerer = ExtractiveAnswerer()
    answer = answerer.answer("Сколько Китай инвестировал в Кыргызстан в 2022 году?", "ru", [chunk])
    (citation,) = answer.citations
    assert citation.quote == second and citation.page == 6
    assert citation.reference.endswith("6")
    chunk.page_breaks = []
    (citation,) = answerer.answer("Сколько Китай инвестировал в Кыргызстан в 2022 году?", "ru", [chunk]).citations
    assert citation.page == 5


def test_a_quote_names_the_numbered_point_it_is_in(chunk_of):
    """A chunk that starts in sub-point 6) of point 1 and goes on to sub-point 11): a quote of 11) is cited as
    11), not as the sub-point the chunk starts in; a quote from point 2 names point 2."""
    from assistant.answer.reference import chunk_reference

    text = (
        "6) жұмыс уақыты мен тынығу уақытының режимі;\n11) еңбек шартын өзгерту мен тоқтату тәртібі;\n"
        "2. Еңбек шарты жазбаша нысанда жасалады."
    )
    chunk = chunk_of("c", text)
    chunk.section, chunk.language = "4-тарау › 28-бап. Еңбек шартының мазмұны", "kk"
    chunk.point, chunk.subpoint = "1", "6)"
    assert chunk.point_at(0) == ("1", "6)")
    assert chunk.point_at(text.index("11)")) == ("1", "11)")
    assert chunk.point_at(text.index("2. Еңбек")) == ("2", None)
    assert chunk_reference(chunk, text.index("11)")).endswith("28-бап, 1-тармақ, 11) тармақша")
    assert chunk_reference(chunk).endswith("28-бап, 1-тармақ, 6) тармақша")


@pytest.mark.parametrize(
    ("field", "contexts", "question", "answer", "other", "switch"),
    [
        # a numbered point does not repeat its article's subject
        ("section", ("4-тарау › 32-бап. Еңбек шартын жасасу үшін қажетті құжаттар",
                     "4-тарау › 40-бап. Жұмыскерді іссапарға жіберу"),
         "Еңбек шартын жасасу үшін қандай құжаттар қажет?",
         "1) Қазақстан Республикасы азаматының жеке куәлігі немесе паспорты;",
         "Іссапар кезінде жұмыскерге қажетті құжаттар рәсімделеді.", "headings"),
        # a sentence deep in an encyclopaedia passage does not repeat the passage's subject, its title
        ("title", ("Верный бекінісі", "Алматы облысының тарихы"), "Верный бекінісі қашан салынды?",
         "Ол Жетісу өңірінде 1856 жылы салынған.", "Алматы облысында бірнеше ежелгі қала орналасқан.", "titles"),
    ],
)
def test_a_sentence_is_credited_with_its_heading_and_title(chunk_of, field, contexts, question, answer, other, switch):
    """The concepts of a sentence's section heading and of its document's title carry half their credit, as the
    sentence before does, so it outranks a slightly closer sentence under another heading or title that shares one
    word with the question; with that context switched off, it does not."""
    from assistant.answer.extractive import score_sentences
    from index.text.expand import expand_query

    right, wrong = chunk_of("a", answer), chunk_of("b", other)
    setattr(right, field, contexts[0])
    setattr(wrong, field, contexts[1])
    right.sentence_scores, wrong.sentence_scores = [0.90], [0.93]
    expanded = expand_query(question, "kk")
    assert score_sentences([right, wrong], expanded)[0].text == answer
    assert score_sentences([right, wrong], expanded, **{switch: False})[0].text == other
