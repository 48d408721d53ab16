"""The distinct word forms of a document: what the cross-lingual term bridge can map a question's words onto."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MIN_LETTERS = 4  # shorter words are mostly function words and abbreviations (matched by the lexicon and names)
_WORD = re.compile(r"[^\W\d_]+")


def word_forms(texts: Iterable[str]) -> list[str]:
    """Lowercased word forms of 4+ letters, once each, in order of first occurrence."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in _WORD.findall(unicodedata.normalize("NFKC", text).lower()):
            if len(word) >= MIN_LETTERS:
                seen.setdefault(word, None)
    return list(seen)
