"""Tell Kazakh, Russian and English apart, for documents, chunks and short user questions.

Latin against Cyrillic is a word count; Kazakh against Russian is word evidence: words with Kazakh-only
letters or typical Kazakh words and suffixes against Russian function words and endings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

LANGUAGES = ("kk", "ru", "en")  # the languages Derek reads and answers in, everywhere in this order
KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")

# Frequent Kazakh words written without Kazakh-only letters.
KAZAKH_WORDS = frozenset(
    """туралы мен пен бен және неше қандай қашан бойынша жылы жылдары жылғы жыл дейін кейін бері
    арасында арасындағы кім бар жоқ деген деп еді екен осы сол кезде мысалы ма ме ба бе па пе ше
    қай қайда қалай неге неліктен нешінші барлығы болды болып болса ретінде сияқты бірге арқылы""".split()
)
KAZAKH_SUFFIXES = ("лары", "лері", "дары", "дері", "тары", "тері", "ларда", "дерде", "ынан", "ының", "сына")

RUSSIAN_WORDS = frozenset(
    """и в во на с со что как по для это не от о об из к у за при когда какой какая какие каков сколько
    где кто ли или но а же бы был была были было есть его ее её их он она они мы вы я также только
    между после до через чем почему зачем который которая которые этот эта эти тот та те все всех""".split()
)
RUSSIAN_SUFFIXES = ("ого", "его", "ться", "тся", "ость", "ение", "ание", "ыми", "ими", "ых", "ую", "ая", "ое")

ENGLISH_WORDS = frozenset(
    """the a an of and or in on at to is are was were be what which who when where why how does do did
    with for from by about this that these those it its""".split()
)

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _is_cyrillic(word: str) -> bool:
    return bool(_CYRILLIC.search(word))


def _kazakh_vs_russian(words: list[str]) -> tuple[int, int]:
    """Evidence for Kazakh and for Russian among Cyrillic words."""
    kk = ru = 0
    for word in words:
        lower = word.lower()
        if KAZAKH_LETTERS.intersection(word) or lower in KAZAKH_WORDS:
            kk += 1
        elif lower in RUSSIAN_WORDS or (len(lower) > 4 and lower.endswith(RUSSIAN_SUFFIXES)):
            ru += 1
        elif len(lower) > 5 and lower.endswith(KAZAKH_SUFFIXES):
            kk += 1
    return kk, ru


def detect_language(text: str, default: str = "en") -> str:
    """Return "kk", "ru" or "en" for ``text``; ``default`` when it has no letters (digits, punctuation)."""
    words = _WORD.findall(text)
    if not words:
        return default
    cyrillic = [w for w in words if _is_cyrillic(w)]
    latin = [w for w in words if not _is_cyrillic(w)]
    kk, ru = _kazakh_vs_russian(cyrillic)
    english = sum(w.lower() in ENGLISH_WORDS for w in latin)
    # A question in Russian or Kazakh may quote English names ("Что такое One Belt One Road?"):
    # Cyrillic function words decide then, unless the English ones are as many.
    cyrillic_wins = len(cyrillic) > len(latin) or (
        len(cyrillic) * 4 >= len(words)
        and (kk + ru) > 0
        and _has_function_word(cyrillic)
        and english < kk + ru
    )
    if not cyrillic_wins:
        return "en"
    if kk > ru or (kk == ru and kk > 0 and KAZAKH_LETTERS.intersection("".join(cyrillic))):
        return "kk"
    return "ru"


def _has_function_word(words: list[str]) -> bool:
    return any(w.lower() in KAZAKH_WORDS or w.lower() in RUSSIAN_WORDS for w in words)


def dominant_language(blocks: Iterable[str], default: str = "en") -> str:
    """The language holding the most letters over ``blocks`` (each block detected on its own)."""
    weight: dict[str, int] = {}
    for block in blocks:
        letters = sum(len(w) for w in _WORD.findall(block))
        if letters:
            language = detect_language(block)
            weight[language] = weight.get(language, 0) + letters
    return max(weight, key=weight.__getitem__) if weight else default


# Latin letters that look like Cyrillic ones, as typed into Kazakh and Russian words (the 1997 Law on Languages
# writes «тiл» with a Latin i throughout): inside a word that has Cyrillic letters they are the Cyrillic letters.
_HOMOGLYPHS = str.maketrans("iIəƏaAcCeEoOpPxXyYkKmMtTBH", "іІәӘаАсСеЕоОрРхХуУкКмМтТВН")
_MIXED_WORD = re.compile(r"[^\W\d_]*[\u0400-\u04ff][^\W\d_]*")


def fix_mixed_script(text: str) -> str:
    """Latin homoglyphs inside Cyrillic words made Cyrillic («мемлекеттiк» -> «мемлекеттік»); Latin words and
    Roman numerals («VI», «I - VI») are left alone."""
    if not _CYRILLIC.search(text):
        return text
    return _MIXED_WORD.sub(lambda m: m.group().translate(_HOMOGLYPHS), text)  # each match has a Cyrillic letter
