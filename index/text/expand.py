"""The cross-lingual lexical bridge: a question's BM25 terms in kk/ru/en via the lexicon, its numbers,
and proper names matched across Latin and Cyrillic script by a transliteration skeleton."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from index.errors import DerekError
from index.text.dictionary import is_common_word
from index.text.language import LANGUAGES
from index.text.normalize import STOPWORDS, tokenize, word_language
from index.text.numbers import extract_numbers

LEXICON_PATH = Path(__file__).with_name("lexicon.tsv")


@dataclass
class ExpandedQuery:
    """What lexical retrieval needs from a question."""

    language: str
    own_terms: list[str]  # the question's tokens (same-language matching), numbers included
    bridge_terms: dict[str, list[str]]  # per corpus language: tokens of the recognized concepts' forms
    numbers: list[str]  # canonical numbers and years, matched exactly
    names: list[str]  # proper names not in the lexicon, for name_matches
    concepts: list[str] = field(default_factory=list)  # lexicon ids recognized in the question
    lexicon: Lexicon | None = field(default=None, repr=False, compare=False)
    # the corpus term bridge: question stem -> corpus stems (see retrieve/bridge.py), set by the retriever
    bridged: dict[str, list[str]] = field(default_factory=dict)

    @property
    def terms(self) -> list[str]:
        """All terms, for one BM25 index over mixed-language chunks."""
        return _unique(self.own_terms + [t for lang in LANGUAGES for t in self.bridge_terms.get(lang, [])])

    def terms_for(self, language: str) -> list[str]:
        """Terms for chunks in `language`: the question's own tokens only when the languages agree."""
        own = (
            self.own_terms if language == self.language else [n for n in self.numbers if not n.endswith("%")]
        )
        bridged = [t for stems in self.bridged.values() for t in stems]
        return _unique(own + self.bridge_terms.get(language, []) + bridged)

    def lexicon_stems(self) -> set[str]:
        """The question's tokens that lexicon concepts already account for."""
        if not self.lexicon:
            return set()
        return {t for c in self.concepts for t in self.lexicon.terms[c].get(self.language, [])}


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _same(a: str, b: str) -> bool:
    """Stems agree, tolerating in Cyrillic a leftover ending of 1-2 letters on stems of 4+ letters ("иран" ~
    "иранск"); Latin stems are Snowball's on both sides and must agree ("term" is not "termez")."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return (
        len(short) >= 4
        and not short.isascii()
        and long_.startswith(short)
        and len(long_) - len(short) <= 2
    )


# Lexicon sections whose concepts name things (countries, organisations, initiatives, people): a question about
# one of them cannot be answered from sources that never mention it.
ENTITY_SECTIONS = ("countries", "organisations", "initiatives", "people")
# Other sections a concept's kind is kept for: number words count as figures in an answer.
KIND_SECTIONS = (*ENTITY_SECTIONS, "numerals", "units")
# The language resources' month concepts: a number beside one is a day of the month, not an amount.
MONTHS = ("january", "february", "march", "april", "may_month", "june", "july", "august", "september", "october",
          "november", "december")


@dataclass
class Lexicon:
    """Concepts with their forms per language, and their token sequences for recognition."""

    forms: dict[str, dict[str, list[str]]]  # concept -> language -> spellings
    sequences: dict[str, list[tuple[tuple[str, ...], str, str]]]  # first-token key -> [(tokens, concept, lang)]
    terms: dict[str, dict[str, list[str]]]  # concept -> language -> normalized tokens of all spellings
    sections: dict[str, str] = field(default_factory=dict)  # concept -> kind (countries, ..., numerals)
    # (tokens, concept, lang) of an abbreviation spelling («ЕС», "UN", «АҚШ») -> the spelling
    abbreviations: dict[tuple[tuple[str, ...], str, str], str] = field(default_factory=dict)
    # (tokens, concept, lang) of a short Russian number word («сто», «ста», «два») -> the word: recognized only as
    # written, since Snowball cuts «стоит», «стоить», «стоя» to «сто» ("How much does it cost" is no "hundred")
    whole_words: dict[tuple[tuple[str, ...], str, str], str] = field(default_factory=dict)
    paths: tuple[Path, ...] = ()
    _concepts: dict = field(default_factory=dict, repr=False)

    def recognize(
        self, tokens: list[str], language: str | None = None, text: str | None = None
    ) -> tuple[list[str], set[int]]:
        """Concepts found in a token list (longest match first) and the token positions they cover. With a
        language, only its spellings and the Latin ones count: each language's stems come from its own stemmer,
        so a Russian stem must not match a Kazakh word (Snowball's «ара» from «Арал» is Kazakh «ара», between).
        With the text the tokens come from, an abbreviation counts only where it is written in capitals: the stem
        of «Есим» is that of «ЕС», and «Абая» stems like «АБИИ»."""
        found: list[str] = []
        covered: set[int] = set()
        i = 0
        while i < len(tokens):
            best: tuple[int, str] | None = None
            for seq, concept, lang in self.sequences.get(tokens[i][:4], []):
                if language and lang not in (language, "en"):
                    continue
                abbreviation = self.abbreviations.get((seq, concept, lang))
                if abbreviation and text is not None and not written_as(abbreviation, text):
                    continue
                whole = self.whole_words.get((seq, concept, lang))
                if whole and text is not None and not _whole_word(whole).search(text):
                    continue
                n = len(seq)
                if (best is None or n > best[0]) and all(
                    i + k < len(tokens) and _same(tokens[i + k], seq[k]) for k in range(n)
                ):
                    best = (n, concept)
            if best:
                found.append(best[1])
                covered.update(range(i, i + best[0]))
                i += best[0]
            else:
                i += 1
        return _unique(found), covered

    def is_entity(self, key: str) -> bool:
        return self.sections.get(key) in ENTITY_SECTIONS

    def _words_of(self, kind: str, leave_out: tuple[str, ...] = ()) -> set[str]:
        return {
            spelling.lower() for key, k in self.sections.items() if k == kind and key not in leave_out
            for lang in LANGUAGES for spelling in self.forms[key][lang] if " " not in spelling
        }

    @cached_property
    def number_words(self) -> re.Pattern[str]:
        """Matches a number word in any language (бір, үш, трёх, пяти, three, ...), inflected or not, followed
        by a unit («бір ай», "three months", «пяти лет»): the spellings of the numerals and units sections, a long
        one also inflected. A bare number word is no figure («бір жағынан», "one of them")."""
        number, unit = _word_pattern(self._words_of("numerals")), _word_pattern(self._words_of("units"))
        return re.compile(number + r"\s+(?:[^\W\d_]+\s+)?" + unit, re.IGNORECASE)  # «бес күнтізбелік күн»

    @cached_property
    def counting_words(self) -> re.Pattern[str]:
        """A number word of more than one (екі, трёх, eleven, ...) and the one or two words after it, the thing
        it counts («екі жалпы пікірге», "two general ideas", «в одиннадцать раз»): group 1. "One" and "half" are
        left out, as they also read "a" or "some" («бір жағынан», "one of them")."""
        words = _word_pattern(self._words_of("numerals", leave_out=_NOT_COUNTS))
        return re.compile(words + r"((?:\s+[^\W\d_]+){1,2})", re.IGNORECASE)

    @cached_property
    def months(self) -> str:
        """A regex for a month's name in any language, inflected («мамырда», «мая», "May")."""
        return _word_pattern({
            spelling.lower() for key in MONTHS if key in self.forms
            for lang in LANGUAGES for spelling in self.forms[key][lang] if " " not in spelling
        })

    def spellings(self, key: str) -> list[frozenset[str]]:
        """Each spelling of a concept, in any language, as its set of normalized tokens."""
        out = []
        for lang, spellings in self.forms[key].items():
            for spelling in spellings:
                tokens = frozenset(tokenize(spelling, lang))
                if tokens:
                    out.append(tokens)
        return out


ABBREVIATION = re.compile(r"[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]{2,6}")
_LOWER = "a-zа-яёәғқңөұүһі"


@lru_cache(maxsize=4096)
def _abbreviation_pattern(abbreviation: str) -> re.Pattern[str]:
    # in capitals, as a word or before an ending («АҚШ-тан», «ООН-ом»); not the start of a word in lower case
    return re.compile(rf"(?<![^\W\d_]){re.escape(abbreviation)}(?![{_LOWER}])")


def written_as(abbreviation: str, text: str) -> bool:
    """Whether the text writes the abbreviation in capitals."""
    return bool(_abbreviation_pattern(abbreviation).search(text))


_NOT_COUNTS = ("one", "half")
SHORT_NUMBER = 3  # letters: a Russian number word this short is recognized only as written (see whole_words)


@lru_cache(maxsize=256)
def _whole_word(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])", re.IGNORECASE)


