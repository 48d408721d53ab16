import os
import random
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from index.errors import DerekError
from index.load import SUPPORTED_SUFFIXES, load, looks_pdf_extracted

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
PAGES = [
    "Бірінші бет. Қазақстан мен Қытай арасындағы сауда соңғы жылдары едәуір өсті.",
    "Вторая страница. Россия и Китай подписали новое соглашение о транспорте.",
    "Үшінші бет: Орталық Азия елдерінің сыртқы саясаты туралы қорытынды.",
]


def make_pdf(
    path: Path, pages: list[str] = PAGES, title: str | None = "Сынақ құжаты", password: str = ""
) -> Path:
    pdf = FPDF()
    if password:
        pdf.set_encryption(owner_password="owner", user_password=password)
    pdf.add_font("DejaVu", fname=FONT)
    pdf.set_font("DejaVu", size=11)
    if title:
        pdf.set_title(title)
    for number, text in enumerate(pages, start=1):
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
        pdf.cell(0, 10, str(number))
    pdf.output(str(path))
    return path


def test_txt_title_source_and_text(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("\n\n  Алғашқы жол  \nМәтін.\n", encoding="utf-8")
    raw = load(path, source="notes/note.txt")
    assert raw.title == "Алғашқы жол"
    assert raw.source == "notes/note.txt"
    assert raw.pages[0].text.endswith("Мәтін.\n") and raw.pages[0].number is None
    assert raw.pdf_like is False


def test_default_source_is_relative_to_cwd_when_inside(tmp_path, monkeypatch):
    (tmp_path / "docs").mkdir()
    path = tmp_path / "docs" / "a.md"
    path.write_text("# Heading\n\nText.", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load(Path("docs/a.md")).source == "docs/a.md"
    assert load(path).source == "docs/a.md"
    monkeypatch.chdir(tmp_path / "docs")
    assert load(path).source == "a.md"
    other = tmp_path / "b.txt"
    other.write_text("Text", encoding="utf-8")
    assert load(other).source == other.as_posix()


def test_md_title_without_hashes(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("# Орталық Азия #\n\nМәтін.", encoding="utf-8")
    assert load(path).title == "Орталық Азия"


def test_utf8_bom_and_cp1251(tmp_path):
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeffПривет, мир.".encode())
    assert load(bom).pages[0].text == "Привет, мир."
    text = (
        "Внешняя политика стран Центральной Азии.\n"
        "Статья посвящена раскрытию основных направлений и приоритетов внешней политики стран региона, "
        "а также определению уровня взаимоотношений с Китайской Народной Республикой.\n"
    )
    path = tmp_path / "ru.txt"
    path.write_bytes(text.encode("cp1251"))
    raw = load(path)
    assert raw.pages[0].text == text
    assert raw.title == "Внешняя политика стран Центральной Азии."


def test_article_is_pdf_like(article_path):
    raw = load(article_path)
    assert raw.pdf_like is True
    assert (
        raw.title == "ОРТАЛЫҚ АЗИЯ РЕСПУБЛИКАЛАРЫНЫҢ СЫРТҚЫ САЯСИ БАСЫМДЫҚТАРЫ ЖӘНЕ ҚЫТАЙМЕН ЫНТЫМАҚТАСТЫҒЫ"
    )
    assert not looks_pdf_extracted("Бір жол.\nЕкінші жол.\n" * 10)


def test_pdf_keeps_pages_and_numbers(tmp_path):
    raw = load(make_pdf(tmp_path / "doc.pdf"))
    assert raw.pdf_like is True
    assert raw.title == "Сынақ құжаты"
    assert [page.number for page in raw.pages] == [1, 2, 3]
    assert "Қазақстан мен Қытай" in raw.pages[0].text
    assert "Россия и Китай" in raw.pages[1].text
    assert "Орталық Азия елдерінің" in raw.pages[2].text


def test_pdf_title_falls_back_to_first_line(tmp_path):
    raw = load(make_pdf(tmp_path / "doc.pdf", title=None))
    assert raw.title.startswith("Бірінші бет.")


def test_pdf_page_limit(tmp_path):
    path = make_pdf(tmp_path / "doc.pdf")
    with pytest.raises(DerekError, match="doc.pdf.*3 pages.*limit of 2"):
        load(path, max_pdf_pages=2)


def test_docx_heading_paragraphs_and_table(tmp_path):
    document = docx.Document()
    document.add_heading("Қорытынды", level=1)
    document.add_paragraph("Қытай мен Орталық Азия ынтымақтастығы дамып келеді.")
    document.add_paragraph("Бірінші тармақ", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Ел", "Сауда"
    table.cell(1, 0).text, table.cell(1, 1).text = "Қазақстан", "41 млрд"
    document.add_paragraph("Соңғы абзац.")
    path = tmp_path / "doc.docx"
    document.save(str(path))
    raw = load(path)
    assert raw.title == "Қорытынды"
    assert raw.pages[0].text.split("\n\n") == [
        "# Қорытынды",
        "Қытай мен Орталық Азия ынтымақтастығы дамып келеді.",
        "- Бірінші тармақ",
        "Ел | Сауда",
        "Қазақстан | 41 млрд",
        "Соңғы абзац.",
    ]


def test_html_drops_script_style_nav(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        """<html><head><title>Орталық Азия</title><style>p {color: red}</style></head>
        <body><nav><a href="/">Басты бет</a></nav><script>var x = "жасырын";</script>
        <h1>Тақырып</h1><p>Бірінші   абзац
        жалғасы.</p><div>Екінші <b>абзац</b>.</div><ul><li>тармақ</li></ul>
        <table><tr><td>Ел</td><td>Сауда</td></tr></table><!-- пікір --></body></html>""",
        encoding="utf-8",
    )
    raw = load(path)
    assert raw.title == "Орталық Азия"
    assert raw.pages[0].text.split("\n\n") == [
        "# Тақырып",
        "Бірінші абзац жалғасы.",
        "Екінші абзац.",
        "- тармақ",
        "Ел | Сауда",
    ]
    for hidden in ("жасырын", "color", "Басты бет", "пікір"):
        assert hidden not in raw.pages[0].text


def test_html_title_from_first_h1(tmp_path):
    path = tmp_path / "page.htm"
    path.write_text("<body><h1>Басты  тақырып</h1><p>Мәтін.</p></body>", encoding="utf-8")
    assert load(path).title == "Басты тақырып"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("random.pdf", bytes(random.Random(1).randrange(256) for _ in range(4000)), "not a readable PDF"),
        ("empty.txt", b"", "empty"),
        ("blank.md", b" \n\n \t", "empty"),
        ("broken.docx", b"PK\x03\x04 this is not a zip archive", "not a readable DOCX"),
        ("binary.txt", bytes(range(256)) * 20, "not a readable text file"),
        ("data.xyz", b"hello", "unsupported file type '.xyz'"),
    ],
)
def test_bad_files_raise_derek_error(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DerekError, match=message) as caught:
        load(path)
    assert name in str(caught.value) and "\n" not in str(caught.value)


def test_truncated_pdf(tmp_path):
    path = make_pdf(tmp_path / "full.pdf")
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(path.read_bytes()[: os.path.getsize(path) // 3])
    with pytest.raises(DerekError, match="truncated.pdf"):
        load(truncated)


def test_encrypted_pdf(tmp_path):
    path = make_pdf(tmp_path / "secret.pdf", password="secret")
    with pytest.raises(DerekError, match="secret.pdf: the PDF is password-protected"):
        load(path)


def test_pdf_without_text(tmp_path):
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50)
    pdf.output(str(tmp_path / "drawing.pdf"))
    with pytest.raises(DerekError, match="drawing.pdf: no text could be extracted"):
        load(tmp_path / "drawing.pdf")


def test_missing_path_and_directory(tmp_path):
    with pytest.raises(DerekError, match="missing.txt: file not found"):
        load(tmp_path / "missing.txt")
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(DerekError, match="folder.txt"):
        load(tmp_path / "folder.txt")


def test_supported_suffixes():
    assert {".txt", ".md", ".pdf", ".docx", ".html", ".htm"} <= set(SUPPORTED_SUFFIXES)


def test_printed_law_keeps_its_paragraphs_headings_and_sections(tmp_path):
    """A law printed as a PDF (bench/formats.py lays the legal set out the same way): the plain extraction runs
    its lines together; the gaps the print leaves between paragraphs (read from pypdf's layout mode) keep the
    chapter and article headings apart, a long article title wrapped onto a second line stays one heading, and
    every paragraph gets the section path it has in the text file."""
    from bench.formats import Format, convert
    from index.clean import clean

    source = tmp_path / "law"
    source.mkdir()
    (source / "code.txt").write_text(
        "Қазақстан Республикасының Еңбек Кодексі\n\nЕРЕКШЕ БӨЛІК\n\n2-БӨЛІМ. ЕҢБЕК ҚАТЫНАСТАРЫ\n\n"
        "4-тарау. ЕҢБЕК ШАРТЫ\n\n24-бап. Еңбек шартының нысанасы\n\n"
        "Еңбек шарты бойынша жұмыскер жұмысты жеке өзі орындауға, еңбек тәртіптемесі қағидаларын сақтауға "
        "міндеттенеді, ал жұмыс беруші жұмыскерге келісілген еңбек функциясы бойынша жұмыс беруге міндеттенеді.\n\n"
        "26-бап. Еңбек шартын жасасуға және жұмысқа орналасуға салынатын тыйымдар және қойылатын шектеулер\n\n"
        "1. Медициналық қорытынды негізінде адамның денсаулық жағдайына байланысты істеуге болмайтын жұмысты "
        "орындауға еңбек шартын жасасуға жол берілмейді.\n\n"
        "2. Осы Кодексте көзделген жағдайларды қоспағанда, жүктілік, үш жасқа дейінгі балаларының болуы, "
        "кәмелетке толмағандық, мүгедектік еңбек шартын жасасу құқығын шектемейді.\n",
        encoding="utf-8",
    )
    (pdf,) = convert(source, tmp_path / "pdf", Format.PDF)
    printed = [(p.section, p.text[:30]) for p in clean(load(pdf)).paragraphs]
    typed = [(p.section, p.text[:30]) for p in clean(load(source / "code.txt")).paragraphs]
    assert printed[-3:] == typed[-3:]
    assert printed[-1][0] == (
        "2-БӨЛІМ › 4-тарау › 26-бап. Еңбек шартын жасасуға және жұмысқа орналасуға салынатын тыйымдар және "
        "қойылатын шектеулер"
    )
    assert not any(text.startswith("тыйымдар") for _, text in printed)


def test_paragraph_gaps_come_from_the_layout_only_where_lines_match():
    from index.load import with_paragraph_gaps

    text = "First paragraph ends here.\nSecond starts here and\ngoes on."
    layout = "First  paragraph   ends here.\n\nSecond starts  here and\ngoes on."
    assert with_paragraph_gaps(text, layout) == "First paragraph ends here.\n\nSecond starts here and\ngoes on."
    columns = "First paragraph ends here.      Left column\n\nSecond starts here and    right column"
    assert with_paragraph_gaps(text, columns) == text  # lines side by side match no line of the text
    assert with_paragraph_gaps(text, "") == text
    repeated = "Same line.\nSame line.\nSame line."  # matched in order, not by a set of lines
    laid_out = "Same line.\n\nSame line.\nSame line."
    assert with_paragraph_gaps(repeated, laid_out) == laid_out


def _numbered(document, text: str, num_id: int, ilvl: int):
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    paragraph = document.add_paragraph(text)
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    return paragraph


def test_docx_automatic_numbering_is_read_into_the_text(tmp_path):
    """Word's automatic numbering is not in a paragraph's text: a contract's «1.», «1.1.», «а)» come from its
    numbering definitions, counted in document order per list, a sub-level restarting under each new item;
    bullets stay items without a number. The numbers then open sections and points as typed ones do."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from index.clean import clean

    document = docx.Document()
    levels = [("decimal", "%1."), ("decimal", "%1.%2."), ("russianLower", "%3)")]
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        + "".join(f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
                  "</w:lvl>" for i, (fmt, text) in enumerate(levels))
        + "</w:abstractNum>"
    )
    root = document.part.numbering_part.element
    root.insert(0, abstract)
    root.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    _numbered(document, "Предмет договора", 90, 0)
    _numbered(document, "Исполнитель обязуется оказать услуги в срок, установленный договором.", 90, 1)
    _numbered(document, "Права сторон", 90, 0)
    _numbered(document, "Заказчик вправе требовать отчёт о ходе работ.", 90, 1)
    _numbered(document, "в письменной форме;", 90, 2)
    _numbered(document, "в электронной форме.", 90, 2)
    document.add_paragraph("Приложение", style="List Bullet")
    path = tmp_path / "contract.docx"
    document.save(str(path))
    text = load(path).pages[0].text
    assert text.split("\n\n") == [
        "1. Предмет договора",
        "1.1. Исполнитель обязуется оказать услуги в срок, установленный договором.",
        "2. Права сторон",
        "2.1. Заказчик вправе требовать отчёт о ходе работ.",
        "а) в письменной форме;",
        "б) в электронной форме.",
        "- Приложение",
    ]
    sections = {p.text[:4]: p.section for p in clean(load(path)).paragraphs}
    assert sections["2.1."] == "2. Права сторон"


@pytest.mark.parametrize("content", ["<main>{}</main>", "<article>{}</article>", "<div>{}</div>"])
def test_a_saved_web_page_keeps_its_content_not_the_site_around_it(tmp_path, content):
    """The page's <main> (or its one <article>) is its content; without either, the landmarks around the content
    go: a site header with its menu, a sidebar, a footer, an element whose role is the site's contentinfo."""
    body = "<h1>Тіл туралы заң</h1><p>1-бап. Негізгі ұғымдар</p><p>Мемлекеттік тіл - қазақ тілі.</p>"
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Тіл туралы заң</title></head><body><header><ul><li>Басты бет</li><li>Кодекстер</li>"
        "</ul></header><div class='wrap'><aside><p>Соңғы өзгерістер</p></aside>" + content.format(body)
        + "</div><div role='contentinfo'>Байланыс телефоны</div><footer><p>© 2024 Әділет</p></footer></body></html>",
        encoding="utf-8",
    )
    assert load(path).pages[0].text.split("\n\n") == [
        "# Тіл туралы заң", "1-бап. Негізгі ұғымдар", "Мемлекеттік тіл - қазақ тілі."
    ]


def test_docx_with_a_malformed_numbering_definition_still_reads(tmp_path):
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    root = document.part.numbering_part.element
    root.insert(0, parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="91"><w:lvl w:ilvl="x">'
                             '<w:start w:val="one"/></w:lvl></w:abstractNum>'))
    root.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="91"><w:abstractNumId w:val="91"/></w:num>'))
    _numbered(document, "Бірінші тармақ.", 91, 0)
    path = tmp_path / "broken-numbering.docx"
    document.save(str(path))
    assert load(path).pages[0].text == "Бірінші тармақ."
