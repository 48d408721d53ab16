import docx
from fpdf import FPDF

from index.clean import clean
from index.document import Page, RawDocument
from index.load import load

HEADER = "Абай атындағы ҚазҰПУ-нің ХАБАРШЫСЫ, «Әлеуметтік және саяси ғылымдар» сериясы, №2(90) 2025 ж."


def pdf_like(text: str) -> RawDocument:
    return RawDocument(source="x.txt", title="x", pages=[Page(text)], pdf_like=True)


def test_offsets_title_and_language(article):
    assert article.title.startswith("ОРТАЛЫҚ АЗИЯ РЕСПУБЛИКАЛАРЫНЫҢ")
    assert article.language == "kk"
    assert article.source.endswith("central-asia-china-foreign-policy.kk.txt")
    for paragraph in article.paragraphs:
        assert article.text[paragraph.start : paragraph.end] == paragraph.text
        assert paragraph.text == paragraph.text.strip() and "  " not in paragraph.text


def test_running_header_and_page_number_removed(article):
    assert "ХАБАРШЫСЫ" not in article.text
    assert HEADER not in article.text
    assert all(p.text != "140" for p in article.paragraphs)
    assert "\n140\n" not in article.text


def test_wrapped_lines_joined_across_blank_lines_and_page_break(article, paragraph_with):
    assert "В.В. Парамонов тараптар арасындағы байланыстарды кезеңдерге бөліп, олардың" in article.text
    assert "мемлекеттердің геосаяси бағдарлары әлемдік геосаяси" in article.text
    assert "жүзеге асыра отырып, Қытай, бір жағынан," in article.text
    assert "\n" not in paragraph_with(article, "Ғасырлар бойы әлемдік тәртіп").text


def test_real_hyphenated_compounds_kept_at_line_end(article):
    assert "түпкі мақсат-міндеттеріне қатысты" in article.text
    assert "мәдени-гуманитарлық салалардағы жобалар" in article.text
    assert "Қытай Халық Республикасымен жан-жақты стратегиялық" in article.text
    assert "Солтүстік-Оңтүстік жаңа тас жолын" in article.text
    assert "Сондай-ақ Қытай-Қырғыз бірлескен" in article.text
    assert "«Орталық Азия-Қытай» тетігінің" in article.text


def test_line_end_hyphenation_undone():
    raw = pdf_like(
        "Мақала аймақтағы сауда мәселелерін кең түрде қарасты-\n"
        "рады және Қытайдың рөлін мақсат-міндеттер тұрғысынан қарастырады. Автор мақсат-\n"
        "міндеттеріне тоқталып, мемлекеттер арасындағы байланысты егжей-\n"
        "тегжейлі сипаттайды, мемлекет-\n"
        "терінің саясатын салыстырады. Бұл егжей-тегжейлі талдау мәдени және гуманитарлық\n"
        "салаларды қамтиды, ал мәдени-\n"
        "гуманитарлық байланыстар және Қытай-\n"
        "Қырғыз кәсіпорны туралы да айтылады.\n"
    )
    text = clean(raw).text
    assert "кең түрде қарастырады және" in text
    assert "Автор мақсат-міндеттеріне тоқталып" in text
    assert "байланысты егжей-тегжейлі сипаттайды" in text
    assert "мемлекеттерінің саясатын" in text
    assert "ал мәдени-гуманитарлық байланыстар" in text
    assert "Қытай-Қырғыз кәсіпорны" in text


def test_reference_brackets_kept(article, paragraph_with):
    assert "дамытуға бағытталған [16]." in article.text
    assert "жұмыстары бар [16]." in article.text
    assert "[21]." in paragraph_with(article, "қызметіне жәрдемдесу").text


def test_list_items_are_paragraphs(article, paragraph_with):
    item = paragraph_with(article, "мүдделерді өзара есепке алу")
    assert (
        item.text == "- мүдделерді өзара есепке алу негізінде әлемнің барлық елдерімен сенім, достық және "
        "ынтымақтастық қатынастарын дамыту;"
    )
    assert paragraph_with(article, "ел шекарасында қауіпсіздік").text.startswith("- ел шекарасында")
    assert paragraph_with(article, "Зерттеу барысында Орталық Азия мен Қытай").text.startswith("- Зерттеу")
    assert paragraph_with(article, "мыналар аталған").text.endswith("мыналар аталған:")
    assert paragraph_with(article, "Аймақтық интеграцияны күшейту").text == (
        "• Аймақтық интеграцияны күшейту. Орталық Азия елдері ортақ экономикалық, көлік және сауда "
        "стратегияларын қалыптастыруы қажет."
    )
    # the paragraph after the last list item starts on its own (the item's line is short and ends a sentence)
    assert paragraph_with(article, "Тәжікстан алғашқылардың бірі").text.startswith("Тәжікстан алғашқылардың")


