"""Dev-set QA bench: evidence hit@1/@5 per retrieval mode and language, then the extractive answers."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from bench.metrics import evidence_in, key_fact_recall, mean, mean_present
from bench.report import REPO, table, write

MODES = ("dense", "bm25", "hybrid", "final")  # then the final pipeline's ablations (assistant.retrieve.hybrid)


def all_modes() -> tuple[str, ...]:
    from assistant.retrieve.hybrid import ABLATIONS
    from bench.baselines import LLAMAINDEX_DEFAULT

    return (LLAMAINDEX_DEFAULT, *MODES, *(f"final {name}" for name in ABLATIONS))
LANGS = ("kk", "ru", "en")


def load_dev(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# Kazakh typed on a Russian keyboard: its own letters replaced by their plain look-alikes, as many users write
_PLAIN = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноуухиАГКНОУУХИ")


def plain_letters(text: str) -> str:
    """«Еңбек шартын қалай бұзуға болады?» as typed without Kazakh letters: «Енбек шартын калай бузуга болады?»."""
    return text.translate(_PLAIN)


def typed_plain(rows: list[dict], lang: str = "kk") -> list[dict]:
    """The rows with their Kazakh questions (and those questions' history) typed without Kazakh letters."""
    out = []
    for row in rows:
        if row.get("lang") == lang:
            history = [{**t, "content": plain_letters(t["content"])} for t in row.get("history", [])]
            row = {**row, "question": plain_letters(row["question"]), **({"history": history} if history else {})}
        out.append(row)
    return out


def _history(row: dict) -> list:
    from assistant.answer.types import Turn

    return [Turn(t["role"], t["content"]) for t in row.get("history", [])]


def evaluate_retrieval(service, rows: list[dict], modes=None, k: int = 5) -> list[dict]:
    """Per answerable question and mode: does the top-1 / top-k chunk text contain the gold evidence?"""
    from assistant.retrieve.hybrid import ABLATIONS, RetrievalMode
    from bench.baselines import LLAMAINDEX_DEFAULT, as_chunks, llamaindex_default_retriever

    modes = modes or all_modes()
    default = llamaindex_default_retriever(service, k) if LLAMAINDEX_DEFAULT in modes else None
    out = []
    for row in rows:
        if not row.get("answerable", True):
            continue
        for mode in modes:
            options = ABLATIONS.get(mode.removeprefix("final "))
            if mode == LLAMAINDEX_DEFAULT:
                chunks = as_chunks(default.retrieve(row["question"]))
            else:
                chunks = service.retrieve(
                    row["question"], k=k, history=_history(row),
                    mode=RetrievalMode.FINAL if options else RetrievalMode(mode), options=options,
                )
            hits = [evidence_in(c.text, row["evidence"]) for c in chunks]
            out.append(
                {
                    "id": row["id"],
                    "lang": row["lang"],
                    "mode": mode,
                    "hit@1": float(any(hits[:1])),
                    "hit@5": float(any(hits[:5])),
                }
            )
    return out


def evaluate_answers(service, rows: list[dict]) -> list[dict]:
    """Per question: key-fact recall, cited evidence, abstention, language of the final pipeline's answer; and
    whether the extractive answerer abstains on the same retrieval with each answer-decision ablation."""
    from assistant.answer.extractive import ANSWER_ABLATIONS, QUOTE_ABLATIONS, ExtractiveAnswerer, ablated_answerers

    ablated = ablated_answerers(ANSWER_ABLATIONS, service.settings.domain_lexicons)
    now = ExtractiveAnswerer(lexicon=service.settings.domain_lexicons)  # the answer decision as it is
    quoting = ablated_answerers(QUOTE_ABLATIONS, service.settings.domain_lexicons)
    printed = PrintedPages()
    out = []
    for row in rows:
        started = time.perf_counter()
        answer = service.ask(row["question"], history=_history(row))
        seconds = round(time.perf_counter() - started, 3)
        checked, standalone, extra, _ = service.prepare(row["question"], _history(row))
        chunks = service.retriever.retrieve(standalone, checked.language, service.settings.top_k, extra_queries=extra)
        answerable = row.get("answerable", True)
        item = {
            "id": row["id"],
            "lang": row["lang"],
            "answerable": answerable,
            "abstained": not answer.answerable,
            "language_ok": answer.language == row["lang"],
            "answer_language": answer.language,
            "seconds": seconds,
            **{f"abstained {name}": not a.answer(checked.text, checked.language, chunks).answerable
               for name, a in ablated.items()},
        }
        if answerable:
            for suffix, a in (("", answer), *((f" {name}", q.answer(checked.text, checked.language, chunks))
                                                for name, q in quoting.items())):
                quotes = " ".join(c.quote for c in a.citations)
                item[f"key_fact_recall{suffix}"] = key_fact_recall(f"{a.answer} {quotes}", row.get("keys", []))
                item[f"cited_evidence{suffix}"] = any(evidence_in(c.text, row["evidence"]) for c in a.citations)
                item[f"quoted_chars{suffix}"] = len(quotes) if a.answerable else None  # what the reader gets
            item["on_cited_page"] = printed.share_on_cited_page(answer.citations)
            # the same question without the retrieved chunks that hold its gold evidence: the sources then lack the
            # answer (mostly), so abstaining is right; every set gets unanswerable questions this way
            rest = [c for c in chunks if not evidence_in(c.text, row["evidence"])]
            if len(rest) < len(chunks):
                kept = now.answer(checked.text, checked.language, rest) if rest else None
                item[GOLD_REMOVED] = kept is None or not kept.answerable
        out.append(item)
    return out


QUOTE_HEAD = 30  # letters of a quote that must be printed on its cited page


class PrintedPages:
    """Whether a citation's quote is printed on the page it names, read back from the cited file itself (a PDF
    whose pages are numbered): the check a reader makes before pasting the reference."""

    def __init__(self) -> None:
        self._pages: dict[str, dict[int, str] | None] = {}

    def _of(self, source: str) -> dict[int, str] | None:
        if source not in self._pages:
            from index.load import load

            path = Path(source)
            pages = None
            if path.suffix.lower() == ".pdf" and path.exists():
                pages = {p.number: _letters(p.text) for p in load(path, ocr_languages="").pages if p.number}
            self._pages[source] = pages or None
        return self._pages[source]

    def share_on_cited_page(self, citations) -> float | None:
        """The share of the citations with a page whose first quoted sentence starts on that page (its first
        QUOTE_HEAD letters are printed there: a sentence may run on to the next page); None when no citation
        names a page of a readable PDF."""
        found = []
        for c in citations:
            pages = self._of(c.source) if c.page is not None else None
            if pages is not None:
                head = _letters(c.quote.split(" … ")[0])[:QUOTE_HEAD]
                found.append(bool(head) and head in pages.get(c.page, ""))
        return mean(float(f) for f in found) if found else None


def _letters(text: str) -> str:
    """Letters and digits only, lower case: a PDF's line breaks, hyphens and spacing aside."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def summarize(retrieval: list[dict], answers: list[dict]) -> dict:
    """Per-language and overall figures from the per-question records."""
    groups = [*LANGS, "all"]
    ret_rows = []
    for mode in all_modes():
        row: dict = {"mode": mode}
        for lang in groups:
            sel = [r for r in retrieval if r["mode"] == mode and lang in (r["lang"], "all")]
            row[f"{lang} hit@1"] = mean(r["hit@1"] for r in sel)
            row[f"{lang} hit@5"] = mean(r["hit@5"] for r in sel)
        if any(r["mode"] == mode for r in retrieval):
            ret_rows.append(row)
    ans_rows = []
    for lang in groups:
        sel = [a for a in answers if lang in (a["lang"], "all")]
        ok = [a for a in sel if a["answerable"]]
        un = [a for a in sel if not a["answerable"]]
        ans_rows.append(
            {
                "lang": lang,
                "questions": len(sel),
                **{
                    f"{metric}{suffix}": mean_present((a.get(f"{field}{suffix}") for a in ok),
                                                      whole=field == "quoted_chars")
                    for suffix in ("", *(f" {name}" for name in quote_ablation_names(answers)))
                    for metric, field in QUOTE_METRICS
                },
                "quotes on cited page": mean_present(a.get("on_cited_page") for a in ok),
                "abstention acc": mean(float(a["abstained"]) for a in un) if un else None,
                "false abstentions": f"{sum(a['abstained'] for a in ok)}/{len(ok)}",
                "abstained, gold removed": _share([a[GOLD_REMOVED] for a in ok if GOLD_REMOVED in a]),
                "language acc": mean(float(a["language_ok"]) for a in sel),
                **{
                    column: value
                    for name in ablation_names(answers)
                    for column, value in (
                        (f"abstention acc {name}", mean(float(a[f"abstained {name}"]) for a in un) if un else None),
                        (f"false abstentions {name}", f"{sum(a[f'abstained {name}'] for a in ok)}/{len(ok)}"),
                    )
                },
            }
        )
    return {"retrieval": ret_rows, "answers": ans_rows}


GOLD_REMOVED = "abstained_gold_removed"


def _share(flags: list[bool]) -> str:
    return f"{sum(flags)}/{len(flags)}"


# the answers' figures that quote selection moves: column -> record field (quoted chars: mean characters quoted
# per answered question, the price of quoting more)
QUOTE_METRICS = (("key-fact recall", "key_fact_recall"), ("cited evidence", "cited_evidence"),
                 ("quoted chars", "quoted_chars"))


def quote_ablation_names(answers: list[dict]) -> list[str]:
    """The quote-selection ablations the records carry (`key_fact_recall <name>`)."""
    return list(dict.fromkeys(k.removeprefix("key_fact_recall ") for a in answers for k in a
                              if k.startswith("key_fact_recall ")))


def ablation_names(answers: list[dict]) -> list[str]:
    """The answer-decision ablations the records carry (`abstained <name>`)."""
    return [key.removeprefix("abstained ") for key in (answers[0] if answers else {}) if key.startswith("abstained ")]


def failures(retrieval: list[dict], answers: list[dict]) -> list[dict]:
    """One line per question that failed anything, to guide tuning."""
    found: dict[str, list[str]] = {}
    for r in retrieval:
        if r["mode"] == "final" and not r["hit@5"]:
            found.setdefault(r["id"], []).append("final: evidence not in top 5")
        elif r["mode"] == "final" and not r["hit@1"]:
            found.setdefault(r["id"], []).append("final: evidence not at rank 1")
    for a in answers:
        why = found.setdefault(a["id"], [])
        if a["answerable"]:
            if a["abstained"]:
                why.append("false abstention")
            if a["key_fact_recall"] < 1:
                why.append(f"key facts {a['key_fact_recall']:.2f}")
            if not a["cited_evidence"]:
                why.append("no citation holds the evidence")
        elif not a["abstained"]:
            why.append("answered an unanswerable question")
        if not a["language_ok"]:
            why.append(f"answer language {a['answer_language']}")
    return [{"id": i, "failed": "; ".join(w)} for i, w in found.items() if w]


def report(
    rows: list[dict],
    retrieval: list[dict],
    answers: list[dict],
    out_dir: Path | None = None,
    extra: dict | None = None,
    name: str = "qa",
) -> tuple[dict, str]:
    """Write <name>.json / <name>.md; returns the data and the Markdown."""
    summary = summarize(retrieval, answers)
    fails = failures(retrieval, answers)
    md = (
        f"Questions: {len(rows)} ({sum(not r.get('answerable', True) for r in rows)} unanswerable); "
        "evidence hit = gold evidence phrase inside the retrieved chunk text.\n\n## Retrieval\n\n"
        + table(summary["retrieval"])
        + "\n## Final pipeline, extractive answerer\n\n"
        + "Columns ending in `− X`: the same retrieval answered with that part of the answer decision switched off, "
        "or that quote-selection setting set back (assistant/answer/extractive.py, ANSWER_ABLATIONS, "
        "QUOTE_ABLATIONS). `abstained, gold removed`: each answerable question whose gold evidence was retrieved, "
        "answered again without the chunks that hold it (the sources then mostly lack the answer: abstaining is "
        "right).\n\n"
        + table(summary["answers"])
        + "\n## Failures\n\n"
        + table(fails, ["id", "failed"])
    )
    data = {
        **(extra or {}),
        "questions": len(rows),
        **summary,
        "failures": fails,
        "per_question": {"retrieval": retrieval, "answers": answers},
    }
    write(name, data, md, out_dir)
    return data, md


def result_name(file: Path) -> str:
    """qa for the dev set, qa-<file stem> for another file, qa-<folder> for a folder's qa.jsonl (legal/qa.jsonl)."""
    if file.stem == "dev_qa":
        return "qa"
    return f"qa-{file.parent.name if file.stem == 'qa' else file.stem}"


def run(
    file: Path,
    corpus: Path | None = None,
    home: Path | None = None,
    out_dir: Path | None = None,
    limit: int | None = None,
    settings: dict | None = None,
    name: str | None = None,
    plain: bool = False,
) -> str:
    """Index the shipped corpus into its own collection, evaluate a question file, write the results (qa.* for
    the dev set, qa-<file stem>.* for any other file, e.g. the held-out probe set); with `plain`, the Kazakh
    questions are asked as typed without Kazakh letters."""
    from assistant.service import Derek
    from assistant.settings import Settings

    rows = load_dev(file)[:limit]
    rows = typed_plain(rows) if plain else rows
    home = home or Path(tempfile.mkdtemp(prefix="derek-bench-qa-"))
    folder = (corpus or REPO / "corpus").resolve()
    # one collection per document folder: the article and the legal texts are never mixed in one index
    slug = "".join(ch if ch.isalnum() else "_" for ch in folder.name)[:40]
    derek = Derek(Settings(home=home, collection=f"bench_qa_{slug}", **(settings or {})))
    indexed = derek.index([corpus or REPO / "corpus"])
    retrieval = evaluate_retrieval(derek, rows)
    answers = evaluate_answers(derek, rows)
    _, md = report(
        rows,
        retrieval,
        answers,
        out_dir,
        {"file": str(file), "home": str(home), "index": indexed.to_dict()},
        name=name or result_name(file),
    )
    return md
