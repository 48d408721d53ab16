"""The answer decision, calibrated across corpora: how well each score tells answerable from unanswerable questions.

Three corpora, each retrieved once with the final pipeline:
- the article's dev, probe and holdout sets (answerable and unanswerable questions);
- the legal dev set (42 answerable, 6 unanswerable);
- KazQAD cross-lingual dev in kk, en, ru: each question with its retrieval (answerable), and again with its gold
  passages removed from the chunks (mostly unanswerable: KazQAD's judgements are not exhaustive).

For each score, the AUC of answerable vs unanswerable per corpus; then, for floors on the top chunk's fused score
(same-language questions only), false abstentions and unanswerable questions abstained, next to the current
decision. (A logistic fit of several scores on two corpora did no better on the third than the fused score alone:
a probe, not kept; commit f6a7a57.)
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bench.report import REPO, SHARED_BENCH, bench_home, require, table, write

QA_SETS = (
    ("article", REPO / "tests" / "data" / "dev_qa.jsonl", REPO / "corpus"),
    ("article", REPO / "tests" / "data" / "probe_qa.jsonl", REPO / "corpus"),
    ("article", REPO / "tests" / "data" / "holdout_qa.jsonl", REPO / "corpus"),
    ("legal", SHARED_BENCH / "legal" / "qa.jsonl", SHARED_BENCH / "legal" / "kk"),
)
GROUPS = (("article", None), ("legal", None), ("kazqad", "kk"), ("kazqad", "en"), ("kazqad", "ru"))
SCORES = ("best sentence", "top chunk fused")
FLOORS = (1.28, 1.30, 1.32, 1.34, 1.36)


@dataclass
class Case:
    corpus: str
    lang: str
    answerable: bool
    question: str
    language: str
    chunks: list


def qa_cases() -> list[Case]:
    from assistant.service import Derek
    from assistant.settings import Settings
    from bench.qa import _history, load_dev

    cases = []
    for corpus, file, folder in QA_SETS:
        folder = require(folder, f"{corpus} documents").resolve()
        slug = "".join(ch if ch.isalnum() else "_" for ch in folder.name)[:40]
        derek = Derek(Settings(home=bench_home("qa"), collection=f"bench_qa_{slug}"))
        derek.index([folder])  # reused as is when bench qa built it
        for row in load_dev(require(file, "question file")):
            checked, standalone, extra, _ = derek.prepare(row["question"], _history(row))
            chunks = derek.retriever.retrieve(standalone, checked.language, derek.settings.top_k, extra_queries=extra)
            cases.append(Case(corpus, row["lang"], row.get("answerable", True), checked.text, checked.language, chunks))
        print(f"  {file.name}: retrieved", file=sys.stderr, flush=True)
    return cases


def kazqad_cases(limit: int | None = None) -> list[Case]:
    from bench.kazqad import DATA, load, open_collection
    from bench.xling import LANGS, index_home, load_xling

    kq = load(DATA)
    rows = [r for r in load_xling(DATA) if r["id"] in kq.qrels][:limit]
    derek, _ = open_collection(kq, index_home("auto"), engine="auto")  # the index `derek bench xling` reads
    k = derek.settings.top_k
    cases = []
    for lang in LANGS:
        for row in rows:
            checked, standalone, extra, _ = derek.prepare(row[lang], [])
            chunks = derek.retriever.retrieve(standalone, checked.language, k + 10, extra_queries=extra)
            gold = {pid for pid, grade in kq.qrels[row["id"]].items() if grade > 0}
            rest = [c for c in chunks if Path(c.source).stem not in gold][:k]
            cases.append(Case("kazqad", lang, True, checked.text, checked.language, chunks[:k]))
            cases.append(Case("kazqad", lang, False, checked.text, checked.language, rest))
        print(f"  kazqad {lang}: retrieved", file=sys.stderr, flush=True)
    return cases


def auc(scores, labels) -> float:
    """Probability that an answerable question scores above an unanswerable one (ties count half)."""
    s, y = np.asarray(scores, float), np.asarray(labels, bool)
    pos, neg = s[y], s[~y]
    if not len(pos) or not len(neg):
        return float("nan")
    return float(((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum())
                 / (len(pos) * len(neg)))


def scores_of(case: Case) -> dict[str, float]:
    from assistant.answer.extractive import ExtractiveAnswerer, score_sentences

    expanded = ExtractiveAnswerer()._expand(case.question, case.language, case.chunks)
    ranked = score_sentences(case.chunks, expanded)
    return {
        "best sentence": ranked[0].score if ranked else 0.0,
        "top chunk fused": case.chunks[0].score if case.chunks else 0.0,
    }


def in_group(case: Case, corpus: str, lang: str | None) -> bool:
    return case.corpus == corpus and (lang is None or case.lang == lang)


def auc_rows(cases: list[Case], scores: list[dict]) -> list[dict]:
    rows = []
    for name in SCORES:
        row: dict = {"score": name}
        for corpus, lang in GROUPS:
            sel = [i for i, c in enumerate(cases) if in_group(c, corpus, lang)]
            row[f"{corpus} {lang or ''}".strip()] = auc([scores[i][name] for i in sel],
                                                        [cases[i].answerable for i in sel])
        rows.append(row)
    return rows


def _share(flags: list[bool]) -> str:
    """The share of True, or "–" for a group with no question of that kind."""
    return f"{np.mean(flags):.3f}" if flags else "–"


def decision_rows(cases: list[Case]) -> list[dict]:
    """False abstentions / unanswerable abstained per group: the current decision, without the floor, and floors."""
    from assistant.answer.extractive import ABSTAIN_BELOW, ExtractiveAnswerer

    variants = [("current", ABSTAIN_BELOW), ("no fused floor", replace(ABSTAIN_BELOW, fused_same_language=0.0))]
    variants += [(f"fused floor {f:.2f}", replace(ABSTAIN_BELOW, fused_same_language=f)) for f in FLOORS]
    rows = []
    for name, thresholds in variants:
        answerer = ExtractiveAnswerer(thresholds)
        abstained = [not answerer.answer(c.question, c.language, c.chunks).answerable for c in cases]
        row: dict = {"decision": name}
        for corpus, lang in GROUPS:
            sel = [i for i, c in enumerate(cases) if in_group(c, corpus, lang)]
            ok = [abstained[i] for i in sel if cases[i].answerable]
            un = [abstained[i] for i in sel if not cases[i].answerable]
            row[f"{corpus} {lang or ''}".strip()] = f"{_share(ok)} / {_share(un)}"
        rows.append(row)
    return rows


def run(limit: int | None = None, name: str = "answer-decision") -> str:
    cases = qa_cases() + kazqad_cases(limit)
    scores = [scores_of(c) for c in cases]
    aucs, decisions = auc_rows(cases, scores), decision_rows(cases)
    counts = {f"{corpus} {lang or ''}".strip(): f"{sum(c.answerable for c in cases if in_group(c, corpus, lang))}"
              f" / {sum(not c.answerable for c in cases if in_group(c, corpus, lang))}" for corpus, lang in GROUPS}
    md = (
        "The answer decision on three corpora, each retrieved once by the final pipeline (answerable / unanswerable "
        "questions: " + ", ".join(f"{g} {n}" for g, n in counts.items()) + "; KazQAD's unanswerable ones are its "
        "questions with their gold passages removed).\n\n## How well each score separates them (AUC)\n\n"
        "`best sentence`: the extractive answerer's best sentence score; `top chunk fused`: the final retriever's "
        "fused score of its top chunk.\n\n"
        + table(aucs)
        + "\n## Decisions: false abstentions / unanswerable questions abstained\n\n"
        "`current` is Derek's decision (assistant/answer/extractive.py, Thresholds); the floors apply to the top "
        "chunk's fused score when the question and that chunk share a language.\n\n"
        + table(decisions)
    )
    write(name, {"cases": counts, "auc": aucs, "decisions": decisions}, md)
    return md
