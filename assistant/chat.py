"""Conversations: follow-ups condensed into standalone questions, and a memory bounded in tokens."""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.answer.types import Answer, Turn
from index.language import detect_language

# Words that make a question lean on the previous turn: conjunction openers and anaphora, in kk/ru/en.
_OPENERS = {"and", "also", "what", "how", "but", "а", "и", "ещё", "еще", "также", "ал", "тағы", "және"}
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
    return words[0] in _OPENERS and len(words) <= 10 or any(w in _ANAPHORA for w in words) or len(words) <= 3


def condense(question: str, history: list[Turn]) -> str:
    """Rule-based standalone question: a follow-up carries the previous user question's entities and topic."""
    previous = [t.content for t in history if t.role == "user" and t.content.strip()]
    if not previous or not is_follow_up(question):
        return question
    return f"{question} ({previous[-1]})"


def trim_history(history: list[Turn], budget_tokens: int, count_tokens) -> list[Turn]:
    """The most recent turns that fit the token budget (oldest dropped first)."""
    kept: list[Turn] = []
    used = 0
    for turn in reversed(history):
        used += count_tokens(turn.content)
        if used > budget_tokens:
            break
        kept.append(turn)
    return list(reversed(kept))


class ChatSession:
    """One conversation over a shared Derek service; each browser session or terminal chat owns one."""

    def __init__(self, service, history_tokens: int | None = None):
        self.service = service
        self.history: list[Turn] = []
        self.history_tokens = history_tokens or service.settings.history_tokens

    def _remember(self, question: str, answer: Answer) -> None:
        from assistant.tokens import count_tokens

        self.history += [Turn("user", question), Turn("assistant", answer.answer)]
        self.history = trim_history(self.history, self.history_tokens, count_tokens)

    def ask(self, question: str, k: int | None = None) -> Answer:
        answer = self.service.ask(question, history=self.history, k=k)
        self._remember(question, answer)
        return answer

    def stream(self, question: str, k: int | None = None) -> Iterator[str | Answer]:
        """Text deltas, then the final Answer."""
        for item in self.service.stream(question, history=self.history, k=k):
            if isinstance(item, Answer):
                self._remember(question, item)
            yield item

    def reset(self) -> None:
        self.history = []


def question_language(question: str) -> str:
    return detect_language(question)
