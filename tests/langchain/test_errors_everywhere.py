"""Every public entry point of the three classes raises errors of both families: the core's
(``aimlapi_core.RateLimitError`` ...) and LangChain's (``ModelRateLimitError`` ...).

Generated over entry points × error replies; ``ChatOpenAI`` runs the same user code on the same
local server, and its error must be of the same LangChain family as ours. Then the LangChain
machinery that relies on those families: ``with_fallbacks``, ``with_retry`` and a LangGraph
agent streamed with ``stream_mode="messages"``.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
)
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.tools import tool

import aimlapi_core
from langchain_aimlapi import AIMLAPILLM, AIMLAPIEmbeddings, ChatAIMLAPI
from langchain_aimlapi.errors import MAPS_ERRORS
from tests.support.fake_model import fake_responder
from tests.support.replay_server import ReplayServer, Scripted, sse

KEY = "sk-errors-secret-777"

# status → (core class, LangChain family)
STATUSES: dict[int, tuple[type[Exception], type[Exception]]] = {
    400: (aimlapi_core.BadRequestError, ModelInvalidRequestError),
    401: (aimlapi_core.AuthenticationError, ModelAuthenticationError),
    403: (aimlapi_core.PermissionDeniedError, ModelPermissionDeniedError),
    404: (aimlapi_core.NotFoundError, ModelNotFoundError),
    429: (aimlapi_core.RateLimitError, ModelRateLimitError),
    500: (aimlapi_core.ServerError, ModelAPIError),
}
FAMILIES = (
    ModelInvalidRequestError,
    ModelAuthenticationError,
    ModelPermissionDeniedError,
    ModelNotFoundError,
    ModelRateLimitError,
    ModelAPIError,
    ModelConnectionError,
)


def _error_reply(status: int) -> Scripted:
    body = {"message": f"scripted {status}", "statusCode": status, "requestId": "req-1"}
    return Scripted(status=status, body=json.dumps(body).encode())


def _run(call: Callable[[], Any]) -> Any:
    result = call()
    if inspect.isawaitable(result):
        return asyncio.run(result)  # type: ignore[arg-type]
    return result


async def _collect(aiter: Any) -> list[Any]:
    return [item async for item in aiter]


def _chat_calls(llm: Any) -> dict[str, Callable[[], Any]]:
    streaming = llm.model_copy(update={"streaming": True})
    return {
        "invoke": lambda: llm.invoke("hi"),
        "ainvoke": lambda: llm.ainvoke("hi"),
        "stream": lambda: list(llm.stream("hi")),
        "astream": lambda: _collect(llm.astream("hi")),
        "batch": lambda: llm.batch(["hi", "hi"]),
        "abatch": lambda: llm.abatch(["hi"]),
        "invoke streaming=True": lambda: streaming.invoke("hi"),
        "ainvoke streaming=True": lambda: streaming.ainvoke("hi"),
        "astream_events": lambda: _collect(llm.astream_events("hi", version="v2")),
        "bind_tools stream": lambda: list(llm.bind_tools([add]).stream("add 1 and 2")),
    }


def _llm_calls(llm: AIMLAPILLM) -> dict[str, Callable[[], Any]]:
    streaming = llm.model_copy(update={"streaming": True})
    return {
        "invoke": lambda: llm.invoke("hi"),
        "ainvoke": lambda: llm.ainvoke("hi"),
        "stream": lambda: list(llm.stream("hi")),
        "astream": lambda: _collect(llm.astream("hi")),
        "generate": lambda: llm.generate(["hi", "ho"]),
        "agenerate": lambda: llm.agenerate(["hi", "ho"]),
        "invoke streaming=True": lambda: streaming.invoke("hi"),
        "ainvoke streaming=True": lambda: streaming.ainvoke("hi"),
    }


def _embeddings_calls(emb: AIMLAPIEmbeddings) -> dict[str, Callable[[], Any]]:
    return {
        "embed_documents": lambda: emb.embed_documents(["a", "b"]),
        "aembed_documents": lambda: emb.aembed_documents(["a", "b"]),
        "embed_query": lambda: emb.embed_query("a"),
        "aembed_query": lambda: emb.aembed_query("a"),
    }


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


CHAT_ENTRY_POINTS = list(_chat_calls(ChatAIMLAPI(api_key="k")))
RESPONSES_ENTRY_POINTS = ["invoke", "ainvoke", "stream", "astream", "invoke streaming=True"]


def _family(error: BaseException) -> list[type[Exception]]:
    return [f for f in FAMILIES if isinstance(error, f)]


@pytest.mark.parametrize("status", list(STATUSES))
@pytest.mark.parametrize("entry", CHAT_ENTRY_POINTS)
def test_chat_entry_points_raise_both_families_like_chat_openai(entry: str, status: int) -> None:
    from langchain_openai import ChatOpenAI

    core_cls, family = STATUSES[status]
    with ReplayServer(lambda request: _error_reply(status)) as server:
        common: dict[str, Any] = {"api_key": KEY, "base_url": server.base_url, "max_retries": 0}
        ours = ChatAIMLAPI(model="gpt-4o-mini", **common)
        theirs = ChatOpenAI(model="gpt-4o-mini", **common)
        with pytest.raises(core_cls) as our_error:
            _run(_chat_calls(ours)[entry])
        with pytest.raises(ModelError) as their_error:
            _run(_chat_calls(theirs)[entry])
    assert isinstance(our_error.value, family)
    assert _family(our_error.value) == _family(their_error.value)
    assert our_error.value.status_code == status  # type: ignore[attr-defined]
    assert KEY not in str(our_error.value)


@pytest.mark.parametrize("status", [401, 429, 500])
@pytest.mark.parametrize("entry", RESPONSES_ENTRY_POINTS)
def test_responses_entry_points_raise_both_families(entry: str, status: int) -> None:
    core_cls, family = STATUSES[status]
    with ReplayServer(lambda request: _error_reply(status)) as server:
        ours = ChatAIMLAPI(model="gpt-4o-mini", api_key=KEY, base_url=server.base_url,
                           max_retries=0, use_responses_api=True)  # fmt: skip
        with pytest.raises(core_cls) as error:
            _run(_chat_calls(ours)[entry])
        assert all(r.path == "/v1/responses" for r in server.requests)
    assert isinstance(error.value, family)


@pytest.mark.parametrize("status", list(STATUSES))
@pytest.mark.parametrize("entry", list(_llm_calls(AIMLAPILLM(api_key="k"))))
def test_llm_entry_points_raise_both_families(entry: str, status: int) -> None:
    core_cls, family = STATUSES[status]
    with ReplayServer(lambda request: _error_reply(status)) as server:
        llm = AIMLAPILLM(api_key=KEY, base_url=server.base_url, max_retries=0)
        with pytest.raises(core_cls) as error:
            _run(_llm_calls(llm)[entry])
    assert isinstance(error.value, family)


@pytest.mark.parametrize("status", list(STATUSES))
@pytest.mark.parametrize("entry", list(_embeddings_calls(AIMLAPIEmbeddings(api_key="k"))))
def test_embeddings_entry_points_raise_both_families(entry: str, status: int) -> None:
    core_cls, family = STATUSES[status]
    with ReplayServer(lambda request: _error_reply(status)) as server:
        emb = AIMLAPIEmbeddings(api_key=KEY, base_url=server.base_url, max_retries=0)
        with pytest.raises(core_cls) as error:
            _run(_embeddings_calls(emb)[entry])
    assert isinstance(error.value, family)


@pytest.mark.parametrize("entry", ["stream", "astream", "invoke streaming=True"])
def test_connection_errors_and_stream_error_events_are_both(entry: str) -> None:
    dead = ChatAIMLAPI(api_key=KEY, base_url="http://127.0.0.1:9/v1", max_retries=0)
    with pytest.raises(aimlapi_core.APIConnectionError) as refused:
        _run(_chat_calls(dead)[entry])
    assert isinstance(refused.value, ModelConnectionError)
    event = {"error": {"message": "upstream overloaded", "code": 503}}
    with ReplayServer(
        lambda request: Scripted(body=sse([event]), content_type="text/event-stream")
    ) as server:
        llm = ChatAIMLAPI(api_key=KEY, base_url=server.base_url, max_retries=0)
        with pytest.raises(aimlapi_core.StreamError) as broken:
            _run(_chat_calls(llm)[entry])
    assert isinstance(broken.value, ModelAPIError)


def test_every_network_method_is_wrapped() -> None:
    """The class of bug: a method that reaches the network without the error mapping."""
    methods = {
        ChatAIMLAPI: ("_generate", "_agenerate", "_stream", "_astream"),
        AIMLAPILLM: ("_generate", "_agenerate", "_stream", "_astream"),
        AIMLAPIEmbeddings: ("embed_documents", "aembed_documents", "embed_query", "aembed_query"),
    }
    for cls, names in methods.items():
        for name in names:
            assert getattr(getattr(cls, name), MAPS_ERRORS, False), f"{cls.__name__}.{name}"
        # Any other method of ours that touches a client must be wrapped too.
        for name, member in vars(cls).items():
            if inspect.isfunction(member) and not getattr(member, MAPS_ERRORS, False):
                source = inspect.getsource(member)
                assert ".client." not in source and ".async_client." not in source, name


# --------------------------------------------------------------------------- LangChain machinery


def _both(server: ReplayServer, **kwargs: Any) -> list[Any]:
    from langchain_openai import ChatOpenAI

    common = {"model": "gpt-4o-mini", "api_key": KEY, "base_url": server.base_url}
    return [
        ChatAIMLAPI(**common, max_retries=0, **kwargs),
        ChatOpenAI(**common, max_retries=0, **kwargs),
    ]


def test_with_fallbacks_catches_model_api_error_on_every_path() -> None:
    fallback = FakeListChatModel(responses=["from the fallback"] * 20)
    with ReplayServer(lambda request: _error_reply(500)) as server:
        for llm in _both(server):
            chain = llm.with_fallbacks([fallback], exceptions_to_handle=(ModelAPIError,))
            streaming = llm.model_copy(update={"streaming": True}).with_fallbacks(
                [fallback], exceptions_to_handle=(ModelAPIError,)
            )
            assert chain.invoke("hi").content == "from the fallback"
            assert "".join(c.content for c in chain.stream("hi")) == "from the fallback"
            assert streaming.invoke("hi").content == "from the fallback"
            assert asyncio.run(chain.ainvoke("hi")).content == "from the fallback"


def test_with_retry_retries_rate_limits_in_streaming_invoke() -> None:
    ok = fake_responder
    for make in (0, 1):
        with ReplayServer(ok) as server:
            server.enqueue(_error_reply(429))
            llm = _both(server, streaming=True)[make]
            retrying = llm.with_retry(
                retry_if_exception_type=(ModelRateLimitError,),
                stop_after_attempt=2,
                wait_exponential_jitter=False,
            )
            answer = retrying.invoke("Hello")
            assert answer.content and len(server.requests) == 2


def test_langgraph_agent_streamed_as_messages_sees_a_langchain_error() -> None:
    import warnings

    from langgraph.prebuilt import create_react_agent

    with ReplayServer(lambda request: _error_reply(429)) as server:
        for llm in _both(server):
            with warnings.catch_warnings():  # moved to langchain.agents, not installed here
                warnings.simplefilter("ignore", DeprecationWarning)
                agent = create_react_agent(llm, [add])
            with pytest.raises(ModelRateLimitError):
                for _ in agent.stream(
                    {"messages": [("user", "add 1 and 2")]}, stream_mode="messages"
                ):
                    pass
