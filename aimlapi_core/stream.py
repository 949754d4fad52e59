"""Turn stream events into deltas for the adapters and into one final result.

Two halves, each used by both adapters:

* :class:`ChatChunkReader` / :class:`ResponsesEventReader` check each SSE event: JSON, error
  events inside a 200 stream (``event: error``, ``data: {"error": ...}``), the terminator; at
  the end of the body they raise :class:`StreamError` if the stream stopped before its terminal
  event, so a truncated answer never passes for a complete one.
* :class:`ChatStreamAccumulator` / :class:`ResponsesStreamAccumulator` fold the payloads into
  the same object a non-streamed call returns (text, reasoning, tool calls by index, usage,
  finish reason, cost) and give the adapters a small typed delta per chunk.

The per-chunk path works on plain dicts (no model validation per chunk): a long streamed reply
must cost little more than ``json.loads`` of each chunk (``benchmarks/`` measures it).

Example:
    >>> acc = ChatStreamAccumulator()
    >>> _ = acc.add({"id": "c1", "choices": [{"index": 0, "delta": {"content": "He"}}]})
    >>> d = acc.add({"choices": [{"index": 0, "delta": {"content": "llo"},
    ...                           "finish_reason": "stop"}]})
    >>> d.choices[0].content, acc.result().choices[0].message.content
    ('llo', 'Hello')
"""

from __future__ import annotations

import copy
import json
from bisect import insort
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from .errors import StreamError, stream_error_from_event
from .sse import ServerSentEvent
from .usage import Cost, Usage, cost_from_meta, usage_from_wire
from .wire.chat import ChatCompletion, reasoning_text_of
from .wire.responses import TERMINAL_EVENTS, Response

__all__ = [
    "ChatChunkReader",
    "ChatStreamAccumulator",
    "ChoiceDelta",
    "ChoiceState",
    "ResponsesDelta",
    "ResponsesEventReader",
    "ResponsesStreamAccumulator",
    "StreamDelta",
    "ToolCallDelta",
    "ToolCallState",
    "synthetic_call_id",
]


# ``json.loads`` is three Python calls and two regex matches around this C scanner: a chunk
# that is exactly one JSON document (the usual case) skips them; anything else (surrounding
# whitespace, extra data, an error) takes the full ``json.loads`` rules below.
_raw_decode = json.JSONDecoder().raw_decode


def _decode_json(event: ServerSentEvent, inference_id: str | None) -> dict[str, Any]:
    try:
        payload = json.loads(event.data)
    except ValueError as exc:
        raise StreamError(
            f"Malformed JSON in a stream event: {event.data[:200]!r}",
            inference_id=inference_id,
            request_id=inference_id,
            body=event.data,
        ) from exc
    if not isinstance(payload, dict):
        raise StreamError(
            f"Unexpected stream event (not a JSON object): {event.data[:200]!r}",
            inference_id=inference_id,
            body=event.data,
        )
    return payload


_NO_CHOICE = object()


def _hashable_key(index: Any) -> int:
    return _choice_key(index if isinstance(index, (int, str)) else None)


