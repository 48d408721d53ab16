"""Query rewriting before retrieval: follow-ups condensed into standalone questions, and the question translated
into the other two languages so that retrieval also searches with them (multi-query, as Onyx and RAGFlow do).

With a chat model both steps ask it (prompts/condense.<lang>.md, prompts/translate.md) and fall back quietly when
it fails or replies with something unusable: to the rule-based condenser, and to no translations. Without one
(extractive mode) the rule-based condenser is used and nothing is translated.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from assistant.answer.types import Turn
from assistant.chat import condense
from assistant.history import history_lines
from assistant.prompts import LANGUAGE_NAMES, LANGUAGES, load_prompt, other_languages

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

log = logging.getLogger(__name__)

_BULLET = re.compile(r"^(?:[-*•·]\s+|\(?\d{1,2}(?:[.:]\s+|\)\s*))")
_LANGUAGE_WORDS = (
    "kazakh|russian|english|kk|ru|en|қазақша|орысша|ағылшынша|қазақ тілінде|орыс тілінде|ағылшын тілінде"
    "|казахский|русский|английский|на казахском|на русском|на английском"
)
# "Russian:", "ru:", "Russian (ru):", "Russian (ru)", "(ru)", "Russian — " (a bare "Russian " is content)
_LABEL = re.compile(
    rf"^(?:(?:{_LANGUAGE_WORDS})\s*(?:\((?:kk|ru|en)\)\s*)?[:：]|(?:{_LANGUAGE_WORDS})\s*\((?:kk|ru|en)\)\s*[—–-]?"
    rf"|\((?:kk|ru|en)\)\s*[:：—–-]?|(?:{_LANGUAGE_WORDS})\s+[—–-])\s*",
    re.I,
)
_QUOTES = {'"': '"', "'": "'", "«": "»", "“": "”", "„": "“", "`": "`"}
_WORD = re.compile(r"\w", re.UNICODE)
_HISTORY_TOKENS = 1000  # the condense prompt's conversation: the latest turns that fit
_TURN_CHARS = 600  # each turn cut to this (long answers add little to resolving "it", "that")


def _unquote(text: str) -> str:
    text = text.strip()
    while len(text) >= 2 and _QUOTES.get(text[0]) == text[-1]:
        text = text[1:-1].strip()
    return text


def _clean_line(line: str) -> str:
    """A reply line without bullets or numbering, language labels, wrapping quotes and markdown emphasis."""
    line = line.strip().strip("*_").strip()
    line = _BULLET.sub("", line)
    line = _LABEL.sub("", line).strip("*_ ")
    return _unquote(line)


def _is_header(line: str) -> bool:
    """A preamble such as "Here are the translations:" rather than content."""
    return line.rstrip().endswith((":", "："))


def parse_translations(reply: str, question: str, count: int = 2) -> list[str]:
    """Up to `count` translations from a reply with one per line; tolerant of numbering, labels and quotes.

    Lines that are empty, preambles, copies of the question or far longer than it are dropped.
    """
    limit = 3 * len(question) + 100
    seen = {" ".join(question.casefold().split())}
    out: list[str] = []
    for raw in reply.splitlines():
        if _is_header(raw):
            continue
        line = _clean_line(raw)
        key = " ".join(line.casefold().split())
        if not _WORD.search(line) or len(line) > limit or key in seen:
            continue
        seen.add(key)
        out.append(line)
        if len(out) == count:
            break
    return out


def parse_standalone(reply: str, label: str, limit: int) -> str | None:
    """The standalone question from a condense reply (first content line, the prompt's label removed), or
    None when the reply is empty, holds no words or is longer than `limit` characters."""
    for raw in reply.splitlines():
        line = raw.strip()
        if label and line.casefold().startswith(label.casefold()):
            line = line[len(label) :].lstrip(" :：")
        if not line or _is_header(line):
            continue
        line = _clean_line(line)
        if not _WORD.search(line) or len(line) > limit:
            return None
        return " ".join(line.split())
    return None


class QueryRewriter:
    """Rewrites a question for retrieval; `llm` from make_llm(settings), None in extractive mode.

    Shared across threads: it keeps no per-question state.
    """

    def __init__(self, llm: LLM | None) -> None:
        self.llm = llm

    def standalone(self, question: str, history: list[Turn], language: str) -> str:
        """The question made understandable without the conversation, in its own language."""
        fallback = condense(question, history)
        if self.llm is None or not any(t.role == "user" and t.content.strip() for t in history):
            return fallback
        prompt = load_prompt("condense", language if language in LANGUAGES else "en")
        messages = prompt.messages(history=history_lines(history, _HISTORY_TOKENS, _TURN_CHARS), question=question)
        reply = self._chat(messages, "condense")
        if reply is None:
            return fallback
        label = prompt.user.rstrip().splitlines()[-1].strip().rstrip(":：")  # "Standalone question"
        previous = next((t.content for t in reversed(history) if t.role == "user"), "")
        limit = max(400, 3 * (len(question) + len(previous)))
        rewritten = parse_standalone(reply, label, limit)
        if rewritten is None:
            log.warning("The model's standalone question was unusable; the rule-based one is used.")
            return fallback
        return rewritten

    def translations(self, question: str, language: str) -> list[str]:
        """The question in the two other languages (fewer when the model fails), for retrieval only."""
        if self.llm is None:
            return []
        targets = other_languages(language)
        names = [f"{LANGUAGE_NAMES[t]} ({t})" for t in targets]
        messages = load_prompt("translate").messages(
            targets=" and ".join(names), language=LANGUAGE_NAMES.get(language, language), question=question
        )
        reply = self._chat(messages, "translate")
        return parse_translations(reply, question, len(targets)) if reply else []

    def _chat(self, messages: list, step: str) -> str | None:
        """The model's reply, or None when the call fails (logged by error type only: no URL, key or text)."""
        try:
            return self.llm.chat(messages).message.content or ""
        except Exception as exc:  # best effort: any failure means "do without the rewrite"
            log.warning("Query %s step skipped: the language model call failed (%s).", step, type(exc).__name__)
            return None
