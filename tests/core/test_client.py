"""Client behaviour over real sockets (the loopback replay server) and mock transports:
settings resolution, request headers, retries, broken streams, error mapping, cost surfacing,
secrecy of the key, connection-pool hygiene, and one cassette through the vcr machinery."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

import aimlapi_core.client as client_module
from aimlapi_core import (
    DEFAULT_BASE_URL,
    AIMLAPIError,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncClient,
    AuthenticationError,
    BadRequestError,
    Client,
    MissingAPIKeyError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    Settings,
    StreamError,
)
from tests.support.corpus import corpus_reply, require_corpus
from tests.support.replay_server import ReplayServer, Scripted, sse
from tests.support.timing import at_least

KEY = "sk-live-SECRET-0123456789abcdef"
CHAT = {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "model": "gpt-4o",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hello"},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
}
OK = Scripted(body=json.dumps(COMPLETION).encode())
CASSETTE_EXCHANGE = "tests/models/cassettes/test_openai/test_openai_instructions.yaml#0"


def chunk(content: str | None = None, finish: str | None = None, **top: Any) -> dict[str, Any]:
    delta = {"content": content} if content is not None else {}
    return {"id": "c1", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **top}


def sse_reply(chunks: list[bytes], **kw: Any) -> Scripted:
    return Scripted(body=chunks, content_type="text/event-stream", **kw)


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer(max_requests=100) as srv:
        yield srv


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AIMLAPI_API_KEY", "AIML_API_KEY", "AIMLAPI_BASE_URL", "AIMLAPI_API_BASE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The retry waits the clients asked for (sync and async), without sleeping."""
    recorded: list[float] = []

    async def fake_async_sleep(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr(
        client_module,
        "time",
        SimpleNamespace(sleep=recorded.append, perf_counter=time.perf_counter),
    )
    monkeypatch.setattr(client_module, "asyncio", SimpleNamespace(sleep=fake_async_sleep))
    return recorded


def make(server: ReplayServer, **settings: Any) -> Client:
    return Client(Settings(api_key=KEY, base_url=server.base_url, **settings))


def make_async(server: ReplayServer, **settings: Any) -> AsyncClient:
    return AsyncClient(Settings(api_key=KEY, base_url=server.base_url, **settings))


def assert_pool_clean(client: Client | AsyncClient) -> None:
    """No connection of the client's pool is left checked out by a request."""
    pool = client.http_client._transport._pool  # type: ignore[union-attr]
    assert not pool._requests, f"requests still hold connections: {pool._requests}"
    for conn in pool.connections:
        assert conn.is_idle() or conn.is_closed(), f"connection left busy: {conn}"


# --------------------------------------------------------------------------- settings


def test_api_key_argument_beats_both_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIMLAPI_API_KEY", "from-aimlapi")
    monkeypatch.setenv("AIML_API_KEY", "from-aiml")
    assert Settings(api_key="from-arg").require_api_key() == "from-arg"
    assert Settings().require_api_key() == "from-aimlapi"
    monkeypatch.delenv("AIMLAPI_API_KEY")
    assert Settings().require_api_key() == "from-aiml"
    monkeypatch.setenv("AIMLAPI_API_KEY", "   ")  # blank counts as unset
    assert Settings().require_api_key() == "from-aiml"


def test_base_url_resolution_order(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().url == DEFAULT_BASE_URL == "https://api.aimlapi.com/v1"
    monkeypatch.setenv("AIMLAPI_API_BASE", "http://api-base.test/v1")
    assert Settings().url == "http://api-base.test/v1"
    monkeypatch.setenv("AIMLAPI_BASE_URL", "http://base-url.test/v1/")
    assert Settings().url == "http://base-url.test/v1"
    assert Settings(base_url="https://arg.test/v1").url == "https://arg.test/v1"


@pytest.mark.parametrize("url", ["ftp://api.aimlapi.com/v1", "api.aimlapi.com/v1", "https://"])
def test_non_http_base_url_is_refused(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="http"):
        Settings(base_url=url)
    monkeypatch.setenv("AIMLAPI_BASE_URL", url)
    with pytest.raises(ValueError, match="http"):
        Settings()


def test_missing_key_raises_at_first_request_not_at_construction() -> None:
    seen: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200, json={}))
    client = Client(Settings(), http_client=httpx.Client(transport=transport))  # no error yet
    with pytest.raises(MissingAPIKeyError) as info:
        client.chat_completion(CHAT)
    assert "AIMLAPI_API_KEY" in str(info.value) and "AIML_API_KEY" in str(info.value)
    assert isinstance(info.value, ValueError) and isinstance(info.value, AIMLAPIError)
    assert seen == []


