"""Turn the core's stream deltas into LlamaIndex's cumulative streamed ``ChatResponse`` s.

LlamaIndex wants every streamed :class:`ChatResponse` to carry the whole message so far
(``message``) plus what this chunk added (``delta``). The core's
:class:`~aimlapi_core.ChatStreamAccumulator` is the one fold of the stream: it has resolved
every tool-call fragment to its call slot, so parallel calls, calls sent whole in one chunk
and providers that omit ``index`` are in the right place in the state this module reads.

Example:
    >>> from aimlapi_core import ChatStreamAccumulator
    >>> acc, asm = ChatStreamAccumulator(), StreamAssembler(inference_id="inf-1")
    >>> r1 = asm.add(acc.add({"choices": [{"index": 0, "delta": {"content": "He"}}]}))
    >>> r2 = asm.add(acc.add({"choices": [{"index": 0, "delta": {"content": "y"},
    ...                                    "finish_reason": "stop"}]}))
    >>> r2.delta, r2.message.content, r2.additional_kwargs["finish_reason"]
    ('y', 'Hey', 'stop')
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping
from typing import Any, Protocol

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ContentBlock,
    MessageRole,
    ToolCallBlock,
)

from aimlapi_core import Cost, StreamDelta, Usage
from aimlapi_core.stream import ChoiceState, ToolCallState, synthetic_call_id
from aimlapi_core.usage import cost_from_headers

from .convert import assistant_blocks, item_kwargs, logprobs_from_wire, usage_kwargs

__all__ = ["StreamAssembler", "achat_responses", "chat_responses"]


class StreamAssembler:
    """Builds one cumulative :class:`ChatResponse` per stream delta (choice 0).

    It folds nothing itself: the message so far is the core accumulator's state of choice 0
    (``delta.accumulator.choice(0)``: text, reasoning, calls in slot order, finish reason);
    from the delta it takes only what this chunk added (``delta``, ``thinking_delta``,
    logprobs) and when usage or cost arrived.

    ``raw`` of each response is that chunk's wire dict. Usage, cost (``meta.usage``, else the
    ``x-aimlapi-*`` headers) and the inference id go in ``additional_kwargs`` as for a
    non-streamed reply, from the chunk that carried them onwards, so the last response has
    them even when a provider sends more chunks after the usage one; ``thinking_delta`` holds
    this chunk's reasoning text, as llama-index-llms-openai does, for agents that stream it.
    A call whose provider sent no id shows :func:`~aimlapi_core.stream.synthetic_call_id`.
    Citations and tool items (:func:`~.convert.item_kwargs`) are in ``additional_kwargs``
    from the chunk that carried them onwards; top-level ``citations`` / ``search_results``
    from the last chunk (``responses``: a translated ``/v1/responses`` stream).

    Every response is a snapshot a consumer may keep: later chunks never change it. Its
    message, block list, ``additional_kwargs``, ``tool_calls`` list, call dicts and call
    blocks are its own; its thinking and text blocks are the previous response's when they
    did not change (the empty text block all through a tool-call stream, one pydantic model
    less per chunk), so read blocks, as LlamaIndex's streamed responses are read, rather
    than edit them in place.
    """

    def __init__(
        self,
        *,
        inference_id: str | None,
        header_cost: Cost | None = None,
        responses: bool = False,
    ) -> None:
        self.inference_id = inference_id
        self.header_cost = header_cost
        self.responses = responses
        self.role = MessageRole.ASSISTANT
        self.usage: Usage | None = None
        self.cost: Cost | None = None
        # citations and tool items: built again only when a chunk adds some
        self._items = item_kwargs((), (), (), {}, responses=responses)
        # usage/cost/inference-id (and item) kwargs change only with usage, cost or items:
        # built once per change
        self._usage_kwargs = usage_kwargs(None, None, inference_id) | self._items
        # thinking and text blocks, built again only when they change (None)
        self._head: list[ContentBlock] | None = None
        self._reasoning = ""  # choice 0's reasoning as of the last chunk that added some

    def add(self, delta: StreamDelta) -> ChatResponse:
        """Read one delta and the state it left; return the message so far."""
        text_delta = ""
        reasoning_delta = ""
        logprobs = None
        items = False  # this chunk added citations or tool items
        for choice in delta.choices:
            if choice.index != 0:
                continue  # n > 1 is not exposed by LlamaIndex's ChatResponse
            if choice.content:
                text_delta += choice.content
            if choice.reasoning:
                reasoning_delta += choice.reasoning
            if choice.logprobs:
                logprobs = logprobs_from_wire(choice.logprobs)
            if (
                choice.annotations
                or choice.output_items
                or choice.finish_reason
                or (choice.tool_calls and choice.tool_calls[0].type == "custom")
            ):
                items = True
        state = delta.accumulator.choice(0)
        if items and state is not None:
            self._items = _items_of(delta, state, responses=self.responses)
            self._usage_kwargs = usage_kwargs(self.usage, self.cost, self.inference_id)
            self._usage_kwargs |= self._items
        if text_delta or reasoning_delta:
            self._head = None
            if reasoning_delta and state is not None:
                self._reasoning = state.reasoning  # read once a change, not every chunk

        if delta.usage is not None or delta.cost is not None:
            if delta.usage is not None:
                self.usage = delta.usage
                self.cost = self.cost or self.header_cost
                if self._reasoning:
                    self._head = None  # the thinking block carries the reasoning token count
            if delta.cost is not None:
                self.cost = delta.cost
            self._usage_kwargs = usage_kwargs(self.usage, self.cost, self.inference_id)
            self._usage_kwargs |= self._items
        head = self._head
        if head is None:
            tokens = self.usage.reasoning_tokens if self.usage else None
            head = self._head = assistant_blocks(
                state.text if state is not None else "",
                self._reasoning,
                (),
                always_text=True,
                reasoning_tokens=tokens,
            )
        if state is not None and state.calls:
            message = self._message_with_calls(head, state.calls)
        else:
            message = ChatMessage(role=self.role, blocks=head)  # validation copies the list
        kwargs = self._usage_kwargs  # and ChatResponse's validation copies this dict
        finish_reason = state.finish_reason if state is not None else None
        if reasoning_delta or self._reasoning or finish_reason:
            kwargs = dict(kwargs)
            if reasoning_delta:
                kwargs["thinking_delta"] = reasoning_delta
            if self._reasoning:
                kwargs["reasoning_content"] = self._reasoning
            if finish_reason:
                kwargs["finish_reason"] = finish_reason
        if logprobs is None:
            return ChatResponse(
                message=message, delta=text_delta, raw=delta.chunk, additional_kwargs=kwargs
            )
        return ChatResponse(
            message=message,
            delta=text_delta,
            raw=delta.chunk,
            logprobs=logprobs,
            additional_kwargs=kwargs,
        )

    def _message_with_calls(
        self, head: list[ContentBlock], calls: list[ToolCallState]
    ) -> ChatMessage:
        """The message so far with its tool calls in slot order, as wire dicts
        (``additional_kwargs``) and as blocks after the thinking and text ones.

        Its twin is :func:`~.convert.assistant_blocks`, which builds the same blocks from wire
        dicts; this runs for every chunk of a tool-call stream, where going through the wire
        dicts costs more (``benchmarks/README.md``, "Why the fast paths").
        ``tests/llama_index/test_llama_stream_fastpath.py`` proves each response equals one
        built the plain way.
        """
        blocks = head.copy()
        wire = []
        for call in calls:
            if call.type == "custom":  # kept in additional_kwargs["custom_tool_calls"]
                continue
            call_id = call.id or synthetic_call_id(call.slot)
            name = call.name or ""
            arguments = call.arguments
            wire.append(
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": name, "arguments": arguments},
                }
            )
            blocks.append(
                ToolCallBlock(tool_call_id=call_id, tool_name=name, tool_kwargs=arguments)
            )
        kwargs = {"tool_calls": wire} if wire else {}
        return ChatMessage(role=self.role, blocks=blocks, additional_kwargs=kwargs)


def _items_of(delta: StreamDelta, state: ChoiceState, *, responses: bool) -> dict[str, Any]:
    """:func:`~.convert.item_kwargs` of choice 0 as the stream has carried it so far."""
    acc = delta.accumulator
    custom = [
        {"id": c.call_id, "custom": {"name": c.name, "input": c.arguments}}
        for c in state.calls
        if c.type == "custom"
    ]
    top = {
        "citations": acc.top_level("citations"),
        "search_results": acc.top_level("search_results"),
    }
    return item_kwargs(state.annotations, state.output_items, custom, top, responses=responses)


class _OpenStream(Protocol):
    @property
    def inference_id(self) -> str | None: ...
    @property
    def headers(self) -> Mapping[str, str]: ...


def _assembler(stream: _OpenStream, responses: bool) -> StreamAssembler:
    return StreamAssembler(
        inference_id=stream.inference_id,
        header_cost=cost_from_headers(stream.headers),
        responses=responses,
    )


def chat_responses(
    stream: _OpenStream, deltas: Iterable[StreamDelta], *, responses: bool = False
) -> Iterator[ChatResponse]:
    """The cumulative :class:`ChatResponse` s of an open stream's deltas (chat completions'
    own, or a Responses stream's translated ones: ``responses=True``), with its inference id
    and header cost."""
    # ``map`` rather than a generator: one Python frame less to resume per chunk.
    return map(_assembler(stream, responses).add, deltas)


async def achat_responses(
    stream: _OpenStream, deltas: AsyncIterable[StreamDelta], *, responses: bool = False
) -> AsyncIterator[ChatResponse]:
    """The async twin of :func:`chat_responses`."""
    add = _assembler(stream, responses).add
    async for delta in deltas:
        yield add(delta)
