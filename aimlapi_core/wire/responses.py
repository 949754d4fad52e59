"""Wire models of ``POST /v1/responses`` replies: the response and its output items.

Output is a list of typed items (``message`` with ``output_text`` parts, ``reasoning`` with
``summary`` parts, ``function_call`` with ``call_id``, and built-in tool calls); the helpers
read the text, the calls and the reasoning out of them.

Example:
    >>> r = Response.model_validate({"id": "resp_1", "status": "completed", "output": [
    ...     {"type": "message", "content": [{"type": "output_text", "text": "hi"}]}]})
    >>> r.text, r.status
    ('hi', 'completed')
"""

from __future__ import annotations

from typing import Any

from ..usage import Cost, Usage, cost_from_meta, usage_from_wire
from ._base import WireModel
from .chat import text_of_content

__all__ = ["CHAT_ITEM_TYPES", "FunctionCallItem", "Response"]

TERMINAL_EVENTS = frozenset({"response.completed", "response.incomplete", "response.failed"})
CHAT_ITEM_TYPES = frozenset({"message", "function_call", "reasoning"})
"""Output item types a chat completion says all of; every other item (``web_search_call``,
``code_interpreter_call``, ``mcp_call``, ``custom_tool_call``, ...) is a
:attr:`Response.tool_items` item."""


class FunctionCallItem(WireModel):
    """A ``function_call`` output item: ``call_id`` pairs it with the tool's output."""

    type: str = "function_call"
    id: str | None = None
    call_id: str | None = None
    name: str | None = None
    arguments: str = ""
    status: str | None = None


class Response(WireModel):
    """A Responses API result (non-streamed, or the final object of a stream)."""

    id: str | None = None
    object: str | None = None
    created_at: float | None = None
    status: str | None = None
    model: str | None = None
    output: list[dict[str, Any]] = []
    usage: dict[str, Any] | None = None
    incomplete_details: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None
    previous_response_id: str | None = None
    citations: list[Any] | None = None
    search_results: list[Any] | None = None

    @property
    def text(self) -> str:
        """All ``output_text`` of all ``message`` items, in order."""
        return "".join(
            text_of_content(i.get("content") or [], ("output_text",))
            for i in self.output
            if i.get("type") == "message"
        )

    @property
    def refusal(self) -> str | None:
        """A refusal the model gave instead of text, if any."""
        text = "".join(
            text_of_content(i.get("content") or [], ("refusal",), key="refusal")
            for i in self.output
            if i.get("type") == "message"
        )
        return text or None

    @property
    def function_calls(self) -> list[FunctionCallItem]:
        """The ``function_call`` items, in order."""
        return [
            FunctionCallItem.model_validate(i)
            for i in self.output
            if i.get("type") == "function_call"
        ]

    @property
    def custom_tool_calls(self) -> list[dict[str, Any]]:
        """The ``custom_tool_call`` items (a free-form tool's ``name`` and its ``input`` text)."""
        return [i for i in self.output if i.get("type") == "custom_tool_call"]

    @property
    def annotations(self) -> list[Any]:
        """Every citation of every ``output_text`` part, in order.

        Example:
            >>> Response(output=[{"type": "message", "content": [{"type": "output_text",
            ...     "text": "hi", "annotations": [{"type": "url_citation", "url": "u"}]}]}]
            ...     ).annotations
            [{'type': 'url_citation', 'url': 'u'}]
        """
        return [
            note
            for item in self.output
            if item.get("type") == "message"
            for part in item.get("content") or ()
            if isinstance(part, dict) and part.get("type") == "output_text"
            for note in part.get("annotations") or ()
        ]

    @property
    def tool_items(self) -> list[dict[str, Any]]:
        """Items of built-in tools, and custom tools' calls (whose chat tool call keeps no item
        ``id`` or ``status``): every type outside :data:`CHAT_ITEM_TYPES`."""
        return [i for i in self.output if i.get("type") not in CHAT_ITEM_TYPES]

    @property
    def reasoning_text(self) -> str | None:
        """Reasoning summaries (or reasoning text) of all ``reasoning`` items."""
        texts = [
            text_of_content(i.get("summary") or i.get("content") or [], None, sep="\n\n")
            for i in self.output
            if i.get("type") == "reasoning"
        ]
        joined = "\n\n".join(t for t in texts if t)
        return joined or None

    @property
    def incomplete_reason(self) -> str | None:
        """Why an ``incomplete`` response stopped (e.g. ``max_output_tokens``)."""
        details = self.incomplete_details or {}
        reason = details.get("reason")
        return str(reason) if reason is not None else None

    @property
    def normalised_usage(self) -> Usage | None:
        """:class:`Usage` of this response."""
        return usage_from_wire(self.usage)

    @property
    def cost(self) -> Cost | None:
        """AI/ML API's ``meta.usage`` cost."""
        return cost_from_meta(self.meta)
