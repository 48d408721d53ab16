"""Text to BM25 tokens for kk/ru/en: NFKC, lowercase, canonical numbers, stopwords out, stems (Snowball for
ru/en, a suffix stripper for Kazakh). Index and query must go through the same `tokenize`."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

from index.text.language import detect_language, fix_mixed_script
from index.text.numbers import extract_numbers

KAZAKH_LETTERS = frozenset("әғқңөұүһі")
_WORD = re.compile(r"[^\W\d_]+")
_CYRILLIC = re.compile(r"[а-яё]")

STOPWORDS = frozenset(
    # kk/ru/en: conjunctions, particles, pronouns, postpositions, question words and question boilerplate
    # ("stated", «упоминается», «айтылған»: words about the telling, not the content)
    """және мен бен пен да де та те ал бірақ әрі немесе яғни бұл осы сол ол олар оның олардың оны бір бірі
    үшін туралы арқылы бойынша сияқты секілді дейін кейін қарай бері гөрі деп еді екен емес жоқ бар болып
    болды болса болған табылады қандай қанша неше қашан қайда не неге неліктен қалай кім ме ма ба бе па пе ғой
    ғана тек арасындағы арасында арасынан арасы
    әр барлық өз өзі өзінің біз сіз мақала мақалада мақалаға айтылған айтылады көрсетілген
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот от
    меня еще нет о из ему ли если уже или ни быть был него до вас нибудь уж вам ведь там потом себя ей может
    они тут где есть надо ней для мы тебя их чем была сам без будто чего раз тоже себе под будет ж тогда кто
    этот того потому этого какой какая какие каких каким какое какую каком каков какова каковы
    когда почему зачем куда этом этой эти эту тот
    том та те чтобы нее были всех можно при об над через нас про них более всего между также который которые
    которая которой которых это статье статья статьи сказано говорится упоминается упоминаются
    the a an and or but of in on at to for from by with about as is are was were be been being it its this
    that these those what which who whom whose when where why how does do did has have had not no than then
    there their they them he she his her we you i me my our your can could would should will shall may might
    much many
    also into over under between according article paper say says said mention mentioned mentions
    describe explain list name give tell summarize compare опишите перечислите назовите расскажите объясните
    сравните сипаттаңыз атаңыз түсіндіріңіз
    stated described discussed noted reported listed cited quoted written
    указано указывается отмечается отмечено описано описывается приводится приведено процитировано цитируется
    изложено обсуждается упомянуто упомянут упомянуты перечислены названы
    жазылған сипатталған келтірілген баяндалған талқыланған делінген аталған
    """.split()
)


@lru_cache(maxsize=4)
def _snowball(language: str):
    return snowballstemmer.stemmer(language)


_KK_SUFFIXES = sorted(
    """ның нің дың дің тың тің ға ге қа ке на не ны ні ды ді ты ті да де та те нда нде дан ден тан тен нан нен
    мен бен пен ын ін ы і сы сі лар лер дар дер тар тер ғы гі қы кі лық лік дық дік тық тік лы лі шы ші
    """.split(),
    key=len,
    reverse=True,
)
_VOWELS = "аәеёиоөуұүыіэюя"
_VOICELESS = "кқпстфхцчшщ"
# which letter may precede a suffix, by its first letter (Kazakh assimilation: жылдың, саясатты, елдері)
_MAY_FOLLOW = {
    "т": _VOICELESS + "в",
    "қ": _VOICELESS + "в",
    "к": _VOICELESS + "в",
    "п": _VOICELESS + "в",
    "д": _VOWELS + "бвгғджзйлмнңрһу",
    "ғ": _VOWELS + "бвгғджзйлмнңрһу",
    "г": _VOWELS + "бвгғджзйлмнңрһу",
    "б": "бвгғджзйлмнңрһу",
    "н": _VOWELS + "мнң",
    "л": _VOWELS + "йулр",
    "с": _VOWELS,
    "ы": "бвгғджзйклмнңпрсттфхцчшщһ",
    "і": "бвгғджзйклмнңпрсттфхцчшщһ",
}
# words whose ending only looks like a suffix
_KK_KEEP = frozenset({"сауда", "астана", "пайда", "орда", "түрікмен", "түркімен", "қағида"})
_VOICED_FINAL = {"ғ": "қ", "г": "к", "б": "п"}


def _strippable(word: str, suffix: str) -> bool:
    stem = word[: -len(suffix)]
    return (
        word.endswith(suffix)
        and len(stem) >= 3
        and any(c in _VOWELS for c in stem)
        and stem[-1] in _MAY_FOLLOW.get(suffix[0], stem[-1])
        and not (suffix == "тан" and stem.endswith("с"))  # Қазақстан, Өзбекстан keep "-стан"
    )


def stem_kazakh(word: str) -> str:
    """Strip Kazakh inflectional and some derivational suffixes from the end, keeping 3+ letters."""
    for _ in range(6):
        if word in _KK_KEEP:
            return word
        suffix = next((s for s in _KK_SUFFIXES if _strippable(word, s)), None)
        if suffix is None:
            return word
        stem = word[: -len(suffix)]
        word = stem[:-1] + _VOICED_FINAL.get(stem[-1], stem[-1])  # ынтымақтастығ -> ынтымақтастық
    return word


def word_language(word: str, language: str | None = None) -> str:
    """Stemmer for a lowercased word: Latin -> en, Kazakh letters -> kk, other Cyrillic -> kk/ru by hint."""
    if not _CYRILLIC.search(word) and not KAZAKH_LETTERS.intersection(word):
        return "en"
    if KAZAKH_LETTERS.intersection(word) or language == "kk":
        return "kk"
    return "ru"


def word_languages(word: str, languages: set[str] | frozenset[str] | None) -> tuple[str, ...]:
    """The stemmers a corpus word form may have been tokenized with, given the corpus's languages: a Cyrillic word
    without Kazakh letters («неке», «шарты», «мемлекет»: a quarter to a third of Kazakh word forms) is Kazakh in a
    Kazakh corpus, Russian in a Russian one, either in a corpus of both; otherwise as word_language guesses."""
    own = word_language(word)
    if own != "ru" or not languages:
        return (own,)
    return tuple(lang for lang in ("kk", "ru") if lang in languages) or (own,)


@lru_cache(maxsize=300_000)
def stem(word: str, language: str) -> str:
    """Stem one lowercased word with the stemmer of `language` (kk | ru | en)."""
    if language == "kk":
        return stem_kazakh(word)
    if language == "ru":
        return _snowball("russian").stemWord(word.replace("ё", "е"))
    return _snowball("english").stemWord(word)


def _cyrillic_language(text: str, words: list[str]) -> str:
    """kk or ru for the Cyrillic words of a text: index.text.language's guess, else whether Kazakh letters are
    frequent among them (a Kazakh name in a Russian sentence is not)."""
    guess = detect_language(text)
    if guess in ("kk", "ru"):
        return guess
    cyrillic = [w for w in words if _CYRILLIC.search(w) or KAZAKH_LETTERS.intersection(w)]
    kazakh = sum(1 for w in cyrillic if KAZAKH_LETTERS.intersection(w))
    return "kk" if kazakh and kazakh >= 0.2 * len(cyrillic) else "ru"


# Kazakh writes the case endings of abbreviations and figures after a hyphen: АҚШ-тан, ШЫҰ-ға, 2023-жылдың.
_HYPHEN_SUFFIX = re.compile(r"(?<=[^\W_])-(?:" + "|".join(_KK_SUFFIXES) + r")+\b", re.IGNORECASE)


def tokenize(text: str, language: str | None = None) -> list[str]:
    """BM25 tokens of text. `language` decides the stemmer of Cyrillic words without Kazakh letters; None
    guesses it from the whole text (Latin words always get the English stemmer)."""
    text = _HYPHEN_SUFFIX.sub("", fix_mixed_script(unicodedata.normalize("NFKC", text))).lower()
    tokens = [n for n in extract_numbers(text) if not n.endswith("%")]
    words = _WORD.findall(text)
    language = language or _cyrillic_language(text, words)
    for word in words:
        if len(word) < 2 or word in STOPWORDS:
            continue
        stemmed = stem(word, word_language(word, language))
        if stemmed not in STOPWORDS:
            tokens.append(stemmed)
    return tokens


@lru_cache(maxsize=50_000)
def text_tokens(text: str) -> tuple[str, ...]:
    """tokenize(text) with the language guessed, cached: answering meets the same source sentences again and
    again (scoring, quote selection, abstention checks, and across questions)."""
    return tuple(tokenize(text))
