"""Checks a question before it reaches retrieval: empty, control characters, length limits."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from assistant.messages import message
from index.errors import DerekError
from index.text.language import detect_language, fix_mixed_script

# control and invisible direction characters, and lone surrogates (undecodable bytes of a command line)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")


@dataclass
class CheckedQuestion:
    text: str
    language: str
    note: str | None = None  # e.g. that the question was truncated


def check_question(question: str, max_chars: int, refuse_chars: int) -> CheckedQuestion:
    """Normalises a question; raises DerekError for an empty or absurdly long one."""
    if question is None:
        raise DerekError(message("question_empty", "en"))
    if len(question) > refuse_chars:
        lang = detect_language(question[:2000])
        raise DerekError(message("question_too_long", lang, length=len(question), limit=refuse_chars))
    text = fix_mixed_script(unicodedata.normalize("NFC", _CONTROL.sub(" ", question)))
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise DerekError(message("question_empty", "en"))
    language = detect_language(text)
    note = None
    if len(text) > max_chars:
        cut = text[:max_chars]
        text = cut[: cut.rfind(" ")] if " " in cut[max_chars // 2 :] else cut
        note = message("question_truncated", language, limit=max_chars)
    return CheckedQuestion(text=text, language=language, note=note)
