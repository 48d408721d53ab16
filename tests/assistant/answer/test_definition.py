"""Questions that ask what a term means get the sentence that defines it."""

import pytest

from assistant.answer.definition import about, asks_for_definition, defined_term, question_words


@pytest.mark.parametrize(
    "question",
    [
        "Финка дегеніміз не?",
        "Топырақ деп нені айтамыз?",
        "Аллитерация терминінің анықтамасы қандай?",
        "Тіл туралы заңда транслитерация қалай анықталған?",
        "Что такое финна?",
        "Что означает слово «инквизиция» на латыни?",
        "Каково определение термина «аллитерация»?",
        "What is irony?",
        "What is a cysticercus (bladder worm)?",
        'What does "The Program" mean in the GNU GPL version 3?',
        "How is a covered work defined in the GPL?",
    ],
)
def test_questions_that_ask_what_a_term_means(question):
    assert asks_for_definition(question)


@pytest.mark.parametrize(
    "question",
    [
        "What is the maximum length of a probation period under the Kazakh Labour Code?",
        "Еңбек шартында қандай мәліметтер болуы керек?",
        "Какие документы нужны для заключения трудового договора?",
        "When did Kazakhstan adopt its language law?",
    ],
)
def test_other_questions_do_not(question):
    assert not asks_for_definition(question)


@pytest.mark.parametrize(
    ("sentence", "term"),
    [
        ("7) транслитерация – бір графикалық жүйедегі мәтіндер мен жекелеген сөздерді басқа графикалық жүйенің "
         "құралдарымен әріппе-әріп арқылы беру;", "транслитерация"),
        ("Финка- сиыр цепенінің екінші дернәсілі.", "Финка"),
        ("Кейіптеу– әр түрлі жануарларды адам кейпіне келтіріп суреттейтін көркемдік тәсіл.", "Кейіптеу"),
        ("Аллитерация ( allittera-дыбыстас) - дауыссыз дыбыстардың қайталануы.", "Аллитерация"),
        ('"The Program" refers to any copyrightable work licensed under this License.', '"The Program"'),
        ("1.9. \"Licensable\" means having the right to grant any and all of the rights conveyed herein.",
         '"Licensable"'),
    ],
)
def test_the_term_a_definition_defines(sentence, term):
    assert defined_term(sentence) == term


@pytest.mark.parametrize(
    "sentence",
    [
        "Әкімшілік-аумақтық бірліктердің қазақша атаулары басқа тілдерде транслитерация ережелеріне сәйкес "
        "берілуге тиіс.",
        "This program is free software: you can redistribute it and/or modify it.",
        "Еңбек шарты жазбаша нысанда кемінде екі данада жасалады.",
    ],
)
def test_sentences_that_only_use_a_term_define_nothing(sentence):
    assert defined_term(sentence) is None


def test_a_defined_term_is_matched_in_any_script():
    assert about("Рабад", question_words("What is a rabad?"), [])
    assert about("Литота", question_words("What is litotes?"), [])
    assert not about("Аңқа", question_words("Продуценттер дегеніміз не?"), [])
    assert about("мерзімі", [], ["мерзім"])  # a corpus stem the term bridge maps a question word to


def test_the_definition_outranks_a_sentence_that_uses_the_term(chunk_of):
    """e5 scores a sentence that uses «транслитерация» (the naming rules) above the definitions article's point
    that says what it is; asked what it means, the definition comes first, and only then."""
    from assistant.answer.extractive import score_sentences
    from index.text.expand import expand_query

    usage = "Елді мекендердің қазақша атаулары транслитерация ережелеріне сәйкес беріледі."
    definition = ("7) транслитерация – бір графикалық жүйедегі мәтіндерді басқа графикалық жүйенің құралдарымен "
                  "әріппе-әріп арқылы беру;")
    chunk = chunk_of("c", f"{usage} {definition}")
    chunk.sentence_scores = [0.93, 0.90]
    question = "Тіл туралы заңда транслитерация қалай анықталған?"
    expanded = expand_query(question, "kk")
    assert score_sentences([chunk], expanded)[0].text == usage
    assert score_sentences([chunk], expanded, question_words(question))[0].text == definition
    other = "Орыс тілінде «Как определяется транслитерация?» деп сұралады."  # no definition, and not asked for one
    assert score_sentences([chunk], expand_query(other, "kk"))[0].text == usage


def test_a_definitions_article_answers_what_a_term_means(legal_service):
    """The Law on Languages' definitions article, asked in Kazakh what transliteration is: without the
    definition rule the answer quoted the naming rules that use the word (bench/results/definitions.md)."""
    answer = legal_service.ask("Тіл туралы заңда транслитерация қалай анықталған?")
    assert answer.answerable
    assert "әріппе-әріп" in " ".join(c.quote for c in answer.citations)
