"""Bad input fails before any request, with an error that says what to fix.

Each case runs against a live :class:`FaultServer` that would answer, and checks that it
received nothing. Inputs given per call are tried in all four ways of calling (sync and
async, plain and streamed); inputs given at construction fail there. An unknown model id is
not bad input: AI/ML API adds models all the time, so it goes out and is answered.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from langchain_core.messages import BaseMessage, HumanMessage
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.tools import FunctionTool, ToolMetadata

from aimlapi_core import InvalidParameterError
from langchain_aimlapi import AIMLAPIEmbeddings, ChatAIMLAPI
from llama_index_aimlapi import AIMLAPI, AIMLAPIEmbedding, AIMLAPIResponses
from tests.faults.helpers import (
    HI,
    KEY,
    MODEL,
    TEXT,
    build_chat,
    build_llama,
    build_llm,
    close_clients,
    ok_reply,
)
from tests.support.fault_server import FaultServer

MODES = ["sync", "async", "stream", "astream"]
BAD_REQUEST_ID = "has spaces;and=symbols"
NAMELESS_TOOL = {"type": "function", "function": {"parameters": {"type": "object"}}}
NAN, INF = float("nan"), float("inf")


def deep_schema(levels: int) -> dict[str, Any]:
    """An object schema nested ``levels`` deep (built without recursion)."""
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"a": schema}}
    return schema


DEEP_TOOL = {"type": "function", "function": {"name": "deep", "parameters": deep_schema(5000)}}
DEEP_SAYS = r"tools is nested \d+ levels deep \(at tools\[0\]\.function\.parameters\.properties"
HI_LLAMA = [ChatMessage(role="user", content="hi")]


class PirateMessage(BaseMessage):
    """A message type no chat API knows."""

    type: str = "pirate"


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


async def call_chat(llm: Any, mode: str, messages: Any, **kwargs: Any) -> Any:
    if mode == "sync":
        return llm.invoke(messages, **kwargs)
    if mode == "async":
        return await llm.ainvoke(messages, **kwargs)
    if mode == "stream":
        return list(llm.stream(messages, **kwargs))
    return [piece async for piece in llm.astream(messages, **kwargs)]


async def call_llama(llm: Any, mode: str, messages: Any, **kwargs: Any) -> Any:
    if mode == "sync":
        return llm.chat(messages, **kwargs)
    if mode == "async":
        return await llm.achat(messages, **kwargs)
    if mode == "stream":
        return list(llm.stream_chat(messages, **kwargs))
    return [r async for r in await llm.astream_chat(messages, **kwargs)]


async def call_llama_tools(llm: Any, mode: str, tools: Any) -> Any:
    if mode == "sync":
        return llm.chat_with_tools(tools, user_msg="hi")
    if mode == "async":
        return await llm.achat_with_tools(tools, user_msg="hi")
    if mode == "stream":
        return list(llm.stream_chat_with_tools(tools, user_msg="hi"))
    return [r async for r in await llm.astream_chat_with_tools(tools, user_msg="hi")]


Case = Callable[[str, str], Awaitable[Any]]  # (base_url, mode) -> the call that must fail

# Per-call bad input: (id, expected error, what the message must say, the call).
PER_CALL: list[tuple[str, type[Exception], str, Case]] = [
    (
        "ChatAIMLAPI-empty-message-list",
        ValueError,
        "No messages to send: pass at least one message",
        lambda url, mode: call_chat(build_chat(url), mode, []),
    ),
    (
        "ChatAIMLAPI-unknown-message-type",
        TypeError,
        "Unsupported message type PirateMessage: use SystemMessage, HumanMessage",
        lambda url, mode: call_chat(build_chat(url), mode, [PirateMessage(content="arr")]),
    ),
    (
        "ChatAIMLAPI-unknown-role",
        ValueError,
        "Unexpected message type: 'wizard'. Use one of",
        lambda url, mode: call_chat(build_chat(url), mode, [{"role": "wizard", "content": "x"}]),
    ),
    (
        "ChatAIMLAPI-max-tokens-zero-per-call",
        ValueError,
        "max_tokens must be a positive number of tokens, got 0: pass an integer >= 1",
        lambda url, mode: call_chat(build_chat(url), mode, "hi", max_tokens=0),
    ),
    (
        "ChatAIMLAPI-invalid-client-request-id-header",
        ValueError,
        "Invalid X-Client-Request-Id .*: use 1-128 characters from A-Z",
        lambda url, mode: call_chat(
            build_chat(url, default_headers={"X-Client-Request-Id": BAD_REQUEST_ID}), mode, "hi"
        ),
    ),
    (
        "AIMLAPILLM-max-tokens-negative-per-call",
        ValueError,
        "max_tokens must be a positive number of tokens, got -3",
        lambda url, mode: call_chat(build_llm(url), mode, "hi", max_tokens=-3),
    ),
    (
        "AIMLAPILLM-invalid-client-request-id-header",
        ValueError,
        "Invalid X-Client-Request-Id",
        lambda url, mode: call_chat(
            build_llm(url, default_headers={"x-client-request-id": "x" * 129}), mode, "hi"
        ),
    ),
    (
        "ChatAIMLAPI-raw-tool-without-a-name-per-call",
        ValueError,
        "A function tool has no name: .* Give every tool a name",
        lambda url, mode: call_chat(build_chat(url), mode, "hi", tools=[NAMELESS_TOOL]),
    ),
    (
        "ChatAIMLAPI-responses-raw-tool-without-a-name-per-call",
        ValueError,
        "A function tool has no name",
        lambda url, mode: call_chat(
            build_chat(url, use_responses_api=True), mode, "hi", tools=[NAMELESS_TOOL]
        ),
    ),
    (
        "llama-raw-tool-without-a-name-per-call",
        ValueError,
        "A function tool has no name",
        lambda url, mode: call_llama(build_llama(url), mode, HI_LLAMA, tools=[NAMELESS_TOOL]),
    ),
    (
        "llama-empty-message-list",
        ValueError,
        "No messages to send: pass at least one ChatMessage",
        lambda url, mode: call_llama(build_llama(url), mode, []),
    ),
    (
        "llama-unknown-message-type",
        ValueError,  # pydantic's ValidationError is a ValueError
        "Input should be a valid dictionary or instance of ChatMessage",
        lambda url, mode: call_llama(build_llama(url), mode, [HumanMessage("a LangChain one")]),
    ),
    (
        "llama-tool-without-a-name",
        ValueError,
        "has no name: give every tool a name",
        lambda url, mode: call_llama_tools(
            build_llama(url),
            mode,
            [FunctionTool(fn=add, metadata=ToolMetadata(name="", description="Add numbers."))],
        ),
    ),
    (
        "llama-max-tokens-zero-per-call",
        ValueError,
        "max_tokens must be a positive number of tokens, got 0",
        lambda url, mode: call_llama(build_llama(url), mode, HI, max_tokens=0),
    ),
    (
        "llama-invalid-client-request-id-header",
        ValueError,
        "Invalid X-Client-Request-Id .*: use 1-128 characters",
        lambda url, mode: call_llama(
            build_llama(url, default_headers={"X-Client-Request-Id": BAD_REQUEST_ID}), mode, HI
        ),
    ),
    # Numbers JSON has no form for, anywhere in the body, and nesting too deep to encode.
    (
        "ChatAIMLAPI-temperature-nan",
        InvalidParameterError,
        "temperature is NaN: JSON has no infinity or NaN, so it cannot be sent",
        lambda url, mode: call_chat(build_chat(url, temperature=NAN), mode, "hi"),
    ),
    (
        "ChatAIMLAPI-top-p-inf-per-call",
        InvalidParameterError,
        "top_p is infinity: JSON has no infinity",
        lambda url, mode: call_chat(build_chat(url), mode, "hi", top_p=INF),
    ),
    (
        "ChatAIMLAPI-nested-extra-body",
        InvalidParameterError,
        r'logit_bias\["50"\] is -infinity',
        lambda url, mode: call_chat(
            build_chat(url, extra_body={"logit_bias": {"50": -INF}}), mode, "hi"
        ),
    ),
    (
        "ChatAIMLAPI-tool-schema-default-nan",
        InvalidParameterError,
        r"tools\[0\]\.function\.parameters\.properties\.x\.default is NaN",
        lambda url, mode: call_chat(
            build_chat(url),
            mode,
            "hi",
            tools=[
                {
                    "type": "function",
                    "function": {
                        "name": "f",
                        "parameters": {"type": "object", "properties": {"x": {"default": NAN}}},
                    },
                }
            ],
        ),
    ),
    (
        "ChatAIMLAPI-responses-temperature-inf",
        InvalidParameterError,
        "temperature is infinity",
        lambda url, mode: call_chat(
            build_chat(url, use_responses_api=True, temperature=INF), mode, "hi"
        ),
    ),
    (
        "ChatAIMLAPI-deep-tool-schema",
        InvalidParameterError,
        DEEP_SAYS,
        lambda url, mode: call_chat(build_chat(url), mode, "hi", tools=[DEEP_TOOL]),
    ),
    (
        "ChatAIMLAPI-deep-tool-schema-bound",
        InvalidParameterError,
        DEEP_SAYS,
        lambda url, mode: call_chat(build_chat(url).bind_tools([DEEP_TOOL]), mode, "hi"),
    ),
    (
        "AIMLAPILLM-temperature-nan-per-call",
        InvalidParameterError,
        "temperature is NaN",
        lambda url, mode: call_chat(build_llm(url), mode, "hi", temperature=NAN),
    ),
    (
        "llama-top-p-nan-per-call",
        InvalidParameterError,
        "top_p is NaN",
        lambda url, mode: call_llama(build_llama(url), mode, HI, top_p=NAN),
    ),
    (
        "llama-additional-kwargs-inf",
        InvalidParameterError,
        r'logit_bias\["50"\] is -infinity',
        lambda url, mode: call_llama(
            build_llama(url, additional_kwargs={"logit_bias": {"50": -INF}}), mode, HI
        ),
    ),
    (
        "llama-deep-tool-schema",
        InvalidParameterError,
        DEEP_SAYS,
        lambda url, mode: call_llama(build_llama(url), mode, HI, tools=[DEEP_TOOL]),
    ),
    (
        "llama-responses-temperature-inf-per-call",
        InvalidParameterError,
        "temperature is infinity",
        lambda url, mode: call_llama(
            AIMLAPIResponses(model=MODEL, api_key=KEY, api_base=url), mode, HI, temperature=INF
        ),
    ),
]


async def _construct(build: Callable[..., Any], url: str, **fields: Any) -> Any:
    return build(url, **fields)


BUILDERS: list[tuple[str, Callable[..., Any]]] = [
    ("ChatAIMLAPI", build_chat),
    ("AIMLAPILLM", build_llm),
    ("llama", build_llama),
    (
        "llama-responses",
        lambda url, **f: AIMLAPIResponses(model=MODEL, api_key=KEY, api_base=url, **f),
    ),
    ("AIMLAPIEmbeddings", lambda url, **f: AIMLAPIEmbeddings(api_key=KEY, base_url=url, **f)),
    ("AIMLAPIEmbedding", lambda url, **f: AIMLAPIEmbedding(api_key=KEY, api_base=url, **f)),
]


async def _bind_nameless_tool(url: str) -> Any:
    return build_chat(url).bind_tools([{"type": "function", "function": {"parameters": {}}}])


# Bad settings fail when the model is built: (id, expected error, message, construction).
AT_CONSTRUCTION: list[tuple[str, type[Exception], str, Callable[[str], Awaitable[Any]]]] = [
    (
        "ChatAIMLAPI-tool-without-a-name",
        ValueError,
        "has no name: give every tool a name",
        _bind_nameless_tool,
    ),
    (
        "ChatAIMLAPI-max-tokens-zero",
        ValueError,
        "max_tokens must be a positive integer, got 0",
        lambda url: _construct(build_chat, url, max_tokens=0),
    ),
    (
        "ChatAIMLAPI-invalid-client-request-id",
        ValueError,
        "Invalid X-Client-Request-Id .*: use 1-128 characters",
        lambda url: _construct(build_chat, url, client_request_id=BAD_REQUEST_ID),
    ),
    (
        "ChatAIMLAPI-non-http-base-url",
        ValueError,
        "Invalid base URL 'ftp://api.aimlapi.com/v1': it must start with http:// or https://",
        lambda url: _construct(build_chat, "ftp://api.aimlapi.com/v1"),
    ),
    (
        "AIMLAPILLM-max-tokens-negative",
        ValueError,
        "max_tokens must be a positive integer",
        lambda url: _construct(build_llm, url, max_tokens=-1),
    ),
    (
        "AIMLAPILLM-non-http-base-url",
        ValueError,
        "it must start with http:// or https://",
        lambda url: _construct(build_llm, "api.aimlapi.com/v1"),
    ),
    (
        "llama-max-tokens-zero",
        ValueError,
        "max_tokens\n  Input should be greater than 0",
        lambda url: _construct(build_llama, url, max_tokens=0),
    ),
    (
        "llama-unknown-role",
        ValueError,
        "Input should be 'system', 'developer', 'user', 'assistant'",
        lambda url: _construct(lambda u: ChatMessage(role="wizard", content="x"), url),
    ),
    (
        "llama-invalid-client-request-id",
        ValueError,
        "Invalid X-Client-Request-Id .*: use 1-128 characters",
        lambda url: _construct(build_llama, url, client_request_id=BAD_REQUEST_ID),
    ),
    (
        "llama-non-http-base-url",
        ValueError,
        "Invalid base URL 'ws://api.aimlapi.com/v1': it must start with http:// or https://",
        lambda url: _construct(build_llama, "ws://api.aimlapi.com/v1"),
    ),
    *[
        (
            f"{name}-timeout-{label}",
            ValueError,
            f"timeout must be a positive, finite number of seconds, got {value!r}",
            lambda url, build=build, value=value: _construct(build, url, timeout=value),
        )
        for name, build in BUILDERS
        for label, value in (("nan", NAN), ("inf", INF), ("negative", -1.0))
    ],
    *[
        (
            f"{name}-base-url-{label}",
            ValueError,
            re.escape(f"Invalid base URL {bad!r}: {says}"),
            lambda url, build=build, bad=bad: _construct(build, bad),
        )
        for name, build in BUILDERS
        for label, bad, says in (
            ("query", "http://127.0.0.1:9/v1?team=a", "it has a query"),
            ("fragment", "http://127.0.0.1:9/v1#x", "it has a fragment"),
            ("unclosed-ipv6", "http://[::1/v1", "Invalid IPv6 URL"),
            ("bad-port", "http://127.0.0.1:99999/v1", "Port out of range"),
        )
    ],
    (
        "pool-limit-zero",
        ValueError,
        "max_connections\n  Input should be greater than or equal to 1",
        lambda url: _construct(build_chat, url, max_connections=0),
    ),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("error", "says", "case"),
    [pytest.param(e, s, c, id=name) for name, e, s, c in PER_CALL],
)
async def test_bad_input_per_call(error: type[Exception], says: str, case: Case, mode: str) -> None:
    server = FaultServer(lambda request: ok_reply(False, "inf-1"), lifetime=10)
    with server, pytest.raises(error, match=says):
        await case(server.base_url, mode)
    assert server.count == 0, "a request went out before the input was checked"
    assert server.stats.connections == 0


@pytest.mark.parametrize(
    ("error", "says", "case"),
    [pytest.param(e, s, c, id=name) for name, e, s, c in AT_CONSTRUCTION],
)
async def test_bad_settings_at_construction(
    error: type[Exception], says: str, case: Callable[[str], Awaitable[Any]]
) -> None:
    server = FaultServer(lambda request: ok_reply(False, "inf-1"), lifetime=10)
    with server, pytest.raises(error, match=re.escape(says) if "(" in says else says):
        await case(server.base_url)
    assert server.count == 0


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
async def test_unknown_model_id_is_not_bad_input(streamed: bool) -> None:
    model = "some-vendor/model-released-this-morning"
    with FaultServer(lambda request: ok_reply(streamed, "inf-new"), lifetime=10) as server:
        chat, llama = (
            build_chat(server.base_url, model=model),
            build_llama(server.base_url, model=model),
        )
        try:
            if streamed:
                text = "".join(str(c.content) for c in chat.stream("hi"))
                last = list(llama.stream_chat(HI))[-1]
            else:
                text = str(chat.invoke("hi").content)
                last = llama.chat(HI)
        finally:
            await close_clients(chat)
            await close_clients(llama)
    assert text == TEXT and last.message.content == TEXT
    assert [r.body["model"] for r in server.requests] == [model, model]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(
    ("build", "says"),
    [
        pytest.param(
            lambda url: AIMLAPIEmbeddings(api_key=KEY, base_url=url, model_kwargs={"x": [NAN]}),
            r"x\[0\] is NaN",
            id="AIMLAPIEmbeddings",
        ),
        pytest.param(
            lambda url: AIMLAPIEmbedding(api_key=KEY, api_base=url, additional_kwargs={"x": INF}),
            "x is infinity",
            id="AIMLAPIEmbedding",
        ),
    ],
)
async def test_embeddings_refuse_non_finite_numbers(
    build: Callable[[str], Any], says: str, mode: str
) -> None:
    server = FaultServer(lambda request: ok_reply(False, "inf-1"), lifetime=10)
    with server:
        embedder = build(server.base_url)
        with pytest.raises(InvalidParameterError, match=says):
            if isinstance(embedder, AIMLAPIEmbeddings) and mode == "async":
                await embedder.aembed_query("hi")
            elif isinstance(embedder, AIMLAPIEmbeddings):
                embedder.embed_query("hi")
            elif mode == "async":
                await embedder.aget_text_embedding("hi")
            else:
                embedder.get_text_embedding("hi")
    assert server.count == 0 and server.stats.connections == 0


def test_invalid_parameter_error_names_the_path() -> None:
    from aimlapi_core.validation import encode_json_body

    with pytest.raises(InvalidParameterError) as info:
        encode_json_body({"messages": [{"role": "user", "content": "x"}], "seed": -INF})
    assert info.value.path == "seed" and isinstance(info.value, ValueError)
    with pytest.raises(InvalidParameterError) as info:
        encode_json_body({"tools": [DEEP_TOOL]})
    assert info.value.path.startswith("tools[0].function.parameters.properties.a")
    assert len(str(info.value)) < 400  # the path is shortened, not 10,000 segments long


@pytest.mark.parametrize("variable", ["AIMLAPI_BASE_URL", "AIMLAPI_API_BASE"])
async def test_a_bad_base_url_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    server = FaultServer(lambda request: ok_reply(False, "inf-1"), lifetime=10)
    with server:
        for name in ("AIMLAPI_BASE_URL", "AIMLAPI_API_BASE"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv(variable, server.base_url + "?team=a")
        says = re.escape(f"Invalid base URL '{server.base_url}?team=a': it has a query")
        # LangChain reads the environment at construction, LlamaIndex at the first call.
        for construct in (
            lambda: ChatAIMLAPI(model=MODEL, api_key=KEY),
            lambda: AIMLAPIEmbeddings(api_key=KEY),
        ):
            with pytest.raises(ValueError, match=says):
                construct()
        with pytest.raises(ValueError, match=says):
            AIMLAPI(model=MODEL, api_key=KEY).chat(HI_LLAMA)
        with pytest.raises(ValueError, match=says):
            await AIMLAPI(model=MODEL, api_key=KEY).achat(HI_LLAMA)
    assert server.count == 0
