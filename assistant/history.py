"""Conversation memory, in one place: a token-bounded LlamaIndex ChatMemoryBuffer holds a chat engine's turns,
and every prompt that shows the conversation (condense, answer) takes its latest turns through the same buffer."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from llama_index.core.llms import ChatMessage, MessageRole
from llama_index.core.memory import ChatMemoryBuffer

from assistant.answer.cite import MARKER
from assistant.answer.types import Turn
from assistant.tokens import tokenizer

_ROLES = {"user": MessageRole.USER, "assistant": MessageRole.ASSISTANT}


def to_messages(turns: Iterable[Turn]) -> list[ChatMessage]:
    return [ChatMessage(role=_ROLES.get(t.role, MessageRole.USER), content=t.content) for t in turns]


def to_turns(messages: Iterable[ChatMessage]) -> list[Turn]:
    return [Turn("assistant" if m.role == MessageRole.ASSISTANT else "user", m.content or "") for m in messages]


def memory(token_limit: int, turns: Iterable[Turn] = (), tokenizer_fn: Callable | None = None) -> ChatMemoryBuffer:
    """A ChatMemoryBuffer of `token_limit` tokens (tiktoken, from llama-index-core's bundled BPE file)."""
    return ChatMemoryBuffer.from_defaults(chat_history=to_messages(turns), token_limit=max(token_limit, 1),
                                          tokenizer_fn=tokenizer_fn or tokenizer())


def recent(turns: list[Turn], token_limit: int, tokenizer_fn: Callable | None = None) -> list[Turn]:
    """The latest turns within `token_limit` (oldest dropped first, never starting with an answer); nothing when
    even the last turn alone is over the limit."""
    if not turns or token_limit <= 0:
        return []
    buffer = memory(token_limit, turns, tokenizer_fn)
    kept = buffer.get()
    if buffer._token_count_for_messages(kept) > buffer.token_limit:  # ChatMemoryBuffer keeps one over-long turn
        return []
    return to_turns(kept)


def history_lines(turns: list[Turn], token_limit: int, turn_chars: int | None = None) -> str:
    """The latest turns as "role: text" lines, oldest first, without their [n] markers (stale numbers), each cut
    to `turn_chars`, within `token_limit` tokens."""
    cleaned = []
    for turn in turns:
        text = " ".join(MARKER.sub("", turn.content).split())
        if turn_chars and len(text) > turn_chars:
            text = text[:turn_chars].rsplit(" ", 1)[0] + " …"
        if text:
            cleaned.append(Turn(turn.role, f"{turn.role}: {text}"))
    return "\n".join(t.content for t in recent(cleaned, token_limit))
