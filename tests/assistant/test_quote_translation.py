"""Translated quotes: with an LLM configured, a quote not in the question's language gets a machine translation
(`quote_translation`), in --json and the exports; the original stays the evidence; a translation that loses a number
of the original, or a failed call, leaves the quote untranslated; offline nothing is translated."""

from __future__ import annotations

import io
import json
import re

import docx
import pytest

from assistant.answer.translate import acceptable, needs_translation
from assistant.export import answer_docx, answer_markdown
from assistant.service import Derek

QUESTION_EN = "What was the trade volume between China and Turkmenistan in 2023?"
QUESTION_KK = "2023 жылы Қытай мен Түрікменстан арасындағы сауда көлемі қанша болды?"
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
FIGURE = re.compile(r"(\d+(?:[.,]\d+)*%?)(?:\s+(миллиард|миллион|млрд|млн|мың|пайыз))?")
MAGNITUDE = {"миллиард": "billion", "млрд": "billion", "миллион": "million", "млн": "million",
             "мың": "thousand", "пайыз": "percent"}


def is_quote_step(body: dict) -> bool:
    return "translate quotations" in body["messages"][0]["content"]


def faithful(body: dict) -> str:
    """A stand-in translator that keeps every figure of the quote, in English."""
    figures = [f"{n} {MAGNITUDE.get(word, '')}".strip() for n, word in FIGURE.findall(body["messages"][-1]["content"])]
    return f"The source gives these figures for the trade of the countries: {'; '.join(figures) or 'none'}."


def scripted(answer: str, quote_reply=faithful):
    def respond(body: dict) -> str:
        system = body["messages"][0]["content"]
        if is_quote_step(body):
            return quote_reply(body)
        if "search questions" in system:  # the question's translations for retrieval
            return "Қытай мен Түрікменстан арасындағы сауда көлемі\nТоварооборот Китая и Туркменистана"
        return answer
    return respond


@pytest.fixture
def llm_derek(indexed_home, llm_server, settings_for) -> Derek:
    settings = settings_for(indexed_home.home, llm="openai-like", llm_base_url=llm_server.url,
                            llm_api_key="test-key", llm_model="stub", lexicon=indexed_home.lexicon)
    return Derek(settings)


def test_quotes_in_another_language_get_a_marked_machine_translation(llm_derek, llm_server):
    llm_server.respond = scripted("In 2023 trade between China and Turkmenistan was 10.59 billion dollars [1].")
    answer = llm_derek.ask(QUESTION_EN)
    assert answer.answerable and answer.citations
    kazakh = [c for c in answer.citations if needs_translation(c.quote, "en")]
    assert kazakh, [c.quote for c in answer.citations]
    for c in kazakh:
        assert c.quote_translation and c.quote_translation.startswith("The source gives these figures")
        for figure in NUMBER.findall(c.quote):
            assert figure in c.quote_translation
        assert c.quote_translation not in c.text  # the original stays the evidence
    assert sum(is_quote_step(r) for r in llm_server.requests) == len({c.quote for c in kazakh})
    data = json.loads(json.dumps(answer.to_dict(), ensure_ascii=False))
    assert data["citations"][0]["quote_translation"] == answer.citations[0].quote_translation
    markdown = answer_markdown(answer)
    assert "*machine translation:*" in markdown and kazakh[0].quote_translation in markdown
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(answer_docx(answer))).paragraphs)
    assert f"machine translation: {kazakh[0].quote_translation}" in text


def test_a_translation_that_loses_a_number_is_discarded(llm_derek, llm_server):
    llm_server.respond = scripted("In 2023 trade was 10.59 billion dollars [1].",
                                  quote_reply=lambda body: "The source describes the trade of the two countries.")
    answer = llm_derek.ask(QUESTION_EN)
    with_figures = [c for c in answer.citations if NUMBER.search(c.quote) and needs_translation(c.quote, "en")]
    assert with_figures
    assert all(c.quote_translation is None for c in with_figures)


def test_a_failed_translation_call_keeps_the_answer(llm_derek, llm_server):
    llm_server.respond = scripted("In 2023 trade was 10.59 billion dollars [1].")
    llm_server.fail_if = is_quote_step
    answer = llm_derek.ask(QUESTION_EN)
    assert answer.answerable and answer.citations
    assert all(c.quote_translation is None for c in answer.citations)


def test_quotes_in_the_question_language_are_not_translated(llm_derek, llm_server):
    llm_server.respond = scripted("2023 жылы сауда көлемі 10,59 млрд доллар болды [1].")
    answer = llm_derek.ask(QUESTION_KK)
    assert answer.citations and all(c.quote_translation is None for c in answer.citations)
    assert not any(is_quote_step(r) for r in llm_server.requests)


def test_offline_quotes_are_shown_as_they_are(service):
    answer = service.ask(QUESTION_EN)
    assert answer.answerable
    assert all(c.quote_translation is None for c in answer.citations)
    assert all(c["quote_translation"] is None for c in answer.to_dict()["citations"])


def test_acceptable_translations():
    original = "2023 жылы сауда көлемі 10,59 миллиард долларды құрады."
    assert acceptable(original, "In 2023 trade amounted to 10.59 billion dollars.", "en")
    assert not acceptable(original, "In 2023 trade amounted to 10.6 billion dollars.", "en")
    assert not acceptable(original, "2023 жылы сауда 10,59 млрд доллар.", "en")  # not English
    assert not acceptable(original, "", "en")