class ChatChunkReader:
    """Validates chat-completion SSE events one by one; ``None`` means "nothing to yield".

    Example:
        >>> r = ChatChunkReader()
        >>> r.read(ServerSentEvent(data='{"choices": [{"finish_reason": "stop"}]}'))["choices"]
        [{'finish_reason': 'stop'}]
        >>> r.read(ServerSentEvent(data="[DONE]")) is None, r.done
        (True, True)
    """

    __slots__ = ("_last", "_open", "chunks", "done", "finished", "inference_id")

    def __init__(self, inference_id: str | None = None) -> None:
        self.inference_id = inference_id
        self.done = False  # saw [DONE]
        self.finished = False  # saw a finish_reason
        self.chunks = 0
        self._open: dict[int, bool] = {}  # each choice seen (its index as an int): finished?
        self._last: Any = _NO_CHOICE  # the ``index`` of the last choice seen, as sent

    def read(self, event: ServerSentEvent) -> dict[str, Any] | None:
        """The chunk payload of ``event``; raises :class:`StreamError` on an error event."""
        data = event.data
        if data == "[DONE]":
            self.done = True
            return None
        if not data:
            if event.event == "error":
                raise StreamError(
                    "The stream carried an empty error event.", inference_id=self.inference_id
                )
            return None
        payload: dict[str, Any]
        try:
            payload, end = _raw_decode(data)
        except ValueError:
            end = -1
        if end != len(data) or type(payload) is not dict:
            payload = _decode_json(event, self.inference_id)
        if payload.get("error") or event.event == "error":
            raise stream_error_from_event(payload, inference_id=self.inference_id)
        self.chunks += 1
        choices = payload.get("choices")
        if choices and type(choices) is list:
            for choice in choices:
                if type(choice) is not dict:
                    continue
                index = choice.get("index")
                if index is not self._last:  # another choice (rare: n > 1): note it
                    self._last = index
                    self._open.setdefault(_hashable_key(index), False)
                if choice.get("finish_reason"):
                    self.finished = True
                    self._open[_hashable_key(index)] = True
        return payload

    def close(self) -> None:
        """Call at the end of the body: raises if the stream never reached its end.

        The end is ``[DONE]`` or a ``finish_reason``; with several choices (``n > 1``), once
        one choice has finished, every choice must have.
        """
        if not (self.done or self.finished):
            raise StreamError(
                f"The stream ended after {self.chunks} chunk(s) without [DONE] or a "
                "finish_reason: the answer is incomplete (the connection was probably cut).",
                inference_id=self.inference_id,
                request_id=self.inference_id,
            )
        unfinished = [index for index, done in self._open.items() if not done]
        if self.finished and unfinished:
            raise StreamError(
                f"The stream ended after {self.chunks} chunk(s) with choice(s) "
                f"{sorted(unfinished)} of {len(self._open)} unfinished (no finish_reason): "
                "those answers are incomplete.",
                inference_id=self.inference_id,
                request_id=self.inference_id,
            )


class ResponsesEventReader:
    """Validates Responses SSE events; raises on ``error``/``response.failed`` events.

    Example:
        >>> r = ResponsesEventReader()
        >>> r.read(ServerSentEvent(data='{"type": "response.completed", "response": {}}'))["type"]
        'response.completed'
        >>> r.terminal
        'response.completed'
    """

    __slots__ = ("events", "inference_id", "terminal")

    def __init__(self, inference_id: str | None = None) -> None:
        self.inference_id = inference_id
        self.terminal: str | None = None
        self.events = 0

    def read(self, event: ServerSentEvent) -> dict[str, Any] | None:
        """The event payload; raises :class:`StreamError` for ``error`` and ``response.failed``."""
        if not event.data or event.data == "[DONE]":
            return None
        payload = _decode_json(event, self.inference_id)
        kind = payload.get("type") or event.event
        self.events += 1
        if kind == "error" or (kind is None and payload.get("error")):
            raise stream_error_from_event(
                payload if "error" in payload else {"error": payload},
                inference_id=self.inference_id,
            )
        if kind == "response.failed":
            response = payload.get("response") or {}
            raise stream_error_from_event(
                {"error": response.get("error") or {"message": "response.failed"}},
                inference_id=self.inference_id,
                failed=True,
            )
        if kind in TERMINAL_EVENTS:
            self.terminal = kind
        return payload

    def close(self) -> None:
        """Call at the end of the body: raises if no terminal event arrived."""
        if self.terminal is None:
            raise StreamError(
                f"The Responses stream ended after {self.events} event(s) without "
                "response.completed: the answer is incomplete.",
                inference_id=self.inference_id,
                request_id=self.inference_id,
            )


@dataclass(slots=True)
class ToolCallDelta:
    """A fragment of one tool call: ``id``/``name`` come once, ``arguments`` in pieces.

    ``index`` is the call's slot in its choice (0, 1, ... in the order calls open), whatever
    ``index`` the provider sent. A call whose provider sent no id gets
    :func:`synthetic_call_id` in the delta that finishes its choice.
    """

    index: int
    id: str | None
    name: str | None
    arguments: str
    type: str | None = None
    """``"custom"`` for a custom (free-form) tool's call, whose ``arguments`` are its plain
    ``input`` text; else ``None`` (a function call)."""


@dataclass(slots=True)
class ChoiceDelta:
    """What one chunk added to one choice (``index``: the choice's position, 0 first)."""

    index: int
    content: str | None = None
    reasoning: str | None = None
    tool_calls: list[ToolCallDelta] = field(default_factory=list)
    finish_reason: str | None = None
    role: str | None = None
    refusal: str | None = None
    logprobs: dict[str, Any] | None = None
    annotations: list[Any] | None = None
    """Citations this chunk added (``url_citation``, ...)."""
    output_items: list[dict[str, Any]] | None = None
    """Built-in tool items this chunk finished (a Responses stream's ``web_search_call``, ...)."""


