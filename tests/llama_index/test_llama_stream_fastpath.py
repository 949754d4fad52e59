"""The LlamaIndex stream's fast paths, against the plain way of building the same objects.

:class:`StreamAssembler` folds nothing: it reads the core accumulator's state (whose own fast
path is proved in ``tests/core/test_stream_fastpath.py``), keeps the thinking/text blocks
until they change, and builds call blocks straight from the call state
(``_message_with_calls``, the twin of :func:`assistant_blocks`). Each must give exactly what
the plain way gives, and no response a consumer holds may change afterwards:

* every :class:`ChatResponse` equals one rebuilt from scratch from the typed deltas alone,
  when it is yielded and again at the end of the stream (snapshots are not shared state);
* end to end through ``stream_chat_with_tools``, sync and async: partial calls, parallel
  interleaved calls, a name that arrives late, per-response ``tool_calls`` lists and dicts.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    MessageRole,
    TextBlock,
    ToolCallBlock,
)
from llama_index.core.tools import FunctionTool
from llama_support import MockAPI, sse_response

from aimlapi_core import ChatStreamAccumulator, StreamDelta
from llama_index_aimlapi.convert import (
    assistant_blocks,
    logprobs_from_wire,
    synthetic_call_id,
    usage_kwargs,
)
from llama_index_aimlapi.stream import StreamAssembler
from tests.support.chat_strategies import chat_streams

PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------- the assembler


def rebuilt(deltas: list[StreamDelta], inference_id: str | None) -> Iterator[ChatResponse]:
    """The plain way: every response built from scratch from the state so far."""
    text = reasoning = ""
    calls: dict[int, dict[str, Any]] = {}
    finish = usage = cost = None
    for delta in deltas:
        reasoning_delta = text_delta = ""
        logprobs = None
        for choice in delta.choices:
            if choice.index:
                continue
            text_delta += choice.content or ""
            reasoning_delta += choice.reasoning or ""
            for f in choice.tool_calls:
                call = calls.setdefault(f.index, {"id": None, "name": None, "arguments": ""})
                call["id"] = f.id or call["id"]
                call["name"] = call["name"] or f.name or None
                call["arguments"] += f.arguments
            finish = choice.finish_reason or finish
            logprobs = logprobs_from_wire(choice.logprobs) if choice.logprobs else logprobs
        text += text_delta
        reasoning += reasoning_delta
        usage = delta.usage or usage
        cost = delta.cost or cost
        wire = [
            {
                "id": c["id"] or synthetic_call_id(i),
                "type": "function",
                "function": {"name": c["name"] or "", "arguments": c["arguments"]},
            }
            for i, c in sorted(calls.items())
        ]
        tokens = usage.reasoning_tokens if usage else None
        blocks = assistant_blocks(text, reasoning, wire, always_text=True, reasoning_tokens=tokens)
        kwargs = usage_kwargs(usage, cost, inference_id)
        if reasoning_delta:
            kwargs["thinking_delta"] = reasoning_delta
        if reasoning:
            kwargs["reasoning_content"] = reasoning
        if finish:
            kwargs["finish_reason"] = finish
        message = ChatMessage(
            role=MessageRole.ASSISTANT,
            blocks=blocks,
            **({"additional_kwargs": {"tool_calls": wire}} if wire else {}),
        )
        extra = {"logprobs": logprobs} if logprobs is not None else {}
        yield ChatResponse(
            message=message, delta=text_delta, raw=delta.chunk, additional_kwargs=kwargs, **extra
        )


@PROPS
@given(chat_streams())
def test_every_response_equals_one_built_from_scratch(chunks: list[dict[str, Any]]) -> None:
    acc = ChatStreamAccumulator()
    assembler = StreamAssembler(inference_id="inf-1")
    # the assembler reads the accumulator's state: each chunk is folded as a stream goes
    deltas, held, at_yield = [], [], []
    for chunk in chunks:
        deltas.append(acc.add(chunk))
        response = assembler.add(deltas[-1])
        held.append(response)
        at_yield.append(copy.deepcopy(response.model_dump()))
    expected = [r.model_dump() for r in rebuilt(deltas, "inf-1")]
    assert at_yield == expected
    # later chunks changed nothing a consumer held
    assert [r.model_dump() for r in held] == at_yield


# --------------------------------------------------------------------------- end to end


def summarize(text: str) -> str:
    """Summarize a text."""
    return text[:10]


TOOLS = [FunctionTool.from_defaults(fn=summarize)]


def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }


def header(index: int, call_id: str | None, name: str | None) -> dict[str, Any]:
    function: dict[str, Any] = {"arguments": ""}
    if name is not None:
        function["name"] = name
    out: dict[str, Any] = {"index": index, "type": "function", "function": function}
    if call_id is not None:
        out["id"] = call_id
    return out


def piece(index: int, arguments: str) -> dict[str, Any]:
    return {"index": index, "function": {"arguments": arguments}}


def tool_stream(*fragments: dict[str, Any]) -> list[dict[str, Any]]:
    payloads = [chunk({"role": "assistant", "content": None, "tool_calls": [fragments[0]]})]
    payloads += [chunk({"tool_calls": [f]}) for f in fragments[1:]]
    payloads.append(chunk({}, "tool_calls"))
    payloads.append(
        {
            "id": "chatcmpl-1",
            "choices": [],
            "usage": {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13},
        }
    )
    return payloads


def calls_of(response: ChatResponse) -> list[tuple[str | None, str, Any]]:
    return [
        (b.tool_call_id, b.tool_name, b.tool_kwargs)
        for b in response.message.blocks
        if isinstance(b, ToolCallBlock)
    ]


def wire_of(response: ChatResponse) -> list[tuple[str, str, str]]:
    return [
        (c["id"], c["function"]["name"], c["function"]["arguments"])
        for c in response.message.additional_kwargs.get("tool_calls", [])
    ]


def test_held_responses_keep_their_partial_call() -> None:
    args = '{"text": "' + "abc " * 30 + '"}'
    parts = [args[i : i + 3] for i in range(0, len(args), 3)]
    fragments = [header(0, "call_1", "summarize"), *(piece(0, p) for p in parts)]
    api = MockAPI(sse_response(tool_stream(*fragments)))
    responses = list(api.llm().stream_chat_with_tools(TOOLS, user_msg="Sum it up"))

    assert len(responses) == len(parts) + 3
    for n, response in enumerate(responses[: len(parts) + 1]):
        so_far = "".join(parts[:n])
        assert calls_of(response) == [("call_1", "summarize", so_far)]
        assert wire_of(response) == [("call_1", "summarize", so_far)]
    for response in responses[len(parts) :]:
        assert calls_of(response) == [("call_1", "summarize", args)]
    # each response has its own tool_calls list, call dicts and call blocks
    lists = [id(r.message.additional_kwargs["tool_calls"]) for r in responses]
    dicts = [id(r.message.additional_kwargs["tool_calls"][0]) for r in responses]
    blocks = [id(r.message.blocks[-1]) for r in responses]
    assert len(set(lists)) == len(set(dicts)) == len(set(blocks)) == len(responses)
    # the one thing shared: the unchanged empty text block (documented)
    texts = {id(b) for r in responses for b in r.message.blocks if isinstance(b, TextBlock)}
    assert len(texts) == 1 and responses[-1].message.content == ""
    # editing what one response holds leaves the others alone
    responses[3].message.additional_kwargs["tool_calls"][0]["function"]["arguments"] = "edited"
    responses[3].additional_kwargs["edited"] = True
    assert wire_of(responses[4]) == [("call_1", "summarize", "".join(parts[:4]))]
    assert "edited" not in responses[4].additional_kwargs
    last = responses[-1]
    assert last.additional_kwargs["finish_reason"] == "tool_calls"
    assert last.additional_kwargs["total_tokens"] == 13


def test_parallel_interleaved_calls_in_slot_order() -> None:
    """Call 1's header arrives first; fragments of the two calls alternate; each held response
    shows both calls as far as they had come, call 0 first."""
    fragments = [
        header(1, "call_b", "summarize"),
        piece(1, '{"text": '),
        header(0, "call_a", "summarize"),
        piece(0, '{"text": '),
        piece(1, '"bbb"}'),
        piece(0, '"aaa"}'),
    ]
    api = MockAPI(sse_response(tool_stream(*fragments)))
    llm = api.llm()
    responses = list(
        llm.stream_chat_with_tools(TOOLS, user_msg="Both", allow_parallel_tool_calls=True)
    )
    expected = [
        [("call_b", "summarize", "")],
        [("call_b", "summarize", '{"text": ')],
        [("call_a", "summarize", ""), ("call_b", "summarize", '{"text": ')],
        [("call_a", "summarize", '{"text": '), ("call_b", "summarize", '{"text": ')],
        [("call_a", "summarize", '{"text": '), ("call_b", "summarize", '{"text": "bbb"}')],
        [("call_a", "summarize", '{"text": "aaa"}'), ("call_b", "summarize", '{"text": "bbb"}')],
    ]
    assert [calls_of(r) for r in responses[:6]] == expected
    assert [wire_of(r) for r in responses[:6]] == expected
    selections = llm.get_tool_calls_from_response(responses[-1])
    assert [(s.tool_id, s.tool_kwargs) for s in selections] == [
        ("call_a", {"text": "aaa"}),
        ("call_b", {"text": "bbb"}),
    ]


def test_a_name_and_an_id_that_arrive_late() -> None:
    """A header with neither name nor id (the id never comes: a synthetic one stands in), the
    name in a later fragment between argument pieces."""
    fragments = [
        header(0, None, None),
        piece(0, '{"te'),
        {"index": 0, "function": {"name": "summarize"}},
        piece(0, 'xt": "hi"}'),
    ]
    api = MockAPI(sse_response(tool_stream(*fragments)))
    responses = list(api.llm().stream_chat_with_tools(TOOLS, user_msg="Hi"))
    synthetic = synthetic_call_id(0)
    assert [calls_of(r) for r in responses[:4]] == [
        [(synthetic, "", "")],
        [(synthetic, "", '{"te')],
        [(synthetic, "summarize", '{"te')],
        [(synthetic, "summarize", '{"text": "hi"}')],
    ]
    assert wire_of(responses[-1]) == [(synthetic, "summarize", '{"text": "hi"}')]


def test_an_index_reused_by_a_new_call() -> None:
    """A provider that numbers every call 0: the second call's id opens a new slot and its id-less
    fragments (the fast path's shape) follow it there."""
    fragments = [
        header(0, "call_1", "summarize"),
        piece(0, '{"text": "one"}'),
        header(0, "call_2", "summarize"),
        piece(0, '{"text": '),
        piece(0, '"two"}'),
    ]
    api = MockAPI(sse_response(tool_stream(*fragments)))
    llm = api.llm()
    *_, last = llm.stream_chat_with_tools(TOOLS, user_msg="Two", allow_parallel_tool_calls=True)
    assert calls_of(last) == [
        ("call_1", "summarize", '{"text": "one"}'),
        ("call_2", "summarize", '{"text": "two"}'),
    ]


async def test_async_responses_equal_the_sync_ones() -> None:
    fragments = [header(0, "call_1", "summarize"), *(piece(0, c) for c in '{"text": "xyz"}')]
    api = MockAPI(default=sse_response(tool_stream(*fragments)))
    llm = api.llm()
    sync = [r.model_dump() for r in llm.stream_chat_with_tools(TOOLS, user_msg="x")]
    stream = await llm.astream_chat_with_tools(TOOLS, user_msg="x")
    assert [r.model_dump() async for r in stream] == sync


def test_block_lists_are_per_response_when_the_blocks_are_shared() -> None:
    """A text stream's trailing chunks (finish, usage) keep the last text block; each response
    still has its own block list, so appending to one changes no other."""
    words = ["Hel", "lo", "!"]
    payloads = [chunk({"role": "assistant", "content": ""})]
    payloads += [chunk({"content": w}) for w in words]
    payloads += [chunk({}, "stop")]
    api = MockAPI(sse_response(payloads))
    responses = list(api.llm().stream_chat([ChatMessage(role="user", content="Hi")]))
    assert [r.message.content for r in responses] == ["", "Hel", "Hello", "Hello!", "Hello!"]
    assert len({id(r.message.blocks) for r in responses}) == len(responses)
    assert responses[-1].message.blocks[0] is responses[-2].message.blocks[0]  # unchanged text
    responses[-2].message.blocks.append(TextBlock(text=" more"))
    assert responses[-1].message.content == "Hello!"