def test_sections_of_known_sentences(article, paragraph_with):
    expected = {
        "Мақала Орталық Азия елдерінің сыртқы саясатындағы": "Аңдатпа",
        "Түйін сөздер: Орталық Азия республикалары": "Түйін сөздер",
        "The article focusses on revealing": "Abstract",
        "ВНЕШНЕПОЛИТИЧЕСКИЕ ПРИОРИТЕТЫ РЕСПУБЛИК": "Аннотация",
        "Статья посвящена раскрытию": "Аннотация",
        "Ключевые слова: Центральная Азия": "Ключевые слова",
        "Қазіргі халықаралық қатынастардағы жаһандық": "НЕГІЗГІ ЕРЕЖЕЛЕР",
        "Бұл зерттеудің мақсаты": "КІРІСПЕ",
        "Раффаэлло Пантуччи мен Александрос": "ҒЫЛЫМИ ӘДЕБИЕТТЕРГЕ ШОЛУ",
        "Контент-талдау әдісі": "ЗЕРТТЕУ ӘДІСНАМАСЫ",
        "гипотеза ішінара расталды": "ЗЕРТТЕУ НӘТИЖЕЛЕРІ",
        "Сванте Э. Корнелл": "ТАЛҚЫЛАУ",
        "Қорытындылай келе": "ҚОРЫТЫНДЫ",
    }
    for fragment, section in expected.items():
        assert paragraph_with(article, fragment).section == section, fragment


def test_headings_are_not_paragraphs(article):
    texts = {p.text for p in article.paragraphs}
    assert not texts & {"КІРІСПЕ", "ҚОРЫТЫНДЫ", "Abstract", "Аннотация", "Аңдатпа", "ЗЕРТТЕУ НӘТИЖЕЛЕРІ"}
    assert "\n\nКІРІСПЕ\n\n" in article.text


def test_page_numbers_from_the_page_number_line(article, paragraph_with):
    assert paragraph_with(article, "Раффаэлло Пантуччи мен Александрос").page == 140
    assert paragraph_with(article, "В.В. Парамоновтың «Взаимоотношения").page == 139  # just before "140"
    assert paragraph_with(article, "Мақала Орталық Азия елдерінің сыртқы").page is None  # far before
    assert paragraph_with(article, "Қорытындылай келе").page is None  # far after
    assert paragraph_with(article, "Сванте Э. Корнелл").page is None


def test_page_numbers_need_a_consistent_marker():
    body = "\n".join(
        f"Жол {i} мәтіні осы жерде жалғасады және сөйлем аяқталмай келесі жолға" for i in range(8)
    )
    body += " өтеді."
    raw = pdf_like(f"{body}\n\n2025\n\n{body}\n\n17\n\n{body}\n\n18\n\n{body}")
    doc = clean(raw)
    assert "2025" not in doc.text.split()
    # "2025" stands alone like a page number but does not fit the 17, 18 sequence: it numbers nothing
    assert [p.page for p in doc.paragraphs] == [16, 16, 17, 18]


