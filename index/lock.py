"""One writer per DEREK_HOME: a second indexer waits, then gives up with a clear message."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from index.errors import DerekError


@contextmanager
def writer_lock(home: Path, timeout: float = 30.0) -> Iterator[None]:
    home.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(home / "index.lock"))
    try:
        lock.acquire(timeout=timeout)
    except Timeout as exc:
        raise DerekError(
            f"Another Derek process is indexing into {home} (waited {timeout:g} s); try again when it has finished."
        ) from exc
    try:
        yield
    finally:
        lock.release()
