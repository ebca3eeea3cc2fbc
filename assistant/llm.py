"""The one factory of hrq's chat model; nothing else imports a model provider.

hrq talks to any OpenAI-compatible server (OpenAI, DeepSeek, Qwen's DashScope
compatible mode, Moonshot, a local vLLM / Ollama / llama.cpp server) through
``langchain-openai``'s ``ChatOpenAI``. The rest of hrq only sees LangChain's
``BaseChatModel`` interface, so tests pass a scripted fake model instead.

With no model configured (``HRQ_LLM_MODEL`` unset) :func:`chat_model` returns
None and hrq answers with the planner alone, exactly as without this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from schema.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

#: Sent as the API key to servers that need none (a local vLLM, Ollama or llama.cpp).
NO_KEY = "not-needed"


def model_configured(settings: Settings) -> bool:
    """True when a model name and a place to reach it (a base URL or an API key) are set."""
    return bool(settings.llm_model) and (
        settings.llm_base_url is not None or settings.llm_api_key is not None
    )


def chat_model(settings: Settings) -> BaseChatModel | None:
    """The configured chat model (temperature 0, the settings' timeout and retries), or None."""
    if not model_configured(settings):
        return None
    from langchain_openai import ChatOpenAI

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else NO_KEY
    return ChatOpenAI(
        model=settings.llm_model or "",
        base_url=settings.llm_base_url,
        api_key=key,  # type: ignore[arg-type]
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        temperature=0,
        streaming=settings.llm_stream,
        stream_usage=True,
    )


def model_error_reason(exc: BaseException) -> str:
    """Why a model request failed: ``llm_timeout``, ``llm_bad_response`` or ``llm_unavailable``."""
    import json

    import httpx
    import openai

    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException | TimeoutError):
        return "llm_timeout"
    if isinstance(exc, openai.APIResponseValidationError | json.JSONDecodeError | ValueError | KeyError
                  | TypeError):  # fmt: skip
        return "llm_bad_response"
    return "llm_unavailable"


def model_error_detail(exc: BaseException) -> str:
    """A short, secret-free description of a failed model request (status code or error type)."""
    status = getattr(exc, "status_code", None)
    return f"HTTP {status}" if status else type(exc).__name__


__all__ = ["NO_KEY", "chat_model", "model_configured", "model_error_detail", "model_error_reason"]