@dataclass(slots=True)
class StreamDelta:
    """What one chunk added: per-choice deltas, plus usage/cost when this chunk carried them.

    ``accumulator`` is the fold the chunk went into: its :meth:`ChatStreamAccumulator.choice`
    is everything the stream has carried so far, for an adapter that shows the whole message
    at every chunk (LlamaIndex) rather than only what the chunk added (LangChain).
    """

    choices: list[ChoiceDelta]
    usage: Usage | None
    cost: Cost | None
    chunk: dict[str, Any]
    accumulator: ChatStreamAccumulator = field(compare=False, repr=False)


def synthetic_call_id(slot: int) -> str:
    """The id given to a tool call whose provider sent none (Gemini's OpenAI layer does that).

    The tool's reply must name its call, so an id-less call gets ``call_<slot>``, the same in
    both adapters, streamed or not.

    Example:
        >>> synthetic_call_id(1)
        'call_1'
    """
    return f"call_{slot}"


_RUN = 32  # text pieces joined into one string at a time


class _Pieces:
    """Text that streams in pieces (content, reasoning, refusal, tool-call arguments),
    joined ``_RUN`` pieces at a time; :meth:`text` is the whole.

    Kept one by one, the pieces of a long stream stay alive in the middle of the freed
    objects of the chunks they were decoded with, scattered over the heap, and every later
    allocation pays for it (measured in ``benchmarks/README.md``, "Why the fast paths").
    :meth:`text` keeps the whole it returns as the one joined run, so a reader that asks at
    every chunk (LlamaIndex's cumulative responses) pays one concatenation a chunk.
    """

    __slots__ = ("done", "run")

    def __init__(self) -> None:
        self.done: list[Any] = []  # joined runs (a non-text piece stays as it came)
        self.run: list[Any] = []  # the pieces since

    def append(self, piece: Any) -> None:
        run = self.run
        run.append(piece)
        if len(run) == _RUN:
            self.close_run()

    def close_run(self) -> None:
        try:
            self.done.append("".join(self.run))
        except TypeError:  # not all text: kept as they are, text() reports it as join would
            self.done.extend(self.run)
        self.run = []

    def __bool__(self) -> bool:
        return bool(self.done or self.run)

    def text(self) -> str:
        done, run = self.done, self.run
        if run:
            if len(done) == 1 and len(run) == 1 and type(done[0]) is str and type(run[0]) is str:
                whole = done[0] + run[0]  # the reader that asks every chunk
            else:
                whole = "".join(done) + "".join(run)  # raises, changing nothing, as join would
            run.clear()
        elif len(done) == 1 and type(done[0]) is str:
            return str(done[0])
        elif not done:
            return ""
        else:
            whole = "".join(done)
        done.clear()
        done.append(whole)
        return whole


class ToolCallState:
    """One tool call of a choice as far as the stream has carried it.

    ``id`` is the provider's (``None`` when it sent none: :attr:`call_id` then gives the
    synthetic one); ``slot`` is its place among the choice's calls.
    """

    __slots__ = ("id", "id_given", "name", "pieces", "slot", "type")

    def __init__(self, slot: int) -> None:
        self.slot = slot
        self.id: str | None = None
        self.name: str | None = None
        self.type = "function"
        self.pieces = _Pieces()
        self.id_given = False  # a synthetic id went out in a delta

    @property
    def arguments(self) -> str:
        """The arguments so far (a JSON string, perhaps still partial)."""
        return self.pieces.text()

    @property
    def call_id(self) -> str:
        """The provider's id, else :func:`synthetic_call_id` of the slot."""
        return self.id or synthetic_call_id(self.slot)


