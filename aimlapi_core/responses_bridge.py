"""Run a chat-completions-shaped call on ``POST /v1/responses``, and read the answer back.

Both adapters already build chat-completions bodies (messages, function tools,
``response_format``) and already turn :class:`~aimlapi_core.ChatReply` /
:class:`~aimlapi_core.StreamDelta` into framework objects. The Responses API says the same
things in other words, so this module translates at the edge and the adapters keep one path:

* :func:`responses_request_from_chat`: ``messages`` → ``input`` items (``function_call`` /
  ``function_call_output`` with ``call_id``), ``max_tokens`` → ``max_output_tokens``,
  ``reasoning_effort`` → ``reasoning.effort``, ``response_format`` → ``text.format``, nested
  function tools → flat ones; parameters ``/v1/responses`` has no equivalent for are removed
  with one :class:`~aimlapi_core.shaping.AIMLAPIParameterWarning`.
* :func:`chat_reply_from_responses`: a :class:`~aimlapi_core.ResponsesReply` → a
  :class:`~aimlapi_core.ChatReply` whose ``id`` is the response id (use it as
  ``previous_response_id``), with ``finish_reason`` derived from the status
  (``incomplete`` → ``"length"``), reasoning summaries as reasoning text, and the usage in
  chat-completions names; ``output_text`` annotations as the message's ``annotations``,
  ``custom_tool_call`` items as tool calls of ``type="custom"``, built-in tool items (and
  custom calls) as ``output_items``. A ``failed`` response raises :class:`ResponseFailedError`.
* :class:`ResponsesDeltaTranslator`: each Responses stream event → the :class:`StreamDelta` a
  chat-completions stream would have carried, so that the streamed answer and the
  non-streamed one agree.

Example:
    >>> body = responses_request_from_chat({"model": "openai/o3-2025-04-16", "max_tokens": 64,
    ...     "messages": [{"role": "system", "content": "Be brief."},
    ...                  {"role": "user", "content": "Hi"}]})
    >>> body["input"], body["max_output_tokens"]
    ([{'type': 'message', 'role': 'system', 'content': 'Be brief.'}, \
{'type': 'message', 'role': 'user', 'content': 'Hi'}], 64)
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping, Sequence
from typing import Any

from .replies import ChatReply, ResponsesReply, raise_if_failed
from .shaping import RESPONSES_RENAMES, _warn_dropped, rename_for_responses
from .stream import ChatStreamAccumulator, ResponsesDelta, StreamDelta
from .wire.chat import ChatCompletion, text_of_content
from .wire.responses import CHAT_ITEM_TYPES, TERMINAL_EVENTS, Response

__all__ = [
    "CHAT_ONLY_PARAMS",
    "ResponsesDeltaTranslator",
    "achat_deltas",
    "chat_completion_from_response",
    "chat_deltas",
    "chat_reply_from_responses",
    "finish_reason_of",
    "input_items_from_messages",
    "responses_request_from_chat",
    "responses_tool",
]

CHAT_ONLY_PARAMS = frozenset(
    {
        "stop",
        "seed",
        "presence_penalty",
        "frequency_penalty",
        "logit_bias",
        "logprobs",
        "top_logprobs",
    }
)
"""Chat-completions parameters ``/v1/responses`` has no equivalent for: removed, with a warning."""

_SILENTLY_DROPPED = frozenset({"stream_options", "messages"})  # usage always comes on Responses
_INCOMPLETE_FINISH = {"max_output_tokens": "length", "content_filter": "content_filter"}
_CALL_ITEMS = ("function_call", "custom_tool_call")


# -- request ------------------------------------------------------------------------------------


def _input_part(part: Any) -> Any:
    """One chat content part → a Responses input part (text, image, file, audio)."""
    if isinstance(part, str):
        return {"type": "input_text", "text": part}
    if not isinstance(part, Mapping):
        raise TypeError(f"Unsupported content part {part!r}: use a dict or a string.")
    kind = part.get("type")
    if kind == "text":
        return {"type": "input_text", "text": part.get("text") or ""}
    if kind == "image_url":
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, Mapping) else image
        out: dict[str, Any] = {"type": "input_image", "image_url": url}
        detail = image.get("detail") if isinstance(image, Mapping) else None
        out["detail"] = detail or "auto"
        return out
    if kind == "file":
        file = part.get("file") or {}
        return {"type": "input_file", **{k: v for k, v in file.items() if v is not None}}
    return dict(part)  # already a Responses part (input_text, input_image, ...) or provider's own


def _content(content: Any, *, assistant: bool = False) -> Any:
    if content is None or isinstance(content, str):
        return content or ""
    if assistant:  # an assistant turn is sent back as its text
        return "".join(
            p if isinstance(p, str) else text_of_content([p], ("text",)) for p in content
        )
    return [_input_part(p) for p in content]


def _tool_output(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(
        isinstance(p, Mapping) and p.get("type") == "text" for p in content
    ):
        return text_of_content(content, ("text",))
    return json.dumps(content, ensure_ascii=False, default=str)


def input_items_from_messages(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Chat-completions messages → Responses ``input`` items, in order.

    An assistant message becomes its text (if any) and one ``function_call`` item per tool
    call; a ``tool`` message becomes a ``function_call_output`` with the same ``call_id``.
    Items that are already Responses items (a ``type`` and no ``role``, e.g. ``reasoning`` or
    ``item_reference``) pass unchanged.

    Example:
        >>> input_items_from_messages([
        ...     {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1",
        ...      "type": "function", "function": {"name": "add", "arguments": "{}"}}]},
        ...     {"role": "tool", "tool_call_id": "call_1", "content": "3"}])
        [{'type': 'function_call', 'call_id': 'call_1', 'name': 'add', 'arguments': '{}'}, \
{'type': 'function_call_output', 'call_id': 'call_1', 'output': '3'}]
    """
    items: list[dict[str, Any]] = []
    custom_ids: set[Any] = set()  # calls of custom tools: their results are custom outputs
    for message in messages:
        role = message.get("role")
        if role is None and message.get("type"):
            items.append(dict(message))
            if message.get("type") == "custom_tool_call":
                custom_ids.add(message.get("call_id"))
        elif role == "tool":
            call_id = message.get("tool_call_id")
            if not call_id:
                raise ValueError(
                    "A tool message has no tool_call_id: /v1/responses pairs a tool result "
                    "with its call by that id, so pass the id of the call it answers."
                )
            kind = "custom_tool_call_output" if call_id in custom_ids else "function_call_output"
            items.append(
                {"type": kind, "call_id": call_id, "output": _tool_output(message.get("content"))}
            )
        elif role == "assistant":
            text = _content(message.get("content"), assistant=True)
            if text:
                items.append({"type": "message", "role": "assistant", "content": text})
            for call in message.get("tool_calls") or ():
                if call.get("type") == "custom":
                    custom = call.get("custom") or {}
                    custom_ids.add(call.get("id"))
                    items.append(
                        {
                            "type": "custom_tool_call",
                            "call_id": call.get("id"),
                            "name": custom.get("name"),
                            "input": custom.get("input") or "",
                        }
                    )
                    continue
                function = call.get("function") or {}
                items.append(
                    {
                        "type": "function_call",
                        "call_id": call.get("id"),
                        "name": function.get("name"),
                        "arguments": function.get("arguments") or "",
                    }
                )
        elif role in ("user", "system", "developer"):
            items.append(
                {"type": "message", "role": role, "content": _content(message.get("content"))}
            )
        else:
            raise ValueError(
                f"Message role {role!r} cannot be sent to /v1/responses: use system, "
                "developer, user, assistant or tool messages."
            )
    return items


