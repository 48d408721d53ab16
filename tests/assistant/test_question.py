"""check_question: the gate every question passes before retrieval."""

from __future__ import annotations

import pytest

from assistant.question import check_question
from index.errors import DerekError

MAX, REFUSE = 2000, 100_000


@pytest.mark.parametrize("question", ["", "   ", "\n\t  \r\n", "\x00\x01\x7f", "\u200b\u200e "])
def test_empty_or_blank_question_is_refused(question):
    with pytest.raises(DerekError):
        check_question(question, MAX, REFUSE)


def test_none_is_refused():
    with pytest.raises(DerekError):
        check_question(None, MAX, REFUSE)  # type: ignore[arg-type]


def test_control_characters_are_removed_and_spaces_collapsed():
    checked = check_question("  When\x00 did\x07 Tajikistan\u200b adopt\u202e its\tconcept?\x1f ", MAX, REFUSE)
    assert checked.text == "When did Tajikistan adopt its concept?"
    assert not any(ord(ch) < 32 or ch in "\u200b\u202e\x7f" for ch in checked.text)
    assert checked.note is None and checked.language == "en"


def test_text_is_nfc_normalised():
    decomposed = "Что такое е\u0308?"  # е + combining diaeresis
    assert check_question(decomposed, MAX, REFUSE).text == "Что такое ё?"


@pytest.mark.parametrize(
    "lang,word",
    [
        ("en", "What is the policy of China in Central Asia "),
        ("ru", "Какова политика Китая в Центральной Азии "),
        ("kk", "Қытайдың Орталық Азиядағы саясаты қандай "),
    ],
)
def test_long_question_is_truncated_with_a_note(lang, word):
    question = word * 200
    checked = check_question(question, MAX, REFUSE)
    assert len(checked.text) <= MAX
    assert len(checked.text) > MAX // 2
    assert question.startswith(checked.text)
    assert not checked.text.endswith(" ")  # cut at a word boundary
    assert checked.note and str(MAX) in checked.note
    assert checked.language == lang


def test_question_at_the_limit_is_not_truncated():
    question = "a" * (MAX - 1) + "?"
    checked = check_question(question, MAX, REFUSE)
    assert checked.text == question and checked.note is None


def test_absurdly_long_question_is_refused():
    with pytest.raises(DerekError) as err:
        check_question("why " * 30_000, MAX, REFUSE)
    assert str(REFUSE) in str(err.value).replace(",", "").replace(" ", "").replace("\u00a0", "") or "100" in str(
        err.value
    )


def test_refusal_applies_to_the_raw_length_even_if_mostly_spaces():
    with pytest.raises(DerekError):
        check_question("x" + " " * (REFUSE + 10), MAX, REFUSE)
