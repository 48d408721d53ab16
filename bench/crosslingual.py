"""FLORES-200 cross-lingual bench: each English / Russian sentence retrieves its Kazakh source article."""

from __future__ import annotations

import sys
from pathlib import Path

from bench.metrics import hit_at_k, mean, mrr_at_k
from bench.report import SHARED_BENCH, bench_home, require, table, write

DATA = SHARED_BENCH / "flores200"
MODES = ("dense", "final")
REFERENCE = {
    ("dense", "en"): {"R@1": 0.777, "R@5": 0.938},
    ("dense", "ru"): {"R@1": 0.751, "R@5": 0.900},
    ("final", "en"): {"R@1": 0.90},
    ("final", "ru"): {"R@1": 0.90},
}


FLORES_NAMES = {"kk": "kaz_Cyrl", "en": "eng_Latn", "ru": "rus_Cyrl"}


def _sentences(data: Path, language: str) -> list[str]:
    """The devtest sentences of a language (kk, en or ru), in FLORES-200's order."""
    name = FLORES_NAMES[language]
    return require(data / f"{name}.devtest", f"FLORES-200 {name}").read_text(encoding="utf-8").splitlines()


def _article_ids(data: Path) -> list[str]:
    """Each sentence's article id: a0000, a0001, ... by first appearance of its source URL."""
    metadata = require(data / "metadata_devtest.tsv", "FLORES-200 metadata").read_text(encoding="utf-8")
    article_of: dict[str, str] = {}
    return [article_of.setdefault(row.split("\t")[0], f"a{len(article_of):04d}") for row in metadata.splitlines()[1:]]


def _articles(ids: list[str], sentences: list[str]) -> dict[str, list[str]]:
    articles: dict[str, list[str]] = {}
    for aid, sentence in zip(ids, sentences, strict=True):
        articles.setdefault(aid, []).append(sentence)
    return articles


def load(data: Path = DATA) -> tuple[dict[str, list[str]], dict[str, list[tuple[str, str]]]]:
    """Kazakh articles (id -> sentences, grouped by source URL) and per-language queries (text, article)."""
    ids = _article_ids(data)
    queries = {lang: list(zip(_sentences(data, lang), ids, strict=True)) for lang in ("en", "ru")}
    return _articles(ids, _sentences(data, "kk")), queries


def write_articles(language: str, folder: Path, data: Path = DATA) -> int:
    """Write the FLORES-200 devtest articles in `language` (kk, en or ru) to `folder`, one file per source URL,
    named as `load` names the Kazakh ones (a0000.txt, ...), so one article id holds in all three languages. A
    question set about Kazakh articles can then be asked over their English or Russian texts."""
    articles = _articles(_article_ids(data), _sentences(data, language))
    folder.mkdir(parents=True, exist_ok=True)
    for aid, sentences in articles.items():
        (folder / f"{aid}.txt").write_text("\n".join(sentences) + "\n", encoding="utf-8")
    return len(articles)


def open_collection(articles: dict[str, list[str]], home: Path, rebuild: bool = False):
    """The bench service with one document per Kazakh article; reused when its manifest lists them all."""
    from assistant.service import Derek
    from assistant.settings import Settings

    folder = home / "articles"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for aid, sentences in articles.items():
        path = folder / f"{aid}.txt"
        text = "\n".join(sentences) + "\n"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    derek = Derek(Settings(home=home, collection="bench_flores"))
    if rebuild or len(derek.manifest.entries) != len(paths) or not derek.store.count():
        return derek, derek.index(paths, reset=rebuild)
    return derek, None


def evaluate(derek, queries: dict[str, list[tuple[str, str]]], modes=MODES, depth: int = 20) -> list[dict]:
    """Per query and mode: rank of the gold article among articles ordered by their best chunk."""
    from assistant.retrieve.hybrid import RetrievalMode

    out = []
    for mode in modes:
        for lang, items in queries.items():
            for n, (text, gold) in enumerate(items):
                chunks = derek.retrieve(text, k=depth, mode=RetrievalMode(mode))
                ranked = list(dict.fromkeys(Path(c.source).stem for c in chunks))
                out.append(
                    {
                        "mode": mode,
                        "lang": lang,
                        "gold": gold,
                        "R@1": hit_at_k(ranked, [gold], 1),
                        "R@5": hit_at_k(ranked, [gold], 5),
                        "MRR@10": mrr_at_k(ranked, [gold], 10),
                    }
                )
                if n % 200 == 0:
                    print(f"  {mode} {lang}->kk: {n}/{len(items)}", file=sys.stderr, flush=True)
    return out


def summarize(rows: list[dict]) -> list[dict]:
    keys = list(dict.fromkeys((r["mode"], r["lang"]) for r in rows))
    return [
        {
            "mode": m,
            "direction": f"{lang}->kk",
            "queries": len(sel := [r for r in rows if (r["mode"], r["lang"]) == (m, lang)]),
            **{k: mean(r[k] for r in sel) for k in ("R@1", "R@5", "MRR@10")},
            **{f"ref {k}": v for k, v in REFERENCE.get((m, lang), {}).items()},
        }
        for m, lang in keys
    ]


def run(
    data: Path = DATA,
    limit: int | None = None,
    rebuild: bool = False,
    home: Path | None = None,
    out_dir: Path | None = None,
) -> str:
    """Index (or reuse) the Kazakh articles, query every en / ru sentence, write crosslingual.json / .md."""
    articles, queries = load(data)
    derek, indexed = open_collection(articles, home or bench_home("crosslingual"), rebuild)
    if limit:
        queries = {lang: items[:limit] for lang, items in queries.items()}
    rows = evaluate(derek, queries)
    summary = summarize(rows)
    md = (
        f"FLORES-200 devtest: {len(articles)} Kazakh articles (sentences grouped by source URL, one document "
        f"each); every English / Russian sentence is a query for its article. `ref` = CEO's plain-script "
        "dense figures; final: target R@1.\n\n"
        + table(summary, ["mode", "direction", "queries", "R@1", "R@5", "MRR@10", "ref R@1", "ref R@5"])
    )
    write(
        "crosslingual",
        {
            "data": str(data),
            "articles": len(articles),
            "chunks": derek.store.count(),
            "index": indexed.to_dict() if indexed else "reused",
            "results": summary,
            "per_query": rows,
        },
        md,
        out_dir,
    )
    return md


if __name__ == "__main__":  # python -m bench.crosslingual en .derek/bench-crosslingual/articles-en [FLORES dir]
    from index.errors import DerekError

    if len(sys.argv) not in (3, 4) or sys.argv[1] not in FLORES_NAMES:
        sys.exit("usage: python -m bench.crosslingual kk|en|ru FOLDER [FLORES-200 folder]")
    try:
        count = write_articles(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]) if len(sys.argv) == 4 else DATA)
    except (DerekError, OSError) as exc:
        sys.exit(f"error: {exc}")
    print(count, "articles written to", sys.argv[2])