class ChoiceState:
    """One choice as far as the stream has carried it: read it, never change it.

    ``calls`` are in slot order; :attr:`text`, :attr:`reasoning` and :attr:`refusal` are the
    whole strings so far ('' when none came).
    """

    __slots__ = (
        "_content",
        "_reasoning",
        "_refusal",
        "annotations",
        "call_by_id",
        "call_slot",
        "calls",
        "finish_reason",
        "index",
        "key",
        "last_call",
        "logprobs",
        "output_items",
        "reasoning_details",
        "role",
        "tool_calls",
    )

    def __init__(self, index: int, key: int) -> None:
        self.index = index  # the choice's position: 0 for the first choice the stream opened
        self.key = key  # its ``index`` on the wire, read as an int
        self.role: str | None = None
        self._content = _Pieces()
        self._reasoning = _Pieces()
        self.reasoning_details: list[Any] = []
        self._refusal = _Pieces()
        self.annotations: list[Any] = []  # url/file citations, one or more per chunk
        self.output_items: list[dict[str, Any]] = []  # built-in tool items (Responses streams)
        self.tool_calls: dict[int, ToolCallState] = {}  # by slot
        self.calls: list[ToolCallState] = []  # the same, in slot order
        self.call_slot: dict[int, int] = {}  # the wire ``index`` → the slot it now feeds
        self.call_by_id: dict[str, int] = {}  # a call's ``id`` → its slot
        self.last_call: int | None = None  # the slot the last fragment went to
        self.finish_reason: str | None = None
        self.logprobs: list[Any] | None = None

    @property
    def text(self) -> str:
        """The content so far."""
        return self._content.text()

    @property
    def reasoning(self) -> str:
        """The reasoning text so far, whichever field the provider streamed it in."""
        return self._reasoning.text()

    @property
    def refusal(self) -> str:
        """The refusal so far."""
        return self._refusal.text()

    def new_call_slot(self) -> int:
        return max(self.tool_calls, default=-1) + 1

    def open_call(self, slot: int) -> ToolCallState:
        call = self.tool_calls[slot] = ToolCallState(slot)
        insort(self.calls, call, key=_SLOT)
        return call


_SLOT = attrgetter("slot")
# Top-level keys kept from the first chunk that has them (``citations``/``search_results``:
# Perplexity-style sources, repeated in every chunk of such a stream).
_TOP_LEVEL = (
    "id",
    "object",
    "created",
    "model",
    "system_fingerprint",
    "service_tier",
    "provider",
    "citations",
    "search_results",
)
_REASONING_KEYS = frozenset({"reasoning_content", "reasoning", "reasoning_details"})


def _choice_key(wire: Any) -> int:
    """A choice ``index`` as sent (``0``, ``"0"``, ``1``, missing) → an int to key it by."""
    if type(wire) is int:
        return wire
    if isinstance(wire, str) and wire.strip().isdigit():
        return int(wire)
    return 0