async def test_missing_key_async() -> None:
    seen: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200, json={}))
    client = AsyncClient(Settings(), http_client=httpx.AsyncClient(transport=transport))
    with pytest.raises(MissingAPIKeyError, match=r"AIMLAPI_API_KEY.*AIML_API_KEY"):
        await client.stream_chat_completion(CHAT)
    assert seen == []


@pytest.mark.parametrize("bad", ["", "has space", "x" * 129, "emoji-✓", "semi;colon", "a/b"])
def test_invalid_client_request_id_is_refused_before_any_request(bad: str) -> None:
    with pytest.raises(ValueError, match="X-Client-Request-Id"):
        Settings(api_key=KEY, client_request_id=bad)
    with pytest.raises(ValueError, match="X-Client-Request-Id"):
        Settings(api_key=KEY, default_headers={"x-client-request-id": bad})
    seen: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200, json={}))
    client = Client(Settings(api_key=KEY), http_client=httpx.Client(transport=transport))
    with pytest.raises(ValueError, match="X-Client-Request-Id"):
        client.chat_completion(CHAT, headers={"X-Client-Request-Id": bad})
    assert seen == []


@pytest.mark.parametrize("good", ["a", "x" * 128, "order-8f21c4", "A.b_c:d-9"])
def test_valid_client_request_ids(good: str) -> None:
    assert Settings(api_key=KEY, client_request_id=good).client_request_id == good


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"timeout": 0}, "timeout"), ({"timeout": -1.0}, "timeout"), ({"max_retries": -1}, "retries")],
)
def test_invalid_numbers_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings(api_key=KEY, **kwargs)


# --------------------------------------------------------------------------- headers


def test_request_headers(server: ReplayServer) -> None:
    server.enqueue(OK, sse_reply(sse([chunk("a", "stop")])))
    settings = {"client_request_id": "trace.1:a_b-c", "default_headers": {"X-Team": "core"}}
    with make(server, **settings) as client:
        client.chat_completion(CHAT)
        with client.stream_chat_completion(CHAT) as stream:
            list(stream)
        assert_pool_clean(client)
    plain, streamed = server.requests
    for req in (plain, streamed):
        assert req.method == "POST" and req.path == "/v1/chat/completions"
        assert req.headers["authorization"] == f"Bearer {KEY}"
        assert req.headers["x-client-request-id"] == "trace.1:a_b-c"
        assert req.headers["x-team"] == "core"
        assert req.headers["user-agent"].startswith("aimlapi-integrations/")
        assert req.headers["content-type"] == "application/json"
    assert plain.headers["accept"] == "application/json" and plain.body["stream"] is False
    assert streamed.headers["accept"] == "text/event-stream" and streamed.body["stream"] is True
    assert plain.body["messages"] == CHAT["messages"]


async def test_request_headers_async(server: ReplayServer) -> None:
    server.enqueue(OK)
    async with make_async(server, client_request_id="t-2") as client:
        await client.chat_completion(CHAT, headers={"X-Extra": "1"})
        assert_pool_clean(client)
    (req,) = server.requests
    assert req.headers["authorization"] == f"Bearer {KEY}"
    assert req.headers["x-client-request-id"] == "t-2"
    assert req.headers["x-extra"] == "1"
    assert req.headers["user-agent"].startswith("aimlapi-integrations/")


