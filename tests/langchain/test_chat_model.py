"""ChatAIMLAPI beyond the standard suites: request bodies, metadata, reasoning, errors, secrets.

Replies are real recorded bytes from the wire corpus in ``tests/data/wire-corpus`` (or authored
in their exact format), served by the loopback replay server; requests are read back from the
server.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from langchain_core.exceptions import ModelAuthenticationError, ModelPermissionDeniedError
from langchain_core.load import dumpd
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from pydantic import BaseModel, ValidationError

from aimlapi_core import AuthenticationError, PermissionDeniedError, StreamError
from aimlapi_core.shaping import AIMLAPIParameterWarning, reset_parameter_warnings
from langchain_aimlapi import ChatAIMLAPI, ChatAimlapi
from tests.support.corpus import by_id, corpus_reply, require_corpus
from tests.support.replay_server import ReplayServer, Scripted, sse

pytestmark = pytest.mark.usefixtures("corpus_required")

TEXT = "tests/models/cassettes/test_openai/test_valid_response.yaml#0"
TOOL_CALL = "tests/models/cassettes/test_openai/test_openai_tool_output.yaml#0"
STREAM_TEXT = "langchain-openai/TestOpenAIStandard.test_stream_time.yaml.gz#0"
STREAM_TOOLS = "langchain-openai/test_streaming_tool_call_v1_v2_parity.yaml.gz#0"
REASONING = "tests/models/cassettes/test_openrouter/test_openrouter_with_reasoning.yaml#0"
STREAM_REASONING = (
    "tests/models/cassettes/test_openrouter/test_openrouter_streaming_reasoning.yaml#0"
)
KEY = "sk-offline-secret-0123456789"
COST_HEADERS = {
    "x-inference-id": "inf-abc123",
    "x-aimlapi-credits-used": "2480",
    "x-aimlapi-usd-spent": "0.00124",
}


@pytest.fixture
def corpus_required() -> None:
    require_corpus()


def _body(exchange_id: str) -> dict[str, Any]:
    return json.loads(by_id()[exchange_id]["response"]["body"])


def _sse_payloads(exchange_id: str) -> list[dict[str, Any]]:
    body = by_id()[exchange_id]["response"]["body"]
    return [
        json.loads(line[5:])
        for line in body.splitlines()
        if line.startswith("data:") and line[5:].strip() != "[DONE]"
    ]


def _model(server: ReplayServer, **kwargs: Any) -> ChatAIMLAPI:
    params: dict[str, Any] = {
        "model": "openai/gpt-4o-mini",
        "api_key": KEY,
        "base_url": server.base_url,
    }
    params.update(kwargs)
    return ChatAIMLAPI(**params)


def _sent(server: ReplayServer, index: int = -1) -> dict[str, Any]:
    body = server.requests[index].body
    assert isinstance(body, dict)
    return body


# -- invoke ------------------------------------------------------------------------------------


def test_invoke_maps_text_usage_and_metadata(replay_server: ReplayServer) -> None:
    replay_server.enqueue(corpus_reply(TEXT, headers=COST_HEADERS))
    message = _model(replay_server).invoke("What is the capital of France?")
    raw = _body(TEXT)
    assert isinstance(message, AIMessage)
    assert message.content == raw["choices"][0]["message"]["content"]
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_tokens"] == raw["usage"]["prompt_tokens"]
    assert message.usage_metadata["output_tokens"] == raw["usage"]["completion_tokens"]
    assert message.usage_metadata["total_tokens"] == raw["usage"]["total_tokens"]
    assert message.usage_metadata["input_token_details"]["cache_read"] == 0
    assert message.usage_metadata["output_token_details"]["reasoning"] == 0
    meta = message.response_metadata
    assert meta["model_name"] == raw["model"]
    assert meta["finish_reason"] == "stop"
    assert meta["id"] == raw["id"]
    assert meta["system_fingerprint"] == raw["system_fingerprint"]
    assert meta["inference_id"] == "inf-abc123"
    assert meta["cost"] == {"credits_used": 2480, "usd_spent": 0.00124}
    sent = _sent(replay_server)
    assert sent["messages"] == [{"role": "user", "content": "What is the capital of France?"}]
    assert sent["stream"] is False
    headers = replay_server.requests[-1].headers
    assert headers["authorization"] == f"Bearer {KEY}"


async def test_ainvoke_matches_invoke(replay_server: ReplayServer) -> None:
    replay_server.enqueue(corpus_reply(TEXT), corpus_reply(TEXT))
    model = _model(replay_server)
    sync_message = model.invoke("hi")
    async_message = await model.ainvoke("hi")
    assert async_message.content == sync_message.content
    assert async_message.usage_metadata == sync_message.usage_metadata


def test_tool_call_reply_becomes_tool_calls(replay_server: ReplayServer) -> None:
    replay_server.enqueue(corpus_reply(TOOL_CALL))
    message = _model(replay_server).invoke("Where am I?")
    raw_call = _body(TOOL_CALL)["choices"][0]["message"]["tool_calls"][0]
    assert isinstance(message, AIMessage)
    assert message.tool_calls == [
        {"name": "get_user_country", "args": {}, "id": raw_call["id"], "type": "tool_call"}
    ]
    assert message.response_metadata["finish_reason"] == "tool_calls"


def test_invalid_tool_call_json_lands_in_invalid_tool_calls(replay_server: ReplayServer) -> None:
    body = _body(TOOL_CALL)
    body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = '{"city": "Par'
    replay_server.enqueue(Scripted(body=json.dumps(body).encode()))
    message = _model(replay_server).invoke("Where am I?")
    assert isinstance(message, AIMessage)
    assert message.tool_calls == []
    assert len(message.invalid_tool_calls) == 1
    assert message.invalid_tool_calls[0]["args"] == '{"city": "Par'
    assert message.invalid_tool_calls[0]["name"] == "get_user_country"


def test_reasoning_text_becomes_a_reasoning_block(replay_server: ReplayServer) -> None:
    replay_server.enqueue(corpus_reply(REASONING))
    message = _model(replay_server, model="deepseek/deepseek-r1").invoke("Think about Voltaire")
    raw = _body(REASONING)["choices"][0]["message"]
    assert message.additional_kwargs["reasoning_content"] == raw["reasoning"]
    blocks = message.content_blocks
    assert blocks[0]["type"] == "reasoning"
    assert blocks[0].get("reasoning") == raw["reasoning"]
    assert any(b["type"] == "text" for b in blocks)


# -- stream ------------------------------------------------------------------------------------


def test_stream_text_and_usage_on_the_last_chunk(replay_server: ReplayServer) -> None:
    replay_server.enqueue(corpus_reply(STREAM_TEXT, headers={"x-inference-id": "inf-s1"}))
    chunks = list(_model(replay_server).stream("hi"))
    payloads = _sse_payloads(STREAM_TEXT)
    expected_text = "".join(
        (c["choices"][0]["delta"].get("content") or "") for c in payloads if c.get("choices")
    )
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    assert "".join(str(c.content) for c in chunks) == expected_text
    # Usage arrives once, on the model's last chunk, as with ChatOpenAI; langchain-core then
    # appends its own empty chunk_position="last" marker.
    assert chunks[-1].chunk_position == "last" and chunks[-1].content == ""
    with_usage = [c for c in chunks if c.usage_metadata]
    assert with_usage == [chunks[-2]]
    usage = payloads[-1]["usage"]
    assert chunks[-2].usage_metadata is not None
    assert chunks[-2].usage_metadata["input_tokens"] == usage["prompt_tokens"]
    assert chunks[-2].usage_metadata["output_tokens"] == usage["completion_tokens"]
    assert chunks[0].response_metadata["inference_id"] == "inf-s1"
    full = chunks[0]
    for c in chunks[1:]:
        full += c
    assert full.response_metadata["finish_reason"] == "stop"
    sent = _sent(replay_server)
    assert sent["stream"] is True
    assert sent["stream_options"] == {"include_usage": True}


def test_stream_usage_off_sends_no_stream_options(replay_server: ReplayServer) -> None:
    replay_server.enqueue(corpus_reply(STREAM_TEXT))
    list(_model(replay_server, stream_usage=False).stream("hi"))
    assert "stream_options" not in _sent(replay_server)


async def test_astream_tool_call_chunks_assemble(replay_server: ReplayServer) -> None:
    replay_server.enqueue(corpus_reply(STREAM_TOOLS))
    full: AIMessageChunk | None = None
    async for chunk in _model(replay_server).astream("Make a person"):
        assert isinstance(chunk, AIMessageChunk)
        full = chunk if full is None else full + chunk
    assert full is not None
    expected: dict[int, dict[str, Any]] = {}
    for payload in _sse_payloads(STREAM_TOOLS):
        for choice in payload.get("choices") or []:
            for tc in (choice.get("delta") or {}).get("tool_calls") or []:
                slot = expected.setdefault(tc["index"], {"name": None, "args": "", "id": None})
                slot["id"] = tc.get("id") or slot["id"]
                slot["name"] = (tc.get("function") or {}).get("name") or slot["name"]
                slot["args"] += (tc.get("function") or {}).get("arguments") or ""
    assert [(c["name"], c["id"], c["args"]) for c in full.tool_calls] == [
        (e["name"], e["id"], json.loads(e["args"])) for _, e in sorted(expected.items())
    ]
    assert full.tool_call_chunks, "chunks carry tool_call_chunks"


def test_stream_reasoning_is_kept(replay_server: ReplayServer) -> None:
    replay_server.enqueue(corpus_reply(STREAM_REASONING))
    chunks = list(_model(replay_server, model="anthropic/claude-sonnet-4.5").stream("think"))
    reasoning = "".join(c.additional_kwargs.get("reasoning_content", "") for c in chunks)
    expected = "".join(
        (c["choices"][0]["delta"].get("reasoning") or "")
        for c in _sse_payloads(STREAM_REASONING)
        if c.get("choices")
    )
    assert expected and reasoning == expected


def test_broken_stream_raises_not_truncates(replay_server: ReplayServer) -> None:
    payloads = [{"id": "c", "choices": [{"index": 0, "delta": {"content": "Hel"}}]}]
    replay_server.enqueue(
        Scripted(body=sse(payloads, done=False), content_type="text/event-stream")
    )
    with pytest.raises(StreamError, match="incomplete"):
        list(_model(replay_server).stream("hi"))


# -- request shaping ---------------------------------------------------------------------------


def test_reasoning_model_request_is_shaped(replay_server: ReplayServer) -> None:
    reset_parameter_warnings()
    replay_server.enqueue(corpus_reply(TEXT))
    model = _model(
        replay_server,
        model="openai/o3-2025-04-16",
        max_tokens=300,
        temperature=0.2,
        top_p=0.5,
        reasoning_effort="high",
    )
    with pytest.warns(AIMLAPIParameterWarning) as caught:  # one warning per rule
        model.invoke([SystemMessage("Be brief."), HumanMessage("hi")])
    said = [str(w.message) for w in caught]
    assert any("temperature" in m for m in said) and any("max_completion_tokens" in m for m in said)
    sent = _sent(replay_server)
    assert sent["max_completion_tokens"] == 300
    assert "max_tokens" not in sent and "temperature" not in sent and "top_p" not in sent
    assert sent["reasoning_effort"] == "high"


def test_reasoning_dict_maps_to_reasoning_effort(replay_server: ReplayServer) -> None:
    replay_server.enqueue(corpus_reply(TEXT))
    model = _model(replay_server, model="openai/o3-2025-04-16", reasoning={"effort": "low"})
    with pytest.warns(AIMLAPIParameterWarning, match="sent as reasoning_effort='low'"):
        model.invoke("hi")
    sent = _sent(replay_server)
    assert sent["reasoning_effort"] == "low" and "reasoning" not in sent


def test_system_merged_for_a_model_without_system_role(replay_server: ReplayServer) -> None:
    replay_server.enqueue(corpus_reply(TEXT))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AIMLAPIParameterWarning)
        _model(replay_server, model="o1-mini").invoke(
            [SystemMessage("Be brief."), HumanMessage("hi")]
        )
    messages = _sent(replay_server)["messages"]
    assert [m["role"] for m in messages] == ["user"]
    assert "Be brief." in messages[0]["content"] and "hi" in messages[0]["content"]


def test_unknown_model_id_passes_untouched(replay_server: ReplayServer) -> None:
    replay_server.enqueue(corpus_reply(TEXT))
    _model(replay_server, model="newvendor/brand-new-model", temperature=0.3, max_tokens=5).invoke(
        "hi"
    )
    sent = _sent(replay_server)
    assert sent["model"] == "newvendor/brand-new-model"
    assert sent["temperature"] == 0.3 and sent["max_tokens"] == 5


@pytest.mark.parametrize(
    ("tool_choice", "expected"),
    [
        ("auto", "auto"),
        ("none", "none"),
        ("required", "required"),
        ("any", "required"),
        (True, "required"),
        ("get_weather", {"type": "function", "function": {"name": "get_weather"}}),
    ],
)
def test_tool_choice_forms(replay_server: ReplayServer, tool_choice: Any, expected: Any) -> None:
    class get_weather(BaseModel):
        """Weather in a city."""

        city: str

    replay_server.enqueue(corpus_reply(TOOL_CALL))
    _model(replay_server).bind_tools(
        [get_weather], tool_choice=tool_choice, parallel_tool_calls=False
    ).invoke("hi")
    sent = _sent(replay_server)
    assert sent["tool_choice"] == expected
    assert sent["parallel_tool_calls"] is False
    assert sent["tools"][0]["function"]["name"] == "get_weather"
    assert sent["tools"][0]["function"]["parameters"]["required"] == ["city"]


def test_unknown_tool_choice_name_is_refused() -> None:
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    with pytest.raises(ValueError, match="names no bound tool"):
        ChatAIMLAPI(api_key=KEY).bind_tools([add], tool_choice="multiply")


def test_messages_are_converted(replay_server: ReplayServer) -> None:
    replay_server.enqueue(corpus_reply(TEXT))
    image_b64 = "iVBORw0KGgo="
    conversation = [
        SystemMessage("sys"),
        HumanMessage(
            content=[
                {"type": "text", "text": "what is in these?"},
                {"type": "image", "url": "https://example.com/a.png"},
                {"type": "image", "base64": image_b64, "mime_type": "image/png"},
                {"type": "image_url", "image_url": {"url": "https://example.com/b.png"}},
            ],
            name="ann",
        ),
        AIMessage("", tool_calls=[{"name": "lookup", "args": {"q": "x"}, "id": "call_1"}]),
        ToolMessage(content=[{"type": "text", "text": "found"}], tool_call_id="call_1"),
        ToolMessage(content="plain", tool_call_id="call_1"),
    ]
    _model(replay_server).invoke(conversation)
    sent = _sent(replay_server)["messages"]
    assert sent[0] == {"role": "system", "content": "sys"}
    assert sent[1]["name"] == "ann"
    assert sent[1]["content"] == [
        {"type": "text", "text": "what is in these?"},
        {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{image_b64}"}},
        {"type": "image_url", "image_url": {"url": "https://example.com/b.png"}},
    ]
    # gpt-4o-mini's schema: assistant content optional, not nullable, so it is left out
    assert sent[2]["role"] == "assistant" and "content" not in sent[2]
    assert sent[2]["tool_calls"] == [
        {
            "id": "call_1",
            "type": "function",
            "function": {"name": "lookup", "arguments": '{"q": "x"}'},
        }
    ]
    assert sent[3] == {
        "role": "tool",
        "content": [{"type": "text", "text": "found"}],
        "tool_call_id": "call_1",
    }
    assert sent[4] == {"role": "tool", "content": "plain", "tool_call_id": "call_1"}


def test_structured_output_json_schema(replay_server: ReplayServer) -> None:
    class Person(BaseModel):
        name: str
        age: int

    reply = _body(TEXT)
    reply["choices"][0]["message"]["content"] = '{"name": "Ada", "age": 36}'
    replay_server.enqueue(Scripted(body=json.dumps(reply).encode()))
    person = _model(replay_server).with_structured_output(Person).invoke("Who?")
    assert person == Person(name="Ada", age=36)
    fmt = _sent(replay_server)["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "Person"
    assert set(fmt["json_schema"]["schema"]["properties"]) == {"name", "age"}


def test_structured_output_defaults_to_tools_without_response_format(
    replay_server: ReplayServer,
) -> None:
    class Country(BaseModel):
        """A country."""

        name: str

    body = _body(TOOL_CALL)
    call = body["choices"][0]["message"]["tool_calls"][0]
    call["function"] = {"name": "Country", "arguments": '{"name": "France"}'}
    replay_server.enqueue(Scripted(body=json.dumps(body).encode()))
    # Claude on AI/ML API takes tools but, per its schema, no response_format.
    model = _model(replay_server, model="anthropic/claude-sonnet-4.5")
    assert model._default_structured_method() == "function_calling"
    result = model.with_structured_output(Country, include_raw=True).invoke("Where?")
    assert result["parsed"] == Country(name="France")
    assert result["parsing_error"] is None
    assert _sent(replay_server)["tool_choice"] == {
        "type": "function",
        "function": {"name": "Country"},
    }


# -- errors and bad input ----------------------------------------------------------------------


def test_401_is_a_typed_error_of_both_families(replay_server: ReplayServer) -> None:
    replay_server.enqueue(
        Scripted(
            status=401,
            body=b'{"message": "Invalid API key", "statusCode": 401, "requestId": "req-9"}',
        )
    )
    with pytest.raises(AuthenticationError) as info:
        _model(replay_server).invoke("hi")
    assert isinstance(info.value, ModelAuthenticationError)
    assert info.value.request_id == "req-9"
    assert "Invalid API key" in str(info.value) and "AIMLAPI_API_KEY" in str(info.value)
    assert KEY not in str(info.value)


async def test_403_out_of_credits(replay_server: ReplayServer) -> None:
    body = {
        "message": "You've run out of credits.",
        "path": "/v1/chat/completions",
        "requestId": "req-403",
        "statusCode": 403,
        "timestamp": "2026-01-01T00:00:00.000Z",
    }
    replay_server.enqueue(Scripted(status=403, body=json.dumps(body).encode()))
    with pytest.raises(PermissionDeniedError) as info:
        await _model(replay_server).ainvoke("hi")
    assert isinstance(info.value, ModelPermissionDeniedError)
    assert "top up" in str(info.value) and info.value.request_id == "req-403"


def test_bad_input_fails_before_any_request(replay_server: ReplayServer) -> None:
    model = _model(replay_server)
    with pytest.raises(ValueError, match="No messages"):
        model.invoke([])
    with pytest.raises(ValidationError, match="max_tokens"):
        _model(replay_server, max_tokens=0)
    with pytest.raises(ValidationError, match="X-Client-Request-Id"):
        _model(replay_server, client_request_id="has spaces")
    with pytest.raises(ValidationError, match="http"):
        _model(replay_server, base_url="ftp://example.com")
    assert replay_server.requests == []


def test_missing_key_names_the_variables(
    replay_server: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AIMLAPI_API_KEY", raising=False)
    monkeypatch.delenv("AIML_API_KEY", raising=False)
    model = ChatAIMLAPI(base_url=replay_server.base_url)
    with pytest.raises(ValueError, match="AIMLAPI_API_KEY") as info:
        model.invoke("hi")
    assert "AIML_API_KEY" in str(info.value)
    assert replay_server.requests == []


def test_client_request_id_header(replay_server: ReplayServer) -> None:
    replay_server.enqueue(corpus_reply(TEXT))
    _model(replay_server, client_request_id="order-8f21c4", default_headers={"X-Team": "a"}).invoke(
        "hi"
    )
    headers = replay_server.requests[-1].headers
    assert headers["x-client-request-id"] == "order-8f21c4"
    assert headers["x-team"] == "a"


# -- identity ----------------------------------------------------------------------------------


def test_secret_never_shown() -> None:
    model = ChatAIMLAPI(api_key=KEY)
    for text in (repr(model), str(model), json.dumps(dumpd(model)), str(model.model_dump())):
        assert KEY not in text


def test_alias_and_identity() -> None:
    assert ChatAimlapi is ChatAIMLAPI
    model = ChatAIMLAPI(
        model_name="openai/o3-2025-04-16", aimlapi_api_key=KEY, max_completion_tokens=7
    )
    assert model.model_name == "openai/o3-2025-04-16" and model.max_tokens == 7
    assert model._llm_type == "aimlapi-chat"
    ls = model._get_ls_params()
    assert ls["ls_provider"] == "aimlapi" and ls["ls_max_tokens"] == 7
    assert model.lc_secrets == {"api_key": "AIMLAPI_API_KEY"}


def test_profile_from_capabilities() -> None:
    profile = ChatAIMLAPI(model="openai/o3-2025-04-16", api_key=KEY).profile
    assert profile is not None
    assert profile["tool_calling"] is True and profile["reasoning_output"] is True
    assert profile["structured_output"] is True
    gpt4o = ChatAIMLAPI(model="openai/gpt-4o", api_key=KEY).profile
    assert (
        gpt4o is not None and gpt4o["image_inputs"] is True and gpt4o["max_input_tokens"] == 128000
    )
    assert ChatAIMLAPI(model="nobody/knows-this", api_key=KEY).profile is None


def test_unknown_init_kwargs_go_to_model_kwargs(replay_server: ReplayServer) -> None:
    replay_server.enqueue(corpus_reply(TEXT))
    with pytest.warns(UserWarning, match="top_k"):
        model = _model(replay_server, top_k=3)
    model.invoke("hi")
    assert _sent(replay_server)["top_k"] == 3


def test_extra_body_is_merged(replay_server: ReplayServer) -> None:
    replay_server.enqueue(corpus_reply(TEXT))
    _model(replay_server, extra_body={"provider": {"order": ["x"]}}).invoke("hi")
    assert _sent(replay_server)["provider"] == {"order": ["x"]}


# -- more of what ChatOpenAI users rely on -----------------------------------------------------


def test_logprobs_when_asked(replay_server: ReplayServer) -> None:
    from tests.support.fake_model import fake_responder

    replay_server.responder = fake_responder
    message = _model(replay_server, logprobs=True, top_logprobs=2).invoke("Hello")
    sent = _sent(replay_server)
    assert sent["logprobs"] is True and sent["top_logprobs"] == 2
    tokens = message.response_metadata["logprobs"]["content"]
    assert "".join(t["token"] for t in tokens) == message.content


def test_structured_output_streams_partial_objects(replay_server: ReplayServer) -> None:
    from tests.support.fake_model import fake_responder

    class Joke(BaseModel):
        setup: str
        punchline: str

    replay_server.responder = fake_responder
    runnable = _model(replay_server).with_structured_output(Joke.model_json_schema())
    parts = list(runnable.stream("Tell me a joke about cats"))
    assert len(parts) > 1, "a streamed structured output yields growing partial objects"
    final = parts[-1]
    assert set(final) == {"setup", "punchline"} and all(final.values())
    assert Joke.model_validate(final)


def test_custom_http_clients_are_used(replay_server: ReplayServer) -> None:
    import httpx

    seen: list[str] = []

    def hook(request: httpx.Request) -> None:
        seen.append(str(request.url))

    replay_server.enqueue(corpus_reply(TEXT), corpus_reply(TEXT))
    sync_http = httpx.Client(event_hooks={"request": [hook]})
    model = _model(replay_server, http_client=sync_http)
    model.invoke("hi")
    model.invoke("hi again")
    assert seen == [replay_server.base_url + "/chat/completions"] * 2
    assert model.client.http_client is sync_http
    sync_http.close()


def test_batch_returns_one_message_per_input(replay_server: ReplayServer) -> None:
    from tests.support.fake_model import fake_responder

    replay_server.responder = fake_responder
    replies = _model(replay_server).batch(["Hello", "What is 2 + 2?"])
    assert len(replies) == 2 and all(isinstance(r, AIMessage) and r.content for r in replies)
    assert len(replay_server.requests) == 2


def test_tool_call_without_arguments_key(replay_server: ReplayServer) -> None:
    body = _body(TOOL_CALL)
    del body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
    replay_server.enqueue(Scripted(body=json.dumps(body).encode()))
    message = _model(replay_server).invoke("Where am I?")
    assert isinstance(message, AIMessage)
    assert [(c["name"], c["args"]) for c in message.tool_calls] == [("get_user_country", {})]
    assert message.invalid_tool_calls == []
