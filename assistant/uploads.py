"""Files uploaded through the UI: allow-listed types, sniffed content, safe names, no silent overwrite."""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from pathlib import Path

from index.errors import DerekError
from index.load import SUPPORTED_SUFFIXES, decode

MAX_STEM_CHARS = 80
_UNSAFE = re.compile(r"[^\w\-.]+", re.UNICODE)  # \w keeps Cyrillic and Kazakh letters and digits
_TEXT_SUFFIXES = (".txt", ".md", ".html", ".htm")


def safe_name(name: str) -> str:
    """A plain basename: no folders, no leading dots, only letters, digits, '-', '_' and '.'."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").split("/")[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = _UNSAFE.sub("_", stem.replace("\x00", "")).strip("._-")[:MAX_STEM_CHARS].strip("._-")
    suffix = re.sub(r"[^a-z0-9]", "", suffix.lower())
    return f"{stem or 'upload'}.{suffix}" if suffix else stem or "upload"


def check_content(name: str, suffix: str, data: bytes) -> None:
    """Refuse bytes that are not what the extension claims (DerekError)."""
    if suffix == ".pdf" and not data.startswith(b"%PDF-"):
        raise DerekError(f"{name}: not a PDF file (it does not start with %PDF-)")
    if suffix == ".docx":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" not in archive.namelist():
                    raise DerekError(f"{name}: not a Word document (word/document.xml is missing)")
        except zipfile.BadZipFile:
            raise DerekError(f"{name}: not a Word document (not a DOCX zip archive)") from None
    if suffix in _TEXT_SUFFIXES:
        if b"\x00" in data:
            raise DerekError(f"{name}: not a text file (it contains binary data)")
        decode(data, name)


def save_upload(name: str, data: bytes, uploads_dir: Path, max_bytes: int) -> Path:
    """Check an uploaded file and store it under `uploads_dir`; identical bytes already stored are reused."""
    clean = safe_name(name)
    suffix = Path(clean).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        raise DerekError(f"{clean}: unsupported file type '{suffix or '(none)'}' (supported: {supported})")
    if not data:
        raise DerekError(f"{clean}: the file is empty")
    if len(data) > max_bytes:
        size, limit = len(data) / 2**20, max_bytes / 2**20
        raise DerekError(f"{clean}: too large ({size:.1f} MB; the limit is {limit:.0f} MB)")
    check_content(clean, suffix, data)
    uploads_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).digest()
    stem = Path(clean).stem
    for n in range(1000):
        target = uploads_dir / (clean if n == 0 else f"{stem}-{n}{suffix}")
        if not target.exists() and _write_new(target, data):
            return target
        if target.is_file() and hashlib.sha256(target.read_bytes()).digest() == digest:
            return target
    raise DerekError(f"{clean}: too many files with this name; rename it and upload again")


def _write_new(target: Path, data: bytes) -> bool:
    """Write `data` to a temporary file and link it to `target` only if nothing is there yet (atomic)."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")  # mode 0600: never executable
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.link(tmp, target)
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(tmp)
