"""Tool calls a provider sent without ids get the core's synthetic ids in both adapters.

Gemini's OpenAI layer (and others) omit ``id``; a tool's reply must name its call, so the core
gives such a call ``call_<slot>`` (:func:`aimlapi_core.synthetic_call_id`). LlamaIndex always
did; ``ChatAIMLAPI`` now does too, streamed (the chunk that finishes the answer carries the
id, so merged chunks have it) and not, and both adapters give the same ids for the same
reply. A call that came with an id keeps it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, ToolMessage
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.tools import FunctionTool

from aimlapi_core import synthetic_call_id
from tests.faults.helpers import MODEL, USAGE, build_chat, build_llama
from tests.support.fault_server import FaultServer, Reply

CALLS = [("add", '{"a": 1, "b": 2}'), ("mul", '{"a": 3, "b": 4}')]


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def mul(a: int, b: int) -> int:
    """Multiply two numbers."""
    return a * b


def _chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    payload = {
        "id": "chatcmpl-ids",
        "object": "chat.completion.chunk",
        "model": "gemini-2.0-flash",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


def stream_without_ids(ids: list[str | None]) -> list[bytes]:
    """Two calls, each header carrying ``ids[i]`` (or no ``id`` at all), arguments in pieces."""
    out = [_chunk({"role": "assistant", "content": None})]
    for slot, ((name, args), call_id) in enumerate(zip(CALLS, ids, strict=True)):
        header: dict[str, Any] = {"index": slot, "type": "function", "function": {"name": name}}
        if call_id is not None:
            header["id"] = call_id
        out.append(_chunk({"tool_calls": [header]}))
        for i in range(0, len(args), 4):
            piece = {"index": slot, "function": {"arguments": args[i : i + 4]}}
            out.append(_chunk({"tool_calls": [piece]}))
    out.append(_chunk({}, "tool_calls"))
    tail = {"id": "chatcmpl-ids", "object": "chat.completion.chunk", "choices": [], "usage": USAGE}
    out.append(b"data: " + json.dumps(tail).encode() + b"\n\n")
    out.append(b"data: [DONE]\n\n")
    return out


def completion_without_ids(ids: list[str | None]) -> bytes:
    calls = []
    for (name, args), call_id in zip(CALLS, ids, strict=True):
        call: dict[str, Any] = {"type": "function", "function": {"name": name, "arguments": args}}
        if call_id is not None:
            call["id"] = call_id
        calls.append(call)
    return json.dumps(
        {
            "id": "chatcmpl-ids",
            "object": "chat.completion",
            "model": "gemini-2.0-flash",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": None, "tool_calls": calls},
                    "finish_reason": "tool_calls",
                }
            ],
            "usage": USAGE,
        }
    ).encode()


def _reply(ids: list[str | None], streamed: bool) -> Reply:
    if streamed:
        return Reply(body=stream_without_ids(ids), content_type="text/event-stream")
    return Reply(body=completion_without_ids(ids))


IDS = [
    pytest.param([None, None], ["call_0", "call_1"], id="none"),
    pytest.param([None, "call_real"], ["call_0", "call_real"], id="one"),
]


async def _langchain(ids: list[str | None], streamed: bool, mode: str) -> AIMessage:
    with FaultServer(max_requests=2, lifetime=20) as server:
        server.enqueue(_reply(ids, streamed))
        llm = build_chat(server.base_url, max_retries=0)
        bound = llm.bind_tools([add, mul])
        try:
            if not streamed:
                return bound.invoke("go") if mode == "sync" else await bound.ainvoke("go")
            full: AIMessageChunk | None = None
            if mode == "sync":
                for piece in bound.stream("go"):
                    full = piece if full is None else full + piece
            else:
                async for piece in bound.astream("go"):
                    full = piece if full is None else full + piece
            assert full is not None
            return full
        finally:
            await llm._clients.aclose()


async def _llama(ids: list[str | None], streamed: bool, mode: str) -> list[str]:
    tools = [FunctionTool.from_defaults(fn=add), FunctionTool.from_defaults(fn=mul)]
    with FaultServer(max_requests=2, lifetime=20) as server:
        server.enqueue(_reply(ids, streamed))
        llm = build_llama(server.base_url, max_retries=0)
        try:
            message = [ChatMessage(role="user", content="go")]
            if not streamed:
                call = llm.chat_with_tools if mode == "sync" else llm.achat_with_tools
                response = call(tools, chat_history=message, allow_parallel_tool_calls=True)
                if mode == "async":
                    response = await response
            elif mode == "sync":
                *_, response = llm.stream_chat_with_tools(
                    tools, chat_history=message, allow_parallel_tool_calls=True
                )
            else:
                stream = await llm.astream_chat_with_tools(
                    tools, chat_history=message, allow_parallel_tool_calls=True
                )
                response = [r async for r in stream][-1]
            selections = llm.get_tool_calls_from_response(response, error_on_no_tool_call=True)
            return [s.tool_id for s in selections]
        finally:
            await llm._clients.aclose()


@pytest.mark.parametrize(("ids", "expected"), IDS)
@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
async def test_id_less_calls_get_the_same_ids_in_both_adapters(
    ids: list[str | None], expected: list[str], mode: str, streamed: bool
) -> None:
    message = await _langchain(ids, streamed, mode)
    assert [(c["id"], c["name"], c["args"]) for c in message.tool_calls] == [
        (expected[0], "add", {"a": 1, "b": 2}),
        (expected[1], "mul", {"a": 3, "b": 4}),
    ]
    assert not message.invalid_tool_calls
    assert await _llama(ids, streamed, mode) == expected
    assert expected[0] == synthetic_call_id(0)


async def test_the_tool_replies_name_their_calls_on_the_next_request() -> None:
    """The ids go back to the server: the assistant's calls and the tool messages match."""
    with FaultServer(max_requests=3, lifetime=20) as server:
        server.enqueue(
            _reply([None, None], streamed=True),
            Reply(body=completion_without_ids([None, None])),
        )
        llm = build_chat(server.base_url, max_retries=0)
        try:
            bound = llm.bind_tools([add, mul])
            full: AIMessageChunk | None = None
            for piece in bound.stream("go"):
                full = piece if full is None else full + piece
            assert full is not None
            replies = [
                ToolMessage(content=str(n), tool_call_id=call["id"])
                for n, call in zip((3, 12), full.tool_calls, strict=True)
            ]
            bound.invoke(["go", full, *replies])
        finally:
            await llm._clients.aclose()
    sent = server.requests[1].body["messages"]
    assert [c["id"] for c in sent[1]["tool_calls"]] == ["call_0", "call_1"]
    assert [(m["role"], m["tool_call_id"]) for m in sent[2:]] == [
        ("tool", "call_0"),
        ("tool", "call_1"),
    ]
    assert server.requests[1].body["model"] == MODEL