def test_caller_headers_replace_ours_whatever_their_case() -> None:
    sent: list[list[tuple[str, str]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers.multi_items())
        return httpx.Response(200, json=COMPLETION)

    settings = Settings(
        api_key=KEY,
        client_request_id="from-settings",
        default_headers={"user-agent": "my-app/2", "X-CLIENT-REQUEST-ID": "from-defaults"},
    )
    client = Client(settings, http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    client.chat_completion(CHAT, headers={"authorization": "Bearer other", "x-per-call": "1"})
    (items,) = sent
    names = [name for name, _ in items]
    assert len(names) == len(set(names)), f"a header went out twice: {items}"
    headers = dict(items)
    assert headers["user-agent"] == "my-app/2"
    assert headers["x-client-request-id"] == "from-settings"
    assert headers["authorization"] == f"Bearer {KEY}"
    assert headers["x-per-call"] == "1"


# --------------------------------------------------------------------------- retries


def test_429_with_retry_after_zero_then_200(server: ReplayServer, waits: list[float]) -> None:
    server.enqueue(
        Scripted(
            status=429, body=b'{"message": "Too Many Requests"}', headers={"Retry-After": "0"}
        ),
        OK,
    )
    with make(server) as client:
        reply = client.chat_completion(CHAT)
        assert_pool_clean(client)
    assert reply.completion.choices[0].message.content == "Hello"
    assert len(server.requests) == 2
    assert waits == [0.0]


async def test_429_with_retry_after_zero_then_200_async(
    server: ReplayServer, waits: list[float]
) -> None:
    server.enqueue(
        Scripted(
            status=429, body=b'{"message": "Too Many Requests"}', headers={"Retry-After": "0"}
        ),
        OK,
    )
    async with make_async(server) as client:
        reply = await client.chat_completion(CHAT)
        assert_pool_clean(client)
    assert reply.completion.choices[0].message.content == "Hello"
    assert len(server.requests) == 2
    assert waits == [0.0]


def _five_hundreds() -> list[Scripted]:
    return [
        Scripted(status=500, body=b'{"message": "internal"}'),
        Scripted(
            status=502, body=b"<html><body>Bad Gateway</body></html>", content_type="text/html"
        ),
        Scripted(status=503, body=b""),
        OK,
    ]


def test_5xx_then_200_with_three_retries(server: ReplayServer, waits: list[float]) -> None:
    server.enqueue(*_five_hundreds())
    with make(server, max_retries=3) as client:
        reply = client.chat_completion(CHAT)
        assert_pool_clean(client)
    assert reply.completion.choices[0].message.content == "Hello"
    assert len(server.requests) == 4
    # jittered exponential backoff: 0.5 s, 1 s, 2 s, each minus up to 25 %
    assert len(waits) == 3
    for wait, base in zip(waits, (0.5, 1.0, 2.0), strict=True):
        assert 0.75 * base <= wait <= base


async def test_5xx_then_200_with_three_retries_async(
    server: ReplayServer, waits: list[float]
) -> None:
    server.enqueue(*_five_hundreds())
    async with make_async(server, max_retries=3) as client:
        reply = await client.chat_completion(CHAT)
        assert_pool_clean(client)
    assert reply.completion.choices[0].message.content == "Hello"
    assert len(server.requests) == 4 and len(waits) == 3


def test_retries_run_out(server: ReplayServer, waits: list[float]) -> None:
    server.enqueue(*[Scripted(status=503, body=b'{"message": "overloaded"}')] * 3, OK)
    with make(server, max_retries=2) as client, pytest.raises(ServerError) as info:
        client.chat_completion(CHAT)
    assert info.value.status_code == 503 and info.value.provider_message == "overloaded"
    assert len(server.requests) == 3 and len(waits) == 2


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_400_is_not_retried(server: ReplayServer, waits: list[float], is_async: bool) -> None:
    body = {"error": {"message": "Invalid 'temperature'", "type": "invalid_request_error"}}
    server.enqueue(Scripted(status=400, body=json.dumps(body).encode()), OK)
    with pytest.raises(BadRequestError) as info:
        if is_async:
            async with make_async(server, max_retries=3) as aclient:
                await aclient.chat_completion(CHAT)
        else:
            with make(server, max_retries=3) as client:
                client.chat_completion(CHAT)
    assert info.value.provider_message == "Invalid 'temperature'"
    assert info.value.error_type == "invalid_request_error"
    assert len(server.requests) == 1 and waits == []


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "250"}, 0.25),
        ({"Retry-After": "2"}, 2.0),
        ({"retry-after-ms": "40", "Retry-After": "9"}, 0.04),  # the finer one wins
    ],
)
def test_server_requested_wait_is_honoured(
    server: ReplayServer, waits: list[float], headers: dict[str, str], expected: float
) -> None:
    server.enqueue(Scripted(status=503, body=b'{"message": "busy"}', headers=headers), OK)
    with make(server) as client:
        client.chat_completion(CHAT)
    assert waits == [expected]


def test_retry_after_ms_real_sleep(server: ReplayServer) -> None:
    server.enqueue(Scripted(status=429, body=b"{}", headers={"retry-after-ms": "120"}), OK)
    started = time.perf_counter()
    with make(server) as client:
        client.chat_completion(CHAT)
    assert at_least(time.perf_counter() - started, 0.12)
    assert len(server.requests) == 2


async def test_retry_after_ms_async(server: ReplayServer, waits: list[float]) -> None:
    server.enqueue(Scripted(status=429, body=b"{}", headers={"retry-after-ms": "75"}), OK)
    async with make_async(server) as client:
        await client.chat_completion(CHAT)
    assert waits == [0.075]


def test_connection_refused_is_retried_then_raised(waits: list[float]) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = Client(Settings(api_key=KEY, base_url=f"http://127.0.0.1:{port}/v1", max_retries=2))
    with client, pytest.raises(APIConnectionError) as info:
        client.chat_completion(CHAT)
    assert len(waits) == 2
    assert f"127.0.0.1:{port}" in str(info.value)


def test_timeout_gives_api_timeout_error(server: ReplayServer) -> None:
    server.enqueue(Scripted(body=json.dumps(COMPLETION).encode(), first_byte_delay=0.5))
    with make(server, max_retries=0, timeout=0.1) as client:
        with pytest.raises(APITimeoutError, match="timed out"):
            client.chat_completion(CHAT)
        assert_pool_clean(client)


