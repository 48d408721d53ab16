"""Prompt templates from the `prompts` package: `<name>.<language>.md` (or `<name>.md`) with `## system` and
`## user` sections and `{placeholder}` fields, loaded as LlamaIndex `ChatPromptTemplate`s (one pass: text
inserted into a field is never expanded again)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from llama_index.core.llms import ChatMessage, MessageRole
from llama_index.core.prompts import ChatPromptTemplate

from index.errors import DerekError
from index.text.language import LANGUAGES

# the installed `prompts` package (package data in a wheel, the repo folder in an editable install)
PROMPTS_DIR = Path(str(resources.files("prompts")))
LANGUAGE_NAMES = {"kk": "Kazakh", "ru": "Russian", "en": "English"}
# The fixed abstention sentence of each language; the answer prompts tell the model to use it verbatim.
NO_ANSWER = {
    "kk": "Дереккөздерде бұл сұраққа жауап табылмады.",
    "ru": "В источниках нет ответа на этот вопрос.",
    "en": "The sources do not contain the answer to this question.",
}
_SECTION = re.compile(r"^## (system|user)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Prompt:
    """A system and a user template, as a LlamaIndex ChatPromptTemplate."""

    system: str
    user: str

    @property
    def template(self) -> ChatPromptTemplate:
        return ChatPromptTemplate(message_templates=[
            ChatMessage(role=MessageRole.SYSTEM, content=self.system),
            ChatMessage(role=MessageRole.USER, content=self.user),
        ])

    def messages(self, **values: str) -> list[ChatMessage]:
        """The system and user messages with the fields filled (unknown fields are left as they are)."""
        return self.template.format_messages(**{k: str(v) for k, v in values.items()})

    def render(self, **values: str) -> tuple[str, str]:
        """(system, user) texts with the fields filled."""
        system, user = self.messages(**values)
        return system.content or "", user.content or ""


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
