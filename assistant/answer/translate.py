"""Translated quotes: with a chat model configured, each quote not in the question's language gets a machine
translation into it, shown beside the original. The original stays the evidence claims are verified against; a
translation that drops or changes a number of the original, or is not in the target language, is discarded."""

from __future__ import annotations

import logging
import time

from assistant.answer.types import Answer
from assistant.prompts import LANGUAGE_NAMES, load_prompt
from index.text.language import detect_language
from index.text.numbers import extract_numbers, numbers_match

log = logging.getLogger(__name__)


def needs_translation(quote: str, language: str) -> bool:
    return bool(quote.strip()) and language in LANGUAGE_NAMES and detect_language(quote, language) != language


def acceptable(original: str, translation: str, target: str) -> bool:
    """A usable translation: not empty, in the target language, and keeping every number of the original."""
    if not translation.strip() or detect_language(translation, target) != target:
        return False
    return not numbers_match(extract_numbers(original), translation)


class QuoteTranslator:
    """Fills Citation.quote_translation through the configured LlamaIndex LLM, one short call per quote."""

    def __init__(self, llm) -> None:
        self.llm = llm

    def translate(self, answer: Answer) -> None:
        if self.llm is None or not answer.answerable:
            return
        start = time.perf_counter()
        done: dict[str, str | None] = {}
        for citation in answer.citations:
            if not needs_translation(citation.quote, answer.language):
                continue
            if citation.quote not in done:
                done[citation.quote] = self._translate(citation.quote, answer.language)
            citation.quote_translation = done[citation.quote]
        if done:
            answer.timings["translate"] = round(time.perf_counter() - start, 4)

    def _translate(self, quote: str, target: str) -> str | None:
        source = detect_language(quote)
        messages = load_prompt("quote").messages(
            source=LANGUAGE_NAMES.get(source, source), target=LANGUAGE_NAMES[target], quote=quote
        )
        try:
            reply = (self.llm.chat(messages).message.content or "").strip().strip("«»\"")
        except Exception as exc:  # noqa: BLE001 -- the quote is shown untranslated
            log.warning("Quote translation skipped: the language model call failed (%s).", type(exc).__name__)
            return None
        if not acceptable(quote, reply, target):
            log.warning("Quote translation discarded: not in %s, or a number of the original is missing.", target)
            return None
        return reply