# --------------------------------------------------------------------------- streams


def test_stream_is_retried_until_it_opens(server: ReplayServer, waits: list[float]) -> None:
    server.enqueue(
        Scripted(status=503, body=b'{"message": "busy"}', headers={"retry-after-ms": "0"}),
        sse_reply(sse([chunk("He"), chunk("llo", "stop")])),
    )
    with make(server) as client, client.stream_chat_completion(CHAT) as stream:
        texts = [d.choices[0].content for d in stream]
    assert texts == ["He", "llo"]
    assert stream.result().completion.choices[0].message.content == "Hello"
    assert len(server.requests) == 2


def test_stream_is_never_retried_once_open(server: ReplayServer, waits: list[float]) -> None:
    server.enqueue(sse_reply(sse([chunk("He"), chunk("llo", "stop")]), drop_after=1), OK)
    with make(server, max_retries=3) as client:
        stream = client.stream_chat_completion(CHAT)
        got: list[str | None] = []
        with pytest.raises(StreamError, match="broke mid-stream") as info:
            for delta in stream:
                got.append(delta.choices[0].content)
        assert_pool_clean(client)
    assert got == ["He"]  # what arrived before the cut was delivered
    assert info.value.inference_id is None or isinstance(info.value.inference_id, str)
    assert len(server.requests) == 1 and waits == []
    assert not stream.completed


async def test_stream_dropped_mid_way_async(server: ReplayServer, waits: list[float]) -> None:
    server.enqueue(sse_reply(sse([chunk("He"), chunk("llo", "stop")]), drop_after=1))
    async with make_async(server, max_retries=3) as client:
        stream = await client.stream_chat_completion(CHAT)
        with pytest.raises(StreamError):
            async for _ in stream:
                pass
        assert_pool_clean(client)
    assert len(server.requests) == 1 and waits == []


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_stream_without_done_or_finish_reason(server: ReplayServer, is_async: bool) -> None:
    server.enqueue(sse_reply(sse([chunk("He"), chunk("llo")], done=False)))
    with pytest.raises(StreamError, match="incomplete") as info:
        if is_async:
            async with make_async(server) as aclient:
                astream = await aclient.stream_chat_completion(CHAT)
                async for _ in astream:
                    pass
        else:
            with make(server) as client, client.stream_chat_completion(CHAT) as stream:
                list(stream)
    assert "2 chunk(s)" in str(info.value)


def test_stream_ending_with_finish_reason_but_no_done_is_complete(server: ReplayServer) -> None:
    server.enqueue(sse_reply(sse([chunk("He"), chunk("llo", "length")], done=False)))
    with make(server) as client, client.stream_chat_completion(CHAT) as stream:
        list(stream)
    assert stream.completed
    assert stream.result().completion.choices[0].finish_reason == "length"


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_malformed_json_in_a_data_line(server: ReplayServer, is_async: bool) -> None:
    body = [b'data: {"id":"c1","choices":[]}\n\n', b'data: {"id": "c1", "choices": [\n\n']
    server.enqueue(sse_reply(body))
    with pytest.raises(StreamError, match="Malformed JSON") as info:
        if is_async:
            async with make_async(server) as aclient:
                astream = await aclient.stream_chat_completion(CHAT)
                async for _ in astream:
                    pass
                assert_pool_clean(aclient)
        else:
            with make(server) as client:
                with client.stream_chat_completion(CHAT) as stream:
                    list(stream)
                assert_pool_clean(client)
    assert info.value.body == '{"id": "c1", "choices": ['


def test_error_event_inside_a_200_stream(server: ReplayServer) -> None:
    err = {"error": {"message": "Token limit reached", "code": 400}}
    server.enqueue(sse_reply(sse([chunk("He"), err])))
    with make(server) as client:
        with pytest.raises(StreamError) as info, client.stream_chat_completion(CHAT) as stream:
            list(stream)
        assert_pool_clean(client)
    assert info.value.provider_message == "Token limit reached"
    assert info.value.status_code == 400


def test_stream_closed_early_returns_the_connection(server: ReplayServer) -> None:
    server.enqueue(sse_reply(sse([chunk(str(i)) for i in range(50)] + [chunk("", "stop")])), OK)
    with make(server) as client:
        with client.stream_chat_completion(CHAT) as stream:
            for _ in stream:
                break
        assert_pool_clean(client)
        client.chat_completion(CHAT)  # the pool still works
        assert_pool_clean(client)


async def test_stream_closed_early_returns_the_connection_async(server: ReplayServer) -> None:
    server.enqueue(sse_reply(sse([chunk(str(i)) for i in range(50)] + [chunk("", "stop")])), OK)
    async with make_async(server) as client:
        async with await client.stream_chat_completion(CHAT) as stream:
            async for _ in stream:
                break
        assert_pool_clean(client)
        await client.chat_completion(CHAT)
        assert_pool_clean(client)


