"""The persisted lexical index (index/lexical.py): bm25s's scores, per-document updates, reopening, syncing."""

import bm25s
import numpy as np
import pytest

from index.lexical import LexicalIndex, chunk_terms
from index.text.normalize import tokenize

KK_DOCS = {
    "trade": "Қытай Қазақстанның ең ірі сауда серіктесі болып табылады.",
    "uzbek": "Өзбекстанның сыртқы саясатында «экономизация» термині пайда болды.",
    "sco": "Орталық Азия елдері ШЫҰ, АӨСШК, ҰҚШҰ аясында ынтымақтасады.",
    "fruit": "Тәжікстанның шие, лимон және жүзім өнімдері Қытай нарығында сұранысқа ие. Қытай нарығы үлкен.",
    "empty": "",
}
MIXED = {
    "kk1": ("kk", "Қытай мен Қазақстан саудасы 2023 жылы 41 млрд долларға жетті."),
    "kk2": ("kk", "Еңбек шарты жазбаша нысанда жасалады, сынақ мерзімі үш айдан аспайды."),
    "kk3": ("kk", "Қазақстан Республикасында мемлекеттік тіл – қазақ тілі. Қазақ тілі – мемлекет тілі."),
    "ru1": ("ru", "Торговля Китая и Казахстана в 2023 году достигла 41 млрд долларов."),
    "ru2": ("ru", "Трудовой договор заключается в письменной форме, испытательный срок не более трёх месяцев."),
    "en1": ("en", "China and Kazakhstan trade reached 41 billion dollars in 2023; trade keeps growing."),
}


def _records(docs: dict[str, tuple[str, str]], source: str = "doc.txt"):
    return [chunk_terms(cid, text, {"language": lang, "source": source}) for cid, (lang, text) in docs.items()]


def _index(docs=None, path=None) -> LexicalIndex:
    index = LexicalIndex(path)
    index.add(_records(docs or {k: ("kk", v) for k, v in KK_DOCS.items()}))
    return index


def _bm25s_scores(docs: dict[str, tuple[str, str]], query: list[str]) -> dict[str, float]:
    """What a bm25s index (Lucene BM25, its default) over the same tokens scores."""
    ids = list(docs)
    tokens = [list(chunk_terms(c, t, {"language": lang}).tokens) for c, (lang, t) in docs.items()]
    vocab: dict[str, int] = {}
    token_ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in tokens]
    model = bm25s.BM25(k1=1.5, b=0.75)
    model.index((token_ids, dict(vocab)), create_empty_token=False, show_progress=False)
    known = [vocab[t] for t in dict.fromkeys(query) if t in vocab]
    scores = model.get_scores_from_ids(known) if known else np.zeros(len(ids))
    return {c: float(s) for c, s in zip(ids, scores) if s > 0}


def _close(a: dict[str, float], b: dict[str, float]) -> bool:
    return a.keys() == b.keys() and all(abs(a[k] - b[k]) < 1e-5 * max(1.0, abs(b[k])) for k in a)


def test_scores_are_those_of_a_bm25s_index_over_the_same_tokens():
    query = tokenize("Қытай нарығы мен сауда", "kk")
    expected = _bm25s_scores({k: ("kk", v) for k, v in KK_DOCS.items()}, query)
    assert _close(_index().bm25({"kk": query}).as_dict(), expected)
    # one language's chunks are scored with that language's statistics, as a bm25s index over those chunks alone
    mixed = _index(MIXED)
    kk = {k: v for k, v in MIXED.items() if v[0] == "kk"}
    ru = {k: v for k, v in MIXED.items() if v[0] == "ru"}
    kq, rq = tokenize("Қазақстан саудасы тілі", "kk"), tokenize("торговля Казахстана", "ru")
    assert _close(mixed.bm25({"kk": kq, "ru": rq}).as_dict(), {**_bm25s_scores(kk, kq), **_bm25s_scores(ru, rq)})
    # and the plain baseline is one index over every chunk
    assert _close(mixed.bm25_all(kq + rq).as_dict(), _bm25s_scores(MIXED, kq + rq))


