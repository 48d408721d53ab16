"""Question sets end to end through the service (extractive answerer), on three corpora: the article (its domain
lexicon on) with the shipped dev set, the probe set (written later, 36 questions, used to find general faults) and
the holdout set (45 questions on other facts, measured before any change it informed); the Kazakh legal texts
(language resources only) with their 48 kk/ru/en questions; and three English licences (bench/data/licences, 25
kk/ru/en questions), English documents with plain-text numbered sections.

The floors are regression floors near the levels measured when they were written; the issue's targets are reported
by `derek bench qa` (and `derek bench qa --file tests/data/<set>.jsonl`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.answer.types import Turn

LANGS = ("kk", "ru", "en")
K = 5
DATA = Path(__file__).resolve().parents[1] / "data"
FLOORS = {
    "dev_qa": {"hit@1": 0.80, "hit@5": 1.0, "key facts": 0.90, "cited evidence": 0.95, "false abstentions": 1,
               "unanswerable abstained": 1.0},
    "probe_qa": {"hit@1": 0.75, "hit@5": 1.0, "key facts": 0.85, "cited evidence": 0.95, "false abstentions": 1,
                 "unanswerable abstained": 1.0},
    "holdout_qa": {"hit@1": 0.65, "hit@5": 0.95, "key facts": 0.75, "cited evidence": 0.78, "false abstentions": 2,
                   "unanswerable abstained": 0.65},
    # legal: 3 of its 6 unanswerable questions used to abstain, 2 of them (l06, l14) only because "Labour" was
    # taken for a name the Kazakh text lacked, as the answerable l01 was too; a common word is no name now
    # (index/text/dictionary.py), which halves KazQAD's cross-lingual false abstentions and leaves 1 of 6 here;
    # an acronym no retrieved text names (ҚАЗТЕСТ, l44) abstains since (assistant/answer/abstain.py): 2 of 6
    "legal": {"hit@1": 0.45, "hit@5": 0.75, "key facts": 0.48, "cited evidence": 0.55, "false abstentions": 3,
              "unanswerable abstained": 0.30},
    # licences: English hit@1 0.375 before their numbered sections were recognised and chunks read with their
    # document's title (a question naming "the Apache License" drew the appendix that repeats the name); the
    # Kazakh and Russian questions meet English text through e5 and the term bridge alone
    "licences": {"hit@1": {"en": 0.75, "ru": 0.14, "kk": 0.14}, "hit@5": 0.70, "key facts": 0.55,
                 "cited evidence": 0.55, "false abstentions": 2, "unanswerable abstained": 0.30},
}
QUESTION_FILES = {name: DATA / f"{name}.jsonl" for name in FLOORS} | {
    "legal": DATA / "legal" / "qa.jsonl",
    "licences": DATA.parents[1] / "bench" / "data" / "licences" / "qa.jsonl",
}
SERVICES = {"legal": "legal_service", "licences": "licences_service"}
SOURCES = {
    "legal": ("labour-code-ch4.kk.txt", "language-law.kk.txt"),
    "licences": ("GPL-3.txt", "Apache-2.0.txt", "MPL-2.0.txt"),
}


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


@pytest.fixture(scope="module", params=list(FLOORS))
def question_set(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def floors(question_set) -> dict:
    return FLOORS[question_set]


@pytest.fixture(scope="module")
def results(request, question_set):
    """Per question: the top-5 retrieved chunk texts and the extractive answer."""
    service = request.getfixturevalue(SERVICES.get(question_set, "service"))
    text = QUESTION_FILES[question_set].read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    out = {}
    for row in rows:
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
    print("\nquestion set figures (extractive, k=5):")
    for lang, fig in per.items():
        print(
            f"  {lang:>3}: " + ", ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in fig.items())
        )
    return per


def test_gold_evidence_in_top5(figures, results, floors):
    missing = [
        r["row"]["id"]
        for r in results.values()
        if r["row"]["answerable"] and not any(has_evidence(c, r["row"]["evidence"]) for c in r["chunks"])
    ]
    assert figures["all"]["hit@5"] >= floors["hit@5"], f"gold evidence not in the top {K} chunks for {missing}"


@pytest.mark.parametrize("lang", LANGS)
def test_hit_at_1_per_language(figures, floors, lang):
    floor = floors["hit@1"][lang] if isinstance(floors["hit@1"], dict) else floors["hit@1"]
    assert figures[lang]["hit@1"] >= floor, f"{lang} hit@1 {figures[lang]['hit@1']:.2f} < {floor}"


def test_key_facts_in_answer_and_quotes(figures, results, floors):
    misses = [
        r["row"]["id"]
        for r in results.values()
        if r["row"]["answerable"]
        and not all_keys(r["answer"].answer + " " + " ".join(c.quote for c in r["answer"].citations), r["row"]["keys"])
    ]
    assert figures["all"]["key facts"] >= floors["key facts"], (
        f"key facts {figures['all']['key facts']:.2f} < {floors['key facts']}; missing in {misses}"
    )


def test_a_citation_holds_the_gold_evidence(figures, results, floors):
    misses = [
        r["row"]["id"]
        for r in results.values()
        if r["row"]["answerable"] and not any(has_evidence(c.text, r["row"]["evidence"]) for c in r["answer"].citations)
    ]
    assert figures["all"]["cited evidence"] >= floors["cited evidence"], (
        f"cited evidence {figures['all']['cited evidence']:.2f} < {floors['cited evidence']}; "
        f"no citation holds it for {misses}"
    )


def test_false_abstentions(results, floors):
    abstained = [r["row"]["id"] for r in results.values() if r["row"]["answerable"] and not r["answer"].answerable]
    assert len(abstained) <= floors["false abstentions"], f"false abstentions: {abstained}"


def test_unanswerable_questions_abstain(results, floors):
    unanswerable = [r for r in results.values() if not r["row"]["answerable"]]
    assert unanswerable
    answered = [(r["row"]["id"], r["answer"].answer[:80]) for r in unanswerable if r["answer"].answerable]
    assert 1 - len(answered) / len(unanswerable) >= floors["unanswerable abstained"], answered
    for r in unanswerable:
        if not r["answer"].answerable:
            assert r["answer"].citations == []


def test_answer_language_matches_question_language(figures, results):
    wrong = {r["row"]["id"]: r["answer"].language for r in results.values() if r["answer"].language != r["row"]["lang"]}
    assert not wrong, f"wrong answer language: {wrong}"


def test_answerable_answers_cite_the_indexed_documents(results, question_set):
    sources = SOURCES.get(question_set, ("central-asia-china-foreign-policy.kk.txt",))
    for r in results.values():
        if r["answer"].answerable:
            assert r["answer"].citations, r["row"]["id"]
            for c in r["answer"].citations:
                assert c.source.endswith(sources), c.source
                assert c.quote and all(part.strip() in c.text for part in c.quote.split(" … ")), r["row"]["id"]