# --------------------------------------------------------------------------- error bodies

NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
AIMLAPI_403 = {
    "message": "You've run out of credits. Please top up your balance or update your payment "
    "method to continue: https://aimlapi.com/app/billing/",
    "path": "/v1/chat/completions",
    "requestId": "798b860e-98c2-4e8e-8c50-550bcfc2eccc",
    "statusCode": 403,
    "timestamp": "2025-03-11T07:13:27.813Z",
}


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_html_502_and_empty_500(server: ReplayServer, is_async: bool) -> None:
    server.enqueue(
        Scripted(status=502, body=NGINX_502, content_type="text/html"),
        Scripted(status=500, body=b"", content_type="text/plain"),
    )
    errors: list[ServerError] = []
    for _ in range(2):
        with pytest.raises(ServerError) as info:
            if is_async:
                async with make_async(server, max_retries=0) as aclient:
                    await aclient.chat_completion(CHAT)
            else:
                with make(server, max_retries=0) as client:
                    client.chat_completion(CHAT)
        errors.append(info.value)
    html, empty = errors
    assert html.status_code == 502
    assert html.provider_message is not None and "502 Bad Gateway" in html.provider_message
    assert "<" not in str(html) and "502 Bad Gateway" in str(html)
    assert html.body is not None and "nginx" in html.body
    assert empty.status_code == 500 and empty.provider_message == "empty body"
    assert "500" in str(empty) and "empty body" in str(empty)


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_aimlapi_403_out_of_credits(server: ReplayServer, is_async: bool) -> None:
    server.enqueue(
        Scripted(
            status=403, body=json.dumps(AIMLAPI_403).encode(), headers={"x-inference-id": "inf-9"}
        )
    )
    with pytest.raises(PermissionDeniedError) as info:
        if is_async:
            async with make_async(server) as aclient:
                await aclient.chat_completion(CHAT)
        else:
            with make(server) as client:
                client.chat_completion(CHAT)
    err = info.value
    assert err.status_code == 403
    assert err.request_id == AIMLAPI_403["requestId"]
    assert err.inference_id == "inf-9"
    assert err.provider_message == AIMLAPI_403["message"]
    assert "credits" in str(err) and "aimlapi.com/app/billing" in str(err)
    assert len(server.requests) == 1  # 403 is not retried


def test_401_and_aimlapi_429_shapes(server: ReplayServer) -> None:
    server.enqueue(
        Scripted(status=401, body=b'{"message": "This request requires a valid API key."}'),
        Scripted(
            status=429,
            body=json.dumps(
                {"message": "Free-tier limit", "statusCode": "429", "requestId": "r-1"}
            ).encode(),
        ),
    )
    with make(server, max_retries=0) as client:
        with pytest.raises(AuthenticationError, match="AIMLAPI_API_KEY"):
            client.chat_completion(CHAT)
        with pytest.raises(RateLimitError) as info:
            client.chat_completion(CHAT)
        assert_pool_clean(client)
    assert info.value.request_id == "r-1" and info.value.provider_message == "Free-tier limit"


def test_redirect_is_an_error_that_names_the_base_url(server: ReplayServer) -> None:
    # e.g. base_url "http://api.aimlapi.com/v1" answered with 301 to https: a POST is not
    # silently re-sent, and the error says what to fix.
    server.enqueue(
        Scripted(
            status=301,
            body=b"<html>Moved</html>",
            content_type="text/html",
            headers={"location": "https://api.aimlapi.com/v1/chat/completions"},
        ),
        OK,
    )
    with make(server, max_retries=2) as client:
        with pytest.raises(APIStatusError) as info:
            client.chat_completion(CHAT)
        assert_pool_clean(client)
    assert info.value.status_code == 301
    assert "redirected to https://api.aimlapi.com/v1/chat/completions" in str(info.value)
    assert "base URL" in str(info.value)
    assert len(server.requests) == 1


# --------------------------------------------------------------------------- cost, ids


def test_inference_id_and_cost_headers_on_chat_reply(server: ReplayServer) -> None:
    server.enqueue(
        Scripted(
            body=json.dumps(COMPLETION).encode(),
            headers={
                "x-inference-id": "V1StGXR8Z5jdHi6BmyT8k",
                "x-aimlapi-credits-used": "2480",
                "x-aimlapi-usd-spent": "0.001240000",
            },
        )
    )
    with make(server) as client:
        reply = client.chat_completion(CHAT)
    assert reply.inference_id == "V1StGXR8Z5jdHi6BmyT8k"
    assert reply.cost is not None
    assert reply.cost.credits_used == 2480 and reply.cost.usd_spent == pytest.approx(0.00124)
    assert reply.usage is not None and reply.usage.total_tokens == 4


