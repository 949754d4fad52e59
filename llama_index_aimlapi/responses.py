"""``AIMLAPIResponses``: AI/ML API's ``POST /v1/responses`` for LlamaIndex.

The counterpart of ``llama-index-llms-openai``'s ``OpenAIResponses``. It is :class:`AIMLAPI`
with another endpoint: the same messages, tools, structured output, streaming, usage and cost,
because the core translates the chat-shaped request to a Responses one and the answer back
(:mod:`aimlapi_core.responses_bridge`). What only Responses has is here: reasoning summaries
(``reasoning_options={"summary": "auto"}``), ``instructions``, ``store``, ``include``,
built-in tools, and conversations the server keeps (``track_previous_responses``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from llama_index.core.base.llms.types import (
    ChatMessage,
    MessageRole,
)
from llama_index.core.bridge.pydantic import Field

from aimlapi_core.responses_bridge import responses_request_from_chat
from aimlapi_core.shaping import shape_responses_request

from ._arguments import UnsupportedArgumentError
from .base import AIMLAPI

__all__ = ["AIMLAPIResponses"]


class AIMLAPIResponses(AIMLAPI):
    """AI/ML API models on ``POST /v1/responses`` (the only endpoint of some, e.g.
    ``openai/gpt-5-pro``), with everything :class:`AIMLAPI` does.

    Args (besides :class:`AIMLAPI`'s):
        reasoning_options: ``{"effort": "low" | "medium" | "high", "summary": "auto" | ...}``;
            summaries come back as a ``ThinkingBlock`` and in ``reasoning_content``.
        instructions: A system prompt the server puts before the input.
        store: Whether the server keeps the response (``True`` when tracking responses).
        include: Extra output to include, e.g. ``["reasoning.encrypted_content"]``.
        built_in_tools: Responses tools sent with every call (``{"type": "web_search_preview"}``).
        track_previous_responses: Send each call with the last response's id as
            ``previous_response_id`` and only the messages after the last assistant turn;
            the server keeps the rest.
        previous_response_id: The response to continue from (updated when tracking).
        max_output_tokens: The most tokens to generate (the same setting as ``max_tokens``;
            read or set either name).
        top_p / truncation / user / call_metadata: Responses' ``top_p``, ``truncation``
            (``"auto"`` or ``"disabled"``), ``user`` and ``metadata``, as in llama-index
            ``OpenAIResponses``; ``None`` (default) leaves the server's default.

    Every argument of llama-index ``OpenAIResponses`` works with the same meaning or fails at
    construction naming it (:class:`~llama_index_aimlapi.UnsupportedArgumentError`); the
    chat-completions-only settings of :class:`AIMLAPI` (``logprobs``, ``top_logprobs``,
    ``modalities``, ``audio_config``) fail too, as ``/v1/responses`` has no such parameters.

    ``raw`` of a :class:`ChatResponse` is the Responses object as it came (``id``, ``status``,
    ``incomplete_details``, every output item); of a streamed one, the translated chunk, whose
    last one has the response ``id``, ``status`` and ``incomplete_details``. An ``incomplete``
    response keeps its partial text with ``finish_reason="length"``; a ``failed`` one raises
    :class:`aimlapi_core.ResponseFailedError`.

    Example:
        >>> from llama_index_aimlapi import AIMLAPIResponses
        >>> llm = AIMLAPIResponses(model="openai/o3-2025-04-16", api_key="sk-...",
        ...     reasoning_options={"effort": "low", "summary": "auto"})
        >>> llm.class_name(), llm.metadata.is_function_calling_model
        ('AIMLAPIResponses', True)

        Then ``llm.chat([...])``, ``llm.stream_chat([...])``, ``FunctionAgent(llm=llm, ...)``
        or ``llm.as_structured_llm(MyModel)``, as with :class:`AIMLAPI`.
    """

    reasoning_options: dict[str, Any] | None = Field(
        default=None, description="Responses `reasoning`: {effort, summary}."
    )
    instructions: str | None = Field(default=None, description="System instructions.")
    store: bool | None = Field(default=None, description="Whether the server keeps responses.")
    include: list[str] | None = Field(default=None, description="Extra output to include.")
    built_in_tools: list[dict[str, Any]] | None = Field(
        default=None, description="Responses built-in tools sent with every call."
    )
    track_previous_responses: bool = Field(
        default=False, description="Chain calls with previous_response_id."
    )
    previous_response_id: str | None = Field(
        default=None, description="The response the next call continues from."
    )
    top_p: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Nucleus sampling; None: the model's default."
    )
    truncation: Literal["auto", "disabled"] | None = Field(
        default=None, description="Cut the input to the context window (auto) or fail (disabled)."
    )
    user: str | None = Field(default=None, description="An id of your end user (abuse tracking).")
    call_metadata: dict[str, str] | None = Field(
        default=None, description="Responses `metadata`: up to 16 string pairs."
    )

    _on_responses_api: ClassVar[bool] = True

    def __init__(self, *, max_output_tokens: int | None = None, **kwargs: Any) -> None:
        if max_output_tokens is not None:
            kwargs.setdefault("max_tokens", max_output_tokens)
        for name, default in _CHAT_ONLY_DEFAULTS.items():
            if kwargs.get(name, default) != default:
                raise UnsupportedArgumentError(
                    type(self).__name__,
                    name,
                    "/v1/responses has no such parameter; use AIMLAPI (chat completions) for it.",
                )
        super().__init__(**kwargs)
        if self.track_previous_responses and self.store is None:
            self.store = True  # a response the server did not keep cannot be continued

    @classmethod
    def class_name(cls) -> str:
        """Name used by LlamaIndex serialisation: the class's own name, as for ``AIMLAPI``."""
        return "AIMLAPIResponses"

    @property
    def max_output_tokens(self) -> int | None:
        """The most tokens to generate (``max_output_tokens`` on the wire): ``max_tokens``.

        Example:
            >>> llm = AIMLAPIResponses(max_output_tokens=33)
            >>> llm.max_output_tokens, llm.max_tokens
            (33, 33)
            >>> llm.max_output_tokens = 50
            >>> llm.max_tokens
            50
        """
        return self.max_tokens

    @max_output_tokens.setter
    def max_output_tokens(self, value: int | None) -> None:
        self.max_tokens = value

    def _chat_body(
        self, messages: Sequence[ChatMessage], *, stream: bool, **kwargs: Any
    ) -> dict[str, Any]:
        """The ``POST /v1/responses`` body for ``messages``, shaped to the model."""
        previous = kwargs.pop("previous_response_id", None) or self.previous_response_id
        if self.track_previous_responses and previous:
            messages = _after_last_assistant(messages)
        body = self._unshaped_body(messages, **kwargs)
        for key, value in (
            ("previous_response_id", previous),
            ("instructions", self.instructions),
            ("store", self.store),
            ("include", self.include),
            ("top_p", self.top_p),
            ("truncation", self.truncation),
            ("user", self.user),
            ("metadata", self.call_metadata),
        ):
            if value is not None:
                body.setdefault(key, value)
        if self.reasoning_options:
            body["reasoning"] = {**self.reasoning_options, **(body.get("reasoning") or {})}
        if self.built_in_tools:
            body["tools"] = [*self.built_in_tools, *(body.get("tools") or ())]
        return shape_responses_request(responses_request_from_chat(body), self.capabilities)

    def _remember(self, response_id: str | None) -> None:
        if self.track_previous_responses and response_id:
            self.previous_response_id = response_id


# AIMLAPI's chat-completions-only settings, at their "ask for nothing" values.
_CHAT_ONLY_DEFAULTS: dict[str, Any] = {
    "logprobs": None,
    "top_logprobs": 0,
    "modalities": None,
    "audio_config": None,
}


def _after_last_assistant(messages: Sequence[ChatMessage]) -> Sequence[ChatMessage]:
    """The messages after the last assistant turn: what a continued response still needs."""
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].role == MessageRole.ASSISTANT:
            return messages[i + 1 :]
    return messages
