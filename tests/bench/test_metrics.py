"""Hand-computed cases for bench/metrics.py."""

import pytest

from bench.metrics import (
    best_over,
    evidence_in,
    exact_match,
    hit_at_k,
    key_fact_recall,
    median,
    mrr_at_k,
    ndcg_at_k,
    normalize_answer,
    percentile,
    recall_at_k,
    token_f1,
)


def test_hit_and_recall_at_k():
    ranked = ["x", "rel1", "y", "rel2"]
    assert hit_at_k(ranked, {"rel1", "rel2"}, 1) == 0.0
    assert hit_at_k(ranked, {"rel1", "rel2"}, 2) == 1.0
    assert recall_at_k(ranked, {"rel1", "rel2"}, 2) == 0.5
    assert recall_at_k(ranked, {"rel1", "rel2"}, 4) == 1.0
    assert recall_at_k(ranked, set(), 4) == 0.0


def test_mrr_at_k():
    assert mrr_at_k(["x", "rel", "y"], {"rel"}, 10) == 0.5
    assert mrr_at_k(["x", "rel", "y"], {"rel"}, 1) == 0.0
    assert mrr_at_k(["a", "b", "c", "rel"], {"rel": 1}, 10) == 0.25


def test_graded_qrels_ignore_zero_grades():
    assert mrr_at_k(["judged", "rel"], {"judged": 0, "rel": 1}, 10) == 0.5


def test_ndcg_binary():
    # DCG = 1/log2(3) + 1/log2(5) = 1.061606; IDCG = 1 + 1/log2(3) = 1.630930
    assert ndcg_at_k(["a", "b", "c", "d"], {"b", "d"}, 4) == pytest.approx(0.6509, abs=1e-4)
    # cut at 2: 0.630930 / 1.630930
    assert ndcg_at_k(["a", "b", "c", "d"], {"b", "d"}, 2) == pytest.approx(0.3869, abs=1e-4)
    assert ndcg_at_k(["b", "d"], {"b", "d"}, 10) == pytest.approx(1.0)


def test_ndcg_graded():
    # gains 2^g - 1: DCG = 1/1 + 3/log2(4) = 2.5; IDCG = 3/1 + 1/log2(3) = 3.630930
    assert ndcg_at_k(["a", "b", "c"], {"a": 1, "c": 2}, 3) == pytest.approx(0.6885, abs=1e-4)


def test_normalize_answer_cyrillic():
    assert normalize_answer("«Диалог – бейбітшілік кепілі»!") == "диалог бейбітшілік кепілі"
    assert normalize_answer("The  Ёлка,  ") == "елка"


def test_token_f1_and_exact_match():
    assert token_f1("Астана қаласы", "Астана") == pytest.approx(2 / 3)
    # one shared token of two on each side: P = R = 0.5
    assert token_f1("1991 жылы желтоқсанда", "1991 жылдың желтоқсанында") == pytest.approx(1 / 3)
    assert token_f1("Шие, лимон және жүзім", "шие лимон жүзім") == pytest.approx(2 * 0.75 * 1 / 1.75)
    assert token_f1("", "") == 1.0 and token_f1("x", "") == 0.0
    assert exact_match("«АТФ синтезіне».", "атф синтезіне") == 1.0
    assert exact_match("АТФ", "атф синтезіне") == 0.0
    assert best_over(exact_match, "Алматы", ["Астана", "алматы"]) == 1.0


def test_evidence_in_uses_dev_normalisation():
    text = "Түрікменстан «Орталық Азия + 1»\nдиалогы форматтарына қатысады."
    assert evidence_in(text, ["«Орталық Азия + 1» диалогы"])
    assert evidence_in("шие, лимон және жү-\nзім", ["шие, лимон және жүзім"])
    assert not evidence_in(text, ["Чжан Сяо"])
    assert not evidence_in(text, [""])


def test_key_fact_recall():
    keys = [["India", "Индия", "Үндістан"], ["Japan", "Япония", "Жапония"]]
    assert key_fact_recall("Үндістан мен Қытай", keys) == 0.5
    assert key_fact_recall("India and JAPAN", keys) == 1.0
    assert key_fact_recall("anything", []) == 1.0


def test_percentiles():
    assert median([3, 1, 2]) == 2
    assert median([1, 2, 3, 4]) == 2.5
    assert percentile([1, 2, 3, 4, 5], 95) == pytest.approx(4.8)
    assert percentile([], 50) != percentile([], 50)  # nan