def _word_pattern(words: set[str]) -> str:
    """A regex for any of the words, inflected: short ones (он, үш, ай) as they are or with a Kazakh/Russian
    ending after a hyphen-free join only when 3+ letters long («айдан», but «оның» is not «он»)."""
    short = sorted((w for w in words if len(w) < 4), key=len, reverse=True)
    long_ = sorted({w[:-1] for w in words if len(w) >= 4}, key=len, reverse=True)
    parts = [r"(?:" + "|".join(map(re.escape, short)) + r")"] if short else []
    parts += [r"(?:" + "|".join(map(re.escape, long_)) + r")[^\W\d_]{0,4}"] if long_ else []
    return r"\b(?:" + "|".join(parts) + r")\b" if parts else r"(?!x)x"


def _parse(path: Path, lexicon: Lexicon) -> None:
    """Add a TSV lexicon file (id, kk, ru, en; spellings separated by "|"; "#" headers name the sections)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DerekError(f"cannot read the lexicon {path}: {exc}") from None
    section = None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            header = line.lower()
            section = next((word for word in KIND_SECTIONS if word in header), None)
            continue
        concept, *columns = line.split("\t")
        if len(columns) != len(LANGUAGES) or not concept.strip():
            raise DerekError(f"lexicon {path}, line {number}: expected 4 tab-separated columns (id, kk, ru, en)")
        forms = {
            lang: [f.strip() for f in col.split("|") if f.strip()] for lang, col in zip(LANGUAGES, columns, strict=True)
        }
        if concept in lexicon.forms:  # a later file adds spellings to a concept it shares with an earlier one
            for lang in LANGUAGES:
                forms[lang] = _unique(lexicon.forms[concept][lang] + forms[lang])
        lexicon.forms[concept] = forms
        if section:
            lexicon.sections[concept] = section
        lexicon.terms[concept] = {}
        for lang, spellings in forms.items():
            tokens: list[str] = []
            for spelling in spellings:
                seq = tokenize(spelling, lang)
                if seq and (tuple(seq), concept, lang) not in lexicon.sequences.get(seq[0][:4], []):
                    lexicon.sequences.setdefault(seq[0][:4], []).append((tuple(seq), concept, lang))
                if seq and ABBREVIATION.fullmatch(spelling):
                    lexicon.abbreviations[(tuple(seq), concept, lang)] = spelling
                if seq and section == "numerals" and lang == "ru" and len(spelling) <= SHORT_NUMBER:
                    lexicon.whole_words[(tuple(seq), concept, lang)] = spelling
                tokens += seq
            lexicon.terms[concept][lang] = _unique(tokens)


@lru_cache(maxsize=8)
def load_lexicon(extra: tuple[Path, ...] = ()) -> Lexicon:
    """The language resources (LEXICON_PATH), plus optional domain files (DEREK_LEXICON), read once."""
    lexicon = Lexicon({}, {}, {}, paths=(LEXICON_PATH, *extra))
    for path in lexicon.paths:
        _parse(path, lexicon)
    return lexicon


_NAME = re.compile(r"[^\W\d_]+")


_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)[\"'«“(\s]*([^\W\d_]+)")


def _names(question: str, language: str, covered_words: set[str]) -> list[str]:
    """Capitalized words the lexicon does not know; not a sentence's first word, capitalized for being first
    («Какую долю ...», "Подтвердилась ли ..."), nor a common word of its language capitalized inside a name
    ("the Atlantic Ocean", "Labour Code": another language translates it, see dictionary.py)."""
    question = unicodedata.normalize("NFKC", question)
    initial = {m.start(1) for m in _SENTENCE_START.finditer(question)}
    names = []
    for match in _NAME.finditer(question):
        word, lower = match.group(), match.group().lower()
        if (
            match.start() not in initial
            and len(word) >= 3
            and word[0].isupper()
            and not word.isupper()  # acronyms are the lexicon's job
            and lower not in STOPWORDS
            and not (set(tokenize(word, language)) & covered_words)
            and not is_common_word(lower, word_language(lower, language))
        ):
            names.append(word)
    return _unique(names)


def expand_query(question: str, language: str, lexicon: Lexicon | None = None) -> ExpandedQuery:
    """Terms, numbers and names of a question in `language` (kk | ru | en) for lexical retrieval."""
    lexicon = lexicon or load_lexicon()
    own = tokenize(question, language)
    concepts, covered = lexicon.recognize(own, language, question)
    bridge = {
        lang: _unique([t for c in concepts for t in lexicon.terms[c].get(lang, [])]) for lang in LANGUAGES
    }
    covered_words = {own[i] for i in covered}
    return ExpandedQuery(
        language=language,
        own_terms=own,
        bridge_terms=bridge,
        numbers=extract_numbers(question),
        names=_names(question, language, covered_words),
        concepts=concepts,
        lexicon=lexicon,
    )


# --- transliteration skeleton: Latin and Cyrillic spellings of a name map to one Latin key ---

_CYR = dict(
    zip(
        "абвгғдеэжзиіыйкқлмнңоөпрстуұүфхһцчшщъьәё",
        "a b v g g d e e j z i i i i k k l m n n o o p r s t u u u f h h c c x x _ _ a io".split(),
        strict=True,
    )
)
_CYR.update({"ю": "iu", "я": "ia"})
_CYR_PAIRS = (("чж", "ж"), ("цз", "ж"), ("дж", "ж"))
_LATIN_PAIRS = (
    ("cci", "ci"),
    ("cce", "ce"),
    ("shch", "ʃ"),  # ʃ: the sound of ш, written "x" in the key (a Latin x is "ks": Alexander)
    ("sch", "ʃ"),
    ("sh", "ʃ"),
    ("dzh", "j"),
    ("zh", "j"),
    ("dj", "j"),
    ("tch", "c"),
    ("ch", "c"),
    ("ts", "c"),
    ("tz", "c"),
    ("kh", "h"),
    ("gh", "g"),
    ("ph", "f"),
    ("th", "t"),
    ("ck", "k"),
    ("qu", "kv"),
    ("yo", "io"),
    ("yu", "iu"),
    ("ya", "ia"),
    ("ye", "e"),
    ("ş", "ʃ"),
    ("ç", "c"),
)
_VOWEL_RUN = re.compile(r"[aeiou]{2,}")


@lru_cache(maxsize=100_000)
def name_key(word: str) -> str:
    """Phonetic skeleton of a name: Пантуччи/Pantucci -> pantuci, Мирзиёев/Mirziyoyev -> mirziev."""
    word = unicodedata.normalize("NFKC", word).lower()
    for a, b in _CYR_PAIRS:
        word = word.replace(a, b)
    for a, b in _LATIN_PAIRS:
        word = word.replace(a, b)
    # Latin diacritics off (ö -> o), Cyrillic letters kept whole (й, ё)
    word = "".join(c if c in _CYR or c.isascii() else unicodedata.normalize("NFKD", c)[0] for c in word)
    out = []
    for i, ch in enumerate(word):
        if ch in _CYR:
            out.append(_CYR[ch].strip("_"))
        elif ch == "ʃ":
            out.append("x")
        elif ch == "x":
            out.append("s" if i == 0 else "ks")  # Xiao -> Сяо, Alexander -> Александр
        elif ch == "c":
            out.append("c" if word[i + 1 : i + 2] in ("e", "i", "y") else "k")
        elif "a" <= ch <= "z":
            out.append({"y": "i", "w": "v", "q": "k"}.get(ch, ch))
    key = "".join(out)
    if key.endswith("ng"):
        key = key[:-1]  # pinyin -ng is Cyrillic -н: Zhang -> Чжан
    key = re.sub(r"(.)\1+", r"\1", key)
    return _VOWEL_RUN.sub(
        lambda m: m.group()[0] + m.group()[-1] if m.group()[0] != m.group()[-1] else m.group()[0], key
    )


def _prefix_distance(name: str, word: str) -> int:
    """Edit distance between name and the best-matching prefix of word (inflections follow the name)."""
    previous = list(range(len(word) + 1))
    for i, a in enumerate(name, 1):
        current = [i]
        for j, b in enumerate(word, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return min(previous)


def _allowed_edits(key: str) -> int:
    return 0 if len(key) <= 3 else 1 if len(key) <= 6 else 2


MAX_QUESTION_ENDING = 4  # letters of a case ending a question may add to a name («Исабековтің», «Оренбурге»)
# ablation switches (bench/results/names-ablation.md); name_in and name_sounds_in are cached, so set them before
# the first match, in a fresh process
INFLECTED_QUESTION_NAMES = True


@lru_cache(maxsize=200_000)
def name_in(name: str, word: str) -> bool:
    """Whether word (any script) is a spelling of name, either of them inflected: the text's word may carry an
    ending (Исабеков -> Исабековтің), and so may the question's name («Мөңкеұлының» for Мөңкеұлы)."""
    a, b = name_key(name), name_key(word)
    if not (a and b) or a[0] != b[0]:
        return False
    if _prefix_distance(a, b) <= _allowed_edits(a):
        return True
    # the question's ending: the text's word, of 5+ letters, begins the name (one edit from 7 letters on); Сиань
    # does not begin Синьцзяне
    return (
        INFLECTED_QUESTION_NAMES
        and len(b) >= 5
        and 0 < len(a) - len(b) <= MAX_QUESTION_ENDING
        and _prefix_distance(b, a) <= (0 if len(b) <= 6 else 1)
    )


