"""Wire models of ``POST /v1/chat/completions`` replies (stream chunks stay plain dicts: the
accumulator folds them without validating each).

Example:
    >>> c = ChatCompletion.model_validate({"id": "x", "choices": [{"index": 0,
    ...     "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}]})
    >>> c.choices[0].message.text, c.choices[0].finish_reason
    ('hi', 'stop')
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from ..usage import Cost, Usage, cost_from_meta, usage_from_wire
from ._base import WireModel

_TEXT_PARTS = ("text", "output_text")

__all__ = [
    "AssistantMessage",
    "ChatCompletion",
    "Choice",
    "FunctionCall",
    "ToolCall",
    "reasoning_text_of",
    "text_of_content",
]


def text_of_content(
    content: Any,
    types: Collection[str] | None = _TEXT_PARTS,
    *,
    key: str = "text",
    sep: str = "",
) -> str:
    """The text of a ``content``: a string, or the ``key`` of its parts of ``types``.

    The one joiner of text parts: chat message content (``text`` parts), Responses message
    items (``output_text``, or ``refusal`` parts by their ``refusal``) and reasoning items
    (``types=None``: every part, ``sep="\\n\\n"``).

    Example:
        >>> text_of_content([{"type": "text", "text": "a"}, {"type": "text", "text": "b"}])
        'ab'
        >>> text_of_content([{"type": "refusal", "refusal": "No."}], ("refusal",), key="refusal")
        'No.'
    """
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return sep.join(
            part.get(key) or ""
            for part in content
            if isinstance(part, dict) and (types is None or part.get("type") in types)
        )
    return str(content)


def _reasoning_details_text(details: Any) -> str | None:
    if not isinstance(details, list):
        return None
    texts: list[str] = []
    for item in details:
        if not isinstance(item, dict):
            continue
        text = item.get("text") if item.get("text") is not None else item.get("summary")
        if isinstance(text, str):
            texts.append(text)
    return "".join(texts) if texts else None


def reasoning_text_of(message: dict[str, Any]) -> str | None:
    """Reasoning text from any of the fields gateways use for it.

    ``reasoning_content`` (DeepSeek, vLLM), ``reasoning`` (OpenRouter, Groq) and, when neither
    is there, the text or summary of ``reasoning_details`` items (OpenRouter).

    Example:
        >>> reasoning_text_of({"reasoning_details": [{"type": "reasoning.text", "text": "hm"}]})
        'hm'
    """
    for key in ("reasoning_content", "reasoning"):
        value = message.get(key)
        if isinstance(value, str) and value:
            return value
    return _reasoning_details_text(message.get("reasoning_details"))


class FunctionCall(WireModel):
    """``{"name", "arguments"}`` of a tool call; ``arguments`` is a JSON string."""

    name: str | None = None
    arguments: str | None = None


class ToolCall(WireModel):
    """One tool call of an assistant message. Some providers omit ``id``.

    A custom (free-form) tool's call has ``type="custom"`` and ``custom={"name", "input"}``
    (``input`` a plain string) instead of ``function``.
    """

    id: str | None = None
    type: str | None = "function"
    function: FunctionCall = FunctionCall()
    custom: dict[str, Any] | None = None


class AssistantMessage(WireModel):
    """The ``message`` of a choice, with reasoning in whichever field the provider used."""

    role: str | None = "assistant"
    content: str | list[Any] | None = None
    tool_calls: list[ToolCall] | None = None
    refusal: str | None = None
    reasoning_content: str | None = None
    reasoning: str | None = None
    reasoning_details: list[Any] | None = None
    annotations: list[Any] | None = None
    """Citations of the text (``url_citation``, ``file_citation``, ...), in order."""
    output_items: list[dict[str, Any]] | None = None
    """Responses output items chat completions has no field for (built-in tool calls such as
    ``web_search_call``, ``code_interpreter_call``, ``mcp_call``; a ``custom_tool_call`` item,
    also in ``tool_calls``), as they came: only a reply read from ``/v1/responses`` has them."""

    @property
    def text(self) -> str:
        """The content as one string ('' when there is none)."""
        return text_of_content(self.content)

    @property
    def reasoning_text(self) -> str | None:
        """Reasoning text, or ``None`` when the model sent none."""
        return reasoning_text_of(self.model_dump(exclude_none=True))


class Choice(WireModel):
    """One choice of a completion."""

    index: int = 0
    message: AssistantMessage = AssistantMessage()
    finish_reason: str | None = None
    logprobs: dict[str, Any] | None = None


class _UsageMixin(WireModel):
    usage: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None

    @property
    def normalised_usage(self) -> Usage | None:
        """:class:`Usage` of this object, ``None`` when it carries no usage."""
        return usage_from_wire(self.usage)

    @property
    def cost(self) -> Cost | None:
        """AI/ML API's ``meta.usage`` cost, ``None`` when absent."""
        return cost_from_meta(self.meta)


class ChatCompletion(_UsageMixin):
    """A non-streamed chat completion (or one accumulated from a stream)."""

    id: str | None = None
    object: str | None = None
    created: int | None = None
    model: str | None = None
    choices: list[Choice] = []
    system_fingerprint: str | None = None
    service_tier: str | None = None
    citations: list[Any] | None = None
    """Perplexity-style sources of a web-search model's answer (URLs), top-level."""
    search_results: list[Any] | None = None
    """Perplexity-style search results (``title``, ``url``, ``date``, ...), top-level."""
