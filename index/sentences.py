"""Split Kazakh, Russian and English text into sentences as exact (start, end) spans.

A sentence ends at . ! ? or an ellipsis (with any closing quotes and brackets after it) when the next text
starts like a sentence, and at a line break unless the next line goes on in lower case. Initials and
abbreviations ("В.В. Парамонов", "т.б.", "Dr.") do not end a sentence; decimals ("7.62") never split; nor does the
number of a point that opens a line («1. Еңбек шарты ...», "3.1. The Licensor ..."): it is part of its sentence.
"""

from __future__ import annotations

import re

# Abbreviations after which a capital letter does not start a sentence (titles, units before a noun).
NEVER_FINAL = frozenset(
    """dr mr mrs ms prof st no vol pp fig cf al vs e.g i.e approx
    млн млрд трлн тыс руб долл стр рис табл им акад проф доц г-н т.е т.к напр мыс""".split()
)
# These often end a sentence ("2025 ж.", "т.б."), so a capital letter after them starts one, but not when the
# period closes a bracket: "(2021-2025 жж.) Ынтымақтастық".
SOMETIMES_FINAL = frozenset("ж жж т.б т.с.с т.т г гг т.д т.п etc".split())

_UPPER = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
_TERMINAL = re.compile(r"(?:\.{3}|…|[.!?])+[»\"”’)\]]*(?=\s|$)")
_INITIALS = re.compile(rf"(?:[{_UPPER}]\.)*[{_UPPER}]")
_SENTENCE_START = re.compile(rf"[{_UPPER}0-9«\"“„'(\[\-–—•]")
_LINE_BREAK = re.compile(r"\n")
# the number of a point that opens a line ("1", "3.1"), before its period
POINT_NUMBER = r"\d{1,3}(?:\.\d{1,3})*"
_POINT_NUMBER = re.compile(POINT_NUMBER)


def _token_before(text: str, end: int) -> str:
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:end].lstrip("([«\"“'")


def _next_char(text: str, position: int, spaces: str) -> str:
    """The first character at or after ``position`` that is not one of ``spaces`` ("" at the end)."""
    while position < len(text) and text[position] in spaces:
        position += 1
    return text[position] if position < len(text) else ""


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    first = _next_char(text, match.end(), " \t\n\r\f\v\u00a0")
    if not first:
        return True
    if not _SENTENCE_START.match(first):
        return False
    if match.group().rstrip('»"”’)]') != ".":
        return True
    token = _token_before(text, match.start())
    if _POINT_NUMBER.fullmatch(token) and _opens_line(text, match.start() - len(token)):
        return False
    if _INITIALS.fullmatch(token) or (len(token) == 1 and token.isalpha() and token not in SOMETIMES_FINAL):
        return False
    if token.lower() in SOMETIMES_FINAL:  # "2019 ж. 11 наурызда" goes on; "2019 ж. Бұл" may not
        return first.isupper() and not match.group().endswith((")", "]"))
    return token.lower() not in NEVER_FINAL


def _opens_line(text: str, position: int) -> bool:
    """True when only spaces stand between the start of the line and ``position``."""
    line_start = text.rfind("\n", 0, position) + 1
    return not text[line_start:position].strip(" \t")


def _continues_line(text: str, newline: int) -> bool:
    """True when the line after ``newline`` goes on with the same sentence (starts in lower case)."""
    return _next_char(text, newline + 1, " \t").islower()


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text``: ``text[s:e]`` is a sentence without surrounding whitespace."""
    cuts = {m.end() for m in _TERMINAL.finditer(text) if _ends_sentence(text, m)}
    cuts.update(m.start() for m in _LINE_BREAK.finditer(text) if not _continues_line(text, m.start()))
    spans = []
    start = 0
    for cut in sorted(cuts) + [len(text)]:
        if cut <= start:
            continue
        span = _strip_span(text, start, cut)
        if span:
            spans.append(span)
        start = cut
    return spans


def _strip_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
