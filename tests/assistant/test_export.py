"""Markdown and DOCX exports carry the answer, its [n] markers and numbered references, and never a key."""

from __future__ import annotations

import io

import docx
import pytest

from assistant.answer.types import Answer, Citation
from assistant.export import answer_docx, answer_markdown, conversation_docx, conversation_markdown

QUOTE = "2023 жылы Қытай мен Түрікменстан арасындағы сауда көлемі 10,59 миллиард АҚШ долларын құрады."


@pytest.fixture
def answer() -> Answer:
    citation = Citation(
        marker=1, source="corpus/central-asia.kk.txt", title="Орталық Азия", page=7, section="ТАЛҚЫЛАУ",
        quote=QUOTE, text=f"Кіріспе. {QUOTE} Қорытынды.", chunk_id="c1",
    )
    return Answer(
        question="Каким был объём торговли Китая и Туркменистана в 2023 году?", language="ru",
        answer=f"В источниках:\n«{QUOTE}» [1]", answerable=True, citations=[citation],
        unsupported=["«Рост составил 20%» — нет в цитируемом источнике"],
    )


def _docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def test_answer_markdown(answer):
    text = answer_markdown(answer)
    assert "## Вопрос" in text and answer.question in text
    assert "» [1]" in text and "### Источники" in text
    assert "[1] Орталық Азия — corpus/central-asia.kk.txt, с. 7, ТАЛҚЫЛАУ" in text
    assert f"> {QUOTE}" in text
    assert "Не подтверждается" in text and "Рост составил 20%" in text


def test_reference_leaves_out_unknown_parts(answer):
    answer.citations[0].page = None
    answer.citations[0].section = None
    answer.citations[0].title = answer.citations[0].source
    assert "\n[1] corpus/central-asia.kk.txt\n" in answer_markdown(answer)


def test_conversation_markdown_numbers_each_turn(answer):
    follow_up = Answer(question="А в 2022?", language="ru", answer="В источниках нет ответа.",
                       answerable=False)
    text = conversation_markdown([(answer.question, answer), ("А в 2022?", follow_up)])
    assert text.startswith("# Беседа с Derek")
    assert "## 1. Каким был" in text and "## 2. А в 2022?" in text
    assert text.count("Источники") == 1 and "В источниках нет ответа." in text


def test_answer_docx(answer):
    text = _docx_text(answer_docx(answer))
    assert answer.question in text and "» [1]" in text
    assert "Источники" in text and "[1] Орталық Азия — corpus/central-asia.kk.txt, с. 7, ТАЛҚЫЛАУ" in text
    assert QUOTE in text and "Рост составил 20%" in text


def test_conversation_docx(answer):
    text = _docx_text(conversation_docx([(answer.question, answer), (answer.question, answer)]))
    assert "Беседа с Derek" in text and text.count("[1] Орталық Азия") == 2


def test_keys_never_reach_an_export(answer, monkeypatch):
    key = "sk-proj-AbCdEf0123456789abcdef0123456789"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    answer.answer += f"\n(pasted by mistake: {key})"
    answer.citations[0].quote += f" api_key={key}"
    outputs = [answer_markdown(answer), conversation_markdown([(answer.question, answer)]),
               _docx_text(answer_docx(answer)), _docx_text(conversation_docx([(answer.question, answer)]))]
    for output in outputs:
        assert key not in output and "AbCdEf0123456789" not in output and "[redacted]" in output
