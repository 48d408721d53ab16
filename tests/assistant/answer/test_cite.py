"""map_citations and split_claims on real Kazakh chunks with the real e5 embedder."""

from assistant.answer.cite import map_citations, split_claims

TRADE = "In 2023 trade between China and Turkmenistan was 10.59 billion US dollars"
UZBEK = "At the end of 2019 China was Uzbekistan's largest trade partner with 7.62 billion dollars"


def test_bad_marker_dropped_and_reported(chunks, embedder):
    text, citations, problems = map_citations(f"{TRADE} [1]. {UZBEK} [7].", chunks, embedder)
    assert text == f"{TRADE} [1]. {UZBEK}."
    assert problems == ["Marker [7] points at no source; removed."]
    assert [c.chunk_id for c in citations] == ["kk-turkmen"]


def test_renumbered_in_order_of_first_use(chunks, embedder):
    text, citations, problems = map_citations(f"{UZBEK} [2]. {TRADE} [1]. Again [2].", chunks, embedder)
    assert text == f"{UZBEK} [1]. {TRADE} [2]. Again [1]."
    assert [(c.marker, c.chunk_id) for c in citations] == [(1, "kk-uzbek"), (2, "kk-turkmen")]
    assert problems == []


def test_repeated_markers_make_one_citation(chunks, embedder):
    _, citations, _ = map_citations(
        f"{TRADE} [1]. It fell by 5.2% [1]. Imports were 9.633 billion [1].", chunks
    )
    assert len(citations) == 1 and citations[0].marker == 1


def test_list_range_and_adjacent_forms(chunks, embedder):
    text, citations, _ = map_citations("A [3, 1]. B [1][2]. C [1-3]. D [2;9].", chunks, embedder)
    assert text == "A [1, 2]. B [2][3]. C [2, 3, 1]. D [3]."
    assert [c.chunk_id for c in citations] == ["kk-tajik", "kk-turkmen", "kk-uzbek"]


def test_year_range_in_brackets_is_not_a_marker(chunks):
    text, citations, problems = map_citations("Plan for [2021-2025] only.", chunks)
    assert text == "Plan for only." and citations == []
    assert problems == ["Marker [2021-2025] points at no source; removed."]


def test_citation_fields_come_from_the_chunk(chunks, embedder):
    _, [citation], _ = map_citations(f"{UZBEK} [2].", chunks, embedder)
    chunk = chunks[1]
    assert (citation.source, citation.title, citation.page, citation.text) == (
        chunk.source,
        chunk.title,
        7,
        chunk.text,
    )


def test_quote_is_the_supporting_sentence(chunks, embedder):
    answer = (
        f"{TRADE} [1]. China and Turkmenistan built three natural gas pipelines A, B and C of the "
        "China-Central Asia pipeline, ending near the Khorgos border crossing [1]."
    )
    _, [citation], _ = map_citations(answer, chunks, embedder)
    first, second = citation.quote.split(" … ")
    assert first.startswith("2023 жылы Қытай мен Түрікменстан") and "10,59" in first
    assert second.startswith("Қытай мен Түрікменстан Түрікменстан-Өзбекстан") and "газ құбыры" in second


def test_quote_without_embedder_uses_numbers_and_words(chunks):
    _, [citation], _ = map_citations("Тәжікстан 2015 жылы сыртқы саяси тұжырымдама қабылдады [3].", chunks)
    assert "2015 жылы қабылданған" in citation.quote
    assert " … " not in citation.quote


def test_split_claims_assigns_markers_after_full_stop():
    claims = split_claims(
        "The sources say:\n- Trade fell by 5,2%. [1][2] Imports fell [3].\n1. Gas pipelines [1, 2]"
    )
    assert [(c.text, c.markers) for c in claims] == [
        ("The sources say:", []),
        ("Trade fell by 5,2%.", [1, 2]),
        ("Imports fell.", [3]),
        ("Gas pipelines", [1, 2]),
    ]
