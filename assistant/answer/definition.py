"""Questions that ask what a term means, and the sentences that define one.

A law's definitions article («7) транслитерация – бір графикалық жүйедегі ...»), a licence's definitions ("The
Program" refers to ...) and an encyclopaedia passage (Ирония (грекше ...) – сөзді ...) state a term's meaning in
one shape: the term, then a dash or a defining word. For a question that asks for a meaning ("What does X mean?",
«Что такое X?», «X дегеніміз не?») such a sentence is the answer, though e5 often scores a sentence that merely
uses the term higher. Only the question and defining words of kk/ru/en are listed (language resources), no term.
"""

from __future__ import annotations

import re

from index.sentences import POINT_NUMBER
from index.text.expand import name_sounds_in
from index.text.normalize import STOPWORDS

_PARENTHESES = re.compile(r"\s*\([^()]*\)")
_WORD = re.compile(r"[^\W\d_]{4,}")

_ASKS = re.compile(
    r"дегеніміз\b|\bдеген(?:іміз)? не\b|\bдеп (?:нені|не) (?:айтады|атайды|айтамыз|атаймыз)\b"
    r"|\bанықтама(?:сы|сын)\b|\bмағына(?:сы|сын)\b|\bқалай анықтал"
    r"|\bчто (?:такое|означает|значит|понимается под)\b|\bопределени[еяю]\b|\bкак определя"
    r"|\bwhat (?:does|do) .{1,60}? mean\b|\bwhat is meant by\b|\bdefinition of\b|\bhow (?:is|are) .{1,60}? defined\b"
    r"|^\s*what (?:is|are) (?:an? |the )?[^\s?]+(?:\s+[^\s?]+){0,2}\s*\??\s*$",
    re.IGNORECASE,
)

# "[point] TERM – meaning": a term of at most five words, then a dash (spaced, or glued to the term: «Финка- »,
# «Кейіптеу– ») or a defining word.
_TERM_FIRST = re.compile(
    rf"^\s*(?:{POINT_NUMBER}[.)]\s*|[a-zа-я][.)]\s*)?(?P<term>[^–—:;.!?]{{1,60}}?)\s*"
    r"(?:[–—]|-(?=\s)|\s-|\s(?:дегеніміз|refers to|(?:shall )?means?|is defined as|называется|это)\b)",
    re.IGNORECASE,
)
_TERM_WORDS = 5
# "... the meaning ... is called TERM" («... X деп аталады», «... называется X»)
_TERM_LAST = re.compile(r"\bдеп (?:аталады|атайды|айтады)\b|\bназыва(?:ется|ют)\b", re.IGNORECASE)


def asks_for_definition(question: str) -> bool:
    """Whether a question asks what a term means: «Финка дегеніміз не?», «Что такое финна?», "What is irony?",
    'What does "The Program" mean ...?' ("What is" counts only before a term of at most three words)."""
    return bool(_ASKS.search(_PARENTHESES.sub("", question)))


def defined_term(sentence: str) -> str | None:
    """The term a sentence defines, if it has the shape of a definition: a short term, then a dash or a defining
    word («Рабад - ортағасырлық қалалардың ... бөлігі.» -> Рабад, '"The Program" refers to ...'); for "... is
    called TERM" the whole sentence."""
    text = _PARENTHESES.sub("", sentence)
    found = _TERM_FIRST.match(text)
    if found and len(found.group("term").split()) <= _TERM_WORDS:
        return found.group("term")
    return text if _TERM_LAST.search(text) else None


def about(term: str, words: list[str], bridged: list[str]) -> bool:
    """Whether a defined term is one the question names: a question word spelled alike in any script (Рабад ~
    rabad, Литота ~ litotes) or a corpus stem the term bridge maps a question word to."""
    found = [w.lower() for w in _WORD.findall(term)]
    return any(name_sounds_in(q, w) for q in words for w in found) or any(
        w.startswith(s) for s in bridged for w in found
    )


def question_words(question: str) -> list[str]:
    """The question's words of four letters or more that are not stop words (what a defined term is matched by)."""
    return [w for w in (w.lower() for w in _WORD.findall(question)) if w not in STOPWORDS]
