"""The `derek` command line: index, status, ask, retrieve, chat, ui, bench. Errors become one line and exit 1."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from index.errors import DerekError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Derek: cited answers from your sources, in Kazakh, Russian and English.",
)



def _add_command_groups(typer_app: typer.Typer) -> None:
    """Command groups installed beside Derek register under the entry point group "derek.commands" (the
    benchmarks add `derek bench` that way): the product never imports them."""
    from importlib.metadata import entry_points

    for entry in entry_points(group="derek.commands"):
        try:
            typer_app.add_typer(entry.load(), name=entry.name)
        except Exception:  # noqa: BLE001 -- a broken optional group must not break `derek`
            continue


_add_command_groups(app)

CollectionOpt = Annotated[
    str | None, typer.Option("--collection", help="Chroma collection (default DEREK_COLLECTION).")
]


def _service(collection: str | None = None):
    from assistant.service import Derek
    from assistant.settings import get_settings

    return Derek(get_settings(), collection=collection)


def _print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


@app.command()
def index(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: corpus/).")] = None,
    collection: CollectionOpt = None,
    prune: Annotated[bool, typer.Option("--prune", help="Remove chunks of files that no longer exist.")] = False,
    reset: Annotated[bool, typer.Option("--reset", help="Drop the collection and rebuild it.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Index source files (txt, md, pdf, docx, html) into Chroma, incrementally."""
    from rich.console import Console

    from assistant.progress import rich_progress

    err = Console(stderr=True)
    targets = paths or [Path("corpus")]
    service = _service(collection)
    with rich_progress(disable=as_json or not sys.stderr.isatty()) as progress:
        report = service.index(
            targets, prune=prune, reset=reset, progress=progress, lock_timeout=service.settings.lock_timeout
        )
    if as_json:
        _print_json(report.to_dict())
    else:
        for path, reason in report.failed:
            err.print(f"[red]failed[/red] {path}: {reason}", highlight=False, soft_wrap=True)
        for path, note in report.notes:
            err.print(f"[yellow]note[/yellow] {path}: {note}", highlight=False, soft_wrap=True)
        print(report.summary())
    indexed = report.added or report.updated or report.skipped or report.removed
    if report.failed and not indexed:
        raise typer.Exit(1)


