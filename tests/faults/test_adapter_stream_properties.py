"""Through each adapter, a streamed answer adds up to exactly the non-streamed one.

``tests/core/test_stream_properties.py`` proves this for the core's accumulator; here the
whole way is covered, to the framework objects users get: a random completion (text,
reasoning, up to four tool calls whose argument fragments arrive interleaved, a random valid
usage object, AI/ML API's cost), served once as JSON and once as an OpenAI-format stream cut
into arbitrary byte pieces, through ``ChatAIMLAPI`` (``invoke`` vs. the sum of ``stream``
chunks) and LlamaIndex ``AIMLAPI`` (``chat`` vs. the last ``stream_chat`` response), sync and
async. Replies come from an ``httpx.MockTransport`` so hypothesis can run many examples fast.
"""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessage, AIMessageChunk

from langchain_aimlapi import ChatAIMLAPI
from llama_index_aimlapi import AIMLAPI
from tests.faults.helpers import HI, KEY, MODEL
from tests.support.chat_strategies import completions
from tests.support.wire_expect import ChunkedBody, random_pieces, sse_bytes, synth_chat_chunks

PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Wire:
    """Serves the current example: its JSON body, or its stream in the current pieces."""

    def __init__(self) -> None:
        self.body: dict[str, Any] = {}
        self.pieces: list[bytes] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        headers = {"x-inference-id": "inf-prop"}
        if json.loads(request.content).get("stream"):
            headers["content-type"] = "text/event-stream"
            return httpx.Response(200, stream=ChunkedBody(self.pieces), headers=headers)
        return httpx.Response(200, json=self.body, headers=headers)

    def load(self, body: dict[str, Any], rng: random.Random, *, headers_in_order: bool) -> None:
        chunks = synth_chat_chunks(body, rng)
        if headers_in_order:
            body, chunks = _calls_in_order_of_appearance(body, chunks)
        self.body = body
        stream = sse_bytes(chunks, done=rng.random() < 0.8)
        self.pieces = random_pieces(stream, rng, rng.choice([1, 7, 64, 4096]))