def test_search_ranks_the_right_kazakh_doc_first_with_positive_scores_only():
    index = _index()
    assert index.bm25({"kk": tokenize("Өзбекстанның сыртқы саясаты қандай?", "kk")}).top(3)[0][0] == "uzbek"
    assert [doc for doc, _ in index.bm25({"kk": ["шыұ"]}).top(3)] == ["sco"]
    hits = index.bm25({"kk": tokenize("Қытай", "kk")}).top(10)
    assert [doc for doc, _ in hits] == ["fruit", "trade"] and hits[0][1] > hits[1][1] > 0


def test_each_chunk_is_matched_with_the_terms_for_its_language():
    index = _index(MIXED)
    assert set(index.bm25({"kk": ["сауда"]}).as_dict()) == {"kk1"}
    assert set(index.bm25({"kk": ["сауда"], "en": ["trade"]}).as_dict()) == {"kk1", "en1"}
    assert not index.bm25({"kk": ["trade"], "en": ["сауда"]})  # wrong-language terms
    assert not index.bm25({"de": ["handel"]}) and not index.bm25({"ru": []})


def test_unknown_and_empty_queries_and_indexes_do_not_fail():
    index = _index()
    assert not index.bm25({"kk": ["несуществующий"]}) and not index.bm25_all([])
    assert index.bm25({"kk": ["несуществующий"]}).top(5) == [] and index.bm25_all([]).max() == 0
    empty = LexicalIndex()
    assert empty.count() == 0 and not empty.bm25({"kk": ["қытай"]}) and not empty.bm25_all(["қытай"])
    assert empty.df(["қытай"]) == {} and empty.with_numbers(["2023"]) == {} and empty.records(["x"]) == {}


def test_scores_of_named_chunks_and_the_best_ones_agree():
    index = _index(MIXED)
    scores = index.bm25({"kk": tokenize("Қазақстан саудасы", "kk"), "en": ["trade"]})
    everything = scores.as_dict()
    assert scores.of(["kk1", "kk2", "en1", "nope"]) == {"kk1": everything["kk1"], "kk2": 0.0,
                                                         "en1": everything["en1"], "nope": 0.0}
    assert scores.max() == max(everything.values()) and scores.top(1)[0][1] == scores.max()


def test_records_numbers_and_document_frequencies():
    index = _index(MIXED)
    rec = index.records(["kk3"])["kk3"]
    assert rec.language == "kk" and rec.source == "doc.txt" and len(rec.sentences) == 1  # no spans: one sentence
    assert index.with_numbers(["2023", "41"]) == {"kk1": 2, "ru1": 2, "en1": 2}
    assert len(index.with_numbers(["2023", "41"], k=2)) == 2
    assert index.df(tokenize("Қазақстан", "kk"))[tokenize("Қазақстан", "kk")[0]] == 2  # kk1, kk3
    assert index.languages() == {"kk": 3, "ru": 2, "en": 1} and index.count() == 6


