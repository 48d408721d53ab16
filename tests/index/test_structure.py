"""Structure of legal and other numbered texts: headings of parts, chapters and articles in kk/ru/en, section
paths, numbered points, editorial notes, and chunks that never span two articles."""

from __future__ import annotations

import docx
import pytest

from index.chunk import chunk_document
from index.clean import clean
from index.document import Page, RawDocument
from index.load import load
from index.structure import (
    ARTICLE,
    CHAPTER,
    PARAGRAPH,
    PART,
    SUBPART,
    SectionPath,
    is_note,
    point_of,
    structural_heading,
)


@pytest.mark.parametrize(
    ("line", "level", "label"),
    [
        ("24-бап. Еңбек шартының нысанасы", ARTICLE, "24-бап"),
        ("24-1-бап. Қазақстан Республикасы Үкіметінің құзыреті", ARTICLE, "24-1-бап"),
        ("4-тарау. ЕҢБЕК ШАРТЫ", CHAPTER, "4-тарау"),
        ("1 тарау. Жалпы ережелер", CHAPTER, "1 тарау"),
        ("2-БӨЛІМ. ЕҢБЕК ҚАТЫНАСТАРЫ", PART, "2-БӨЛІМ"),
        ("Статья 12. Язык делопроизводства", ARTICLE, "Статья 12"),
        ("Глава 4. Трудовой договор", CHAPTER, "Глава 4"),
        ("Раздел II", PART, "Раздел II"),
        ("Article 5 - Scope", ARTICLE, "Article 5"),
        ("Chapter 3: Obligations", CHAPTER, "Chapter 3"),
        ("Section 7", ARTICLE, "Section 7"),
        ("§ 3. Fristen", ARTICLE, "§ 3"),
        # a title in capitals with no separator
        ("I БӨЛІМ ЖАЛПЫ ЕРЕЖЕЛЕР", PART, "I БӨЛІМ"),
        ("РАЗДЕЛ II ЧЕЛОВЕК И ГРАЖДАНИН", PART, "РАЗДЕЛ II"),
        ("2-тарау ЕҢБЕК ШАРТЫ", CHAPTER, "2-тарау"),
        ("CHAPTER 2 DEFINITIONS", CHAPTER, "CHAPTER 2"),
        # the divisions of codes between part and chapter, and between chapter and article
        ("1-параграф. Жалпы ережелер", PARAGRAPH, "1-параграф"),
        ("Параграф 2. Общие положения", PARAGRAPH, "Параграф 2"),
        ("1-кіші бөлім. Жалпы ережелер", SUBPART, "1-кіші бөлім"),
        ("Подраздел 3. Право собственности", SUBPART, "Подраздел 3"),
    ],
)
def test_structural_headings_in_three_languages(line, level, label):
    heading = structural_heading(line)
    assert heading is not None and (heading.level, heading.label, heading.text) == (level, label, line)


@pytest.mark.parametrize(
    "line",
    [
        "5-бапта көзделген жағдайларда жұмыс беруші хабарлайды.",  # a reference inside a sentence
        "Article 5 of the Constitution guarantees this right.",
        "Статьей 12 установлен порядок.",
        "Статья 5 Закона о языках",  # a title in capitals only counts without a separator
        "1 бап бойынша жұмыс беруші ҚР заңдарын сақтайды",
        "2. Шағын кәсіпкерлік субъектілері жұмыскерлермен еңбек шарттарын жасаса алады.",
        "1 тарау" + " өте ұзын" * 40,  # far too long for a heading
    ],
)
def test_references_and_sentences_are_not_headings(line):
    assert structural_heading(line) is None


def test_a_heading_closes_those_of_its_level_and_below():
    path = SectionPath()
    for line in ("2-БӨЛІМ. ЕҢБЕК ҚАТЫНАСТАРЫ", "4-тарау. ЕҢБЕК ШАРТЫ", "36-бап. Сынақ мерзімі"):
        last = path.enter(structural_heading(line))
    assert last == "2-БӨЛІМ › 4-тарау › 36-бап. Сынақ мерзімі"
    following = path.enter(structural_heading("37-бап. Еңбек шартын өзгерту"))
    assert following == "2-БӨЛІМ › 4-тарау › 37-бап. Еңбек шартын өзгерту"
    assert path.enter(structural_heading("5-тарау. ЖҰМЫС УАҚЫТЫ")) == "2-БӨЛІМ › 5-тарау. ЖҰМЫС УАҚЫТЫ"


CODE = """Қазақстан Республикасының Кәсіпкерлік кодексі

1-бөлім. ЖАЛПЫ ЕРЕЖЕЛЕР

2-тарау. КӘСІПКЕРЛІК СУБЪЕКТІЛЕРІ

1-параграф. Жалпы ережелер

3-бап. Кәсіпкерлік субъектілері

Азаматтар, қандастар және заңды тұлғалар кәсіпкерлік субъектілері болып табылады.

2-параграф. Шағын кәсіпкерлік

4-бап. Шағын кәсіпкерлік субъектілері

Жұмыскерлерінің жылдық орташа саны жүз адамнан аспайтын дара кәсіпкерлер шағын кәсіпкерлік субъектілері болып табылады.

3-тарау. МЕМЛЕКЕТТІК РЕТТЕУ

5-бап. Мемлекеттік реттеудің мақсаттары

Мемлекеттік реттеу кәсіпкерлік үшін қолайлы жағдай жасау мақсатында жүзеге асырылады.
"""