_SKELETON_VOWELS = re.compile(r"(?<=.)[aeiou]")


@lru_cache(maxsize=100_000)
def name_skeleton(word: str) -> str:
    """A name's consonants (its first letter kept, h as k): what survives transliteration between Kazakh, Russian
    and English, whose vowels differ (Темір/Тимур, Отырар/Отрар) and whose қ is Russian х (Қожа/Ходжа)."""
    key = name_key(word).replace("h", "k")
    return re.sub(r"(.)\1+", r"\1", _SKELETON_VOWELS.sub("", key))


LOOSE_NAMES = True


@lru_cache(maxsize=200_000)
def name_sounds_in(name: str, word: str) -> bool:
    """Looser than name_in, for deciding that a name is absent from the sources: the consonant skeletons agree
    (within one edit from four consonants on), either one inflected."""
    if name_in(name, word):
        return True
    if not LOOSE_NAMES:
        return False
    a, b = name_skeleton(name), name_skeleton(word)
    if len(a) < 3 or len(b) < 3 or a[0] != b[0]:
        return False
    edits = 0 if min(len(a), len(b)) <= 3 else 1  # Путин is not Пекин
    return _prefix_distance(a, b) <= edits or (0 < len(a) - len(b) <= 3 and _prefix_distance(b, a) <= edits)


@lru_cache(maxsize=20_000)
def capitalized_words(text: str) -> frozenset[str]:
    """The capitalized words of 3+ letters of a text (cached: chunk texts are matched against many questions)."""
    return frozenset(w for w in _NAME.findall(text) if len(w) >= 3 and w[0].isupper())


def name_matches(names: list[str], text: str, loose: bool = False) -> float:
    """Share of names that occur in text as a capitalized word in any script (0.0 when names is empty); `loose`
    accepts a word whose consonants agree (name_sounds_in)."""
    if not names:
        return 0.0
    words = capitalized_words(text)
    match = name_sounds_in if loose else name_in
    return sum(any(match(name, w) for w in words) for name in names) / len(names)

