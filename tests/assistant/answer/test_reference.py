"""A citation's reference: title (or file name, never a path), structure path with point, page."""

from __future__ import annotations

from assistant.answer.reference import reference


def test_a_law_is_cited_by_title_chapter_article_and_point():
    assert reference(
        "Қазақстан Республикасының Еңбек Кодексі", "/srv/data/legal/labour-code.kk.txt",
        "2-БӨЛІМ › 4-тарау › 36-бап. Сынақ мерзімі", None, "kk", "2", "3)",
    ) == "Қазақстан Республикасының Еңбек Кодексі, 2-БӨЛІМ, 4-тарау, 36-бап, 2-тармақ, 3) тармақша"
    assert reference("Трудовой кодекс", "tk.ru.txt", "Глава 4 › Статья 36. Испытательный срок", None, "ru", "1") == (
        "Трудовой кодекс, Глава 4, Статья 36, п. 1"
    )
    assert reference("Labour Act", "act.pdf", "Chapter 3 › Article 5 - Scope", 12, "en") == (
        "Labour Act, Chapter 3, Article 5, p. 12"
    )


def test_a_title_heading_that_opens_the_path_is_named_once():
    title = "Су ресурстарын пайдалану туралы ереже"
    assert reference(title, "su.docx", f"{title.upper()} › 2-бап. Су алу лимиті", None, "kk", "1") == (
        f"{title}, 2-бап, 1-тармақ"
    )
    assert reference(title, "su.docx", title, 3, "kk") == f"{title}, б. 3"


def test_no_server_path_and_plain_sections_kept():
    ref = reference("", "/home/user/secret/reports/q3.docx", "Results", 3, "en")
    assert ref == "q3.docx, Results, p. 3" and "/" not in ref
    assert reference("/abs/path/x.txt", "/abs/path/x.txt", None, None, "kk") == "x.txt"


def test_legal_citations_carry_their_article(legal_service):
    answer = legal_service.ask("Сынақ мерзімі қанша уақытқа белгіленеді?")
    assert answer.answerable
    ref = answer.citations[0].reference
    assert "-бап" in ref and "/" not in ref and ref.startswith("Қазақстан Республикасының Еңбек Кодексі")
    assert answer.to_dict()["citations"][0]["reference"] == ref
