"""HybridRetriever on the indexed article, and on an empty collection."""

from __future__ import annotations

import pytest

from assistant.retrieve.hybrid import HybridRetriever, RetrievalMode

TRADE = {
    "ru": "Каким был объём торговли Китая и Туркменистана в 2023 году?",
    "en": "What was the volume of trade between China and Turkmenistan in 2023?",
}


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_final_mode_ranks_the_trade_figure_first(service, lang):
    chunks = service.retriever.retrieve(TRADE[lang], lang, 5, mode=RetrievalMode.FINAL)
    assert chunks, "no results"
    assert "10,59" in chunks[0].text, [c.text[:100] for c in chunks]
    scores = [c.score for c in chunks]
    assert scores == sorted(scores, reverse=True)
    assert chunks[0].sentence_scores and len(chunks[0].sentence_scores) == len(chunks[0].sentences)


@pytest.mark.parametrize("mode", list(RetrievalMode))
@pytest.mark.parametrize("k", [1, 3, 7])
def test_every_mode_returns_k_distinct_chunks(service, mode, k):
    chunks = service.retriever.retrieve(TRADE["ru"], "ru", k, mode=mode)
    # the final mode joins chunks of one section among its k into one result (test_merge.py)
    parts = sum(1 + len(c.parts) for c in chunks)
    assert parts == k and (len(chunks) == k or mode is RetrievalMode.FINAL)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    for c in chunks:
        assert c.text and c.source.endswith(".kk.txt") and c.language in ("kk", "ru", "en")


def test_service_retrieve_detects_the_language(service):
    chunks = service.retrieve(TRADE["en"], k=3)
    assert sum(1 + len(c.parts) for c in chunks) == 3 and "10,59" in chunks[0].text


def test_opening_the_retriever_reads_no_chunk_when_its_lexical_index_is_in_step(service, monkeypatch):
    store = service.store
    assert store.lexical.path is not None and store.lexical.count() == store.count() > 0

    def read_all(*args, **kwargs):
        raise AssertionError("the retriever read the collection")

    for method in ("all_chunks", "chunk_id_list", "get_chunks"):
        monkeypatch.setattr(store, method, read_all)
    retriever = HybridRetriever(store, service.embedder)
    assert len(retriever) == store.count()
    assert "10,59" in retriever.retrieve(TRADE["en"], "en", 3)[0].text


def test_an_index_without_its_lexical_side_is_brought_in_step_once(service, tmp_path):
    from index.store import ChromaStore

    own = service.store
    # the same collection seen with an empty lexical index: built before it existed, or on a Chroma server that
    # another machine writes to
    store = ChromaStore(own.client, own.name, own.embed_model, own.where, tmp_path / "lexical.sqlite")
    assert store.lexical.count() == 0
    retriever = HybridRetriever(store, service.embedder, **service.retriever_options)
    assert store.lexical.ids() == set(store.chunk_id_list()) == own.lexical.ids()
    for lang, question in TRADE.items():
        for mode in RetrievalMode:
            got = [(c.chunk_id, round(c.score, 6)) for c in retriever.retrieve(question, lang, 5, mode=mode)]
            assert got == [(c.chunk_id, round(c.score, 6))
                           for c in service.retriever.retrieve(question, lang, 5, mode=mode)]


def test_empty_collection_returns_nothing(tmp_path, service):
    from index.store import ChromaStore

    store = ChromaStore.embedded(tmp_path / "chroma", "empty", service.store.embed_model)
    retriever = HybridRetriever(store, service.embedder)
    assert len(retriever) == 0
    for mode in RetrievalMode:
        assert retriever.retrieve(TRADE["en"], "en", 5, mode=mode) == []


@pytest.mark.parametrize(
    ("section", "summary"),
    [("Abstract", True), ("Аннотация", True), ("Ключевые слова", True), ("Түйін сөздер", True),
     ("ЗЕРТТЕУ НӘТИЖЕЛЕРІ", False), ("Introduction", False), ("", False)],
)
def test_summary_sections_are_recognised(section, summary):
    from assistant.retrieve.hybrid import SUMMARY_SECTION

    assert bool(SUMMARY_SECTION.search(section)) is summary


def test_an_abstract_chunk_ranks_below_an_equal_body_chunk(service):
    from assistant.retrieve.hybrid import Signals

    retriever = service.retriever
    body, abstract = Signals(chunk=0.85, sentence=0.86), Signals(chunk=0.85, sentence=0.86, summary=1.0)
    assert retriever.fuse(abstract) < retriever.fuse(body)