@pytest.mark.parametrize("compact_after", [1, 4, 100_000])
def test_deleting_a_document_leaves_exactly_the_index_of_the_others(tmp_path, compact_after):
    a = {k: v for k, v in MIXED.items() if k != "kk2"}
    index = LexicalIndex(tmp_path / "lex.sqlite", compact_after=compact_after)
    index.add(_records(a, "a.txt"))
    index.add(_records({"kk2": MIXED["kk2"]}, "b.txt"))
    index.add(_records({"kk2": MIXED["kk2"]}, "b.txt"))  # written twice (a re-run): replaced, not duplicated
    assert index.count() == 6
    index.delete_source("b.txt")
    clean = _index(a)
    queries = {"kk": tokenize("еңбек шарты сауда тілі", "kk"), "ru": tokenize("трудовой договор", "ru")}
    assert index.bm25(queries).as_dict() == clean.bm25(queries).as_dict()
    assert index.languages() == clean.languages()
    dump = "SELECT token, lang, df FROM terms ORDER BY 1, 2"
    assert index._db.execute(dump).fetchall() == clean._db.execute(dump).fetchall()
    index.compact()  # deleted chunks leave the packed arrays; the scores stay
    assert index.bm25(queries).as_dict() == clean.bm25(queries).as_dict()
    assert index._db.execute("SELECT COUNT(*) FROM gone").fetchone()[0] == 0
    with_kk2 = index._db.execute("SELECT COUNT(*) FROM postings WHERE token = ?", (tokenize("еңбек", "kk")[0],))
    assert with_kk2.fetchone()[0] == 0
    assert index.df(tokenize("еңбек шарты", "kk")) == {}
    index.clear()
    assert index.count() == 0 and not index.bm25(queries)


def test_the_index_persists_and_is_shared_across_threads(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "lex.sqlite"
    _index(MIXED, path)
    reopened = LexicalIndex(path)
    query = {"kk": tokenize("Қазақстан саудасы", "kk")}
    expected = _index(MIXED).bm25(query).as_dict()
    assert reopened.count() == 6 and _close(reopened.bm25(query).as_dict(), expected)
    with ThreadPoolExecutor(4) as pool:
        assert all(_close(s, expected) for s in pool.map(lambda _: reopened.bm25(query).as_dict(), range(16)))


def test_sync_brings_the_index_in_step_with_the_store():
    class Store:  # what LexicalIndex.sync reads of a ChromaStore
        def __init__(self, chunks):
            self.chunks = chunks

        def chunk_id_list(self):
            return list(self.chunks)

        def get_chunks(self, ids):
            from index.store import StoredChunk

            return [StoredChunk(i, self.chunks[i][1], {"language": self.chunks[i][0], "source": "s"}) for i in ids]

        def stored_sentence_vectors(self, ids, counts):
            return {}  # a store without sentence vectors: the chunks are still synced

    index = _index({k: MIXED[k] for k in ("kk1", "kk2")})
    changed = index.sync(Store({k: MIXED[k] for k in ("kk2", "ru1", "en1")}))
    assert changed == 3 and index.ids() == {"kk2", "ru1", "en1"}
    assert index.sync(Store({k: MIXED[k] for k in ("kk2", "ru1", "en1")})) == 0


@pytest.mark.parametrize("text", ["", "   ", "…", "2023"])
def test_chunks_without_words_are_held_and_match_nothing(text):
    index = LexicalIndex()
    index.add([chunk_terms("x", text, {"language": "kk", "source": "s"})])
    assert index.count() == 1 and not index.bm25({"kk": ["қытай"]})


def test_a_chunk_is_read_with_its_document_title_and_section_heading():
    """A question that names the document ("under the Apache License") matches each of its chunks: the title and
    the section's heading are part of a chunk's tokens; a long "title" (a text file's first sentence) is not, nor
    is a title the chunk already starts with counted twice."""
    meta = {"language": "en", "title": "Apache License", "section": "TERMS › 6. Trademarks"}
    text = "This License does not grant permission to use the trade names of the Licensor."
    tokens = chunk_terms("c", text, meta).tokens
    assert {"apach", "trademark"} <= set(tokens)
    long_title = {**meta, "title": "This file begins with a long first sentence that is no title of anything at all"}
    assert "sentenc" not in chunk_terms("c", text, long_title).tokens
    first = chunk_terms("c", "Apache License Version 2.0", {**meta, "section": ""}).tokens
    assert first.count(tokenize("Apache", "en")[0]) == 1
    index = LexicalIndex()
    index.add([chunk_terms("apache", text, meta),
               chunk_terms("mpl", text, {**meta, "title": "Mozilla Public License", "section": ""})])
    assert index.bm25({"en": tokenize("Apache trade names", "en")}).top(1)[0][0] == "apache"
