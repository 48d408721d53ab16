"""Prompt templates from the repo's prompts/ folder: `<name>.<language>.md` (or `<name>.md`) with
`## system` and `## user` sections and `{placeholder}` fields."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from index.errors import DerekError

# the installed `prompts` package (package data in a wheel, the repo folder in an editable install)
PROMPTS_DIR = Path(str(resources.files("prompts")))
LANGUAGES = ("kk", "ru", "en")
LANGUAGE_NAMES = {"kk": "Kazakh", "ru": "Russian", "en": "English"}
# The fixed abstention sentence of each language; the answer prompts tell the model to use it verbatim.
NO_ANSWER = {
    "kk": "Дереккөздерде бұл сұраққа жауап табылмады.",
    "ru": "В источниках нет ответа на этот вопрос.",
    "en": "The sources do not contain the answer to this question.",
}
_SECTION = re.compile(r"^## (system|user)\s*$", re.MULTILINE)
_FIELD = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Prompt:
    """A system and a user template."""

    system: str
    user: str

    def render(self, **values: str) -> tuple[str, str]:
        """(system, user) with `{name}` fields filled in one pass; inserted text is never re-expanded."""

        def fill(text: str) -> str:
            return _FIELD.sub(lambda m: str(values[m[1]]) if m[1] in values else m[0], text)

        return fill(self.system), fill(self.user)


@lru_cache(maxsize=32)
def load_prompt(name: str, language: str | None = None) -> Prompt:
    """The template `name` in `language` (English when that language has none)."""
    candidates = [f"{name}.{language}.md", f"{name}.en.md", f"{name}.md"] if language else [f"{name}.md"]
    path = next((PROMPTS_DIR / c for c in candidates if (PROMPTS_DIR / c).is_file()), None)
    if path is None:
        raise DerekError(f"Prompt template '{name}' is missing from {PROMPTS_DIR}; reinstall Derek.")
    parts = _SECTION.split(path.read_text(encoding="utf-8"))
    sections = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    if "user" not in sections:
        raise DerekError(f"Prompt template {path.name} has no '## user' section.")
    return Prompt(system=sections.get("system", ""), user=sections["user"])


def other_languages(language: str) -> list[str]:
    """The two languages a question is translated into for retrieval, e.g. 'kk' -> ['ru', 'en']."""
    return [code for code in LANGUAGES if code != language][:2]
