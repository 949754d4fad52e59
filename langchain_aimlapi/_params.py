"""Request parameters and body building shared by ``ChatAIMLAPI`` and ``AIMLAPILLM``."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from langchain_core.language_models import LangSmithParams
from pydantic import Field, field_validator

from aimlapi_core.models import get_capabilities
from aimlapi_core.responses_bridge import responses_request_from_chat
from aimlapi_core.shaping import shape_chat_request, shape_responses_request, with_stream_usage

from ._connection import AIMLAPIConnection
from ._model_kwargs import ModelKwargsMixin

DEFAULT_MODEL = "gpt-4o-mini"


class AIMLAPIRequestParams(ModelKwargsMixin, AIMLAPIConnection):
    """Model id and sampling parameters, and the chat-completions body built from them.

    Example:
        >>> import warnings
        >>> p = AIMLAPIRequestParams(model="openai/o3-2025-04-16", max_tokens=50, api_key="k")
        >>> with warnings.catch_warnings(record=True) as caught:  # the rename warns once
        ...     warnings.simplefilter("always")
        ...     p._request_body([{"role": "user", "content": "hi"}], None, stream=False)
        {'model': 'openai/o3-2025-04-16', 'messages': [{'role': 'user', 'content': 'hi'}], \
'max_completion_tokens': 50}
    """

    model_name: str = Field(default=DEFAULT_MODEL, alias="model")
    """Model id, vendor-prefixed as AI/ML API lists them (e.g. ``openai/o3-2025-04-16``)."""
    temperature: float | None = None
    """Sampling temperature (dropped, with a warning, for models that do not take it)."""
    max_tokens: int | None = Field(default=None, alias="max_completion_tokens")
    """Maximum tokens to generate (sent as ``max_completion_tokens`` where the model wants it)."""
    top_p: float | None = None
    """Nucleus sampling."""
    stop: list[str] | str | None = Field(default=None, alias="stop_sequences")
    """Stop sequences."""
    seed: int | None = None
    """Seed for best-effort deterministic sampling."""
    n: int | None = None
    """Number of choices to generate."""
    logprobs: bool | None = None
    """Return log probabilities of the output tokens."""
    top_logprobs: int | None = None
    """Number of most likely tokens to return at each position (with ``logprobs``)."""
    presence_penalty: float | None = None
    """Presence penalty."""
    frequency_penalty: float | None = None
    """Frequency penalty."""
    logit_bias: dict[int, int] | None = None
    """Token id → bias."""
    reasoning_effort: str | None = None
    """``low``, ``medium`` or ``high`` for reasoning models."""
    reasoning: dict[str, Any] | None = None
    """Responses-style ``{"effort": ..., "summary": ...}``. On chat completions it passes as
    ``reasoning`` where the model's schema has it, else its ``effort`` is sent as
    ``reasoning_effort`` (with a warning)."""
    streaming: bool = False
    """Stream in ``invoke`` too (then assembled into one message)."""
    stream_usage: bool = True
    """Ask for usage in streams (``stream_options.include_usage``); it arrives on the last chunk."""
    extra_body: dict[str, Any] | None = None
    """Extra JSON merged into the request body (provider-specific parameters)."""

    @field_validator("max_tokens")
    @classmethod
    def _check_max_tokens(cls, value: int | None) -> int | None:
        if value is not None and value <= 0:
            raise ValueError(f"max_tokens must be a positive integer, got {value!r}.")
        return value

    _ls_model_type: ClassVar[Literal["chat", "llm"]] = "chat"  # LangSmith model type

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"api_key": "AIMLAPI_API_KEY"}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, **self._default_params}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = {**self._default_params, **kwargs}
        ls_params = LangSmithParams(
            ls_provider="aimlapi",
            ls_model_name=params.get("model", self.model_name),
            ls_model_type=self._ls_model_type,
            ls_temperature=params.get("temperature", self.temperature),
        )
        if max_tokens := params.get("max_tokens") or params.get("max_completion_tokens"):
            ls_params["ls_max_tokens"] = max_tokens
        ls_stop = stop or params.get("stop")
        if ls_stop:
            ls_params["ls_stop"] = [ls_stop] if isinstance(ls_stop, str) else list(ls_stop)
        return ls_params

    @property
    def _default_params(self) -> dict[str, Any]:
        params = {
            "model": self.model_name,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "top_p": self.top_p,
            "stop": self.stop or None,
            "seed": self.seed,
            "n": self.n,
            "logprobs": self.logprobs,
            "top_logprobs": self.top_logprobs,
            "presence_penalty": self.presence_penalty,
            "frequency_penalty": self.frequency_penalty,
            "logit_bias": self.logit_bias,
            "reasoning_effort": self.reasoning_effort,
            "reasoning": self.reasoning,
        }
        return {k: v for k, v in params.items() if v is not None} | self.model_kwargs

    def _request_body(
        self,
        messages: list[dict[str, Any]],
        stop: list[str] | None,
        *,
        stream: bool,
        stream_usage: bool | None = None,
        responses: bool = False,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """The wire body for ``messages``: defaults, call kwargs, stop, stream usage, extra
        body, then shaped to the model's capabilities. ``responses=True`` builds the
        ``POST /v1/responses`` body for the same call instead."""
        params = {**self._default_params, **kwargs}
        if stop is not None:
            params["stop"] = stop
        extra_body = params.pop("extra_body", None) or self.extra_body
        if params.get("max_completion_tokens") is not None:
            params.setdefault("max_tokens", params.pop("max_completion_tokens"))
        body: dict[str, Any] = {
            "model": params.pop("model"),
            "messages": messages,
        }
        body.update(params)
        caps = get_capabilities(body["model"])
        if responses:  # the client sets ``stream``; Responses streams always report usage
            if extra_body:
                body.update(extra_body)
            return shape_responses_request(responses_request_from_chat(body), caps)
        if stream:
            explicit = (kwargs.get("stream_options") or {}).get("include_usage")
            include_usage = next(
                (v for v in (stream_usage, explicit) if isinstance(v, bool)), self.stream_usage
            )
            with_stream_usage(body, caps, include_usage)
        if extra_body:
            body.update(extra_body)
        return shape_chat_request(body, caps)
