"""Numbers in text as canonical strings, so that claim verification and retrieval compare quantities exactly.

Choices: "7,62" == "7.62" -> "7.62"; "7 620" == "7,620" == "7620" (a separator followed by exactly three
digits is a thousands group unless the integer part is 0 or a magnitude word such as "млрд"/"billion"
follows); percentages yield "15%" and "15"; ranges "2023-2024" yield both ends; dates "18.05.2023" yield day,
month and year; signs and number words ("three", "үш") are ignored; bracketed citations "[16]" and digits
glued to letters ("H2O", "G20", "COVID-19") are not numbers. Letters glued after a number are allowed
("2022-ші", "19th", "5G" -> "5").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

_SPACE = " \u00a0\u202f\u2009"
# a maximal run of digit groups joined by single separators
_RUN = re.compile(rf"(?<!\d)(?<![^\W\d_])(?<![^\W\d_]-)\d+(?:[{_SPACE},.]\d+)*")
_CITATION = re.compile(
    r"\[\s*\d+(?:\s*[,;–-]\s*\d+)*(?:\s*[,;]\s*(?:p|pp|s|с|б|бб|стр)\.?\s*\d+(?:\s*[–-]\s*\d+)?)?\s*\]"
)
_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\d.]\d)")
_PERCENT = re.compile(r"\s?(?:%|пайыз|процент|percent\b|per cent\b|проц\.)", re.IGNORECASE)
_MAGNITUDE = re.compile(
    r"\s*(?:млн|млрд|трлн|миллион|миллиард|триллион|мың|тыс|million|billion|trillion|thousand|bn\b|mln\b)",
    re.IGNORECASE,
)


def _canonical(integer: str, fraction: str = "") -> str:
    integer = integer.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    return f"{integer}.{fraction}" if fraction else integer


def _split_run(run: str, magnitude_follows: bool) -> Iterator[tuple[str, str | None]]:
    """Yield (canonical, alternative reading or None) for each number in one digit run."""
    parts = re.split(rf"([{_SPACE},.])", run)
    groups, seps = parts[0::2], [" " if s in _SPACE else s for s in parts[1::2]]
    i = 0
    while i < len(groups):
        head = groups[i]
        j = i
        thousands: list[str] = []
        # thousands groups: one separator kind, each exactly three digits, head of 1-3 digits (not "0")
        if len(head) <= 3 and head != "0":
            while j < len(seps) and len(groups[j + 1]) == 3 and (not thousands or seps[j] == thousands[0]):
                thousands.append(seps[j])
                j += 1
        kind = thousands[0] if thousands else None
        alternative = None
        if kind in (",", ".") and len(thousands) == 1 and j == len(seps):
            # one "," or "." group is ambiguous: decimal before a magnitude ("2,519 млрд"), else thousands
            alternative = _canonical(head + groups[j]) if magnitude_follows else _canonical(head, groups[j])
            if magnitude_follows:
                j, kind = i, None
        integer = "".join(groups[i : j + 1])
        if j < len(seps) and seps[j] in ",." and seps[j] != kind:
            # decimal part: "7,62", "1 234,56", "1,234.56"
            yield _canonical(integer, groups[j + 1]), alternative
            i = j + 2
        else:
            yield _canonical(integer), alternative
            i = j + 1


def _scan(text: str, alternatives: bool) -> list[str]:
    text = _CITATION.sub(" ", text)
    found: list[str] = []
    for m in _DATE.finditer(text):
        found += [_canonical(g) for g in m.groups()]
    text = _DATE.sub(" ", text)
    for m in _RUN.finditer(text):
        rest = text[m.end() : m.end() + 12]
        percent = bool(_PERCENT.match(rest))
        numbers = list(_split_run(m.group(), bool(_MAGNITUDE.match(rest))))
        for k, (number, alternative) in enumerate(numbers):
            if percent and k == len(numbers) - 1:
                found.append(number + "%")
            found.append(number)
            if alternatives and alternative:
                found.append(alternative)
    return list(dict.fromkeys(found))


def extract_numbers(text: str) -> list[str]:
    """Canonical numbers in text, in order of first appearance, without duplicates."""
    return _scan(text, alternatives=False)


def numbers_match(claim_numbers: Iterable[str], source_text: str) -> list[str]:
    """The claim numbers (canonical, or raw like "7,62") that do not occur in source_text."""
    present = set(_scan(source_text, alternatives=True))
    missing = []
    for number in claim_numbers:
        forms = extract_numbers(number)
        if number not in present and not (forms and forms[0] in present):
            missing.append(number)
    return missing