class ChatStreamAccumulator:
    """The one fold of ``chat.completion.chunk`` payloads, into one ``chat.completion``.

    Tool calls are keyed by ``index``; fragments of several calls may interleave. A provider
    that reuses an index for a call with a new ``id`` gets a new slot, and the index's later
    fragments follow it there, so no call is lost or merged; one that omits ``index`` is
    followed by ``id`` (or position). Citations (``annotations``) are collected in order.

    The adapters show choice 0: in the deltas and in :meth:`choice`, choices are numbered by
    position, the first choice a stream opens being 0 whatever ``index`` it carries (``1``,
    ``"0"``), later ones keeping their own index where it is free; :meth:`to_wire` keeps each
    choice's own ``index``. :meth:`choice` is a choice's state so far, which both adapters read.

    Example:
        >>> acc = ChatStreamAccumulator()
        >>> _ = acc.add({"choices": [{"index": "1", "delta": {"content": "Hi", "tool_calls":
        ...     [{"index": 0, "function": {"name": "f", "arguments": "{}"}}]}}]})
        >>> state = acc.choice(0)
        >>> state.text, [(c.call_id, c.name, c.arguments) for c in state.calls]
        ('Hi', [('call_0', 'f', '{}')])
    """

    def __init__(self) -> None:
        self._top: dict[str, Any] = {}
        self._top_missing: tuple[str, ...] = _TOP_LEVEL  # keys no chunk has carried yet
        self._choices: dict[int, ChoiceState] = {}  # by position
        self._by_wire: dict[Any, ChoiceState] = {}  # by ``index`` exactly as sent
        self._by_key: dict[int, ChoiceState] = {}  # by ``index`` read as an int
        self.usage: dict[str, Any] | None = None
        self.meta: dict[str, Any] | None = None

    def choice(self, index: int = 0) -> ChoiceState | None:
        """The state of the choice at ``index`` (its position), ``None`` before it opens."""
        return self._choices.get(index)

    @property
    def choices(self) -> list[ChoiceState]:
        """Every choice's state, in position order."""
        return [self._choices[i] for i in sorted(self._choices)]

    def top_level(self, key: str) -> Any:
        """A top-level field as the first chunk that had it carried it (``id``, ``model``,
        Perplexity-style ``citations`` and ``search_results``, ...), else ``None``.

        Example:
            >>> acc = ChatStreamAccumulator()
            >>> _ = acc.add({"citations": ["https://a.example"], "choices": []})
            >>> acc.top_level("citations"), acc.top_level("search_results")
            (['https://a.example'], None)
        """
        return self._top.get(key)

    @property
    def normalised_usage(self) -> Usage | None:
        """The usage the stream reported (``None`` until a chunk carried it)."""
        return usage_from_wire(self.usage)

    @property
    def cost(self) -> Cost | None:
        """AI/ML API's ``meta.usage`` cost, ``None`` until a chunk carried it."""
        return cost_from_meta(self.meta)

    def add(self, chunk: dict[str, Any]) -> StreamDelta:
        """Fold one chunk in and return what it added."""
        missing = self._top_missing
        if missing:
            top = self._top
            found = False
            for key in missing:
                value = chunk.get(key)
                if value is not None:
                    top[key] = value
                    found = True
            if found:
                self._top_missing = tuple(k for k in missing if k not in top)
        usage = chunk.get("usage")
        if usage:
            self.usage = usage
        meta = chunk.get("meta")
        if meta:
            self.meta = meta
        deltas = []
        choices = chunk.get("choices")
        if choices:
            for raw in choices:
                deltas.append(self._add_usual(raw) or self._add_choice(raw))
        return StreamDelta(
            deltas,
            usage_from_wire(usage) if usage else None,
            cost_from_meta(meta) if meta else None,
            chunk,
            self,
        )

    def _state(self, wire: Any) -> ChoiceState:
        """The state of the choice a chunk's ``index`` names, opened on first sight."""
        try:
            state = self._by_wire.get(wire)
        except TypeError:  # an unhashable index: read as a missing one
            wire = None
            state = self._by_wire.get(wire)
        if state is None:
            key = _choice_key(wire)
            state = self._by_key.get(key)
            if state is None:
                taken = self._choices
                position = 0 if not taken else key if key not in taken else max(taken) + 1
                state = self._by_key[key] = taken[position] = ChoiceState(position, key)
            self._by_wire[wire] = state
        return state

    def _add_usual(self, raw: dict[str, Any]) -> ChoiceDelta | None:
        """The two shapes nearly every chunk has, folded as :meth:`_add_choice` would, without
        its general walk: a delta of only ``content``, or of only the next ``arguments`` piece
        of a call already seen (``{"index": i, "function": {"arguments": "..."}}``). ``None``
        for anything else, having changed nothing: :meth:`_add_choice` then takes it.

        Its twin is :meth:`_add_choice`; ``tests/core/test_stream_fastpath.py`` proves they
        fold alike. Why it exists: ``benchmarks/README.md``, "Why the fast paths".
        """
        delta = raw.get("delta")
        if type(delta) is not dict or len(delta) != 1 or raw.get("logprobs"):
            return None
        try:
            state = self._by_wire.get(raw.get("index"))
        except TypeError:
            return None
        if state is None:
            return None
        content = delta.get("content")
        if content is not None:
            if content:
                state._content.append(content)
                out = ChoiceDelta(state.index, content)
            else:
                out = ChoiceDelta(state.index)
        else:
            fragments = delta.get("tool_calls")
            if type(fragments) is not list or len(fragments) != 1:
                return None
            fragment = fragments[0]
            if type(fragment) is not dict or len(fragment) != 2:  # no id, name or type
                return None
            wire_index = fragment.get("index")
            function = fragment.get("function")
            if type(wire_index) is not int or type(function) is not dict or len(function) != 1:
                return None
            arguments = function.get("arguments")
            slot = state.call_slot.get(wire_index)
            if type(arguments) is not str or slot is None:
                return None
            state.last_call = slot
            if arguments:
                state.tool_calls[slot].pieces.append(arguments)
            out = ChoiceDelta(state.index, None, None, [ToolCallDelta(slot, None, None, arguments)])
        finish = raw.get("finish_reason")
        if finish:
            _finish(state, out, finish)
        return out

    def _add_choice(self, raw: dict[str, Any]) -> ChoiceDelta:
        state = self._state(raw.get("index"))
        out = ChoiceDelta(state.index)
        delta = raw.get("delta")
        if delta:
            # Only the keys this delta has (usually one: ``content`` or ``tool_calls``).
            reasoning_keys = False
            for key, value in delta.items():
                if key == "content":
                    if value:
                        state._content.append(value)
                        out.content = value
                elif key == "tool_calls":
                    if isinstance(value, list) and len(value) == 1:  # the usual: one fragment
                        out.tool_calls = [self._add_tool_call(state, value[0], 0)]
                    elif value:
                        out.tool_calls = [
                            self._add_tool_call(state, tc, pos) for pos, tc in enumerate(value)
                        ]
                elif key == "role":
                    if value:
                        state.role = out.role = value
                elif key in _REASONING_KEYS:
                    reasoning_keys = True
                elif key == "refusal":
                    if value:
                        state._refusal.append(value)
                        out.refusal = value
                elif key == "annotations":
                    if value and isinstance(value, list):
                        state.annotations.extend(value)
                        out.annotations = value
                elif key == "output_items" and value and isinstance(value, list):
                    state.output_items.extend(value)  # a Responses stream's built-in items
                    out.output_items = value
            if reasoning_keys:
                reasoning = reasoning_text_of(delta)
                if reasoning:
                    state._reasoning.append(reasoning)
                    out.reasoning = reasoning
                details = delta.get("reasoning_details")
                if details:
                    state.reasoning_details.extend(details)
        finish = raw.get("finish_reason")
        if finish:
            _finish(state, out, finish)
        logprobs = raw.get("logprobs")
        if logprobs:
            out.logprobs = logprobs
            if state.logprobs is None:
                state.logprobs = []
            state.logprobs.extend(logprobs.get("content") or ())
        return out

    @staticmethod
    def _add_tool_call(state: ChoiceState, raw: dict[str, Any], position: int) -> ToolCallDelta:
        call_id = raw.get("id") or None
        wire_index = raw.get("index")
        if isinstance(wire_index, int):
            slot = state.call_slot.get(wire_index)
            if slot is None:
                # A new wire index: its own slot, unless an earlier remapped call holds it.
                slot = wire_index if wire_index not in state.tool_calls else state.new_call_slot()
                state.call_slot[wire_index] = slot
            elif call_id:
                known = state.tool_calls[slot].id
                if known and known != call_id:
                    # A new call reusing the index: a new slot, and the index's later
                    # fragments (which carry no id) follow it there.
                    slot = state.call_by_id.get(call_id, state.new_call_slot())
                    state.call_slot[wire_index] = slot
        elif call_id is not None:
            # No index: the id names the call (some providers repeat it on every fragment).
            slot = state.call_by_id.get(call_id, state.new_call_slot())
        elif state.last_call is None:
            slot = position
        else:
            slot = max(state.last_call, position)
        call = state.tool_calls.get(slot)
        if call is None:
            call = state.open_call(slot)
        state.last_call = slot
        kind = raw.get("type")
        if kind == "custom":  # a free-form tool: {"name", "input"} under "custom"
            custom = raw.get("custom") or {}
            name = custom.get("name")
            arguments = custom.get("input") or ""
        else:
            function = raw.get("function") or {}
            name = function.get("name")
            arguments = function.get("arguments") or ""
        if call_id:
            call.id = call_id
            state.call_by_id[call_id] = slot
        if name:
            call.name = name if call.name is None else call.name
        if kind:
            call.type = kind
        if arguments:
            call.pieces.append(arguments)
        return ToolCallDelta(slot, call_id, name, arguments, "custom" if kind == "custom" else None)

    def to_wire(self) -> dict[str, Any]:
        """The accumulated result as a ``chat.completion`` dict, as a non-streamed call has it."""
        out: dict[str, Any] = dict(self._top)
        out["object"] = "chat.completion"
        choices = []
        for key in sorted(self._by_key):
            state = self._by_key[key]
            message: dict[str, Any] = {
                "role": state.role or "assistant",
                "content": state.text if state._content else None,
            }
            if state._reasoning:
                message["reasoning_content"] = state.reasoning
            if state.reasoning_details:
                message["reasoning_details"] = state.reasoning_details
            if state._refusal:
                message["refusal"] = state.refusal
            if state.annotations:
                message["annotations"] = state.annotations
            if state.output_items:
                message["output_items"] = state.output_items
            if state.calls:
                message["tool_calls"] = [_call_to_wire(call) for call in state.calls]
            choice: dict[str, Any] = {
                "index": key,
                "message": message,
                "finish_reason": state.finish_reason,
            }
            if state.logprobs is not None:
                choice["logprobs"] = {"content": state.logprobs}
            choices.append(choice)
        out["choices"] = choices
        if self.usage is not None:
            out["usage"] = self.usage
        if self.meta is not None:
            out["meta"] = self.meta
        return out

    def result(self) -> ChatCompletion:
        """The accumulated result as a validated :class:`ChatCompletion`."""
        return ChatCompletion.model_validate(self.to_wire())


