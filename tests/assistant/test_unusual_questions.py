"""Questions and texts off the beaten track on a corpus nobody tuned for (the legal texts): mixed scripts, one-word
questions, questions without a content word. Each gets an answer or a clear abstention, never a traceback."""

from __future__ import annotations

import pytest

from assistant.question import check_question
from index.clean import clean
from index.document import Page, RawDocument


def test_latin_i_in_kazakh_words_is_read_as_kazakh():
    doc = clean(RawDocument(source="law.txt", title="law", pages=[Page("Мемлекеттiк тiл - қазақ тiлi.")]))
    assert doc.paragraphs[0].text == "Мемлекеттік тіл - қазақ тілі."
    assert check_question("Мемлекеттiк тiл қандай?", 2000, 100000).text == "Мемлекеттік тіл қандай?"


def test_a_mixed_script_question_gets_the_answer_of_the_clean_one(legal_service):
    clean_answer = legal_service.ask("Қазақстан Республикасының мемлекеттік тілі қандай?")
    mixed_answer = legal_service.ask("Қазақстан Республикасының мемлекеттiк тiлi қандай?")
    assert clean_answer.answerable and "қазақ тілі" in clean_answer.answer
    assert mixed_answer.answer == clean_answer.answer


@pytest.mark.parametrize("question", ["Сынақ мерзімі?", "Probation?", "Гражданство", "Ескерту"])
def test_one_word_questions_get_an_answer_or_an_abstention(legal_service, question):
    answer = legal_service.ask(question)
    assert answer.answer.strip()
    assert answer.answerable == bool(answer.citations)


@pytest.mark.parametrize("question", ["???", "Что?", "What is it?", "Бұл не?", "и"])
def test_questions_without_a_content_word_abstain(legal_service, question):
    answer = legal_service.ask(question)
    assert not answer.answerable and not answer.citations


@pytest.mark.parametrize(
    ("fixture", "typed", "plain"),
    [
        ("legal_service", "Сынақ мерзімі қанша уақытқа дейін белгіленеді?",
         "Сынак мерзими канша уакытка дейин белгиленеди?"),
        ("declaration_service", "Кім азаптауға ұшырамауы тиіс?", "Ким азаптауга ушырамауы тиис?"),
    ],
)
def test_kazakh_typed_without_its_letters_is_answered_like_the_properly_typed_question(request, fixture, typed,
                                                                                      plain):
    """On a Russian keyboard («Сынак мерзими канша ...?»): respelled with the corpus's own words, read as Kazakh, the
    same chunks retrieved and the same quotes given, with a note saying how the question was read."""
    service = request.getfixturevalue(fixture)
    checked, standalone, _, _ = service.prepare(plain, [])
    assert checked.language == "kk" and checked.text == standalone
    assert [c.chunk_id for c in service.retrieve(plain)] == [c.chunk_id for c in service.retrieve(typed)]
    typed_answer, plain_answer = service.ask(typed), service.ask(plain)
    assert typed_answer.answerable and plain_answer.answerable
    assert [c.quote for c in plain_answer.citations] == [c.quote for c in typed_answer.citations]
    assert checked.text in plain_answer.answer.splitlines()[0]  # the note: «Сұрақ былай оқылды: «...»»


def test_a_russian_question_over_a_kazakh_corpus_is_not_respelled(legal_service):
    question = "Сколько длится испытательный срок?"
    checked, standalone, _, _ = legal_service.prepare(question, [])
    assert (checked.text, checked.language, checked.note) == (question, "ru", None)


def test_the_language_resources_words_are_respelled_too(legal_service):
    """«екі» (3 letters: no corpus vocabulary word) and «АҚШ» come from the lexicon's Kazakh words."""
    restored = legal_service.retriever.letters.restore("Еки жыл бурын АКШ азаматы кызметкер бола ма?")
    assert restored.startswith("Екі жыл бұрын АҚШ азаматы")
