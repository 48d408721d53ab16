"""Conversations: follow-ups condensed into standalone questions, and a memory bounded in tokens."""

from __future__ import annotations

import re

from assistant.answer.types import Turn
from assistant.history import memory
from assistant.llamaindex import DerekChatEngine
from index.text.language import detect_language

# Words that make a question lean on the previous turn: conjunction openers and anaphora, in kk/ru/en. A question
# that opens with a conjunction continues the conversation at any length («А где и когда прошёл первый
# стратегический диалог ...?», 13 words); one that opens with "what" or "how" only when short.
_CONJUNCTIONS = {"and", "also", "but", "а", "и", "ещё", "еще", "также", "ал", "тағы", "және"}
_OPENERS = _CONJUNCTIONS | {"what", "how"}
_ANAPHORA = {
    "it", "its", "that", "this", "those", "these", "they", "them", "their", "there", "he", "she", "his", "her",
    "он", "она", "оно", "они", "его", "её", "ее", "их", "ней", "нём", "нем", "них", "этом", "этой", "этого",
    "том", "той", "там", "тогда", "эти", "этих", "этот", "эта", "это",
    "ол", "оның", "олар", "олардың", "онда", "оған", "сол", "осы", "бұл", "мұнда", "соның", "осының",
}
_WORD = re.compile(r"\w+", re.UNICODE)


def is_follow_up(question: str) -> bool:
    """True when the question needs the previous turn to be understood."""
    words = [w.lower() for w in _WORD.findall(question)]
    if not words:
        return False
    return (
        words[0] in _CONJUNCTIONS
        or words[0] in _OPENERS and len(words) <= 10
        or any(w in _ANAPHORA for w in words)
        or len(words) <= 3
    )


def condense(question: str, history: list[Turn]) -> str:
    """Rule-based standalone question: a follow-up carries the previous user question's entities and topic."""
    previous = [t.content for t in history if t.role == "user" and t.content.strip()]
    if not previous or not is_follow_up(question):
        return question
    return f"{question} ({previous[-1]})"


class ChatSession(DerekChatEngine):
    """One conversation over a shared Derek service (each browser session or terminal chat owns one): a
    DerekChatEngine whose memory is a ChatMemoryBuffer of `history_tokens` (DEREK_HISTORY_TOKENS)."""

    def __init__(self, service, history_tokens: int | None = None):
        super().__init__(service.query_engine, memory(history_tokens or service.settings.history_tokens))


def question_language(question: str) -> str:
    return detect_language(question)