def _call_to_wire(call: ToolCallState) -> dict[str, Any]:
    if call.type == "custom":
        return {
            "id": call.id,
            "type": "custom",
            "custom": {"name": call.name, "input": call.arguments},
        }
    return {
        "id": call.id,
        "type": call.type,
        "function": {"name": call.name, "arguments": call.arguments},
    }


def _finish(state: ChoiceState, out: ChoiceDelta, finish: str) -> None:
    """Record a choice's finish reason; the delta that finishes it names every call that came
    without an id by :func:`synthetic_call_id` (once), so LangChain's merged chunks carry the
    ids LlamaIndex shows, and a tool reply can name its call."""
    state.finish_reason = out.finish_reason = finish
    for call in state.calls:
        if call.id is None and not call.id_given:
            call.id_given = True
            call_id = synthetic_call_id(call.slot)
            for fragment in out.tool_calls:
                if fragment.index == call.slot:
                    fragment.id = call_id
                    break
            else:
                out.tool_calls.append(ToolCallDelta(call.slot, call_id, None, ""))


@dataclass(slots=True)
class ResponsesDelta:
    """What one Responses event added: text, reasoning, a function-call fragment, or the end."""

    type: str
    text: str | None = None
    reasoning: str | None = None
    tool_call: ToolCallDelta | None = None
    usage: Usage | None = None
    cost: Cost | None = None
    response: dict[str, Any] | None = None
    event: dict[str, Any] = field(default_factory=dict)
    refusal: str | None = None
    unstreamed: str | None = None
    """What a ``.done`` event (text part, arguments, finished item) has beyond what the deltas
    carried: a gateway may send a part or a call only whole."""