async def test_meta_usage_in_body_wins_and_surfaces_async(server: ReplayServer) -> None:
    body = {**COMPLETION, "meta": {"usage": {"credits_used": 12, "usd_spent": 0.000006}}}
    server.enqueue(
        Scripted(
            body=json.dumps(body).encode(),
            headers={"x-inference-id": "inf-a", "x-aimlapi-credits-used": "999"},
        )
    )
    async with make_async(server) as client:
        reply = await client.chat_completion(CHAT)
    assert reply.inference_id == "inf-a"
    assert reply.cost is not None and reply.cost.as_dict() == {
        "credits_used": 12,
        "usd_spent": 0.000006,
    }


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_meta_usage_on_final_stream_chunk(server: ReplayServer, is_async: bool) -> None:
    final = {
        "id": "c1",
        "choices": [],
        "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
        "meta": {"usage": {"credits_used": 31, "usd_spent": 0.0000155}},
    }
    server.enqueue(
        sse_reply(sse([chunk("Hi", "stop"), final]), headers={"x-inference-id": "inf-s"})
    )
    if is_async:
        async with make_async(server) as aclient:
            astream = await aclient.stream_chat_completion(CHAT)
            deltas = [d async for d in astream]
            reply = astream.result()
    else:
        with make(server) as client, client.stream_chat_completion(CHAT) as stream:
            deltas = list(stream)
            reply = stream.result()
    assert reply.inference_id == "inf-s"
    assert reply.cost is not None and reply.cost.credits_used == 31
    assert reply.usage is not None and (reply.usage.input_tokens, reply.usage.total_tokens) == (
        5,
        7,
    )
    assert deltas[-1].cost == reply.cost and deltas[-1].usage == reply.usage


# --------------------------------------------------------------------------- secrecy


def test_key_never_leaks(server: ReplayServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    settings = Settings(api_key=KEY, base_url=server.base_url, max_retries=1)
    client = Client(settings)
    texts = [repr(settings), str(settings), repr(client), str(client)]
    server.enqueue(
        Scripted(status=401, body=b'{"message": "bad key"}'),
        Scripted(status=500, body=b"{}", headers={"retry-after-ms": "0"}),
        OK,
        sse_reply(sse([chunk("a")]), drop_after=1),
        Scripted(status=400, body=b'{"error": {"message": "nope"}}'),
    )
    errors: list[BaseException] = []
    with client:
        for call in (
            lambda: client.chat_completion(CHAT),
            lambda: client.chat_completion(CHAT),  # 500, then retried to 200
            lambda: list(client.stream_chat_completion(CHAT)),
            lambda: client.create_response({"model": "m", "input": "x"}),
        ):
            try:
                call()
            except AIMLAPIError as exc:
                errors.append(exc)
    try:
        Client(Settings(base_url=server.base_url)).chat_completion(CHAT)
    except MissingAPIKeyError as exc:
        errors.append(exc)
    assert len(errors) == 4
    for exc in errors:
        texts += [str(exc), repr(exc), repr(vars(exc))]
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG]
    assert debug, "DEBUG records were captured"
    texts += [r.getMessage() for r in caplog.records] + [repr(r.args) for r in caplog.records]
    for text in texts:
        assert KEY not in text and KEY[8:] not in text


# --------------------------------------------------------------------------- cassette


