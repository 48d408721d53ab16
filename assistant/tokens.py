"""Token counting for LLM budgets (tiktoken, from the BPE files the llama-index-core wheel ships)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _encoder():
    from llama_index.core.utils import get_tokenizer

    return get_tokenizer()


def count_tokens(text: str) -> int:
    return len(_encoder()(text))