@app.command()
def status(
    collection: CollectionOpt = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """What is indexed, where, and how Derek is configured (keys shown only as set/unset)."""
    info = _service(collection).status()
    if as_json:
        _print_json(info)
        return
    for key, value in info.items():
        if key != "documents_list":
            print(f"{key:>14}: {value}")
    for doc in info.get("documents_list", []):
        print(f"  - {doc['source']} ({doc['chunks']} chunks, {doc['language']}, {doc['indexed_at']})")


def _parse_line(line: str) -> dict:
    item = json.loads(line)
    if not isinstance(item, dict) or not isinstance(item.get("question"), str):
        raise ValueError("needs a string field 'question'")
    history = item.get("history") or []
    if not isinstance(history, list) or not all(
        isinstance(t, dict) and t.get("role") in ("user", "assistant") and isinstance(t.get("content"), str)
        for t in history
    ):
        raise ValueError("'history' must be a list of {role: user|assistant, content}")
    return item


BATCH_HELP = "JSONL file of {id, question, history?}; - reads standard input."


def _read_batch(path: Path) -> list[dict]:
    """Lines of a JSONL batch: {"id", "question", "history"?}; a malformed line becomes {"id", "error"}. `-` is
    standard input; any readable path works (a named pipe, `<(...)`), not only a regular file."""
    if str(path) == "-":
        text = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    else:
        try:
            if path.is_dir():
                raise DerekError(f"Batch file not found: {path} is a folder")
            with open(path, "rb") as handle:  # a pipe or /dev/fd/N is readable but not is_file()
                text = handle.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            raise DerekError(f"Batch file not found: {path}") from None
        except OSError as exc:
            raise DerekError(f"Cannot read the batch file {path}: {exc.strerror or exc}") from None
    items = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(_parse_line(line))
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            try:
                raw_id = json.loads(line).get("id")
            except (ValueError, AttributeError):
                raw_id = None
            items.append({"id": raw_id if raw_id is not None else f"line-{n}", "error": f"line {n}: {exc}"})
    if not items:
        raise DerekError(f"Batch file {path} has no questions (one JSON object per line).")
    return items


def _redact(text: str) -> str:
    """`text` without the configured API keys: a server's error message may echo the key it was sent."""
    from assistant.settings import get_settings

    try:
        settings = get_settings()
    except Exception:  # invalid settings: no key could have been sent
        return text
    for secret in (settings.llm_api_key, settings.openai_api_key):
        if secret and secret.get_secret_value():
            text = text.replace(secret.get_secret_value(), "[redacted]")
    return text


def _argv_text(text: str | None) -> str | None:
    """A command-line argument with undecodable bytes (surrogate escapes) as U+FFFD, so it can be printed."""
    return None if text is None else text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _history(item: dict):
    from assistant.answer.types import Turn

    return [Turn(t["role"], t["content"]) for t in item.get("history") or []]


def _render_answer(answer) -> str:
    from assistant.messages import message

    lang = answer.language
    lines = [answer.answer]
    if answer.citations:
        lines += ["", message("references", lang) + ":"]
        for c in answer.citations:
            where = c.reference or ", ".join(
                x for x in (c.source, f"{message('page', lang)} {c.page}" if c.page else "", c.section or "") if x
            )
            lines.append(f"[{c.marker}] {where}")
            lines.append(f"    «{c.quote}»")
            if c.quote_translation:
                lines.append(f"    ({message('machine_translation', lang)}) «{c.quote_translation}»")
    if answer.unsupported:
        lines += ["", "! " + message("unsupported_header", lang)]
        lines += [f"  ! {u}" for u in answer.unsupported]
    return "\n".join(lines)


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question (kk, ru or en).")] = None,
    batch: Annotated[Path | None, typer.Option("--batch", help=BATCH_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output (one object per line).")] = False,
    collection: CollectionOpt = None,
    k: Annotated[int | None, typer.Option("--k", min=1, max=50, help="Chunks given to the answerer.")] = None,
) -> None:
    """Answer a question with numbered references, or every line of a batch file."""
    if (question is None) == (batch is None):
        raise DerekError("Give a question or --batch FILE.jsonl (not both).")
    question = _argv_text(question)
    service = _service(collection)
    if batch is None:
        answer = service.ask(question, k=k)
        if as_json:
            _print_json(answer.to_dict())
        else:
            print(_render_answer(answer))
        return
    answered = 0
    for item in _read_batch(batch):
        if "error" in item:
            _print_json({"id": item["id"], "error": item["error"]})
            continue
        try:
            answer = service.ask(item["question"], history=_history(item), k=k)
            out = {"id": item.get("id"), **answer.to_dict()}
            answered += 1
        except DerekError as exc:
            out = {"id": item.get("id"), "error": _redact(str(exc))}
        if as_json:
            _print_json(out)
        else:
            print(f"# {out['id']}\n" + (out.get("error") or _render_answer(answer)) + "\n")
    if not answered:  # every line of the batch was malformed or refused
        raise typer.Exit(1)


@app.command()
def retrieve(
    question: Annotated[str | None, typer.Argument(help="The question.")] = None,
    batch: Annotated[Path | None, typer.Option("--batch", help=BATCH_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    collection: CollectionOpt = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100)] = 5,
) -> None:
    """The chunks the final pipeline retrieves (after fusion and rerank), best first."""
    if (question is None) == (batch is None):
        raise DerekError("Give a question or --batch FILE.jsonl (not both).")
    service = _service(collection)
    items = [{"id": None, "question": _argv_text(question)}] if batch is None else _read_batch(batch)
    answered = 0
    for item in items:
        if "error" in item:
            _print_json({"id": item["id"], "error": item["error"]})
            continue
        try:
            chunks = service.retrieve(item["question"], k=k, history=_history(item))
        except DerekError as exc:
            if batch is None:
                raise
            _print_json({"id": item.get("id"), "error": _redact(str(exc))})
            continue
        answered += 1
        results = [
            {"rank": r, "score": round(c.score, 4), "chunk_id": c.chunk_id, "source": c.source, "text": c.text}
            for r, c in enumerate(chunks, start=1)
        ]
        if as_json:
            _print_json({"id": item.get("id"), "question": item["question"], "results": results})
        else:
            for r in results:
                print(f"{r['rank']}. [{r['score']:.3f}] {r['source']} {r['chunk_id']}\n   {r['text'][:200]}")
    if not answered:  # every line of the batch was malformed or refused
        raise typer.Exit(1)


@app.command()
def chat(collection: CollectionOpt = None) -> None:
    """Interactive terminal chat with follow-ups (empty line or Ctrl-D to quit, /new to start over)."""
    from assistant.chat import ChatSession

    session = ChatSession(_service(collection))
    while True:
        try:
            question = input("you> ").strip()
        except EOFError:
            print()
            return
        if not question:
            return
        if question == "/new":
            session.reset()
            continue
        try:
            print(_render_answer(session.ask(question)) + "\n")
        except DerekError as exc:
            print(f"derek: {_redact(str(exc))}")


@app.command()
def ui(
    port: Annotated[int | None, typer.Option("--port", help="Port (default DEREK_PORT or 8501).")] = None,
    host: Annotated[str | None, typer.Option("--host", help="Bind address (default DEREK_HOST, 127.0.0.1).")] = None,
) -> None:
    """Start the Streamlit chat UI."""
    import subprocess

    from assistant.settings import get_settings

    settings = get_settings()
    app_path = Path(__file__).resolve().parents[1] / "ui" / "app.py"
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_path),
        "--server.address",
        host or settings.host,
        "--server.port",
        str(port or settings.port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.maxUploadSize",
        str(settings.upload_max_mb),
        "--client.toolbarMode",
        "minimal",
    ]
    raise typer.Exit(subprocess.call(cmd))


def main() -> None:
    """Entry point of `derek`."""
    run(app)


def run(typer_app: typer.Typer) -> None:
    """Run a command group the way users meet every one: DerekError -> one line on stderr and exit 1; an invalid
    DEREK_* setting -> one line and exit 1; Ctrl-C -> exit 130."""
    from pydantic import ValidationError

    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    try:
        typer_app()
    except DerekError as exc:
        sys.stderr.write(f"derek: error: {_redact(str(exc))}\n")
        sys.exit(1)
    except ValidationError as exc:  # a DEREK_* variable that is not a valid value (its value is not echoed)
        first = exc.errors()[0]
        name = "DEREK_" + "_".join(map(str, first["loc"])).upper()
        sys.stderr.write(f"derek: error: invalid setting {name}: {first['msg']}\n")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.stderr.write("derek: interrupted\n")
        sys.exit(130)


if __name__ == "__main__":
    main()
