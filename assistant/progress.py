"""A rich progress bar over files, fed by the indexing pipeline's progress callback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

STAGES = {"file": "files", "page": "  pages read", "embed": "  texts embedded"}


@contextmanager
def rich_progress(disable: bool = False) -> Iterator:
    if disable:
        yield None
        return
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TextColumn("{task.fields[source]}"), transient=True)
    tasks: dict[str, int] = {}

    def update(stage: str, done: int, total: int, source: str) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(STAGES.get(stage, stage), total=total, source="")
        bar.update(tasks[stage], completed=done, total=total, source=source[-50:])

    with bar:
        yield update