def _calls_in_order_of_appearance(
    body: dict[str, Any], chunks: list[dict[str, Any]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Renumber the tool calls so that each one's index is its rank of first appearance in
    the stream (what providers do: call 1 starts after call 0 started), fragments still
    interleaved; the body lists them in that order too."""
    deltas = [tc for c in chunks for ch in c["choices"] for tc in ch["delta"].get("tool_calls", [])]
    order: list[int] = []
    for tc in deltas:
        if tc["index"] not in order:
            order.append(tc["index"])
    rank = {old: new for new, old in enumerate(order)}
    for tc in deltas:
        tc["index"] = rank[tc["index"]]
    message = body["choices"][0]["message"]
    if message.get("tool_calls"):
        message["tool_calls"] = [message["tool_calls"][old] for old in order]
    return body, chunks


WIRE = Wire()
TRANSPORT = httpx.MockTransport(WIRE)
# One instance of each for every example (building httpx clients costs ~40 ms each).
CHAT = ChatAIMLAPI(
    model=MODEL,
    api_key=KEY,
    http_client=httpx.Client(transport=TRANSPORT),
    http_async_client=httpx.AsyncClient(transport=TRANSPORT),
)
LLAMA = AIMLAPI(
    model=MODEL,
    api_key=KEY,
    http_client=httpx.Client(transport=TRANSPORT),
    async_http_client=httpx.AsyncClient(transport=TRANSPORT),
)


def _lc_view(message: AIMessage) -> dict[str, Any]:
    meta = message.response_metadata
    return {
        "text": message.content,
        "reasoning": message.additional_kwargs.get("reasoning_content"),
        "tool_calls": [(c["id"], c["name"], c["args"]) for c in message.tool_calls],
        "invalid": [(c["id"], c["name"], c["args"]) for c in message.invalid_tool_calls],
        "usage": message.usage_metadata,
        "finish_reason": meta.get("finish_reason"),
        "cost": meta.get("cost"),
        "inference_id": meta.get("inference_id"),
    }


async def _lc_pair(async_: bool) -> tuple[AIMessage, AIMessageChunk]:
    llm = CHAT
    if async_:
        whole = await llm.ainvoke("hi")
        pieces = [c async for c in llm.astream("hi")]
    else:
        whole = llm.invoke("hi")
        pieces = list(llm.stream("hi"))
    total = pieces[0]
    for piece in pieces[1:]:
        total = total + piece
    return whole, total


@PROPS
@given(completions(), st.randoms(use_true_random=False), st.booleans())
def test_chat_aimlapi_stream_adds_up_to_invoke(
    body: dict[str, Any], rng: random.Random, async_: bool
) -> None:
    WIRE.load(body, rng, headers_in_order=True)
    whole, total = asyncio.run(_lc_pair(async_))
    assert _lc_view(total) == _lc_view(whole)
    message = body["choices"][0]["message"]
    assert whole.content == (message["content"] or "")
    assert [c["id"] for c in whole.tool_calls] == [c["id"] for c in message.get("tool_calls", [])]
    assert [c["args"] for c in whole.tool_calls] == [
        json.loads(c["function"]["arguments"]) for c in message.get("tool_calls", [])
    ]
    usage: dict[str, Any] = body.get("usage") or {}
    assert (whole.usage_metadata or {}).get("total_tokens") == usage.get("total_tokens")


@PROPS
@given(completions(), st.randoms(use_true_random=False))
def test_chat_aimlapi_calls_whose_headers_come_out_of_order(
    body: dict[str, Any], rng: random.Random
) -> None:
    # LangChain's chunk addition lists tool calls in order of first appearance, whatever
    # their index: when a provider starts call 1 before call 0, the summed stream has the same
    # calls (ids, names, arguments) but not in the non-streamed order. ChatOpenAI does the same.
    WIRE.load(body, rng, headers_in_order=False)
    whole, total = asyncio.run(_lc_pair(False))
    streamed, plain = _lc_view(total), _lc_view(whole)
    assert sorted(streamed.pop("tool_calls"), key=repr) == sorted(plain.pop("tool_calls"), key=repr)
    assert streamed == plain


_USAGE_KEYS = ("prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens")
_KEYS = (*_USAGE_KEYS, "reasoning_tokens", "cost", "finish_reason", "reasoning_content")


def _llama_view(llm: AIMLAPI, response: Any) -> dict[str, Any]:
    calls = llm.get_tool_calls_from_response(response, error_on_no_tool_call=False)
    kwargs = response.additional_kwargs
    return {
        "text": response.message.content or "",
        "tool_calls": [(c.tool_id, c.tool_name, c.tool_kwargs) for c in calls],
        **{key: kwargs.get(key) for key in _KEYS},
    }


async def _llama_pair(llm: AIMLAPI, async_: bool) -> tuple[Any, Any]:
    if async_:
        whole = await llm.achat(HI)
        last = [r async for r in await llm.astream_chat(HI)][-1]
    else:
        whole = llm.chat(HI)
        last = list(llm.stream_chat(HI))[-1]
    return whole, last


@PROPS
@given(completions(), st.randoms(use_true_random=False), st.booleans())
def test_llama_stream_chat_adds_up_to_chat(
    body: dict[str, Any], rng: random.Random, async_: bool
) -> None:
    WIRE.load(body, rng, headers_in_order=False)  # LlamaIndex orders calls by index
    llm = LLAMA
    whole, last = asyncio.run(_llama_pair(llm, async_))
    assert _llama_view(llm, last) == _llama_view(llm, whole)
    calls = body["choices"][0]["message"].get("tool_calls", [])
    assert [t[1] for t in _llama_view(llm, whole)["tool_calls"]] == [
        c["function"]["name"] for c in calls
    ]
    usage: dict[str, Any] = body.get("usage") or {}
    assert whole.additional_kwargs.get("total_tokens") == usage.get("total_tokens")
