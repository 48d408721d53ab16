import numpy as np

from assistant.retrieve.lexical import BM25Index, MultilingualBM25
from index.text.normalize import tokenize

KK_DOCS = {
    "trade": "Қытай Қазақстанның ең ірі сауда серіктесі болып табылады.",
    "uzbek": "Өзбекстанның сыртқы саясатында «экономизация» термині пайда болды.",
    "sco": "Орталық Азия елдері ШЫҰ, АӨСШК, ҰҚШҰ аясында ынтымақтасады.",
    "fruit": "Тәжікстанның шие, лимон және жүзім өнімдері Қытай нарығында сұранысқа ие.",
    "empty": "",
}


def _index() -> BM25Index:
    return BM25Index(list(KK_DOCS), [tokenize(t, "kk") for t in KK_DOCS.values()])


def test_search_ranks_the_right_kazakh_doc_first():
    index = _index()
    assert index.search(tokenize("Өзбекстанның сыртқы саясаты қандай?", "kk"), 3)[0][0] == "uzbek"
    assert index.search(tokenize("шиесі мен лимоны", "kk"), 3)[0][0] == "fruit"
    assert [doc for doc, _ in index.search(["шыұ"], 3)] == ["sco"]


def test_search_returns_only_positive_scores_best_first():
    hits = _index().search(tokenize("Қытай", "kk"), 10)
    assert {doc for doc, _ in hits} == {"trade", "fruit"}
    assert all(score > 0 for _, score in hits) and hits[0][1] >= hits[1][1]


def test_scores_align_with_ids():
    index = _index()
    scores = index.scores(["лимон"])
    assert scores.shape == (len(KK_DOCS),)
    assert (
        scores[index.ids.index("fruit")] > 0
        and scores[np.arange(len(scores)) != index.ids.index("fruit")].max() == 0
    )


def test_unknown_and_empty_queries_and_corpora_do_not_fail():
    index = _index()
    assert index.search(["несуществующий"], 5) == []
    assert index.search([], 5) == []
    assert not index.scores(["несуществующий"]).any()
    empty = BM25Index([], [])
    assert empty.search(["қытай"], 5) == [] and empty.scores(["қытай"]).shape == (0,)
    assert BM25Index(["x"], [[]]).search(["қытай"], 5) == []


def test_multilingual_scores_each_passage_with_its_language_terms():
    ids, texts, langs = (
        ["kk", "en"],
        ["Қытай мен Қазақстан саудасы", "China and Kazakhstan trade"],
        ["kk", "en"],
    )
    index = MultilingualBM25(ids, [tokenize(t, lang) for t, lang in zip(texts, langs, strict=True)], langs)
    assert [doc for doc, _ in index.search({"kk": ["сауда"]}, 5)] == ["kk"]
    assert {doc for doc, _ in index.search({"kk": ["сауда"], "en": ["trade"]}, 5)} == {"kk", "en"}
    assert [
        doc for doc, _ in index.search({"kk": ["trade"], "en": ["сауда"]}, 5)
    ] == []  # wrong-language terms
    assert index.scores({"ru": ["торговл"]}).tolist() == [0.0, 0.0]