def test_a_code_s_paragraphs_group_its_articles_and_are_not_their_text():
    """«2-параграф. Шағын кәсіпкерлік» opens a division of the chapter: it is neither the last line of article 3 nor
    left open under the next chapter."""
    doc = clean(RawDocument(source="code.kk.txt", title="Кәсіпкерлік кодексі", pages=[Page(CODE)]))
    sections = {p.text[:20]: p.section for p in doc.paragraphs}
    assert sections["Азаматтар, қандастар"] == "1-бөлім › 2-тарау › 1-параграф › 3-бап. Кәсіпкерлік субъектілері"
    assert sections["Жұмыскерлерінің жылд"] == (
        "1-бөлім › 2-тарау › 2-параграф › 4-бап. Шағын кәсіпкерлік субъектілері"
    )
    assert sections["Мемлекеттік реттеу к"] == "1-бөлім › 3-тарау › 5-бап. Мемлекеттік реттеудің мақсаттары"
    assert not any("параграф" in p.text for p in doc.paragraphs)


def test_notes_and_points():
    assert is_note("Ескерту. 50-бапқа өзгеріс енгізілді - ҚР 04.05.2020 № 321-VI Заңымен.")
    assert is_note("Сноска. Статья 50 с изменением, внесенным Законом РК от 04.05.2020 № 321-VI.")
    assert not is_note("Ескертуге байланысты жұмыс беруші хабарлайды.")
    assert point_of("2. Шағын кәсіпкерлік субъектілері ...") == "2"
    assert point_of("3) кәмелетке толмаған адаммен") == "3)"
    assert point_of("Жұмыс беруші 2 күн ішінде") is None


LAW = """Қазақстан Республикасындағы тіл туралы

1 тарау. Жалпы ережелер

1-бап. Негізгі ұғымдар

Осы Заңда мынадай негізгі ұғымдар пайдаланылады:

1) диаспора – өзінің тарихи шығу тегінен тысқары елде тұрып жатқан халықтың бір бөлігі;

2) ономастика – тіл білімінің жалқы есімдерді зерттейтін бөлімі.

Ескерту. 1-бап жаңа редакцияда - ҚР 21.01.2013 № 72-V Заңымен.

2-бап. Осы Заңның реттейтін мәселесі

1. Қоғамдық қатынастар осы Заң реттейтін мәселе болып табылады.

2. Осы Заң жеке адамдар арасындағы қатынастарда тілдердің қолданылуын реттемейді.

2 тарау. Тіл мемлекеттік ұйымдарда

3-бап. Іс қағаздарын жүргізу тілі

Мемлекеттік ұйымдарда іс қағаздары мемлекеттік тілде жүргізіледі.
"""


def _law():
    return clean(RawDocument(source="law.kk.txt", title="law", pages=[Page(LAW)]))


def test_a_law_gets_section_paths_points_and_notes():
    doc = _law()
    by_text = {p.text[:12]: p for p in doc.paragraphs}
    assert by_text["1) диаспора "].section == "1 тарау › 1-бап. Негізгі ұғымдар"
    assert by_text["1) диаспора "].subpoint == "1)"
    assert by_text["2. Осы Заң ж"].section == "1 тарау › 2-бап. Осы Заңның реттейтін мәселесі"
    assert by_text["2. Осы Заң ж"].point == "2"
    assert by_text["Мемлекеттік "].section == "2 тарау › 3-бап. Іс қағаздарын жүргізу тілі"
    note = by_text["Ескерту. 1-б"]
    assert note.role == "note" and note.section == "1 тарау › 1-бап. Негізгі ұғымдар"


def test_a_chunk_never_spans_two_articles_and_notes_stand_apart():
    doc = _law()
    chunks = chunk_document(doc, lambda text: len(text.split()) + 2, max_tokens=400)
    for chunk in chunks:
        sections = {p.section for p in doc.paragraphs if p.start >= chunk.start and p.end <= chunk.end}
        assert len(sections) <= 1, (chunk.text, sections)
    notes = [c for c in chunks if c.role == "note"]
    assert len(notes) == 1 and notes[0].text.startswith("Ескерту.")
    assert all("Ескерту" not in c.text for c in chunks if c.role != "note")
    article_1 = [c for c in chunks if c.section == "1 тарау › 1-бап. Негізгі ұғымдар" and not c.role]
    assert article_1 and article_1[0].heading == "1-бап. Негізгі ұғымдар"
    assert {c.metadata()["role"] for c in chunks} == {"", "note"}