def responses_tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    """A chat-completions tool (``{"type": "function", "function": {...}}``) → a Responses one.

    Responses function tools are flat; built-in tools (``web_search_preview``, ...) and tools
    already flat pass unchanged.

    Example:
        >>> responses_tool({"type": "function", "function": {"name": "add",
        ...     "parameters": {"type": "object"}}})
        {'type': 'function', 'name': 'add', 'parameters': {'type': 'object'}}
    """
    function = tool.get("function")
    if tool.get("type") == "function" and isinstance(function, Mapping):
        return {"type": "function", **function}
    return dict(tool)


def _tool_choice(choice: Any) -> Any:
    if isinstance(choice, Mapping) and isinstance(choice.get("function"), Mapping):
        return {"type": "function", "name": choice["function"].get("name")}
    return choice


def responses_request_from_chat(body: Mapping[str, Any]) -> dict[str, Any]:
    """A chat-completions-shaped body → a ``POST /v1/responses`` body; ``body`` is untouched.

    Responses-only parameters (``instructions``, ``previous_response_id``, ``store``,
    ``include``, ``reasoning: {effort, summary}``, ``text``, ``truncation``, ``background``)
    pass through. ``n`` above 1 has no Responses equivalent and raises ``ValueError``.
    Capability shaping (which parameters this model's schema takes) is
    :func:`~aimlapi_core.shaping.shape_responses_request`'s job, after this one.

    Example:
        >>> b = responses_request_from_chat({"model": "m", "messages": [{"role": "user",
        ...     "content": "Hi"}], "reasoning_effort": "low", "tool_choice": {"type":
        ...     "function", "function": {"name": "add"}}, "response_format": {"type":
        ...     "json_schema", "json_schema": {"name": "Out", "schema": {}}}})
        >>> b["reasoning"], b["tool_choice"], b["text"]
        ({'effort': 'low'}, {'type': 'function', 'name': 'add'}, \
{'format': {'type': 'json_schema', 'name': 'Out', 'schema': {}}})
    """
    out: dict[str, Any] = {"model": body.get("model")}
    if "messages" in body:
        out["input"] = input_items_from_messages(body["messages"])
    dropped: list[str] = []
    for key, value in body.items():
        if key in _SILENTLY_DROPPED or key == "model":
            continue
        if key in CHAT_ONLY_PARAMS:
            if value is not None and value is not False:
                dropped.append(key)
        elif key == "n":
            if value not in (None, 1):
                raise ValueError(
                    f"n={value!r}: /v1/responses returns one answer per call; make several "
                    "calls, or use chat completions (use_responses_api=False)."
                )
        elif key in RESPONSES_RENAMES:  # max_tokens, reasoning_effort, response_format...
            rename_for_responses(out, key, value)
        elif key == "max_output_tokens":
            if value is not None:
                out["max_output_tokens"] = value
        elif key == "reasoning":
            if isinstance(value, Mapping):
                out["reasoning"] = {**(out.get("reasoning") or {}), **value}
        elif key == "text":
            given = value if isinstance(value, Mapping) else {}
            out["text"] = {**given, **(out.get("text") or {})}
        elif key == "tools":
            out["tools"] = [responses_tool(t) for t in value or ()]
        elif key == "tool_choice":
            out["tool_choice"] = _tool_choice(value)
        else:
            out[key] = value
    if dropped:
        _warn_dropped(str(out.get("model")), dropped, "/v1/responses")
    return out


