"""The dev set end to end through the service (extractive answerer, the article indexed).

The floors below are regression floors at the level measured when the tests were written; the issue's higher
targets are reported separately by `derek bench qa`.
"""

from __future__ import annotations

import pytest

from assistant.answer.types import Turn

LANGS = ("kk", "ru", "en")
K = 5


def norm(text: str) -> str:
    """The dev set's matching rule: lowercase, keep only letters and digits."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def has_evidence(text: str, evidence: list[str]) -> bool:
    t = norm(text)
    return any(norm(e) and norm(e) in t for e in evidence)


def all_keys(text: str, keys: list[list[str]] | None) -> bool:
    t = norm(text)
    return all(any(norm(s) and norm(s) in t for s in group) for group in keys or [])


def history(row: dict) -> list[Turn]:
    return [Turn(t["role"], t["content"]) for t in row.get("history", [])]


@pytest.fixture(scope="module")
def results(service, dev_rows):
    """Per dev question: the top-5 retrieved chunk texts and the extractive answer."""
    out = {}
    for row in dev_rows:
        chunks = service.retrieve(row["question"], k=K, history=history(row)) if row["answerable"] else []
        answer = service.ask(row["question"], history=history(row))
        out[row["id"]] = {"row": row, "chunks": [c.text for c in chunks], "answer": answer}
    return out


@pytest.fixture(scope="module")
def figures(results):
    per: dict[str, dict] = {}
    for lang in (*LANGS, "all"):
        rows = [r for r in results.values() if lang in (r["row"]["lang"], "all")]
        ok = [r for r in rows if r["row"]["answerable"]]
        fig = {
            "questions": len(rows),
            "answerable": len(ok),
            "hit@1": sum(bool(r["chunks"]) and has_evidence(r["chunks"][0], r["row"]["evidence"]) for r in ok)
            / len(ok),
            "hit@5": sum(any(has_evidence(c, r["row"]["evidence"]) for c in r["chunks"]) for r in ok) / len(ok),
            "key facts": sum(
                all_keys(r["answer"].answer + " " + " ".join(c.quote for c in r["answer"].citations), r["row"]["keys"])
                for r in ok
            )
            / len(ok),
            "cited evidence": sum(
                any(has_evidence(c.text, r["row"]["evidence"]) for c in r["answer"].citations) for r in ok
            )
            / len(ok),
            "false abstentions": sum(not r["answer"].answerable for r in ok),
            "language ok": sum(r["answer"].language == r["row"]["lang"] for r in rows) / len(rows),
        }
        per[lang] = fig
    print("\ndev set figures (extractive, k=5):")
    for lang, fig in per.items():
        print(
            f"  {lang:>3}: " + ", ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in fig.items())
        )
    return per


def test_gold_evidence_in_top5_for_every_answerable_question(results):
    missing = [
        r["row"]["id"]
        for r in results.values()
        if r["row"]["answerable"] and not any(has_evidence(c, r["row"]["evidence"]) for c in r["chunks"])
    ]
    assert not missing, f"gold evidence not in the top {K} chunks for {missing}"


@pytest.mark.parametrize("lang", LANGS)
def test_hit_at_1_per_language(figures, lang):
    assert figures[lang]["hit@1"] >= 0.80, f"{lang} hit@1 {figures[lang]['hit@1']:.2f} < 0.80"


def test_key_facts_in_answer_and_quotes(figures, results):
    misses = [
        r["row"]["id"]
        for r in results.values()
        if r["row"]["answerable"]
        and not all_keys(r["answer"].answer + " " + " ".join(c.quote for c in r["answer"].citations), r["row"]["keys"])
    ]
    assert figures["all"]["key facts"] >= 0.90, (
        f"key facts {figures['all']['key facts']:.2f} < 0.90; missing in {misses}"
    )


def test_a_citation_holds_the_gold_evidence(figures, results):
    misses = [
        r["row"]["id"]
        for r in results.values()
        if r["row"]["answerable"] and not any(has_evidence(c.text, r["row"]["evidence"]) for c in r["answer"].citations)
    ]
    assert figures["all"]["cited evidence"] >= 0.95, (
        f"cited evidence {figures['all']['cited evidence']:.2f} < 0.95; no citation holds it for {misses}"
    )


def test_at_most_one_false_abstention(figures, results):
    abstained = [r["row"]["id"] for r in results.values() if r["row"]["answerable"] and not r["answer"].answerable]
    assert len(abstained) <= 1, f"false abstentions: {abstained}"


def test_every_unanswerable_question_abstains(results):
    unanswerable = [r for r in results.values() if not r["row"]["answerable"]]
    assert unanswerable
    for r in unanswerable:
        answer = r["answer"]
        assert not answer.answerable, (r["row"]["id"], answer.answer)
        assert answer.citations == []


def test_answer_language_matches_question_language(figures, results):
    wrong = {r["row"]["id"]: r["answer"].language for r in results.values() if r["answer"].language != r["row"]["lang"]}
    assert not wrong, f"wrong answer language: {wrong}"


def test_answerable_answers_cite_the_indexed_article(results):
    for r in results.values():
        if r["answer"].answerable:
            assert r["answer"].citations, r["row"]["id"]
            for c in r["answer"].citations:
                assert c.source.endswith("central-asia-china-foreign-policy.kk.txt"), c.source
                assert c.quote and all(part.strip() in c.text for part in c.quote.split(" … ")), r["row"]["id"]
