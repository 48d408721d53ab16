"""Kazakh typed without its letters (ә ғ қ ң ө ұ ү һ і as а г к н о у у х и) is respelled with the corpus's words."""

from __future__ import annotations

from assistant.letters import LetterRestorer, plain

VOCABULARY = ["еңбек", "шартын", "шарты", "қалай", "бұзуға", "болады", "жұмыскер", "жұмыс", "берушінің", "қолы", "көлі",
              "мерзімі", "сынақ", "үкімет"]


def test_a_question_typed_without_kazakh_letters_gets_them_back():
    restorer = LetterRestorer(VOCABULARY)
    assert restorer.restore("Енбек шартын калай бузуга болады?") == "Еңбек шартын қалай бұзуға болады?"
    # case kept; question words come from the language's stopword list (a law rarely writes «қанша»)
    assert restorer.restore("СЫНАК МЕРЗИМИ канша?") == "СЫНАҚ МЕРЗІМІ қанша?"


def test_a_russian_question_and_a_properly_typed_one_stay_as_they_were():
    restorer = LetterRestorer([*VOCABULARY, "кол"])
    for question in ("Как расторгнуть трудовой договор по инициативе работника?",
                     "Еңбек шартын қалай бұзуға болады?",
                     "What is the probation period?"):
        assert restorer.restore(question) == question


def test_most_unknown_words_must_find_a_spelling():
    """One Kazakh-looking word among Russian ones is no Kazakh question: «жумыс» alone does not turn it."""
    restorer = LetterRestorer(VOCABULARY)
    question = "Сколько длится испытательный срок работника, жумыс?"
    assert restorer.restore(question) == question


def test_among_words_typed_alike_the_commonest_spelling_wins():
    """«тұрады» (stands) and «түрады» (made up: any two corpus words typed alike) are both «турады» on a Russian
    keyboard; the one whose stem more chunks use is read."""
    counts = {"тұрады": 1.0, "түрады": 7.0}
    restorer = LetterRestorer([*VOCABULARY, "тұрады", "түрады"], lambda words: [counts[w] for w in words])
    assert plain("тұрады") == plain("түрады") == "турады"
    assert restorer.restore("калай турады?") == "қалай түрады?"


def test_a_form_the_corpus_does_not_have_is_spelled_as_its_words_make_likeliest():
    """«қызметкерлерді», «ескертуі» occur nowhere in the legal texts; their letters come from the texts' own letter
    trigrams («...лерді», «...уі»), with the words the texts do have."""
    from pathlib import Path

    from index.vocabulary import word_forms

    folder = Path(__file__).parents[1] / "data" / "legal" / "kk"
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    restorer = LetterRestorer(word_forms(texts))
    assert "қызметкерлерді" not in restorer.known and "ескертуі" not in restorer.known
    assert restorer.restore("Жумыс беруши кызметкерлерди канша кун бурын ескертуи тиис?") == (
        "Жұмыс беруші қызметкерлерді қанша кун бұрын ескертуі тиіс?"
    )
    assert restorer.restore("Как долго длится испытательный срок?") == "Как долго длится испытательный срок?"