# -- reply --------------------------------------------------------------------------------------


def finish_reason_of(response: Response) -> str:
    """The chat-completions ``finish_reason`` a Responses result corresponds to.

    Example:
        >>> finish_reason_of(Response(status="incomplete",
        ...     incomplete_details={"reason": "max_output_tokens"}))
        'length'
    """
    if response.status == "incomplete":
        return _INCOMPLETE_FINISH.get(response.incomplete_reason or "", "length")
    if any(item.get("type") in _CALL_ITEMS for item in response.output):
        return "tool_calls"
    return "stop"


def _chat_usage(usage: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not isinstance(usage, Mapping):
        return None
    if "prompt_tokens" in usage:
        return dict(usage)
    out: dict[str, Any] = {
        "prompt_tokens": usage.get("input_tokens") or 0,
        "completion_tokens": usage.get("output_tokens") or 0,
        "total_tokens": usage.get("total_tokens")
        or (usage.get("input_tokens") or 0) + (usage.get("output_tokens") or 0),
    }
    if isinstance(usage.get("input_tokens_details"), Mapping):
        out["prompt_tokens_details"] = dict(usage["input_tokens_details"])
    if isinstance(usage.get("output_tokens_details"), Mapping):
        out["completion_tokens_details"] = dict(usage["output_tokens_details"])
    return out


def chat_completion_from_response(response: Response) -> ChatCompletion:
    """A Responses result as the chat completion that says the same thing.

    ``id`` is the response id; text, refusal, reasoning (summaries, else reasoning text),
    function calls (``call_id`` as the tool call id) and usage map one to one; ``status`` and
    ``incomplete_details`` are kept as extra fields.

    Example:
        >>> c = chat_completion_from_response(Response.model_validate({"id": "resp_1",
        ...     "status": "completed", "output": [{"type": "function_call", "call_id": "c1",
        ...     "name": "add", "arguments": "{}"}],
        ...     "usage": {"input_tokens": 5, "output_tokens": 2, "total_tokens": 7}}))
        >>> c.id, c.choices[0].finish_reason, c.choices[0].message.tool_calls[0].id
        ('resp_1', 'tool_calls', 'c1')
    """
    message: dict[str, Any] = {"role": "assistant", "content": response.text or None}
    if response.refusal:
        message["refusal"] = response.refusal
    reasoning = response.reasoning_text
    if reasoning:
        message["reasoning_content"] = reasoning
    calls = [_chat_tool_call(item) for item in response.output if item.get("type") in _CALL_ITEMS]
    if calls:
        message["tool_calls"] = calls
    annotations = response.annotations
    if annotations:
        message["annotations"] = annotations
    tool_items = response.tool_items
    if tool_items:
        message["output_items"] = tool_items
    created = response.created_at
    data: dict[str, Any] = {
        "id": response.id,
        "object": "chat.completion",
        "created": int(created) if created is not None else None,
        "model": response.model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason_of(response)}],
        "usage": _chat_usage(response.usage),
        "meta": response.meta,
        "status": response.status,
    }
    if response.incomplete_details:
        data["incomplete_details"] = response.incomplete_details
    for key in ("citations", "search_results"):
        if getattr(response, key):
            data[key] = getattr(response, key)
    if annotations or tool_items:
        # The items in their order, for an adapter that shows them as the anchor does
        # (ChatOpenAI's Responses content blocks); plain answers need only the fields above.
        data["output"] = response.output
    return ChatCompletion.model_validate(data)


