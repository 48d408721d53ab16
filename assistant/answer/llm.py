"""Answers with a chat model from numbered sources, then maps its [n] markers to citations and checks them."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import replace

import httpx
import openai
from llama_index.core.llms import LLM, ChatMessage

from assistant.answer.cite import map_citations
from assistant.answer.llm_client import make_llm
from assistant.answer.types import Answer, Turn
from assistant.answer.verify import SUPPORT_THRESHOLD, is_no_answer, verify_claims
from assistant.history import history_lines
from assistant.prompts import LANGUAGES, NO_ANSWER, load_prompt
from assistant.retrieve.types import RetrievedChunk
from assistant.settings import Settings
from assistant.tokens import count_tokens
from index.errors import DerekError

_MESSAGE_OVERHEAD = 16  # chat-format tokens per request, beyond the text (roles, separators)
_TAG = re.compile(r"<(/?)(source)", re.IGNORECASE)


def _source_block(n: int, chunk: RetrievedChunk) -> str:
    attrs = f'id="{n}" title="{_attr(chunk.title)}"'
    attrs += f' page="{chunk.page}"' if chunk.page is not None else ""
    attrs += f' section="{_attr(chunk.section)}"' if chunk.section else ""
    # a source cannot close its own delimiter: "</source>" inside the text is defused
    text = _TAG.sub(r"‹\1\2", chunk.text.strip())
    return f"<source {attrs}>\n{text}\n</source>"


def _attr(value: str) -> str:
    return " ".join(value.replace('"', "'").replace("<", "‹").replace(">", "›").split())


def _truncate(chunk: RetrievedChunk, budget: int) -> RetrievedChunk | None:
    """The chunk cut to its leading sentences that fit `budget` tokens (None if not even one does)."""
    spans = chunk.sentences or [(0, len(chunk.text))]
    keep = 0
    while (
        keep < len(spans)
        and count_tokens(_source_block(1, replace(chunk, text=chunk.text[: spans[keep][1]]))) <= budget
    ):
        keep += 1
    if keep == 0:
        return None
    vectors = chunk.sentence_vectors[:keep] if chunk.sentence_vectors is not None else None
    return replace(
        chunk,
        text=chunk.text[: spans[keep - 1][1]],
        sentences=chunk.sentences[:keep],
        sentence_scores=chunk.sentence_scores[:keep],
        sentence_vectors=vectors,
    )


def _server_error(exc: Exception, where: str, timeout: float) -> DerekError:
    """One line for a person: what failed, where, and why."""
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException | TimeoutError):
        why = f"no reply within {timeout:g} s"
    elif isinstance(exc, openai.APIStatusError):
        detail = " ".join(str(exc.message).split())[:160]
        if exc.status_code < 500:
            return DerekError(f"The language model server at {where} refused the request: {detail}")
        why = f"HTTP {exc.status_code}"
    else:
        why = " ".join(str(exc).split())[:160] or type(exc).__name__
    return DerekError(f"The language model server at {where} did not answer: {why}")


_SERVER_ERRORS = (openai.APIError, httpx.HTTPError, ConnectionError, TimeoutError)


class LLMAnswerer:
    """Grounded answers from a chat model: the prompt holds the ranked sources as delimited data."""

    def __init__(
        self,
        llm: LLM | None,
        settings: Settings,
        embedder=None,
        threshold: float = SUPPORT_THRESHOLD,
    ) -> None:
        """`llm` from make_llm(settings) (made here when None); `embedder` the E5Embedding of retrieval."""
        self.settings = settings
        self.llm = llm or make_llm(settings)
        if self.llm is None:
            raise DerekError("The LLM answerer needs DEREK_LLM=openai, openai-like or llamacpp.")
        if embedder is None:
            from index.embed import E5Embedding

            embedder = E5Embedding()
        self.embedder = embedder
        self.threshold = threshold
        self.where = settings.llm_base_url or "https://api.openai.com/v1"

    def build_messages(
        self, question: str, language: str, chunks: list[RetrievedChunk], history: list[Turn] | None = None
    ) -> tuple[list[ChatMessage], list[RetrievedChunk]]:
        """The chat messages and the chunks that fit the context window (lowest-ranked dropped first)."""
        prompt = load_prompt("answer", language if language in LANGUAGES else "en")
        system, frame = prompt.render(sources="", history="", question=question)
        budget = (
            self.settings.llm_context_window
            - self.settings.llm_max_tokens
            - count_tokens(system)
            - count_tokens(frame)
            - _MESSAGE_OVERHEAD
        )
        if budget <= 0:
            raise DerekError(
                f"DEREK_LLM_CONTEXT_WINDOW={self.settings.llm_context_window} leaves no room for sources "
                f"after DEREK_LLM_MAX_TOKENS={self.settings.llm_max_tokens} and the question."
            )
        history_text = history_lines(history or [], min(self.settings.history_tokens, budget // 3))
        budget -= count_tokens(history_text)
        blocks: list[str] = []
        kept: list[RetrievedChunk] = []
        for chunk in chunks:  # ranked best first
            block = _source_block(len(kept) + 1, chunk)
            cost = count_tokens(block) + 2
            if cost > budget:
                if kept or (chunk := _truncate(chunk, budget - 2)) is None:
                    break
                block = _source_block(1, chunk)
                cost = count_tokens(block) + 2
            blocks.append(block)
            kept.append(chunk)
            budget -= cost
        if chunks and not kept:
            raise DerekError(
                f"DEREK_LLM_CONTEXT_WINDOW={self.settings.llm_context_window} is too small for one source "
                "sentence; raise it or lower DEREK_LLM_MAX_TOKENS."
            )
        return prompt.messages(sources="\n\n".join(blocks), history=history_text or "—", question=question), kept

    def answer(
        self, question: str, language: str, chunks: list[RetrievedChunk], history: list[Turn] | None = None
    ) -> Answer:
        """One non-streaming call; the Answer carries citations, unsupported claims and timings."""
        if not chunks:
            return self._abstain(question, language)
        messages, kept = self.build_messages(question, language, chunks, history)
        start = time.perf_counter()
        try:
            text = self.llm.chat(messages).message.content or ""
        except _SERVER_ERRORS as exc:
            raise _server_error(exc, self.where, self.settings.llm_timeout) from None
        return self._finish(question, language, text, kept, time.perf_counter() - start)

    def stream(
        self, question: str, language: str, chunks: list[RetrievedChunk], history: list[Turn] | None = None
    ) -> Iterator[str | Answer]:
        """Yields the model's text deltas (str), then the finished Answer as the last item.

        The Answer's text can differ from the joined deltas when markers were renumbered or dropped:
        show the deltas while they come, then replace them with Answer.answer.
        """
        if not chunks:
            yield (answer := self._abstain(question, language)).answer
            yield answer
            return
        messages, kept = self.build_messages(question, language, chunks, history)
        start = time.perf_counter()
        parts: list[str] = []
        try:
            for response in self.llm.stream_chat(messages):
                if response.delta:
                    parts.append(response.delta)
                    yield response.delta
        except _SERVER_ERRORS as exc:
            raise _server_error(exc, self.where, self.settings.llm_timeout) from None
        yield self._finish(question, language, "".join(parts), kept, time.perf_counter() - start)

    def _abstain(self, question: str, language: str) -> Answer:
        text = NO_ANSWER.get(language, NO_ANSWER["en"])
        return Answer(question, language, text, answerable=False, answerer=self.settings.llm.value)

    def _finish(
        self, question: str, language: str, raw: str, chunks: list[RetrievedChunk], llm_seconds: float
    ) -> Answer:
        start = time.perf_counter()
        text, citations, unsupported = map_citations(raw.strip(), chunks, self.embedder)
        if not text and not citations:
            text = NO_ANSWER.get(language, NO_ANSWER["en"])
        by_id = {c.chunk_id: c for c in chunks}
        by_marker = {c.marker: by_id[c.chunk_id] for c in citations}
        unsupported += verify_claims(text, citations, by_marker, self.embedder, self.threshold)
        return Answer(
            question=question,
            language=language,
            answer=text,
            answerable=not is_no_answer(text),
            citations=citations,
            unsupported=unsupported,
            timings={"llm": llm_seconds, "verify": time.perf_counter() - start},
            answerer=self.settings.llm.value,
        )