def test_russian_and_english_articles_from_docx_and_markdown(tmp_path):
    document = docx.Document()
    document.add_heading("Глава 1. Общие положения", level=1)
    document.add_heading("Статья 1. Основные понятия", level=2)
    document.add_paragraph("В настоящем Законе используются следующие понятия.")
    document.add_heading("Статья 2. Сфера действия", level=2)
    document.add_paragraph("Закон регулирует отношения.")
    document.save(str(tmp_path / "law.docx"))
    doc = clean(load(tmp_path / "law.docx"))
    assert [p.section for p in doc.paragraphs] == [
        "Глава 1 › Статья 1. Основные понятия",
        "Глава 1 › Статья 2. Сфера действия",
    ]
    (tmp_path / "act.md").write_text(
        "# Chapter 2. Duties\n\nIntro.\n\n## Article 7 - Notice\n\nNotice is given in writing.\n", encoding="utf-8"
    )
    doc = clean(load(tmp_path / "act.md"))
    assert [p.section for p in doc.paragraphs] == ["Chapter 2. Duties", "Chapter 2 › Article 7 - Notice"]


def test_text_without_headings_and_a_heading_only_file(tmp_path):
    plain = clean(RawDocument(source="p.txt", title="p", pages=[Page("Бір сөйлем. Екінші сөйлем.")]))
    assert [p.section for p in plain.paragraphs] == [None]
    only = clean(RawDocument(source="h.txt", title="h", pages=[Page("1-бап. Атауы\n\n2-бап. Басқасы\n")]))
    assert only.paragraphs == []


def _outlined_pdf(path, with_outline: bool = True):
    """A contract whose headings are plain lines ("Payment terms"): nothing but the PDF outline marks them."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", fname="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.set_font("DejaVu", size=11)
    pdf.add_page()
    body = [
        ("Scope of the agreement", 0, "The supplier delivers grain to the buyer at the port of Aktau every month."),
        ("Payment terms", 0, "The buyer pays within thirty days of each delivery, in tenge, by bank transfer."),
        ("Late payment", 1, "A late payment bears a penalty of one tenth of a percent for each day."),
    ]
    for title, level, text in body:
        if with_outline:
            pdf.start_section(title, level=level)
        pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    pdf.output(str(path))
    return path


def test_pdf_outline_entries_become_sections(tmp_path):
    doc = clean(load(_outlined_pdf(tmp_path / "contract.pdf")))
    sections = {p.text.split()[1]: p.section for p in doc.paragraphs}
    assert sections["supplier"] == "Scope of the agreement"
    assert sections["buyer"] == "Payment terms"
    assert sections["late"] == "Payment terms › Late payment"
    chunks = chunk_document(doc, lambda text: len(text.split()) + 2, max_tokens=300)
    assert all(c.text.count("tenge") <= 1 for c in chunks)  # no chunk spans the two sections about payment
    assert {c.section for c in chunks} >= {"Payment terms", "Payment terms › Late payment"}


def test_without_an_outline_the_same_lines_are_plain_text(tmp_path):
    doc = clean(load(_outlined_pdf(tmp_path / "contract.pdf", with_outline=False)))
    assert {p.section for p in doc.paragraphs} == {None}


def test_an_outline_title_the_page_does_not_show_adds_nothing():
    from index.load import mark_outline

    pages = [Page("Intro line.\nPayment terms\nThe buyer pays.", 1)]
    marked = mark_outline(pages, [(0, "Annex B", 1), (0, "Payment terms", 2), (5, "Missing page", 1)])
    assert marked[0].text == "Intro line.\n## Payment terms\nThe buyer pays."


CONSTITUTION = """ҚАЗАҚСТАН РЕСПУБЛИКАСЫНЫҢ КОНСТИТУЦИЯСЫ

I бөлім

ЖАЛПЫ ЕРЕЖЕЛЕР

1-бап

1. Қазақстан Республикасы өзін демократиялық, зайырлы, құқықтық және әлеуметтік мемлекет ретінде орнықтырады.

II бөлім

АДАМ ЖӘНЕ АЗАМАТ

10-бап

1. Қазақстан Республикасының азаматтығы заңға сәйкес алынады және тоқтатылады.
"""


def test_the_title_under_a_bare_numbered_heading_is_its_title_not_the_next_article_s_text():
    """«I бөлім» with «ЖАЛПЫ ЕРЕЖЕЛЕР» on the next line (the Constitution's layout): the capitals name the part;
    before, they became the first paragraph of article 1."""
    doc = clean(RawDocument(source="constitution.kk.txt", title="Конституция", pages=[Page(CONSTITUTION)]))
    texts = [p.text for p in doc.paragraphs]
    assert "ЖАЛПЫ ЕРЕЖЕЛЕР" not in texts and "АДАМ ЖӘНЕ АЗАМАТ" not in texts
    assert "I бөлім. ЖАЛПЫ ЕРЕЖЕЛЕР" in doc.text and "II бөлім. АДАМ ЖӘНЕ АЗАМАТ" in doc.text
    assert [p.section for p in doc.paragraphs[-2:]] == ["I бөлім › 1-бап", "II бөлім › 10-бап"]
