"""Token counting for LLM budgets (tiktoken, from the BPE files the llama-index-core wheel ships)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _encoder():
    from llama_index.core.utils import get_tokenizer

    return get_tokenizer()


def tokenizer():
    """The tokenizer function (text -> token ids) LlamaIndex uses, from llama-index-core's bundled cl100k file."""
    return _encoder()


def count_tokens(text: str) -> int:
    return len(_encoder()(text))
