"""Progress of long indexing work: a rich progress bar over files (CLI), and the time left within a file (CLI and
UI), fed by the indexing pipeline's progress callback."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

STAGES = {"file": "files", "page": "  pages read", "embed": "  texts embedded", "words": "  new words embedded"}


@contextmanager
def rich_progress(disable: bool = False) -> Iterator:
    if disable:
        yield None
        return
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TimeRemainingColumn(), TextColumn("{task.fields[source]}"), transient=True)
    tasks: dict[str, int] = {}

    def update(stage: str, done: int, total: int, source: str) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(STAGES.get(stage, stage), total=total, source="")
        bar.update(tasks[stage], completed=done, total=total, source=source[-50:])

    with bar:
        yield update


class TimeLeft:
    """Seconds left in a stage of one file (pages read, texts embedded), from its pace so far: None until it has
    run a second and done something. A new file or stage starts a new estimate."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, settle: float = 1.0):
        self.clock, self.settle = clock, settle
        self._started: dict[tuple[str, str], float] = {}

    def update(self, stage: str, done: int, total: int, source: str) -> float | None:
        now = self.clock()
        started = self._started.setdefault((source, stage), now)
        elapsed = now - started
        if done <= 0 or total <= done or elapsed < self.settle:
            return None
        return elapsed * (total - done) / done


def clock_text(seconds: float) -> str:
    """1:05 for 65 s, 1:02:05 past an hour (the same in every language)."""
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