@pytest.mark.vcr
def test_chat_completion_cassette(
    api_settings: dict[str, str], replay_server: ReplayServer
) -> None:
    require_corpus()
    replay_server.enqueue(corpus_reply(CASSETTE_EXCHANGE))
    with Client(Settings(**api_settings)) as client:
        reply = client.chat_completion(
            {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Capital?"}]}
        )
    assert reply.completion.choices[0].message.content == "The capital of France is Paris."
    assert reply.completion.choices[0].finish_reason == "stop"
    assert reply.usage is not None and reply.usage.total_tokens == 32


def test_cassette_file_is_clean() -> None:
    path = (
        Path(__file__).parents[2]
        / "cassettes"
        / "test_client"
        / "test_chat_completion_cassette.yaml"
    )
    if not path.exists():
        pytest.skip(f"{path} not recorded yet (pytest --record-mode=once)")
    text = path.read_text()
    assert "authorization" not in text.lower()
    assert OFFLINE_KEY_MARK not in text
    assert f"wire-corpus {CASSETTE_EXCHANGE}" in text
    assert "x-cassette-origin" in text
    assert "https://api.aimlapi.com/v1/chat/completions" in text


OFFLINE_KEY_MARK = "sk-offline-test-key"


def test_stream_answered_with_json_error_raises_its_message() -> None:
    import httpx as _httpx

    from aimlapi_core import Client, Settings, StreamError

    def reply(request: _httpx.Request) -> _httpx.Response:
        return _httpx.Response(200, json={"error": {"message": "model overloaded", "code": 503}})

    http = _httpx.Client(transport=_httpx.MockTransport(reply))
    with Client(Settings(api_key="k"), http_client=http) as client:
        stream = client.stream_chat_completion({"model": "m", "messages": []})
        with pytest.raises(StreamError, match="model overloaded") as info:
            list(stream)
    assert info.value.provider_message == "model overloaded"


# --------------------------------------------------------------------------- #14.2 / #15 shape


def _recording(
    seen: list[httpx.Request], reply: Any, *, timeout: httpx.Timeout | None = None
) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return reply(request) if callable(reply) else reply

    if timeout is None:
        return httpx.Client(transport=httpx.MockTransport(handler))
    return httpx.Client(transport=httpx.MockTransport(handler), timeout=timeout)


def test_generic_calls_take_any_method_params_and_bytes() -> None:
    # What the media endpoints need: GET with params (JSON), POST returning bytes, a GET stream.
    seen: list[httpx.Request] = []

    def reply(request: httpx.Request) -> httpx.Response:
        headers = {"x-inference-id": f"inf-{len(seen)}", "x-aimlapi-usd-spent": "0.25"}
        if request.url.path.endswith("/tts"):
            return httpx.Response(200, content=b"RIFF\x00\x01", headers=headers)
        if request.url.path.endswith("/events"):
            body = b'data: {"a": 1}\n\ndata: [DONE]\n\n'
            return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json={"status": "queued"}, headers=headers)

    with Client(Settings(api_key=KEY), http_client=_recording(seen, reply)) as client:
        job = client.request("GET", "/v2/video/generations", params={"generation_id": "g-1"})
        audio = client.request_bytes("POST", "/tts", {"model": "tts-1", "text": "hi"})
        with client.stream("/events", None, method="GET", params={"after": 3}) as events:
            data = [e.data for e in events]
    assert job.data == {"status": "queued"} and job.inference_id == "inf-1"
    assert audio.content == b"RIFF\x00\x01" and audio.inference_id == "inf-2"
    assert audio.cost is not None and audio.cost.usd_spent == 0.25
    assert data == ['{"a": 1}', "[DONE]"]
    get, post, stream = seen
    assert (get.method, get.url.params["generation_id"], get.content) == ("GET", "g-1", b"")
    assert post.headers["accept"] == "*/*" and json.loads(post.content)["text"] == "hi"
    assert stream.method == "GET" and stream.url.params["after"] == "3"
    assert stream.headers["accept"] == "text/event-stream"


@pytest.mark.parametrize(
    ("total", "client_timeout", "expected_max"),
    [(2.0, httpx.Timeout(120.0), 2.0), (None, httpx.Timeout(7.0), 7.0), (600.0, None, 5.0)],
    ids=["cut-to-deadline", "no-deadline", "own-http-client-default-kept"],
)
def test_each_attempt_timeouts_end_by_the_deadline(
    total: float | None, client_timeout: httpx.Timeout | None, expected_max: float
) -> None:
    seen: list[httpx.Request] = []
    http = _recording(seen, httpx.Response(200, json=COMPLETION), timeout=client_timeout)
    settings = Settings(api_key=KEY, total_timeout=total)
    with Client(settings, http_client=http) as client:
        client.chat_completion(CHAT)
    timeouts = seen[0].extensions["timeout"]
    assert set(timeouts) == {"connect", "read", "write", "pool"}
    assert max(v for v in timeouts.values() if v is not None) <= expected_max
    assert timeouts["read"] == pytest.approx(expected_max, abs=0.05)


async def test_async_attempt_timeouts_end_by_the_deadline() -> None:
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=COMPLETION)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with AsyncClient(Settings(api_key=KEY, total_timeout=1.5), http_client=http) as client:
        await client.chat_completion(CHAT)
    assert 1.0 < seen[0].extensions["timeout"]["read"] <= 1.5


def test_total_timeout_is_checked_and_fingerprinted() -> None:
    with pytest.raises(ValueError, match="total_timeout must be a positive, finite number"):
        Settings(api_key=KEY, total_timeout=0)
    a, b = Settings(api_key=KEY), Settings(api_key=KEY, total_timeout=30)
    assert a.total_timeout == 600.0 and a.fingerprint() != b.fingerprint()


def test_the_client_does_not_import_embeddings_nor_replies_the_client() -> None:
    # The import knot client <-> embeddings <-> replies is gone (checked in fresh interpreters).
    import subprocess
    import sys

    def loaded_after(statement: str) -> set[str]:
        code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return {m for m in out.stdout.split() if m.startswith("aimlapi_core.")}

    assert "aimlapi_core.embeddings" not in loaded_after("import aimlapi_core.client")
    assert "aimlapi_core.client" not in loaded_after("import aimlapi_core.embeddings")
    replies = loaded_after("import aimlapi_core.replies")
    assert not replies & {"aimlapi_core.client", "aimlapi_core.streaming"}