# event type → (item type, item key, part type, part field, index field of the event)
_PART_EVENTS: dict[str, tuple[str, str, str, str, str]] = {
    "response.output_text.delta": ("message", "content", "output_text", "text", "content_index"),
    "response.output_text.done": ("message", "content", "output_text", "text", "content_index"),
    "response.refusal.delta": ("message", "content", "refusal", "refusal", "content_index"),
    "response.refusal.done": ("message", "content", "refusal", "refusal", "content_index"),
    "response.reasoning_summary_text.delta": (
        "reasoning",
        "summary",
        "summary_text",
        "text",
        "summary_index",
    ),
    "response.reasoning_summary_text.done": (
        "reasoning",
        "summary",
        "summary_text",
        "text",
        "summary_index",
    ),
    "response.reasoning_text.delta": (
        "reasoning",
        "content",
        "reasoning_text",
        "text",
        "content_index",
    ),
    "response.reasoning_text.done": (
        "reasoning",
        "content",
        "reasoning_text",
        "text",
        "content_index",
    ),
}


def _beyond(whole: Any, sent: str) -> str | None:
    """What ``whole`` has beyond ``sent`` (``None`` when nothing, or when it does not extend
    it: the deltas then stand)."""
    if not isinstance(whole, str) or len(whole) <= len(sent) or not whole.startswith(sent):
        return None
    return whole[len(sent) :]


