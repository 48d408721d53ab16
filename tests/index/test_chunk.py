import pytest

from index.chunk import chunk_document
from index.clean import clean
from index.document import Document, Page, Paragraph, RawDocument
from index.load import load
from index.sentences import split_sentences


@pytest.fixture(scope="module")
def chunks(article, e5_tokens):
    return chunk_document(article, e5_tokens, max_tokens=300)


def test_every_chunk_fits_in_e5_tokens(chunks, e5_tokens):
    assert len(chunks) > 20
    for chunk in chunks:
        assert 0 < e5_tokens(chunk.text) <= 300
        assert chunk.text.strip()


def test_chunks_stay_in_one_section_and_know_the_page_of_each_line(article, chunks):
    """A chunk goes on across a page break within its section (a printed paragraph continued on the next page
    stays with its start), and records where each later page begins, so every line's page is known."""
    from assistant.retrieve.types import RetrievedChunk

    crossing = 0
    for chunk in chunks:
        inside = [p for p in article.paragraphs if p.start < chunk.end and chunk.start < p.end]
        assert {p.section for p in inside} == {chunk.section}
        crossing += bool(chunk.page_breaks)
        retrieved = RetrievedChunk(chunk.id, chunk.text, chunk.source, chunk.title, chunk.page, chunk.section, "", 0)
        retrieved.page_breaks = chunk.page_breaks
        offset = 0
        for line in chunk.text.split("\n"):
            assert line in article.text[chunk.start : chunk.end]
            paragraph = next(p for p in inside if line in p.text)
            at = paragraph.text.index(line)
            for step in range(0, len(line), 25):  # every stretch of the line is on the page its paragraph says
                assert retrieved.page_at(offset + step) == paragraph.page_at(at + step), line[:60]
            offset += len(line) + 1
    assert crossing, "no chunk of the article goes on across a page"
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_every_sentence_of_the_article_is_in_a_chunk(article, chunks):
    for paragraph in article.paragraphs:
        for start, end in split_sentences(paragraph.text):
            sentence = paragraph.text[start:end]
            assert any(sentence in chunk.text for chunk in chunks if chunk.section == paragraph.section), (
                sentence
            )


def test_ids_are_stable_across_runs(article_path, chunks, e5_tokens):
    again = chunk_document(clean(load(article_path)), e5_tokens, max_tokens=300)
    assert [c.id for c in again] == [c.id for c in chunks]
    assert len({c.id for c in chunks}) == len(chunks)
    assert all(len(c.id) == 20 for c in chunks)


def test_consecutive_chunks_overlap_by_one_sentence_or_from_an_introducing_one(chunks):
    pairs = [
        (a, b) for a, b in zip(chunks, chunks[1:], strict=False) if (a.section, a.page) == (b.section, b.page)
    ]
    assert len(pairs) > 10
    longer = 0
    for before, after in pairs:
        first = after.text[slice(*after.sentences[0])]
        tail = [before.text[slice(*span)] for span in before.sentences[-3:]]
        assert first in tail
        if first != tail[-1]:
            # the next chunk starts earlier only to keep an introducing sentence with what it introduces
            assert first.rstrip().endswith(":")
            longer += 1
        assert after.start < before.end
    assert longer < len(pairs)


def test_introducing_sentence_travels_with_its_list(e5_tokens):
    from index.document import Document, Paragraph

    intro = "Осы орайда мынадай ұсыныстар жасауға болады:"
    checked = 0
    for n in range(4, 16):  # move the chunk boundary across the introducing sentence
        filler = " ".join(f"Бұл {i}-ші толтырғыш сөйлем, ол мәтін жасау үшін керек." for i in range(n))
        blocks = [filler, intro] + [f"• {i}-ші ұсыныс." for i in range(1, 9)]
        text, paragraphs = "", []
        for block in blocks:
            start = len(text) + (1 if text else 0)
            text = f"{text}\n{block}" if text else block
            paragraphs.append(Paragraph(text=block, page=None, section=None, start=start, end=len(text)))
        doc = Document(source="x.txt", title="x", language="kk", text=text, paragraphs=paragraphs)
        chunks = chunk_document(doc, e5_tokens, max_tokens=120)
        for before, after in zip(chunks, chunks[1:]):
            tail = [before.text[slice(*span)] for span in before.sentences[-3:-1]]
            if intro in tail:  # the list was cut after its introduction: the next chunk repeats it
                assert after.text.startswith(intro), n
                checked += 1
    assert checked