def _imported_modules(module: str) -> set[str]:
    """Every ``aimlapi_core`` module ``module``'s source imports anywhere: at the top, inside a
    function, or under ``if TYPE_CHECKING`` (what a fresh interpreter's ``sys.modules`` misses)."""
    import ast

    import aimlapi_core

    path = Path(aimlapi_core.__file__).parent / f"{module}.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:  # ``from .x import y`` / ``from . import x``
                found |= {node.module} if node.module else {a.name for a in node.names}
            elif node.module and node.module.startswith("aimlapi_core."):
                found.add(node.module.removeprefix("aimlapi_core."))
        elif isinstance(node, ast.Import):
            found |= {
                a.name.removeprefix("aimlapi_core.")
                for a in node.names
                if a.name.startswith("aimlapi_core.")
            }
    return found


def test_embeddings_call_the_client_and_the_client_does_not_call_embeddings() -> None:
    # Not even at type level or lazily in a method: batching is embeddings' job alone.
    assert "embeddings" not in _imported_modules("client")
    assert not hasattr(Client, "embed") and not hasattr(AsyncClient, "embed")
    assert not _imported_modules("embeddings") & {"client", "streaming"}
    assert not _imported_modules("replies") & {"client", "embeddings"}


def test_public_names_and_moved_ones_still_resolve() -> None:
    import aimlapi_core
    import aimlapi_core.embeddings as embeddings
    import aimlapi_core.replies as replies
    import aimlapi_core.streaming as streaming

    for name in aimlapi_core.__all__:
        assert getattr(aimlapi_core, name) is not None, name
    assert replies.ChatStream is streaming.ChatStream is aimlapi_core.ChatStream
    assert replies.AsyncResponsesStream is streaming.AsyncResponsesStream
    assert embeddings.EmbeddingsReply is replies.EmbeddingsReply is aimlapi_core.EmbeddingsReply
    assert embeddings.embeddings_reply_from is replies.embeddings_reply_from
    assert aimlapi_core.EventStream is streaming.EventStream


@pytest.mark.parametrize("kind", ["chat", "responses", "embeddings"])
@pytest.mark.parametrize("where", ["meta", "headers"])
def test_every_reply_gets_its_id_and_cost_the_same_way(kind: str, where: str) -> None:
    from aimlapi_core.replies import chat_reply_from, embeddings_reply_from, responses_reply_from

    bodies = {
        "chat": COMPLETION,
        "responses": {"id": "r", "status": "completed", "output": []},
        "embeddings": {"data": [{"index": 0, "embedding": [1.0]}]},
    }
    build = {
        "chat": chat_reply_from,
        "responses": responses_reply_from,
        "embeddings": embeddings_reply_from,
    }[kind]
    body = dict(bodies[kind])
    headers = {"x-inference-id": "inf-9", "x-aimlapi-usd-spent": "0.5"}
    if where == "meta":
        body["meta"] = {"usage": {"usd_spent": 0.125, "credits_used": 3}}
    reply: Any = build(body, headers)
    assert reply.inference_id == "inf-9"
    assert reply.cost.usd_spent == (0.125 if where == "meta" else 0.5)


def test_a_plain_reply_cut_mid_body_is_not_sent_again(
    server: ReplayServer, waits: list[float]
) -> None:
    body = json.dumps(COMPLETION).encode()
    server.enqueue(Scripted(body=[body[:20], body[20:]], drop_after=1), OK)
    with make(server, max_retries=3) as client:
        with pytest.raises(APIConnectionError, match="Not retried") as info:
            client.chat_completion(CHAT)
        assert_pool_clean(client)
    assert "incomplete" in str(info.value) and "20 bytes" in str(info.value)
    assert KEY not in str(info.value)
    assert len(server.requests) == 1 and waits == []


def test_a_temporary_clients_stream_reads_on_and_its_pool_closes_after() -> None:
    # A client's own pool closes when the client is collected; a stream it opened keeps it.
    import gc
    import weakref

    from tests.support.fake_model import fake_responder
    from tests.support.replay_server import ReplayServer

    with ReplayServer(fake_responder) as server:
        client = Client(Settings(api_key=KEY, base_url=server.base_url))
        pool = client.http_client
        gone = weakref.ref(client)
        body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}]}
        stream = client.stream_chat_completion(body)
        del client
        gc.collect()
        assert gone() is not None and not pool.is_closed  # held by the open stream
        with stream:
            text = "".join(d.choices[0].content or "" for d in stream if d.choices)
        assert text
        del stream
        gc.collect()
        assert gone() is None and pool.is_closed  # collected: its pool was closed, not dropped
