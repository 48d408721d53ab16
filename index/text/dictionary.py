"""Is a word a common word of its language? Hunspell dictionaries (Debian's hunspell-en-us, -en-gb, -ru, -kk) say.

Hunspell keeps the case of its entries: «ocean», «пояс», «жер» are words in lower case, «Putin» only capitalized,
and «Токаев», «Wusun» not at all. A capitalized question word whose lower-case form is a common word («the Atlantic
Ocean», «Labour Code», «Пояс и путь») is a word of the language that another language translates, not a name
that it transliterates. The dictionaries are read with spylls (Hunspell in pure Python, affix rules included),
each once per process and only when asked. Without them (not installed), no word is known as common.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

SEARCH_PATHS = (Path("/usr/share/hunspell"), Path("/usr/share/myspell"), Path("/usr/share/myspell/dicts"))
# per language, the dictionaries tried in order (a word is common when any of them knows it)
DICTIONARIES = {"en": ("en_US", "en_GB"), "ru": ("ru_RU",), "kk": ("kk_KZ",)}

_lock = threading.Lock()
_loaded: dict[str, object | None] = {}


def _find(name: str) -> Path | None:
    for folder in SEARCH_PATHS:
        if (folder / f"{name}.dic").is_file() and (folder / f"{name}.aff").is_file():
            return folder / name
    return None


def _dictionary(name: str):
    """The spylls Dictionary for `name` (e.g. "en_US"), or None when it is not installed or cannot be read."""
    with _lock:
        if name not in _loaded:
            path = _find(name)
            try:
                from spylls.hunspell import Dictionary

                _loaded[name] = Dictionary.from_files(str(path)) if path else None
            except Exception:  # a broken or unreadable dictionary: no word is known from it
                _loaded[name] = None
        return _loaded[name]


@lru_cache(maxsize=50_000)
def is_common_word(word: str, language: str) -> bool:
    """Whether the lower-case `word` is a dictionary word of `language` (in lower case, with its inflections)."""
    word = word.lower()
    for name in DICTIONARIES.get(language, ()):
        dictionary = _dictionary(name)
        if dictionary is None:
            continue
        for form in dict.fromkeys((word, word.replace("ё", "е"))):
            try:
                if dictionary.lookup(form):
                    return True
            except Exception:  # spylls on an odd word: not known
                continue
    return False