def test_pdf_pages_header_and_page_numbers(tmp_path):
    pdf = FPDF()
    pdf.add_font("DejaVu", fname="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.set_font("DejaVu", size=11)
    pages = [
        "КІРІСПЕ\nҚазақстан мен Қытай арасындағы сауда соңғы жылдары едәуір өсті және жаңа жобалар пайда",
        "болды. Екінші беттегі мәтін осылай жалғасады.\nABSTRACT\nThe trade between the countries grew.",
        "ҚОРЫТЫНДЫ\nҮшінші беттегі қорытынды сөйлем.",
    ]
    for number, text in enumerate(pages, start=1):
        pdf.add_page()
        pdf.cell(0, 10, "Vestnik journal, №2(90) 2025", new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 8, text)
        pdf.cell(0, 10, str(number))
    pdf.output(str(tmp_path / "doc.pdf"))
    doc = clean(load(tmp_path / "doc.pdf"))
    assert "Vestnik" not in doc.text
    assert [(p.page, p.section, p.text) for p in doc.paragraphs] == [
        (
            1,
            "КІРІСПЕ",
            "Қазақстан мен Қытай арасындағы сауда соңғы жылдары едәуір өсті және жаңа жобалар "
            "пайда болды. Екінші беттегі мәтін осылай жалғасады.",
        ),
        (2, "ABSTRACT", "The trade between the countries grew."),
        (3, "ҚОРЫТЫНДЫ", "Үшінші беттегі қорытынды сөйлем."),
    ]


def test_markdown_headings_lists_and_spaces(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text(
        "Кіріспе сөз\u00a0бар.\n\n# Бірінші бөлім\n\nМәтін   бірінші\nжолдан тұрады.\n- бір\n- екі\n\n"
        "## Екінші бөлім ##\n\nСоңғы абзац.\n",
        encoding="utf-8",
    )
    doc = clean(load(path))
    assert [(p.section, p.text) for p in doc.paragraphs] == [
        (None, "Кіріспе сөз бар."),
        ("Бірінші бөлім", "Мәтін бірінші жолдан тұрады."),
        ("Бірінші бөлім", "- бір"),
        ("Бірінші бөлім", "- екі"),
        ("Бірінші бөлім › Екінші бөлім", "Соңғы абзац."),  # a level-2 heading nests under the level-1 one
    ]
    assert all(p.page is None for p in doc.paragraphs)


def test_mediawiki_headings_become_sections(tmp_path):
    """A Wikipedia export's "== X ==" headings (level by the "=" count), also when a flattened export runs the
    text on after the heading on the same line; an equality sign in a sentence is no heading; the title line
    before the first heading belongs to that heading's section."""
    path = tmp_path / "wiki.txt"
    path.write_text(
        "Тірі ағзалардың қасиеттері\n\n==Қозғыштық ==Қозғыштық – тірі жүйелердің тітіркенуге жауап беру қасиеті.\n\n"
        "=== Көктамырлар ===\n\nКөктамырлар қанды жүрекке тасымалдайды.\n\n"
        "== Тарихы ==\n\nЕгер a == b болса, теңдік.\n",
        encoding="utf-8",
    )
    doc = clean(load(path))
    assert [(p.section, p.text) for p in doc.paragraphs] == [
        ("Қозғыштық", "Тірі ағзалардың қасиеттері"),  # the title line joins the first section: no 3-word chunk
        ("Қозғыштық", "Қозғыштық – тірі жүйелердің тітіркенуге жауап беру қасиеті."),
        ("Қозғыштық › Көктамырлар", "Көктамырлар қанды жүрекке тасымалдайды."),
        ("Тарихы", "Егер a == b болса, теңдік."),
    ]


def test_mediawiki_numbered_list_items_are_text_not_headings(tmp_path):
    """A Wikipedia export writes a numbered list with "#": a run of such lines, an item in lower case or ending in
    ";", or one that holds sentences, is text (before, each became a heading and its text left every chunk: the
    answers of 9 KazQAD passages, «Торайғыров Сұлтанмахмұт – ақын, демократ (1893-1920)», were unretrievable); a
    short "# Title" line is still a Markdown heading."""
    path = tmp_path / "wiki.txt"
    path.write_text(
        "Павлодар облысы\n\n# Танымал тұлғалар\n\nОблыстан шыққан белгілі адамдар:\n"
        "# Исабаев Қалмұқан – жазушы, өлкетанушы (1925)\n# Көпеев Мәшхүр-Жүсіп – ақын (1857-1931)\n"
        "# Торайғыров Сұлтанмахмұт – ақын, демократ (1893-1920)\n\n"
        "Эмбрионалдық даму кезеңінде зигота:\n# көптеген жасушалар түзе отырып, бірнеше рет бөлінеді;\n\n"
        "# Артқы миға мишық пен ми көпірі жатады. Ми көпірі ортаңғы ми мен сопақша мидың аралығына орналасқан.\n",
        encoding="utf-8",
    )
    doc = clean(load(path))
    texts = [p.text for p in doc.paragraphs]
    assert "Торайғыров Сұлтанмахмұт – ақын, демократ (1893-1920)" in texts
    assert "көптеген жасушалар түзе отырып, бірнеше рет бөлінеді;" in texts
    assert any(t.startswith("Артқы миға мишық") for t in texts)
    assert {p.section for p in doc.paragraphs if p.text.startswith(("Исабаев", "Торайғыров"))} == {"Танымал тұлғалар"}
    assert not any(t.startswith("#") for t in texts)


def test_plain_text_numbered_and_underlined_sections(tmp_path):
    """A plain-text licence or contract: an underlined title ("=" level 1), numbered section titles on a line of
    their own (also underlined with "-"), numbered sub-sections, and English Title Case titles that run on into
    their text all open sections; a numbered clause that is a sentence stays a paragraph; a rule is no heading."""
    path = tmp_path / "licence.txt"
    path.write_text(
        "Sample Licence Version 1.0\n==========================\n\n"
        "1. Definitions\n--------------\n\n"
        "1.1. \"Work\" means the program.\n\n"
        "2. Grants\n\n2.1. Scope\n\nEach contributor grants you a licence.\n\n"
        "3. Termination. Your rights end if you\nbreak the terms.\n\n"
        "4. The licensee keeps copies. Copies stay yours.\n\n-----\n\nThe end of the terms.\n",
        encoding="utf-8",
    )
    doc = clean(load(path))
    assert [(p.section, p.text) for p in doc.paragraphs] == [
        ("Sample Licence Version 1.0 › 1. Definitions", '1.1. "Work" means the program.'),
        ("Sample Licence Version 1.0 › 2. Grants › 2.1. Scope", "Each contributor grants you a licence."),
        ("Sample Licence Version 1.0 › 3. Termination", "Your rights end if you break the terms."),
        ("Sample Licence Version 1.0 › 3. Termination", "4. The licensee keeps copies. Copies stay yours."),
        ("Sample Licence Version 1.0 › 3. Termination", "The end of the terms."),
    ]


def test_numbered_titles_need_an_unstructured_document(tmp_path):
    """In a law with articles, a short numbered point («2. Күшін жойды.») is a point of its article, not a
    section; one numbered short line alone in a text is an item, not a section."""
    law = tmp_path / "law.txt"
    law.write_text(
        "1-бап. Негізгі ұғымдар\n\n1. Осы Заңда мынадай ұғымдар пайдаланылады.\n\n2. Күшін жойды.\n\n"
        "3. Алып тасталды\n\n2-бап. Қолданылу аясы\n\nЗаң барлық ұйымдарға қолданылады.\n",
        encoding="utf-8",
    )
    assert {p.section for p in clean(load(law)).paragraphs} == {"1-бап. Негізгі ұғымдар", "2-бап. Қолданылу аясы"}
    note = tmp_path / "note.txt"
    note.write_text("Сапар жоспары\n\n1. Алматы\n\nҚала тауға жақын орналасқан.\n", encoding="utf-8")
    assert "1. Алматы" in [p.text for p in clean(load(note)).paragraphs]


def test_text_boxed_in_asterisks_and_capitals_paragraphs(tmp_path):
    """A disclaimer boxed in asterisks keeps its text without the box; a paragraph set in capitals over several
    lines is one paragraph, not a heading per line."""
    path = tmp_path / "disclaimer.txt"
    path.write_text(
        "Terms\n\n"
        "************************************\n*                                  *\n"
        "*  6. Disclaimer of Warranty       *\n*  ---------------------------     *\n"
        "*                                  *\n"
        "*  The software is provided as is, *\n*  without warranty of any kind.   *\n"
        "************************************\n\n"
        "THERE IS NO WARRANTY FOR THE PROGRAM, TO THE EXTENT PERMITTED BY\n"
        "APPLICABLE LAW. EXCEPT WHEN OTHERWISE STATED IN WRITING THE COPYRIGHT\n"
        "HOLDERS PROVIDE THE PROGRAM AS IS.\n",
        encoding="utf-8",
    )
    doc = clean(load(path))
    assert [(p.section, p.text) for p in doc.paragraphs][-2:] == [
        ("6. Disclaimer of Warranty", "The software is provided as is, without warranty of any kind."),
        (
            "6. Disclaimer of Warranty",
            "THERE IS NO WARRANTY FOR THE PROGRAM, TO THE EXTENT PERMITTED BY APPLICABLE LAW. EXCEPT WHEN "
            "OTHERWISE STATED IN WRITING THE COPYRIGHT HOLDERS PROVIDE THE PROGRAM AS IS.",
        ),
    ]
    assert "*" not in doc.text


def test_docx_and_html_headings_become_sections(tmp_path):
    document = docx.Document()
    document.add_paragraph("Алғы сөз.")
    document.add_heading("Нәтижелер", level=2)
    document.add_paragraph("Сауда өсті.")
    document.save(str(tmp_path / "a.docx"))
    doc = clean(load(tmp_path / "a.docx"))
    assert [(p.section, p.text) for p in doc.paragraphs] == [
        (None, "Алғы сөз."),
        ("Нәтижелер", "Сауда өсті."),
    ]

    (tmp_path / "a.html").write_text("<h2>Итоги</h2><p>Торговля выросла.</p><h3>Detail</h3><p>More.</p>")
    doc = clean(load(tmp_path / "a.html"))
    assert [(p.section, p.text) for p in doc.paragraphs] == [
        ("Итоги", "Торговля выросла."),
        ("Итоги › Detail", "More."),
    ]
    assert doc.language == "ru"
