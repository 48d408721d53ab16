"""The extractive answerer's rules that do not need the index: quantity questions."""

import pytest

from assistant.answer.extractive import asks_for_quantity


@pytest.mark.parametrize(
    "question",
    [
        "How many joint ventures were opened?",
        "What is the population of China according to the article?",
        "What was the trade volume between China and Turkmenistan in 2023?",
        "Каким был объём торговли Китая и Туркменистана в 2023 году?",
        "Сколько институтов Конфуция открыто?",
        "Какова численность населения Китая?",
        "Қытай мен Түрікменстан арасындағы сауда көлемі қанша болды?",
        "Неше бірлескен кәсіпорын бар?",
        "How long is the railway tunnel?",
        "Какова протяжённость газопровода?",
        "Туннельдің ұзындығы қандай?",
    ],
)
def test_quantity_questions_are_recognised(question):
    assert asks_for_quantity(question)


@pytest.mark.parametrize(
    "question",
    [
        "Which Chinese ambassador to Kazakhstan is quoted?",
        "Какой принцип в международных отношениях твёрдо придерживается Туркменистан?",
        "Какой период истории отношений исследован в монографии В.В. Парамонова?",
        "Өзбекстанның қазіргі сыртқы саясатын сипаттау үшін қандай термин пайда болды?",
        "When did the president visit China?",
        "How long did the visit last?",
    ],
)
def test_other_questions_are_not(question):
    assert not asks_for_quantity(question)


def test_a_quantity_question_is_answered_with_the_figure(service):
    answer = service.ask("Каким был объём торговли Китая и Туркменистана в 2023 году?")
    assert answer.answerable
    assert "10,59" in answer.answer


def test_a_quantity_question_without_a_figure_in_the_sources_abstains(service):
    # the article mentions China and "residents", but gives no population figure
    answer = service.ask("What is the population of China according to the article?")
    assert not answer.answerable, answer.answer


def test_a_sentence_continuing_the_named_subject_is_credited_with_it(chunk_of):
    """«Еңбекте ...» (In the book ...) continues the sentence naming Paramonov's book: it inherits part of that
    sentence's match, so the 30-year answer outranks the same sentence placed after an unrelated one."""
    from assistant.answer.extractive import score_sentences
    from assistant.retrieve.expand import expand_query

    naming = "Ғылыми еңбектердің ішінде В.В. Парамоновтың монографиясын атауға болады."
    unrelated = "Қытай Орталық Азия үшін маңызды серіктес болып табылады."
    answer = "Еңбекте Орталық Азия республикаларының Қытаймен байланыстарының 30 жылдық тарихы зерттелген."
    question = expand_query("Какой период истории отношений исследован в монографии В.В. Парамонова?", "ru")

    def answer_score(first: str) -> float:
        chunk = chunk_of("c", f"{first} {answer}")
        chunk.sentence_scores = [0.85, 0.85]
        return next(s.score for s in score_sentences([chunk], question) if s.text == answer)

    assert answer_score(naming) > answer_score(unrelated) + 0.02


@pytest.mark.parametrize(
    "question",
    [
        "What was the trade volume between Kazakhstan and China in 2024?",  # the article has 2023
        "2023 жылы Өзбекстан мен Қытай арасындағы сауда көлемі қанша болды?",  # it has Turkmenistan's 2023
        "What is the annual gas throughput capacity of the Central Asia–China pipeline?",  # no figure
        "Какова стоимость строительства железной дороги Китай – Кыргызстан – Узбекистан?",  # no cost given
    ],
)
def test_a_figure_for_another_place_year_or_measure_is_not_an_answer(service, question):
    answer = service.ask(question)
    assert not answer.answerable, answer.answer


def test_the_figure_for_the_asked_place_and_year_is_still_given(service):
    answer = service.ask("Какую долю внешнеторгового оборота Узбекистана приходилось на Китай в конце 2019 года?")
    assert answer.answerable and "18,1" in answer.answer


def test_a_multiword_name_the_sources_lack_is_not_answered(service):
    answer = service.ask("Транскаспий халықаралық көлік бағыты (Орта дәліз) туралы мақалада не айтылған?")
    assert not answer.answerable, answer.answer


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


def test_a_heading_brings_the_sentence_under_it(chunk_of):
    from assistant.answer.extractive import ScoredSentence, select_quotes

    heading = "• Аймақтық интеграцияны күшейту."
    body = "Орталық Азия елдері ортақ экономикалық, көлік және сауда стратегияларын қалыптастыруы қажет."
    chunk = chunk_of("c", f"{heading} {body} Қаржылық тәуелділікті төмендету.")
    chosen = select_quotes([ScoredSentence(1.0, 0, 0, heading)], [chunk], [])
    assert [s.text for s in chosen] == [heading, body]
