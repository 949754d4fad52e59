"""``ChatAIMLAPI`` on ``POST /v1/responses``: which calls go there, chaining by response id,
reasoning summaries, ``incomplete`` and ``failed`` responses, sync and async, and parity with
``ChatOpenAI(use_responses_api=True)`` on the same server.

Calls that a live key can reproduce replay cassettes (``cassettes/test_responses_api/``,
recorded from the fake model's Responses face); a ``failed`` response cannot be asked of the
live API, so those tests script the recorded shape on the loopback replay server.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.exceptions import ModelAPIError
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from pydantic import BaseModel

from aimlapi_core import ResponseFailedError
from langchain_aimlapi import ChatAIMLAPI
from tests.support.fake_model import fake_responder
from tests.support.fake_responses import failed_reply
from tests.support.replay_server import ReplayServer

pytestmark = pytest.mark.filterwarnings("ignore::aimlapi_core.shaping.AIMLAPIParameterWarning")


@pytest.fixture
def api_settings(replay_server: ReplayServer, api_settings: dict[str, str]) -> dict[str, str]:
    """The shared settings, with the fake model answering when a cassette is recorded."""
    replay_server.responder = fake_responder
    return api_settings


def _sent(cassette: Any, index: int = -1) -> tuple[str, dict[str, Any]]:
    request = cassette.requests[index]
    return request.path, json.loads(request.body)


def _joined(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


# --------------------------------------------------------------------------- which endpoint


@pytest.mark.parametrize(
    ("params", "call", "endpoint"),
    [
        ({"model": "openai/gpt-5-pro"}, {}, "/v1/responses"),  # served only there
        ({"model": "gpt-4o"}, {}, "/v1/chat/completions"),
        ({"model": "gpt-4o", "use_responses_api": True}, {}, "/v1/responses"),
        ({"model": "openai/gpt-5-pro", "use_responses_api": False}, {}, "/v1/chat/completions"),
        ({"model": "gpt-4o"}, {"previous_response_id": "resp_1"}, "/v1/responses"),
        ({"model": "o3-mini", "reasoning": {"summary": "auto"}}, {}, "/v1/responses"),
        ({"model": "o3-mini", "reasoning": {"effort": "low"}}, {}, "/v1/chat/completions"),
        ({"model": "gpt-4o", "include": ["reasoning.encrypted_content"]}, {}, "/v1/responses"),
        ({"model": "gpt-4o"}, {"tools": [{"type": "web_search_preview"}]}, "/v1/responses"),
    ],
)
def test_the_endpoint_follows_the_model_and_the_parameters(
    params: dict[str, Any], call: dict[str, Any], endpoint: str
) -> None:
    with ReplayServer(responder=fake_responder) as server:
        llm = ChatAIMLAPI(api_key="sk-test", base_url=server.base_url, **params)
        llm.invoke("Hello", **call)
        assert [r.path for r in server.requests] == [endpoint]


# --------------------------------------------------------------------------- text and chaining


@pytest.mark.vcr
def test_invoke_and_chain_by_response_id(vcr: Any, api_settings: dict[str, str]) -> None:
    llm = ChatAIMLAPI(model="gpt-4o-mini", use_responses_api=True, store=True, **api_settings)
    first = llm.invoke("What is the capital of France?")
    assert isinstance(first, AIMessage)
    assert "Paris" in first.text
    response_id = first.response_metadata["id"]
    assert response_id.startswith("resp_") and first.id == response_id
    assert first.response_metadata["status"] == "completed"
    assert first.response_metadata["finish_reason"] == "stop"
    assert first.usage_metadata is not None and first.usage_metadata["total_tokens"] > 0

    second = llm.invoke("What is the capital of Italy?", previous_response_id=response_id)
    path, body = _sent(vcr)
    assert path == "/v1/responses"
    assert body["previous_response_id"] == response_id
    assert body["store"] is True
    assert body["input"] == [
        {"type": "message", "role": "user", "content": "What is the capital of Italy?"}
    ]
    assert "Rome" in second.text


@pytest.mark.vcr
def test_use_previous_response_id_sends_only_the_new_turns(
    vcr: Any, api_settings: dict[str, str]
) -> None:
    llm = ChatAIMLAPI(model="gpt-4o-mini", use_previous_response_id=True, **api_settings)
    history: list[Any] = [HumanMessage("What is the capital of France?")]
    history.append(llm.invoke(history))
    history.append(HumanMessage("What is the capital of Italy?"))
    answer = llm.invoke(history)
    path, body = _sent(vcr)
    assert (path, body["previous_response_id"]) == ("/v1/responses", history[1].id)
    assert body["input"] == [
        {"type": "message", "role": "user", "content": "What is the capital of Italy?"}
    ]
    assert "Rome" in answer.text


@pytest.mark.vcr
async def test_astream_carries_the_response_id_usage_and_cost(
    vcr: Any, api_settings: dict[str, str]
) -> None:
    llm = ChatAIMLAPI(model="gpt-4o-mini", use_responses_api=True, **api_settings)
    chunks = [c async for c in llm.astream("Tell me a joke about cats")]
    full = _joined(chunks)
    done = await llm.ainvoke("Tell me a joke about cats")
    assert len(chunks) > 3 and full.text == done.text and full.text
    assert full.response_metadata["id"].startswith("resp_")
    assert full.response_metadata["status"] == "completed"
    assert full.response_metadata["cost"]["credits_used"] > 0
    assert full.usage_metadata == done.usage_metadata
    assert _sent(vcr, 0)[1]["stream"] is True


# --------------------------------------------------------------------------- tools, structure


class Capital(BaseModel):
    """The capital of a country."""

    country: str
    capital: str


@pytest.mark.vcr
@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_structured_output_on_responses(
    vcr: Any, api_settings: dict[str, str], method: str
) -> None:
    llm = ChatAIMLAPI(model="gpt-4o-mini", use_responses_api=True, **api_settings)
    result = llm.with_structured_output(Capital, method=method).invoke(  # type: ignore[arg-type]
        "The capital of France, as country and capital."
    )
    assert isinstance(result, Capital) and result.capital
    _, body = _sent(vcr)
    if method == "json_schema":
        fmt = body["text"]["format"]
        assert (fmt["type"], fmt["name"]) == ("json_schema", "Capital")
    else:
        tool = body["tools"][0]
        assert (tool["type"], tool["name"]) == ("function", "Capital")
        assert sorted(tool["parameters"]["properties"]) == ["capital", "country"]
        assert body["tool_choice"] == {"type": "function", "name": "Capital"}


def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


@pytest.mark.vcr
async def test_tool_round_trip_async_streamed(vcr: Any, api_settings: dict[str, str]) -> None:
    llm = ChatAIMLAPI(model="gpt-4o-mini", use_responses_api=True, **api_settings)
    bound = llm.bind_tools([multiply])
    question = HumanMessage("What is 6 times 7?")
    call = _joined([c async for c in bound.astream([question])])
    assert call.tool_calls[0]["name"] == "multiply"
    assert call.tool_calls[0]["args"] == {"a": 6, "b": 7}
    assert call.response_metadata["finish_reason"] == "tool_calls"
    tool_message = await (await _as_tool()).ainvoke(call.tool_calls[0])
    answer = await bound.ainvoke([question, call, tool_message])
    assert "42" in answer.text
    _, body = _sent(vcr)
    call_id = call.tool_calls[0]["id"]
    assert body["input"][1:] == [
        {
            "type": "function_call",
            "call_id": call_id,
            "name": "multiply",
            "arguments": '{"a": 6, "b": 7}',
        },
        {"type": "function_call_output", "call_id": call_id, "output": "42"},
    ]


async def _as_tool() -> Any:
    from langchain_core.tools import tool

    return tool(multiply)


# --------------------------------------------------------------------------- reasoning, limits


@pytest.mark.vcr
@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_reasoning_summary_is_a_reasoning_block(
    vcr: Any, api_settings: dict[str, str], stream: bool
) -> None:
    llm = ChatAIMLAPI(
        model="openai/o3-2025-04-16", reasoning={"effort": "low", "summary": "auto"}, **api_settings
    )
    prompt = "What is 17 times 3? Think it through."
    message = _joined(list(llm.stream(prompt))) if stream else llm.invoke(prompt)
    blocks = message.content_blocks
    assert [b["type"] for b in blocks] == ["reasoning", "text"]
    assert blocks[0]["reasoning"]  # type: ignore[typeddict-item]
    assert message.usage_metadata is not None
    assert message.usage_metadata["output_token_details"]["reasoning"] > 0
    _, body = _sent(vcr)
    assert body["reasoning"] == {"effort": "low", "summary": "auto"}
    assert "temperature" not in body


@pytest.mark.vcr
@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
async def test_incomplete_keeps_the_partial_text_and_says_why(
    vcr: Any, api_settings: dict[str, str], stream: bool
) -> None:
    llm = ChatAIMLAPI(model="gpt-4o-mini", use_responses_api=True, max_tokens=16, **api_settings)
    prompt = "Write a short story about a lighthouse keeper."
    message = (
        _joined([c async for c in llm.astream(prompt)]) if stream else await llm.ainvoke(prompt)
    )
    assert message.text  # the partial answer is kept
    assert message.response_metadata["status"] == "incomplete"
    assert message.response_metadata["finish_reason"] == "length"
    assert message.response_metadata["incomplete_details"] == {"reason": "max_output_tokens"}
    assert _sent(vcr)[1]["max_output_tokens"] == 16


# --------------------------------------------------------------------------- failed


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
async def test_failed_raises_and_returns_nothing_partial(stream: bool) -> None:
    with ReplayServer() as server:
        llm = ChatAIMLAPI(
            model="gpt-4o-mini", use_responses_api=True, api_key="k", base_url=server.base_url
        )
        for _ in range(2):
            server.enqueue(failed_reply(stream=stream))
        seen: list[Any] = []
        with pytest.raises(ResponseFailedError, match="failed to generate") as sync_err:
            if stream:
                seen.extend(llm.stream("Tell a story"))
            else:
                llm.invoke("Tell a story")
        with pytest.raises(ResponseFailedError) as async_err:
            if stream:
                seen.extend([c async for c in llm.astream("Tell a story")])
            else:
                await llm.ainvoke("Tell a story")
    assert sync_err.value.code == "server_error" == async_err.value.code
    # LangChain code that catches its standard model errors catches it too.
    assert isinstance(sync_err.value, ModelAPIError)
    assert isinstance(async_err.value, ModelAPIError)
    # A stream may have shown text before the failure, but it never ends as if complete.
    assert not any(c.response_metadata.get("finish_reason") for c in seen)


# --------------------------------------------------------------------------- parity


def test_same_answers_as_chat_openai_responses_mode() -> None:
    from langchain_openai import ChatOpenAI

    with ReplayServer(responder=fake_responder) as server:
        ours = ChatAIMLAPI(model="gpt-4o-mini", use_responses_api=True, api_key="k",
                           base_url=server.base_url)  # fmt: skip
        theirs = ChatOpenAI(model="gpt-4o-mini", use_responses_api=True, api_key="k",  # type: ignore[arg-type]
                            base_url=server.base_url)  # fmt: skip
        for prompt in ("What is the capital of France?", "What is 6 times 7?"):
            # strict=False on both: gpt-4o-mini's Responses schema requires `strict` on
            # function tools, so ours sends false when not given; ChatOpenAI sends it if asked.
            a = ours.bind_tools([multiply], strict=False).invoke(prompt)
            b = theirs.bind_tools([multiply], strict=False).invoke(prompt)
            assert a.text == b.text
            assert [(c["name"], c["args"], c["id"]) for c in a.tool_calls] == [
                (c["name"], c["args"], c["id"]) for c in b.tool_calls
            ]
            assert a.usage_metadata == b.usage_metadata
            assert a.response_metadata["id"] == b.response_metadata["id"]
        ours_sent, theirs_sent = (r.body for r in server.requests[-2:])
        # The same question reaches the server as the same input items and tools.
        assert [i["content"] for i in ours_sent["input"]] == [
            i["content"] for i in theirs_sent["input"]
        ]
        assert [t["name"] for t in ours_sent["tools"]] == [t["name"] for t in theirs_sent["tools"]]