def test_no_overlap_when_asked(article, e5_tokens):
    chunks = chunk_document(article, e5_tokens, max_tokens=300, overlap_sentences=0)
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert after.start >= before.end


def test_chunk_languages(chunks):
    by_section = {}
    for chunk in chunks:
        by_section.setdefault(chunk.section, []).append(chunk)
    assert {c.language for c in by_section["Abstract"]} == {"en"}
    assert {c.language for c in by_section["Аннотация"]} == {"ru"}
    assert {c.language for c in by_section["ТАЛҚЫЛАУ"]} == {"kk"}


def test_sentence_spans_and_paragraph_lines(chunks):
    for chunk in chunks:
        assert chunk.sentences == split_sentences(chunk.text)
        assert chunk.sentences[0][0] == 0 and chunk.sentences[-1][1] == len(chunk.text)
    list_chunk = next(c for c in chunks if "- ел шекарасында" in c.text)
    assert "\n- ел шекарасында" in list_chunk.text  # paragraphs joined with "\n"


def test_metadata_has_no_none(chunks):
    for chunk in chunks:
        assert None not in chunk.metadata().values()
    assert chunks[0].metadata()["page"] == -1


def test_over_long_sentence_split_at_word_boundaries(e5_tokens):
    sentence = " ".join(f"сөз{i}" for i in range(400)) + "."
    text = "Қысқа кіріспе.\n\n" + sentence
    doc = Document("long.txt", "Long", "kk", text, [
        Paragraph("Қысқа кіріспе.", None, None, 0, 14),
        Paragraph(sentence, None, None, 16, len(text)),
    ])  # fmt: skip
    chunks = chunk_document(doc, e5_tokens, max_tokens=100)
    assert len(chunks) > 4
    words = set()
    for chunk in chunks:
        assert e5_tokens(chunk.text) <= 100
        words.update(chunk.text.replace("\n", " ").split())
    assert {f"сөз{i}" for i in range(399)} <= words  # no word cut in half
    assert chunks[0].text.startswith("Қысқа кіріспе.")


def test_a_chunk_goes_on_across_a_page_and_knows_where_the_next_begins(e5_tokens):
    raw = RawDocument(
        "p.txt", "P", [Page("Бірінші бет мәтіні.", 1), Page("Екінші бет мәтіні.", 2)], pdf_like=True
    )
    (chunk,) = chunk_document(clean(raw), e5_tokens)
    assert (chunk.page, chunk.text, chunk.page_breaks) == (1, "Бірінші бет мәтіні.\nЕкінші бет мәтіні.", [(20, 2)])
    assert chunk.text[20:].startswith("Екінші")
    assert chunk_document(Document("e.txt", "E", "en", "", []), e5_tokens) == []


def test_a_paragraph_split_by_a_page_break_knows_where_the_next_page_begins(e5_tokens):
    """A printed paragraph that runs on to the next page is one paragraph; the sentence printed on the next page
    is cited with that page."""
    from assistant.retrieve.types import RetrievedChunk

    raw = RawDocument("p.txt", "P", [
        Page("Бірінші сөйлем бірінші бетте тұр. Екінші сөйлем бірінші беттен басталып", 4),
        Page("екінші бетте аяқталады. Үшінші сөйлем толығымен екінші бетте тұр.", 5),
    ], pdf_like=True)  # fmt: skip
    doc = clean(raw)
    assert len(doc.paragraphs) == 1 and doc.paragraphs[0].page == 4
    (chunk,) = chunk_document(doc, e5_tokens)
    retrieved = RetrievedChunk(chunk.id, chunk.text, chunk.source, chunk.title, chunk.page, chunk.section, "", 0,
                               sentences=chunk.sentences, page_breaks=chunk.page_breaks)
    pages = [retrieved.page_at(start) for start, _ in chunk.sentences]
    assert pages == [4, 4, 5], (chunk.text, chunk.page_breaks)
