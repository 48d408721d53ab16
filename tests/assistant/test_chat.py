"""Follow-ups: detection, condensation into a standalone question, bounded memory, and retrieval through them."""

from __future__ import annotations

import pytest

from assistant.answer.types import Turn
from assistant.chat import condense, is_follow_up
from assistant.history import recent

TRADE_EN = "What was the trade volume between China and Turkmenistan in 2023?"


def turns(*pairs: tuple[str, str]) -> list[Turn]:
    out = []
    for q, a in pairs:
        out += [Turn("user", q), Turn("assistant", a)]
    return out


@pytest.mark.parametrize("question", [
    "And China's exports within that?",
    "What about it?",
    "А что в ней сказано об энергетике?",
    "И когда это произошло?",
    "Ал оның экспорты қанша?",
    "Тағы не айтылған?",
    # a conjunction opener continues the conversation at any length
    "And for a chief accountant or the head of a branch of a company?",
    "А где и когда прошёл первый стратегический диалог министров иностранных дел двух стран?",
    "Ал бұзушылықты тоқтатқаннан кейін лицензия қандай мерзімде және қалай қалпына келеді?",
])
def test_follow_ups_are_detected(question):
    assert is_follow_up(question)


@pytest.mark.parametrize("question", [
    "What was the trade volume between China and Turkmenistan in 2023 according to the article?",
    "Какие региональные организации безопасности упоминаются в рекомендациях статьи?",
    "Өзбекстанның қазіргі сыртқы саясатын сипаттау үшін қандай термин пайда болды?",
    "What documents does an employer need to sign an employment contract with a new worker?",
])
def test_standalone_questions_are_not_follow_ups(question):
    assert not is_follow_up(question)


def test_condense_carries_the_previous_question_entities():
    history = turns((TRADE_EN, "It was 10.59 billion dollars [1]."))
    condensed = condense("And China's exports within that?", history)
    assert "Turkmenistan" in condensed and condensed.startswith("And China's exports within that?")


@pytest.mark.parametrize("previous,follow_up,entity", [
    ("Каким был объём торговли Китая и Туркменистана в 2023 году?", "А экспорт Китая в нём?", "Туркменистан"),
    ("Қытай мен Түрікменстан арасындағы сауда көлемі 2023 жылы қандай болды?", "Ал оның ішінде экспорт?",
     "Түрікменстан"),
])
def test_condense_in_russian_and_kazakh(previous, follow_up, entity):
    assert entity in condense(follow_up, turns((previous, "…")))


def test_condense_uses_the_latest_user_question_only():
    history = turns(("When did Uzbekistan adopt its strategy?", "In 2017."),
                    (TRADE_EN, "10.59 billion dollars."))
    condensed = condense("And its exports?", history)
    assert "Turkmenistan" in condensed and "Uzbekistan" not in condensed


def test_standalone_question_and_empty_history_are_unchanged():
    standalone = "Which Tajik agricultural products are in demand on the Chinese market?"
    assert condense(standalone, turns((TRADE_EN, "…"))) == standalone
    assert condense("And China's exports within that?", []) == "And China's exports within that?"
    # assistant turns alone give nothing to carry over
    assert condense("And its exports?", [Turn("assistant", "Turkmenistan")]) == "And its exports?"


def test_memory_keeps_the_newest_turns_within_budget():
    words = str.split  # a tokenizer: one token per word
    history = [Turn("user" if i % 2 == 0 else "assistant", f"turn{i} " + "w " * 9) for i in range(10)]  # 10 tokens each
    assert recent(history, 45, words) == history[-4:]  # 4 turns fit, starting with a question
    assert recent(history, 35, words) == history[-2:]  # 3 would fit, but the oldest is an answer
    assert recent(history, 1000, words) == history
    assert recent(history, 5, words) == []  # not even the last turn
    assert recent([], 100, words) == []


def test_follow_up_through_the_service_retrieves_the_energy_passage(service):
    history = turns(("Когда Таджикистан принял концепцию внешней политики?",
                     "Концепция внешней политики Таджикистана была принята указом Президента в 2015 году [1]."))
    chunks = service.retrieve("А что в ней сказано об энергетике?", k=5, history=history)
    assert any("энергетикалық" in c.text for c in chunks), [c.text[:80] for c in chunks]
    answer = service.ask("А что в ней сказано об энергетике?", history=history)
    assert answer.language == "ru"
    assert answer.standalone_question and "Таджикистан" in answer.standalone_question
