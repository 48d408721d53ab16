"""Where benchmark data and results live, and how a result is written: JSON plus a Markdown table."""

from __future__ import annotations

import json
import os
import platform
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path

from index.errors import DerekError

REPO = Path(__file__).resolve().parents[1]
SHARED_BENCH = REPO.parent / "shared" / "bench"
RESULTS = REPO / "bench" / "results"


def require(path: Path, what: str) -> Path:
    """The path, or a one-line DerekError saying which data is missing."""
    if not path.exists():
        raise DerekError(f"{what} not found at {path}; pass --data PATH (see ../shared/bench/SOURCES.md).")
    return path


def bench_home(name: str) -> Path:
    """A benchmark's own Derek home, never the user's collection."""
    return REPO / ".derek" / f"bench-{name}"


def _program() -> str:
    """`derek` when run through the CLI, else how the module was started."""
    name = Path(sys.argv[0]).name if sys.argv else ""
    return "derek" if name == "derek" else "python -m bench.cli"


def machine() -> dict:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "loadavg 1/5/15": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "command": f"{_program()} {shlex.join(sys.argv[1:])}".strip(),
    }


def fmt(value) -> str:
    if isinstance(value, float):
        return "nan" if value != value else f"{value:.3f}"
    return "" if value is None else str(value)


def table(rows: list[dict], columns: list[str] | None = None) -> str:
    """A Markdown table of dicts (columns default to every key, in first-seen order)."""
    if not rows:
        return "(no rows)\n"
    cols = columns or list(dict.fromkeys(k for r in rows for k in r))
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(fmt(r.get(c)) for c in cols) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def write(name: str, data: dict, markdown: str, out_dir: Path | None = None) -> tuple[Path, Path]:
    """Write <name>.json and <name>.md (with the run's date, cores and command line); returns both paths."""
    out = out_dir or RESULTS
    out.mkdir(parents=True, exist_ok=True)
    meta = machine()
    data = {"bench": name, **meta, **data}
    header = (
        f"# derek bench {name}\n\n{meta['date']} · {meta['cores']} cores · load {meta['loadavg 1/5/15']} · "
        f"Python {meta['python']} · "
        f"`{meta['command']}`\n\n"
    )
    js, md = out / f"{name}.json", out / f"{name}.md"
    js.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    md.write_text(header + markdown, encoding="utf-8")
    return js, md
