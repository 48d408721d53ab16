"""What has been indexed: one JSON file of content hashes per store and collection, replaced atomically."""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class ManifestEntry:
    source: str
    path: str  # absolute path at indexing time, for --prune
    sha256: str
    chunks: int
    language: str
    title: str
    indexed_at: str  # ISO 8601, UTC


class Manifest:
    """source -> ManifestEntry, saved after every committed file so a crash loses at most that file's work."""

    def __init__(self, path: Path):
        self.path = path
        self.entries: dict[str, ManifestEntry] = {}
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            self.entries = {k: ManifestEntry(**v) for k, v in data.get("documents", {}).items()}

    @staticmethod
    def location(home: Path, store_where: str, collection: str) -> Path:
        slug = re.sub(r"[^A-Za-z0-9]+", "_", store_where).strip("_")[-80:]
        return home / "manifests" / f"{slug}__{collection}.json"

    def get(self, source: str) -> ManifestEntry | None:
        return self.entries.get(source)

    def put(self, entry: ManifestEntry) -> None:
        self.entries[entry.source] = entry
        self.save()

    def remove(self, source: str) -> None:
        if self.entries.pop(source, None) is not None:
            self.save()

    def clear(self) -> None:
        self.entries = {}
        self.save()

    def save(self) -> None:
        """Write to a temporary file and rename it over the old one (atomic on POSIX)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"documents": {k: asdict(v) for k, v in sorted(self.entries.items())}}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".manifest-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
