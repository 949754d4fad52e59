"""Real recorded traffic (the wire corpus in ``tests/data/wire-corpus``) through ``AIMLAPI``.

For every ``api.openai.com`` chat-completions exchange that answered 200:

* a JSON reply through :meth:`AIMLAPI.chat` gives the body's text, tool calls (ids, names,
  argument strings) and usage, and ``raw`` equal to the body;
* the same reply cut into an OpenAI-style stream gives the same through ``stream_chat`` and
  ``astream_chat``;
* a recorded SSE reply through ``stream_chat``/``astream_chat`` gives what an independent
  reading of the bytes gives, and the deltas add up to the text.

Plus reasoning from OpenRouter (JSON and streamed), and a typed error for every non-200
exchange of any provider. Replies are served by an ``httpx.MockTransport``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, ThinkingBlock, ToolCallBlock
from llama_support import MockAPI

from aimlapi_core import AIMLAPIError
from llama_index_aimlapi import AIMLAPI
from tests.support.corpus import by_id, exchanges

pytestmark = pytest.mark.corpus

HI = [ChatMessage(role="user", content="Hi")]


def _chat_exchanges() -> list[dict[str, Any]]:
    return list(exchanges("chat.completions"))


def _is_sse(exchange: dict[str, Any]) -> bool:
    return str(exchange["response"]["content_type"]).startswith("text/event-stream")


OPENAI_200 = [
    x
    for x in _chat_exchanges()
    if x["provider"] == "api.openai.com" and x["response"]["status"] == 200
]
ERRORS = [x for x in _chat_exchanges() if x["response"]["status"] >= 400]
OPENAI_JSON = [x for x in OPENAI_200 if not _is_sse(x)]
OPENAI_SSE = [x for x in OPENAI_200 if _is_sse(x)]


def _ids(exchanges: list[dict[str, Any]]) -> list[str]:
    return [x["id"].rsplit("/", 1)[-1] for x in exchanges]


def _reply(exchange: dict[str, Any]) -> httpx.Response:
    response = exchange["response"]
    return httpx.Response(
        response["status"],
        content=response["body"].encode(),
        headers={"content-type": response["content_type"]},
    )


def _llm_for(*replies: httpx.Response) -> AIMLAPI:
    return MockAPI(*replies).llm(max_retries=0)


# --- what the bytes say, read independently of the core ------------------------------------


def _summary_of_json(body: dict[str, Any]) -> dict[str, Any]:
    message = body["choices"][0]["message"]
    return {
        "text": message.get("content") or "",
        "calls": [
            (c.get("id"), c["function"]["name"], c["function"]["arguments"])
            for c in message.get("tool_calls") or []
        ],
        "usage": _usage(body.get("usage")),
    }


def _summary_of_sse(text: str) -> dict[str, Any]:
    content: list[str] = []
    calls: dict[int, list[Any]] = {}
    usage = None
    for line in text.splitlines():
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            break
        chunk = json.loads(data)
        if chunk.get("usage"):
            usage = chunk["usage"]
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            content.append(delta.get("content") or "")
            for tc in delta.get("tool_calls") or []:
                call = calls.setdefault(tc["index"], [None, "", ""])
                call[0] = tc.get("id") or call[0]
                function = tc.get("function") or {}
                call[1] += function.get("name") or ""
                call[2] += function.get("arguments") or ""
    return {
        "text": "".join(content),
        "calls": [tuple(calls[i]) for i in sorted(calls)],
        "usage": _usage(usage),
    }


def _usage(usage: dict[str, Any] | None) -> dict[str, int]:
    if not usage:
        return {}
    return {k: usage[k] for k in ("prompt_tokens", "completion_tokens", "total_tokens")}


USAGE_KEYS = ("prompt_tokens", "completion_tokens", "total_tokens")


def _summary_of_response(response: ChatResponse) -> dict[str, Any]:
    kwargs = response.additional_kwargs
    return {
        "text": response.message.content or "",
        "calls": [
            (b.tool_call_id, b.tool_name, b.tool_kwargs)
            for b in response.message.blocks
            if isinstance(b, ToolCallBlock)
        ],
        "usage": {k: kwargs[k] for k in USAGE_KEYS if k in kwargs},
    }


def _as_sse(body: dict[str, Any]) -> httpx.Response:
    """A non-streamed completion re-sent the way OpenAI streams it."""
    message = body["choices"][0]["message"]
    base = {k: body[k] for k in ("id", "created", "model") if k in body}
    base["object"] = "chat.completion.chunk"

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    chunks = [chunk({"role": "assistant", "content": ""})]
    text = message.get("content") or ""
    chunks += [chunk({"content": text[i : i + 3]}) for i in range(0, len(text), 3)]
    for index, call in enumerate(message.get("tool_calls") or []):
        function = call["function"]
        head = {"index": index, "id": call["id"], "type": "function"}
        head["function"] = {"name": function["name"], "arguments": ""}
        chunks.append(chunk({"tool_calls": [head]}))
        arguments = function["arguments"]
        for i in range(0, len(arguments), 5):
            fragment = {"index": index, "function": {"arguments": arguments[i : i + 5]}}
            chunks.append(chunk({"tool_calls": [fragment]}))
    chunks.append(chunk({}, body["choices"][0].get("finish_reason") or "stop"))
    chunks.append({**base, "choices": [], "usage": body.get("usage")})
    text_body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    return httpx.Response(
        200, content=text_body.encode(), headers={"content-type": "text/event-stream"}
    )


def _stream(llm: AIMLAPI) -> list[ChatResponse]:
    return list(llm.stream_chat(HI))


def _astream(llm: AIMLAPI) -> list[ChatResponse]:
    async def main() -> list[ChatResponse]:
        return [r async for r in await llm.astream_chat(HI)]

    return asyncio.run(main())


def _assert_deltas_add_up(responses: list[ChatResponse]) -> None:
    assert "".join(r.delta or "" for r in responses) == (responses[-1].message.content or "")


# --- tests ---------------------------------------------------------------------------------


def test_corpus_has_the_exchanges() -> None:
    assert len(OPENAI_JSON) >= 50 and len(OPENAI_SSE) >= 4
    assert any(_summary_of_json(json.loads(x["response"]["body"]))["calls"] for x in OPENAI_JSON)
    assert any(_summary_of_sse(x["response"]["body"])["calls"] for x in OPENAI_SSE)


@pytest.mark.parametrize("exchange", OPENAI_JSON, ids=_ids(OPENAI_JSON))
def test_json_reply_through_chat_and_as_a_stream(exchange: dict[str, Any]) -> None:
    body = json.loads(exchange["response"]["body"])
    expected = _summary_of_json(body)

    response = _llm_for(_reply(exchange)).chat(HI)
    assert _summary_of_response(response) == expected
    assert response.raw == body

    streamed = _stream(_llm_for(_as_sse(body)))
    assert _summary_of_response(streamed[-1]) == expected
    _assert_deltas_add_up(streamed)
    assert _summary_of_response(_astream(_llm_for(_as_sse(body)))[-1]) == expected


@pytest.mark.parametrize("exchange", OPENAI_SSE, ids=_ids(OPENAI_SSE))
def test_sse_reply_through_stream_chat(exchange: dict[str, Any]) -> None:
    expected = _summary_of_sse(exchange["response"]["body"])
    streamed = _stream(_llm_for(_reply(exchange)))
    assert _summary_of_response(streamed[-1]) == expected
    _assert_deltas_add_up(streamed)
    assert _summary_of_response(_astream(_llm_for(_reply(exchange)))[-1]) == expected


REASONING_JSON = "test_openrouter_thinking_high_emits_effort_high.yaml#0"
REASONING_SSE = "test_openrouter_streaming_reasoning.yaml#0"


def _exchange(suffix: str) -> dict[str, Any]:
    return next(x for x in by_id().values() if x["id"].endswith(suffix))


def test_reasoning_kept_from_json() -> None:
    exchange = _exchange(REASONING_JSON)
    message = json.loads(exchange["response"]["body"])["choices"][0]["message"]
    response = _llm_for(_reply(exchange)).chat(HI)
    thinking = response.message.blocks[0]
    assert isinstance(thinking, ThinkingBlock)
    assert thinking.content == message["reasoning"]
    assert response.additional_kwargs["reasoning_content"] == message["reasoning"]
    assert response.message.content == message["content"]


def test_reasoning_kept_from_stream() -> None:
    exchange = _exchange(REASONING_SSE)
    reasoning = []
    for line in exchange["response"]["body"].splitlines():
        if line.startswith("data:") and line[5:].strip() not in ("", "[DONE]"):
            for choice in json.loads(line[5:]).get("choices") or []:
                reasoning.append((choice.get("delta") or {}).get("reasoning") or "")
    expected = "".join(reasoning)
    assert expected
    responses = _stream(_llm_for(_reply(exchange)))
    last = responses[-1]
    assert last.additional_kwargs["reasoning_content"] == expected
    assert "".join(r.additional_kwargs.get("thinking_delta", "") for r in responses) == expected
    thinking = last.message.blocks[0]
    assert isinstance(thinking, ThinkingBlock) and thinking.content == expected


@pytest.mark.parametrize("exchange", ERRORS, ids=_ids(ERRORS))
def test_error_exchanges_raise_typed_errors(exchange: dict[str, Any]) -> None:
    with pytest.raises(AIMLAPIError) as info:
        _llm_for(_reply(exchange)).chat(HI)
    assert info.value.status_code == exchange["response"]["status"]
    assert info.value.body
