"""The Streamlit app driven by AppTest over a real Derek service and an embedded Chroma."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from streamlit.testing.v1 import AppTest

from assistant.export import answer_docx, answer_markdown, conversation_docx, conversation_markdown
from assistant.messages import message
from assistant.service import Derek
from assistant.settings import Settings

APP = str(Path(__file__).resolve().parents[2] / "ui" / "app.py")
QUESTION = "Каким был объём торговли Китая и Туркменистана в 2023 году?"


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def _ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    return at


def _answers(at: AppTest) -> list[str]:
    return [m.markdown[0].value for m in at.chat_message if m.name == "assistant"]


def _documents() -> list[dict]:
    return Derek(Settings()).documents()


@pytest.fixture
def at(ui_env) -> AppTest:
    return _app()


def test_chat_turn_cites_the_figure(at):
    _ask(at, QUESTION)
    answers = _answers(at)
    assert len(answers) == 1 and "[1]" in answers[0] and "10,59" in answers[0]
    labels = [e.label for e in at.expander]
    # the reference (title, section), then the file name, never its folder (labels are Markdown-escaped)
    plain = [label.replace("\\", "") for label in labels]
    name = "central-asia-china-foreign-policy.kk.txt"
    assert any(p.startswith("[1] ОРТАЛЫҚ АЗИЯ") and name in p for p in plain), labels
    assert not any("corpus/" in label for label in labels), labels
    body = " ".join(m.value for m in at.expander[0].markdown)
    assert "<mark>" in body and "10,59" in body
    assert at.title[0].value == message("ui_title", "ru")


def test_follow_up_uses_the_previous_question(at):
    _ask(at, QUESTION)
    _ask(at, "А каким был экспорт Китая?")
    answers = _answers(at)
    assert len(answers) == 2 and "957" in answers[1]
    turns = at.session_state["turns"]
    assert turns[1][1].standalone_question and "Туркменистана" in turns[1][1].standalone_question


def test_new_chat_clears_the_conversation(at):
    _ask(at, QUESTION)
    at.sidebar.button(key="new_chat").click().run()
    assert _answers(at) == [] and at.session_state["turns"] == []


def test_language_selector_overrides_the_question_language(at):
    assert at.title[0].value in {message("ui_title", lang) for lang in ("kk", "ru", "en")}
    _ask(at, QUESTION)
    assert at.tabs[1].label == message("ui_tab_documents", "ru")
    at.sidebar.selectbox(key="lang_choice").set_value("en").run()
    assert at.title[0].value == message("ui_title", "en")
    assert at.sidebar.toggle(key="show_chunks").label == message("ui_show_chunks", "en")
    at.sidebar.selectbox(key="lang_choice").set_value("kk").run()
    assert at.title[0].value == message("ui_title", "kk")
    assert at.tabs[0].label == message("ui_tab_chat", "kk")
    at.sidebar.selectbox(key="lang_choice").set_value("auto").run()
    assert at.title[0].value == message("ui_title", "ru")  # follows the last answer again


def test_show_retrieved_chunks(at):
    _ask(at, QUESTION)
    at.sidebar.toggle(key="show_chunks").set_value(True).run()
    assert not at.exception, at.exception
    panel = next(e for e in at.expander if e.label == message("ui_retrieved_chunks", "ru"))
    assert any("10,59" in m.value for m in panel.markdown)


def test_upload_docx_then_delete(at):
    document = docx.Document()
    document.add_heading("Алтынкөл бекеті", level=1)
    document.add_paragraph("2024 жылы Алтынкөл бекеті арқылы 777 жүк пойызы өтті.")
    buffer = io.BytesIO()
    document.save(buffer)
    before = len(_documents())

    at.file_uploader[0].set_value([
        ("altynkol report.docx", buffer.getvalue(), "application/octet-stream"),
        ("fake.pdf", b"hello, I am not a PDF", "application/pdf"),
    ]).run()
    assert not at.exception, at.exception
    docs = _documents()
    assert len(docs) == before + 1
    uploaded = next(d for d in docs if d["source"].endswith("altynkol_report.docx"))
    assert len(at.dataframe[0].value) == before + 1
    assert any("fake.pdf" in e.value and "PDF" in e.value for e in at.error), [e.value for e in at.error]

    at.selectbox(key="delete_source").set_value(uploaded["source"]).run()
    at.button(key="delete_button").click().run()
    assert not at.exception, at.exception
    assert len(_documents()) == before
    assert len(at.dataframe[0].value) == before
    assert any("altynkol_report.docx" in s.value for s in at.success)


def test_exports_of_the_conversation(at):
    _ask(at, QUESTION)
    _ask(at, "А каким был экспорт Китая?")
    labels = {b.label for b in at.download_button}
    assert labels == {message(k, "ru") for k in ("ui_download_answer_md", "ui_download_answer_docx",
                                                 "ui_download_chat_md", "ui_download_chat_docx")}
    turns = at.session_state["turns"]
    last = turns[-1][1]
    references = [line for line in answer_markdown(last).splitlines() if line.startswith("[1] ")]
    assert references and references[0].startswith("[1] ОРТАЛЫҚ АЗИЯ") and "corpus/" not in references[0]
    conversation = conversation_markdown(turns)
    assert conversation.count(message("references", "ru")) == 2 and "10,59" in conversation
    for data in (answer_docx(last), conversation_docx(turns)):
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
        assert message("references", "ru") in text and "[1]" in text and "10,59" in text


def test_password_is_asked_first(ui_env, monkeypatch):
    monkeypatch.setenv("DEREK_UI_PASSWORD", "s3cret-pass")
    at = _app()
    assert len(at.chat_input) == 0 and len(at.tabs) == 0
    at.text_input[0].input("wrong").run()
    assert at.error and len(at.chat_input) == 0
    at.text_input[0].input("s3cret-pass").run()
    assert not at.exception, at.exception
    assert len(at.chat_input) == 1 and len(at.tabs) == 2