def _chat_tool_call(item: Mapping[str, Any]) -> dict[str, Any]:
    """A ``function_call`` / ``custom_tool_call`` item as a chat-completions tool call."""
    call_id = item.get("call_id") or item.get("id")
    if item.get("type") == "custom_tool_call":
        custom = {"name": item.get("name"), "input": item.get("input") or ""}
        return {"id": call_id, "type": "custom", "custom": custom}
    function = {"name": item.get("name"), "arguments": item.get("arguments") or ""}
    return {"id": call_id, "type": "function", "function": function}


def chat_reply_from_responses(reply: ResponsesReply) -> ChatReply:
    """A :class:`ResponsesReply` as a :class:`ChatReply` (:func:`chat_completion_from_response`).

    Raises :class:`ResponseFailedError` when the response's status is ``failed``.

    Example:
        >>> reply = ResponsesReply(Response.model_validate({"id": "resp_1", "status":
        ...     "completed", "output": [{"type": "message", "content": [{"type":
        ...     "output_text", "text": "Hi"}]}]}), "inf-1", None, {})
        >>> chat = chat_reply_from_responses(reply)
        >>> chat.completion.id, chat.completion.choices[0].message.content, chat.inference_id
        ('resp_1', 'Hi', 'inf-1')
    """
    raise_if_failed(reply.response, reply.inference_id)
    return ChatReply(
        chat_completion_from_response(reply.response),
        reply.inference_id,
        reply.cost,
        reply.headers,
    )


# -- stream -------------------------------------------------------------------------------------


