"""The chat model behind LLMAnswerer, chosen by `settings.llm`; extractive mode has none."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.settings import LLMMode, Settings
from index.errors import DerekError

if TYPE_CHECKING:
    from llama_index.core.llms import LLM


def make_llm(settings: Settings) -> LLM | None:
    """A LlamaIndex LLM for the configured mode, or None for the extractive answerer."""
    match settings.llm:
        case LLMMode.EXTRACTIVE:
            return None
        case LLMMode.OPENAI:
            from llama_index.llms.openai import OpenAI

            if not settings.llm_key:
                raise DerekError("DEREK_LLM=openai needs OPENAI_API_KEY or DEREK_LLM_API_KEY to be set.")
            extra = {"api_base": settings.llm_base_url} if settings.llm_base_url else {}
            try:
                return OpenAI(
                    model=settings.llm_model,
                    api_key=settings.llm_key,
                    temperature=settings.llm_temperature,
                    max_tokens=settings.llm_max_tokens,
                    timeout=settings.llm_timeout,
                    max_retries=1,
                    **extra,
                )
            except ValueError as exc:  # e.g. a model name the OpenAI adapter does not know
                raise DerekError(f"Cannot use OpenAI model '{settings.llm_model}': {exc}") from None
        case LLMMode.OPENAI_LIKE:
            from llama_index.llms.openai_like import OpenAILike

            if not settings.llm_base_url:
                raise DerekError(
                    "DEREK_LLM=openai-like needs DEREK_LLM_BASE_URL, e.g. http://localhost:8000/v1."
                )
            return OpenAILike(
                model=settings.llm_model,
                api_base=settings.llm_base_url,
                api_key=settings.llm_key or "not-needed",
                is_chat_model=True,
                context_window=settings.llm_context_window,
                temperature=settings.llm_temperature,
                max_tokens=settings.llm_max_tokens,
                timeout=settings.llm_timeout,
                max_retries=1,
            )
        case LLMMode.LLAMACPP:
            try:
                from llama_index.llms.llama_cpp import LlamaCPP
            except ImportError:
                raise DerekError(
                    "DEREK_LLM=llamacpp needs the llama-cpp extra: pip install llama-index-llms-llama-cpp"
                ) from None
            if not settings.llm_model_path or not settings.llm_model_path.is_file():
                raise DerekError(
                    "DEREK_LLM=llamacpp needs DEREK_LLM_MODEL_PATH pointing at a local .gguf file."
                )
            return LlamaCPP(
                model_path=str(settings.llm_model_path),
                temperature=settings.llm_temperature,
                max_new_tokens=settings.llm_max_tokens,
                context_window=settings.llm_context_window,
                verbose=False,
            )
    raise DerekError(f"Unknown DEREK_LLM mode: {settings.llm}")
