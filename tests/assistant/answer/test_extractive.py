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