_CALL_DONE_EVENTS = ("response.function_call_arguments.done", "response.output_item.done")


class ResponsesDeltaTranslator:
    """Turns each :class:`ResponsesDelta` into the chat :class:`StreamDelta` it amounts to.

    It only translates: each event becomes the ``chat.completion.chunk`` a chat-completions
    stream would have carried, folded by its :attr:`accumulator` (the one chat fold, whose
    state the adapters read). What a ``.done`` event adds beyond the deltas comes from the
    Responses fold (:attr:`ResponsesDelta.unstreamed`). Tool calls get chat-style slots (0,
    1, ... in the order their items start) instead of output indexes; reasoning summary
    parts are separated by a blank line, as the non-streamed reasoning text is. An annotation
    event becomes a delta's ``annotations``; a finished built-in tool item (or custom tool
    call, also a ``type="custom"`` tool-call fragment) its ``output_items``, and items only the
    final snapshot has come with the terminal delta. The terminal
    event's delta carries the finish reason, usage and cost, and its ``chunk`` has the
    response ``id`` (also as ``response_id``), ``model``, ``status`` and
    ``incomplete_details``. Returns ``None`` for events that add nothing.

    Example:
        >>> from aimlapi_core import ResponsesStreamAccumulator
        >>> acc, tr = ResponsesStreamAccumulator(), ResponsesDeltaTranslator()
        >>> events = [
        ...     {"type": "response.created", "response": {"id": "resp_1", "model": "o3"}},
        ...     {"type": "response.output_text.delta", "output_index": 0, "delta": "Hi"},
        ...     {"type": "response.completed", "response": {"id": "resp_1", "status":
        ...      "completed", "usage": {"input_tokens": 3, "output_tokens": 1}}}]
        >>> deltas = [tr.add(acc.add(e)) for e in events]
        >>> deltas[0], deltas[1].choices[0].content, deltas[2].choices[0].finish_reason
        (None, 'Hi', 'stop')
        >>> deltas[2].usage.total_tokens, deltas[2].chunk["id"], tr.accumulator.choice(0).text
        (4, 'resp_1', 'Hi')
    """

    def __init__(self) -> None:
        self.response_id: str | None = None
        self.model: str | None = None
        self.accumulator = ChatStreamAccumulator()
        self._slots: dict[int, int] = {}  # output_index -> tool-call slot
        self._reasoning_part: tuple[int, int] | None = None
        self._items_sent: set[Any] = set()  # ids of the built-in items passed on

    def _slot(self, output_index: int) -> int:
        slot = self._slots.get(output_index)
        if slot is None:
            slot = self._slots[output_index] = len(self._slots)
        return slot

    def _reasoning(self, event: Mapping[str, Any], text: str) -> str:
        part = (event.get("output_index") or 0, event.get("summary_index") or 0)
        if self._reasoning_part is not None and part != self._reasoning_part:
            text = "\n\n" + text
        self._reasoning_part = part
        return text

    def _finished_item(
        self, event: Mapping[str, Any], item: Mapping[str, Any], wire: dict[str, Any]
    ) -> None:
        """A finished item chat deltas have no piece for: a built-in tool's item, or a custom
        tool's call (also sent whole, as one tool-call fragment of ``type="custom"``)."""
        kind = item.get("type")
        if kind == "custom_tool_call":
            index = event.get("output_index")
            slot = self._slot(index if isinstance(index, int) else -1 - len(self._slots))
            custom = {"name": item.get("name"), "input": item.get("input") or ""}
            call_id = item.get("call_id") or item.get("id")
            wire["tool_calls"] = [
                {"index": slot, "id": call_id, "type": "custom", "custom": custom}
            ]
        if kind not in CHAT_ITEM_TYPES:
            self._items_sent.add(item.get("id") or event.get("output_index"))
            wire["output_items"] = [dict(item)]

    def add(self, delta: ResponsesDelta) -> StreamDelta | None:
        """The chat-style delta for one Responses event, or ``None``."""
        event = delta.event
        response = event.get("response")
        if isinstance(response, Mapping):
            self.response_id = response.get("id") or self.response_id
            self.model = response.get("model") or self.model
        wire: dict[str, Any] = {}  # the chat ``delta`` this event amounts to
        kind = delta.type
        rest = delta.unstreamed
        if delta.text:
            wire["content"] = delta.text
        elif rest and kind == "response.output_text.done":
            wire["content"] = rest
        if delta.reasoning:
            wire["reasoning_content"] = self._reasoning(event, delta.reasoning)
        elif rest and kind == "response.reasoning_summary_text.done":
            wire["reasoning_content"] = self._reasoning(event, rest)
        if delta.refusal:
            wire["refusal"] = delta.refusal
        call = delta.tool_call
        if call is not None:
            fragment: dict[str, Any] = {"index": self._slot(call.index)}
            if call.id:
                fragment["id"] = call.id
                fragment["type"] = "function"
            function: dict[str, Any] = {"arguments": call.arguments}
            if call.name:
                function["name"] = call.name
            fragment["function"] = function
            wire["tool_calls"] = [fragment]
        elif rest and kind in _CALL_DONE_EVENTS:
            index = event.get("output_index")
            if isinstance(index, int) and index in self._slots:
                fragment = {"index": self._slots[index], "function": {"arguments": rest}}
                wire["tool_calls"] = [fragment]
        elif kind == "response.output_text.annotation.added":
            annotation = event.get("annotation")
            if annotation is not None:
                wire["annotations"] = [annotation]
        if kind == "response.output_item.done" and "tool_calls" not in wire:
            item = event.get("item")  # (a built-in item may have ``arguments`` too: mcp_call)
            if isinstance(item, Mapping):
                self._finished_item(event, item, wire)
        chunk: dict[str, Any] = {
            "id": self.response_id,
            "model": self.model,
            "object": "chat.completion.chunk",
        }
        choice: dict[str, Any] = {"index": 0, "delta": wire}
        if kind in TERMINAL_EVENTS and delta.response is not None:
            final = Response.model_validate(delta.response)
            finish = finish_reason_of(final)
            if finish == "stop" and self._slots and not final.output:
                finish = "tool_calls"  # the snapshot left its items out
            choice["finish_reason"] = finish
            chunk["response_id"] = self.response_id  # for previous_response_id chaining
            chunk["status"] = final.status
            if final.incomplete_details:
                chunk["incomplete_details"] = final.incomplete_details
            usage = _chat_usage(final.usage)
            if usage:
                chunk["usage"] = usage
            if final.meta:
                chunk["meta"] = final.meta
            for key in ("citations", "search_results"):
                if getattr(final, key):
                    chunk[key] = getattr(final, key)
            unsent = [
                item
                for index, item in enumerate(final.output)
                if item.get("type") not in CHAT_ITEM_TYPES
                and (item.get("id") or index) not in self._items_sent
            ]
            if unsent:  # items only the final snapshot has (their .done never came)
                wire["output_items"] = unsent
        elif not wire:
            return None
        chunk["choices"] = [choice]
        return self.accumulator.add(chunk)


def chat_deltas(stream: Iterable[ResponsesDelta]) -> Iterator[StreamDelta]:
    """A Responses stream's deltas as chat-completions deltas (events that add nothing skipped).

    Example:
        >>> from aimlapi_core import ResponsesStreamAccumulator
        >>> acc = ResponsesStreamAccumulator()
        >>> events = [{"type": "response.output_text.delta", "output_index": 0, "delta": "Hi"}]
        >>> [d.choices[0].content for d in chat_deltas(acc.add(e) for e in events)]
        ['Hi']
    """
    translator = ResponsesDeltaTranslator()
    for delta in stream:
        translated = translator.add(delta)
        if translated is not None:
            yield translated


async def achat_deltas(stream: AsyncIterable[ResponsesDelta]) -> AsyncIterator[StreamDelta]:
    """The async twin of :func:`chat_deltas`."""
    translator = ResponsesDeltaTranslator()
    async for delta in stream:
        translated = translator.add(delta)
        if translated is not None:
            yield translated
