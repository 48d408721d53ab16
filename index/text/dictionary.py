"""Is a word a common word of its language? Hunspell dictionaries (Debian's hunspell-en-us, -en-gb, -ru, -kk) say.

Hunspell keeps the case of its entries: «ocean», «пояс», «жер» are words in lower case, «Putin» only capitalized,
and «Токаев», «Wusun» not at all. A capitalized question word whose lower-case form is a common word («the Atlantic
Ocean», «Labour Code», «Пояс и путь») is a word of the language that another language translates, not a name
that it transliterates.

The dictionaries are read by the Hunspell library itself (Debian's libhunspell, which `make install` adds), through
ctypes: the four load in about 0.2 s and 40 MB, where the pure-Python spylls took 4 s and 320 MB and answered the
same on 12,000 word forms of 3+ letters per dictionary (the article, the legal texts, FLORES-200). Each is loaded
once per process and only when asked. Without the library or the dictionaries, no word is known as common.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from functools import lru_cache
from pathlib import Path

SEARCH_PATHS = (Path("/usr/share/hunspell"), Path("/usr/share/myspell"), Path("/usr/share/myspell/dicts"))
# per language, the dictionaries tried in order (a word is common when any of them knows it)
DICTIONARIES = {"en": ("en_US", "en_GB"), "ru": ("ru_RU",), "kk": ("kk_KZ",)}
# the library's names: what ctypes.util finds, then the sonames of Debian 11-13 and Ubuntu 20.04-24.04
LIBRARY_NAMES = ("hunspell-1.7", "hunspell-1.6", "hunspell")
SONAMES = ("libhunspell-1.7.so.0", "libhunspell-1.6.so.0", "libhunspell.so")

_lock = threading.Lock()
_loaded: dict[str, HunspellDictionary | None] = {}
_library: list = []  # [the loaded CDLL or None], once


def _find(name: str) -> Path | None:
    for folder in SEARCH_PATHS:
        if (folder / f"{name}.dic").is_file() and (folder / f"{name}.aff").is_file():
            return folder / name
    return None


def _load_library():
    """libhunspell through ctypes, or None when it is not installed."""
    if not _library:
        found = None
        candidates = [ctypes.util.find_library(n) for n in LIBRARY_NAMES] + list(SONAMES)
        for name in dict.fromkeys(c for c in candidates if c):
            try:
                found = ctypes.CDLL(name)
                break
            except OSError:
                continue
        if found is not None:
            found.Hunspell_create.restype = ctypes.c_void_p
            found.Hunspell_create.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
            found.Hunspell_spell.restype = ctypes.c_int
            found.Hunspell_spell.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
            found.Hunspell_get_dic_encoding.restype = ctypes.c_char_p
            found.Hunspell_get_dic_encoding.argtypes = [ctypes.c_void_p]
        _library.append(found)
    return _library[0]


class HunspellDictionary:
    """One Hunspell dictionary (its .aff and .dic) in the C library. Not thread-safe: callers hold `_lock`."""

    def __init__(self, library, path: Path):
        self._library = library
        aff, dic = (str(path.with_name(f"{path.name}.{ext}")).encode() for ext in ("aff", "dic"))
        self._handle = library.Hunspell_create(aff, dic)
        if not self._handle:
            raise OSError(f"hunspell could not read {path}")
        encoding = (library.Hunspell_get_dic_encoding(self._handle) or b"UTF-8").decode("ascii", "replace")
        self.encoding = "utf-8" if encoding.upper().replace("-", "") == "UTF8" else encoding

    def lookup(self, word: str) -> bool:
        try:
            encoded = word.encode(self.encoding)
        except (UnicodeEncodeError, LookupError):  # a letter the dictionary's 8-bit charset has not: not its word
            return False
        return bool(self._library.Hunspell_spell(self._handle, encoded))


def _dictionary(name: str) -> HunspellDictionary | None:
    """The dictionary `name` (e.g. "en_US"), or None when it or the library is not installed or cannot be read."""
    with _lock:
        if name not in _loaded:
            path = _find(name)
            library = _load_library() if path else None
            try:
                _loaded[name] = HunspellDictionary(library, path) if library is not None and path else None
            except OSError:  # a broken or unreadable dictionary: no word is known from it
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
            with _lock:
                if dictionary.lookup(form):
                    return True
    return False
