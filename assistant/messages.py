"""User-facing strings per language, from prompts/messages.<lang>.toml (one translation table)."""

from __future__ import annotations

import tomllib
from functools import lru_cache

from assistant.prompts import PROMPTS_DIR
from index.errors import DerekError
from index.text.language import LANGUAGES

__all__ = ["LANGUAGES", "message"]


@lru_cache(maxsize=8)
def _table(language: str) -> dict[str, str]:
    path = PROMPTS_DIR / f"messages.{language}.toml"
    if not path.is_file():  # a broken install: say so rather than print message keys as text
        raise DerekError(f"The message table {path.name} is missing from {PROMPTS_DIR}; reinstall Derek.")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def message(key: str, language: str, **values: object) -> str:
    """The string `key` in `language` (English when missing), with {fields} filled."""
    text = _table(language if language in LANGUAGES else "en").get(key) or _table("en").get(key, key)
    return text.format(**values) if values else text