class ResponsesStreamAccumulator:
    """Folds Responses stream events into one :class:`Response`.

    Deltas build the output items as they arrive; the terminal event's ``response`` then
    supplies status, usage and any item the deltas did not carry. An ``incomplete`` response
    keeps its partial text and its ``incomplete_details``.
    """

    def __init__(self) -> None:
        self._items: dict[int, dict[str, Any]] = {}
        self._response: dict[str, Any] = {}
        self.terminal: str | None = None

    def _item(self, index: int | None) -> dict[str, Any]:
        key = index if isinstance(index, int) else max(self._items, default=-1)
        item = self._items.get(key)
        if item is None:
            item = self._items[key] = {}
        return item

    def add(self, event: dict[str, Any]) -> ResponsesDelta:
        """Fold one event in and return what it added."""
        kind = str(event.get("type") or "")
        out = ResponsesDelta(type=kind, event=event)
        if kind in _PART_EVENTS:
            # Text, refusal and reasoning arrive as deltas; each ``.done`` event repeats the
            # whole part, which then wins (a gateway may send only the ``.done``).
            item_type, key, part_type, field_name, index_key = _PART_EVENTS[kind]
            item = self._item(event.get("output_index"))
            item.setdefault("type", item_type)
            parts = item.get(key)
            if not isinstance(parts, list):
                parts = item[key] = []
            pi = event.get(index_key) or 0
            while len(parts) <= pi:
                parts.append({"type": part_type, field_name: ""})
            part = parts[pi]
            if kind.endswith(".delta"):
                delta = event.get("delta") or ""
                part[field_name] = (part.get(field_name) or "") + delta
                if part_type == "output_text":
                    out.text = delta
                elif part_type == "refusal":
                    out.refusal = delta
                else:
                    out.reasoning = delta
            elif isinstance(event.get(field_name), str):
                out.unstreamed = _beyond(event[field_name], part.get(field_name) or "")
                part[field_name] = event[field_name]
        elif kind == "response.output_text.annotation.added":
            annotation = event.get("annotation")
            if isinstance(annotation, dict):
                item = self._item(event.get("output_index"))
                item.setdefault("type", "message")
                parts = item.get("content")
                if not isinstance(parts, list):
                    parts = item["content"] = []
                ci = event.get("content_index") or 0
                while len(parts) <= ci:
                    parts.append({"type": "output_text", "text": ""})
                notes = parts[ci].get("annotations")
                if not isinstance(notes, list):
                    notes = parts[ci]["annotations"] = []
                notes.append(annotation)
        elif kind == "response.function_call_arguments.delta":
            index = event.get("output_index")
            item = self._item(index)
            item.setdefault("type", "function_call")
            item["arguments"] = (item.get("arguments") or "") + (event.get("delta") or "")
            out.tool_call = ToolCallDelta(
                index=index if isinstance(index, int) else max(self._items),
                id=None,
                name=None,
                arguments=event.get("delta") or "",
            )
        elif kind == "response.function_call_arguments.done":
            if isinstance(event.get("arguments"), str):
                item = self._item(event.get("output_index"))
                out.unstreamed = _beyond(event["arguments"], item.get("arguments") or "")
                item["arguments"] = event["arguments"]
        elif kind == "response.output_item.added":
            index = event.get("output_index")
            slot = index if isinstance(index, int) else max(self._items, default=-1) + 1
            # A deep copy: the deltas extend this item, and must not edit the event we yield.
            item = copy.deepcopy(event.get("item") or {})
            merged = self._items[slot] = {**item, **self._items.get(slot, {})}
            if item.get("type") == "function_call":
                if not isinstance(merged.get("arguments"), str):
                    merged["arguments"] = ""
                out.tool_call = ToolCallDelta(
                    index=slot,
                    id=item.get("call_id"),
                    name=item.get("name"),
                    arguments=item.get("arguments") or "",
                )
        elif kind == "response.output_item.done":
            index = event.get("output_index")
            if isinstance(index, int) and event.get("item"):
                before = self._items.get(index) or {}
                item = self._items[index] = dict(event["item"])
                out.unstreamed = _beyond(item.get("arguments"), before.get("arguments") or "")
        if isinstance(event.get("response"), dict):
            self._response = event["response"]
            if kind in TERMINAL_EVENTS:
                self.terminal = kind
                out.response = event["response"]
                out.usage = usage_from_wire(event["response"].get("usage"))
                out.cost = cost_from_meta(event["response"].get("meta"))
        return out

    @property
    def streamed_text(self) -> str:
        """The text the deltas carried, independent of the terminal event."""
        return Response.model_validate({"output": self._ordered_items()}).text

    def _ordered_items(self) -> list[dict[str, Any]]:
        return [self._items[i] for i in sorted(self._items)]

    def result(self) -> Response:
        """The final :class:`Response`: the terminal snapshot, completed from the deltas."""
        final = dict(self._response)
        if not final.get("output"):
            final["output"] = self._ordered_items()
        return Response.model_validate(final)
