"""The core on real traffic: every exchange of the wire corpus (``tests/data/wire-corpus``)
replayed to the real ``Client`` and ``AsyncClient``, and what comes out checked against an
independent reading of the recorded bytes.

* non-streamed 200s: text, tool calls, usage numbers, finish reason / status;
* streamed 200s: the accumulated result against a naive reading of the SSE lines (and, for
  Responses, against the ``response.completed`` event), the yielded deltas against the text;
* every non-streamed chat completion and Responses result re-streamed in OpenAI's chunk/event
  format (random pieces, interleaved tool calls) gives the same result as the JSON reply;
* every non-200, and every 200 stream that carries an error, raises the typed error with the
  provider's message.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from aimlapi_core import (
    AsyncClient,
    BadRequestError,
    Client,
    NotFoundError,
    RateLimitError,
    Settings,
    StreamError,
)
from aimlapi_core.errors import APIStatusError
from aimlapi_core.usage import usage_from_wire
from aimlapi_core.wire.chat import ChatCompletion
from aimlapi_core.wire.responses import Response
from tests.support.corpus import CORPUS_DIR, corpus_available, exchanges
from tests.support.wire_expect import (
    ChatExpect,
    ChunkedBody,
    chat_expect_from_body,
    chat_expect_from_sse,
    chat_stream_error,
    error_message_of,
    naive_payloads,
    random_pieces,
    responses_expect,
    responses_stream_text,
    responses_terminal,
    sse_bytes,
    synth_chat_chunks,
    synth_responses_events,
)

pytestmark = pytest.mark.corpus

NO_CORPUS = pytest.param(
    None, marks=pytest.mark.skip(reason=f"wire corpus not found at {CORPUS_DIR}"), id="no-corpus"
)


def _is_stream(x: dict[str, Any]) -> bool:
    return bool(x["response"]["content_type"].startswith("text/event-stream"))


def _select(endpoint: str, keep: Callable[[dict[str, Any]], bool]) -> list[Any]:
    if not corpus_available():
        return [NO_CORPUS]
    return [pytest.param(x, id=x["id"]) for x in exchanges(endpoint) if keep(x)] or [NO_CORPUS]


def _ok(x: dict[str, Any]) -> bool:
    return bool(x["response"]["status"] == 200)


def _chat_stream_ok(x: dict[str, Any]) -> bool:
    return _ok(x) and _is_stream(x) and chat_stream_error(x["response"]["body"]) is None


def _chat_stream_err(x: dict[str, Any]) -> bool:
    return _ok(x) and _is_stream(x) and chat_stream_error(x["response"]["body"]) is not None


CHAT_JSON = _select("chat.completions", lambda x: _ok(x) and not _is_stream(x))
CHAT_SSE = _select("chat.completions", _chat_stream_ok)
CHAT_SSE_ERR = _select("chat.completions", _chat_stream_err)
CHAT_ERR = _select("chat.completions", lambda x: not _ok(x))
RESP_JSON = _select("responses", lambda x: _ok(x) and not _is_stream(x))
RESP_SSE = _select("responses", lambda x: _ok(x) and _is_stream(x))
RESP_ERR = _select("responses", lambda x: not _ok(x))

ERROR_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    404: NotFoundError,
    429: RateLimitError,
}

SETTINGS = Settings(api_key="sk-conformance-test", max_retries=0)


# --------------------------------------------------------------------------- transport


class Recorder:
    """A MockTransport handler replaying one recorded reply, keeping the requests it saw."""

    def __init__(self, status: int, content_type: str, body: bytes, *, seed: str = "") -> None:
        self.status, self.content_type, self.body = status, content_type, body
        self.pieces = random_pieces(body, random.Random(seed), 512) if body else [b""]
        self.requests: list[httpx.Request] = []

    @classmethod
    def of(cls, x: dict[str, Any]) -> Recorder:
        r = x["response"]
        return cls(r["status"], r["content_type"], r["body"].encode(), seed=x["id"])

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(
            self.status,
            headers={"content-type": self.content_type, "x-inference-id": "inf-conformance"},
            stream=ChunkedBody(self.pieces),
        )

    def sent(self) -> dict[str, Any]:
        assert len(self.requests) == 1, "exactly one request, no retry"
        body: dict[str, Any] = json.loads(self.requests[0].content)
        return body


def sync_client(rec: Recorder) -> Client:
    return Client(SETTINGS, http_client=httpx.Client(transport=httpx.MockTransport(rec)))


def async_client(rec: Recorder) -> AsyncClient:
    return AsyncClient(SETTINGS, http_client=httpx.AsyncClient(transport=httpx.MockTransport(rec)))


def _request(x: dict[str, Any]) -> dict[str, Any]:
    body = x["request"].get("body")
    return body if isinstance(body, dict) else {"model": "m", "messages": []}


# --------------------------------------------------------------------------- assertions


def assert_chat(completion: ChatCompletion, expect: ChatExpect) -> None:
    got = {c.index: c for c in completion.choices}
    assert sorted(got) == sorted(expect.choices)
    for index, exp in expect.choices.items():
        choice = got[index]
        assert choice.message.text == exp.text
        calls = [
            (tc.id, tc.function.name, tc.function.arguments or "")
            for tc in choice.message.tool_calls or []
        ]
        assert calls == exp.tool_calls
        assert choice.finish_reason == exp.finish_reason
        assert (choice.message.reasoning_text or "") == exp.reasoning
        assert (choice.message.annotations or []) == exp.annotations
    assert usage_from_wire(completion.usage) == expect.usage
    assert completion.normalised_usage == expect.usage


def assert_response(response: Response, raw: dict[str, Any]) -> None:
    exp = responses_expect(raw)
    assert response.status == exp.status
    assert response.text == exp.text
    calls = [(fc.call_id, fc.name, fc.arguments) for fc in response.function_calls]
    assert calls == exp.function_calls
    assert usage_from_wire(response.usage) == exp.usage
    assert response.normalised_usage == exp.usage
    assert response.reasoning_text == exp.reasoning


def chat_delta_texts(deltas: list[Any]) -> dict[int, str]:
    out: dict[int, str] = {}
    for d in deltas:
        for c in d.choices:
            out[c.index] = out.get(c.index, "") + (c.content or "")
    return out


# --------------------------------------------------------------------------- chat, JSON


@pytest.mark.parametrize("x", CHAT_JSON)
def test_chat_json_sync(x: dict[str, Any]) -> None:
    rec = Recorder.of(x)
    raw = json.loads(x["response"]["body"])
    with sync_client(rec) as client:
        reply = client.chat_completion(_request(x))
    assert rec.sent()["stream"] is False
    assert rec.requests[0].url.path == "/v1/chat/completions"
    assert_chat(reply.completion, chat_expect_from_body(raw))
    assert reply.inference_id == "inf-conformance"
    assert reply.completion.id == raw.get("id")
    assert reply.completion.model == raw.get("model")


@pytest.mark.parametrize("x", CHAT_JSON)
async def test_chat_json_async(x: dict[str, Any]) -> None:
    rec = Recorder.of(x)
    async with async_client(rec) as client:
        reply = await client.chat_completion(_request(x))
    assert_chat(reply.completion, chat_expect_from_body(json.loads(x["response"]["body"])))


# --------------------------------------------------------------------------- chat, SSE


@pytest.mark.parametrize("x", CHAT_SSE)
def test_chat_stream_sync(x: dict[str, Any]) -> None:
    rec = Recorder.of(x)
    expect = chat_expect_from_sse(x["response"]["body"])
    with sync_client(rec) as client, client.stream_chat_completion(_request(x)) as stream:
        deltas = list(stream)
    assert rec.sent()["stream"] is True
    assert stream.completed
    completion = stream.result().completion
    assert_chat(completion, expect)
    assert chat_delta_texts(deltas) == {i: c.text for i, c in expect.choices.items()}
    usage_deltas = [d.usage for d in deltas if d.usage is not None]
    assert (usage_deltas[-1] if usage_deltas else None) == expect.usage


@pytest.mark.parametrize("x", CHAT_SSE)
async def test_chat_stream_async(x: dict[str, Any]) -> None:
    rec = Recorder.of(x)
    expect = chat_expect_from_sse(x["response"]["body"])
    async with async_client(rec) as client:
        stream = await client.stream_chat_completion(_request(x))
        deltas = [d async for d in stream]
    assert stream.completed
    assert_chat(stream.result().completion, expect)
    assert chat_delta_texts(deltas) == {i: c.text for i, c in expect.choices.items()}


# --------------------------------------------------------------------------- chat, agreement


def _synth_chat(x: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    raw = json.loads(x["response"]["body"])
    chunks = synth_chat_chunks(raw, random.Random(x["id"]))
    return raw, sse_bytes(chunks)


def _calls(choice: Any) -> list[tuple[str | None, str | None, str | None, str | None]]:
    # An empty id (Gemini's OpenAI layer sends "id": "") streams as no id; null arguments
    # (OpenRouter/Anthropic, a call without parameters) stream as "".
    return [
        (tc.id or None, tc.type, tc.function.name, tc.function.arguments or "")
        for tc in choice.message.tool_calls or []
    ]


def assert_same_completion(streamed: ChatCompletion, direct: ChatCompletion) -> None:
    assert len(streamed.choices) == len(direct.choices)
    by_index = {c.index: c for c in direct.choices}
    for s in streamed.choices:
        d = by_index[s.index]
        assert s.message.text == d.message.text
        assert s.message.reasoning_text == d.message.reasoning_text
        assert (s.message.refusal or None) == (d.message.refusal or None)
        assert _calls(s) == _calls(d)
        assert s.finish_reason == d.finish_reason
        notes = [m.annotations or [] for m in (s.message, d.message)]
        assert notes[0] == notes[1]
    assert streamed.normalised_usage == direct.normalised_usage
    assert streamed.usage == direct.usage
    assert streamed.cost == direct.cost
    assert (streamed.id, streamed.model) == (direct.id, direct.model)


@pytest.mark.parametrize("x", CHAT_JSON)
def test_chat_streamed_equals_not_streamed_sync(x: dict[str, Any]) -> None:
    raw, body = _synth_chat(x)
    direct = ChatCompletion.model_validate(raw)
    rec = Recorder(200, "text/event-stream", body, seed=x["id"])
    with sync_client(rec) as client, client.stream_chat_completion(_request(x)) as stream:
        deltas = list(stream)
    assert_same_completion(stream.result().completion, direct)
    assert chat_delta_texts(deltas) == {c.index: c.message.text for c in direct.choices}


@pytest.mark.parametrize("x", CHAT_JSON)
async def test_chat_streamed_equals_not_streamed_async(x: dict[str, Any]) -> None:
    raw, body = _synth_chat(x)
    rec = Recorder(200, "text/event-stream", body, seed=x["id"])
    async with async_client(rec) as client:
        stream = await client.stream_chat_completion(_request(x))
        _ = [d async for d in stream]
    assert_same_completion(stream.result().completion, ChatCompletion.model_validate(raw))


# --------------------------------------------------------------------------- chat, errors


def _assert_status_error(err: APIStatusError, x: dict[str, Any]) -> None:
    status = x["response"]["status"]
    assert type(err) is ERROR_CLASSES[status]
    assert err.status_code == status
    message = error_message_of(x["response"]["body"])
    assert err.provider_message is not None and message in err.provider_message
    assert message in str(err)
    assert err.body == x["response"]["body"]


@pytest.mark.parametrize("x", CHAT_ERR)
def test_chat_error_sync(x: dict[str, Any]) -> None:
    rec = Recorder.of(x)
    with sync_client(rec) as client, pytest.raises(APIStatusError) as info:
        client.chat_completion(_request(x))
    rec.sent()  # not retried: max_retries=0
    _assert_status_error(info.value, x)


@pytest.mark.parametrize("x", CHAT_ERR)
async def test_chat_error_async(x: dict[str, Any]) -> None:
    rec = Recorder.of(x)
    async with async_client(rec) as client:
        with pytest.raises(APIStatusError) as info:
            await client.stream_chat_completion(_request(x))
    rec.sent()
    _assert_status_error(info.value, x)


@pytest.mark.parametrize("x", CHAT_SSE_ERR)
def test_chat_stream_error_sync(x: dict[str, Any]) -> None:
    rec = Recorder.of(x)
    message = chat_stream_error(x["response"]["body"])
    assert message
    client = sync_client(rec)
    stream = client.stream_chat_completion(_request(x))
    with client, stream, pytest.raises(StreamError) as info:
        for _ in stream:
            pass
    assert not stream.completed
    assert info.value.provider_message is not None and message in info.value.provider_message
    assert message in str(info.value)


@pytest.mark.parametrize("x", CHAT_SSE_ERR)
async def test_chat_stream_error_async(x: dict[str, Any]) -> None:
    rec = Recorder.of(x)
    message = chat_stream_error(x["response"]["body"])
    assert message
    async with async_client(rec) as client:
        stream = await client.stream_chat_completion(_request(x))
        with pytest.raises(StreamError) as info:
            async for _ in stream:
                pass
    assert info.value.provider_message is not None and message in info.value.provider_message


# --------------------------------------------------------------------------- responses, JSON


@pytest.mark.parametrize("x", RESP_JSON)
def test_responses_json_sync(x: dict[str, Any]) -> None:
    rec = Recorder.of(x)
    raw = json.loads(x["response"]["body"])
    with sync_client(rec) as client:
        reply = client.create_response(_request(x))
    assert rec.sent()["stream"] is False
    assert rec.requests[0].url.path == "/v1/responses"
    assert_response(reply.response, raw)
    assert reply.response.id == raw.get("id")


@pytest.mark.parametrize("x", RESP_JSON)
async def test_responses_json_async(x: dict[str, Any]) -> None:
    rec = Recorder.of(x)
    async with async_client(rec) as client:
        reply = await client.create_response(_request(x))
    assert_response(reply.response, json.loads(x["response"]["body"]))


# --------------------------------------------------------------------------- responses, SSE


def _check_responses_stream(x: dict[str, Any], result: Response, deltas: list[Any]) -> None:
    body = x["response"]["body"]
    terminal = responses_terminal(body)
    assert terminal is not None
    assert_response(result, terminal)
    streamed = "".join(d.text or "" for d in deltas)
    assert streamed == responses_stream_text(body)
    if terminal.get("output"):
        assert streamed == responses_expect(terminal).text
    reasoning = "".join(d.reasoning or "" for d in deltas)
    assert reasoning == responses_stream_text(
        body, "response.reasoning_summary_text.delta"
    ) + responses_stream_text(body, "response.reasoning_text.delta")


@pytest.mark.parametrize("x", RESP_SSE)
def test_responses_stream_sync(x: dict[str, Any]) -> None:
    rec = Recorder.of(x)
    with sync_client(rec) as client, client.stream_response(_request(x)) as stream:
        deltas = list(stream)
    assert rec.sent()["stream"] is True
    assert stream.completed
    _check_responses_stream(x, stream.result().response, deltas)


@pytest.mark.parametrize("x", RESP_SSE)
async def test_responses_stream_async(x: dict[str, Any]) -> None:
    rec = Recorder.of(x)
    async with async_client(rec) as client:
        stream = await client.stream_response(_request(x))
        deltas = [d async for d in stream]
    assert stream.completed
    _check_responses_stream(x, stream.result().response, deltas)


# --------------------------------------------------------------------------- responses, agreement


def assert_same_response(streamed: Response, direct: Response) -> None:
    assert streamed.status == direct.status
    assert streamed.text == direct.text
    assert [(fc.id, fc.call_id, fc.name, fc.arguments) for fc in streamed.function_calls] == [
        (fc.id, fc.call_id, fc.name, fc.arguments) for fc in direct.function_calls
    ]
    assert streamed.reasoning_text == direct.reasoning_text
    assert streamed.normalised_usage == direct.normalised_usage
    assert [i.get("type") for i in streamed.output] == [i.get("type") for i in direct.output]
    assert citations(streamed) == citations(direct)


def citations(response: Response) -> list[Any]:
    return [
        part.get("annotations") or []
        for item in response.output
        if item.get("type") == "message"
        for part in item.get("content") or []
        if part.get("type") == "output_text"
    ]


@pytest.mark.parametrize("snapshot", [True, False], ids=["snapshot", "deltas-only"])
@pytest.mark.parametrize("x", RESP_JSON)
def test_responses_streamed_equals_not_streamed_sync(x: dict[str, Any], snapshot: bool) -> None:
    raw = json.loads(x["response"]["body"])
    events = synth_responses_events(raw, random.Random(x["id"]), snapshot=snapshot)
    rec = Recorder(200, "text/event-stream", sse_bytes(events, done=False, events=True))
    with sync_client(rec) as client, client.stream_response(_request(x)) as stream:
        deltas = list(stream)
    direct = Response.model_validate(raw)
    assert_same_response(stream.result().response, direct)
    assert "".join(d.text or "" for d in deltas) == direct.text


@pytest.mark.parametrize("x", RESP_JSON)
async def test_responses_streamed_equals_not_streamed_async(x: dict[str, Any]) -> None:
    raw = json.loads(x["response"]["body"])
    events = synth_responses_events(raw, random.Random(x["id"]), snapshot=False)
    rec = Recorder(200, "text/event-stream", sse_bytes(events))
    async with async_client(rec) as client:
        stream = await client.stream_response(_request(x))
        deltas = [d async for d in stream]
    direct = Response.model_validate(raw)
    assert_same_response(stream.result().response, direct)
    assert "".join(d.text or "" for d in deltas) == direct.text


# --------------------------------------------------------------------------- responses, errors


@pytest.mark.parametrize("x", RESP_ERR)
def test_responses_error_sync(x: dict[str, Any]) -> None:
    rec = Recorder.of(x)
    with sync_client(rec) as client, pytest.raises(APIStatusError) as info:
        client.create_response(_request(x))
    rec.sent()
    _assert_status_error(info.value, x)


@pytest.mark.parametrize("x", RESP_ERR)
async def test_responses_error_async(x: dict[str, Any]) -> None:
    rec = Recorder.of(x)
    async with async_client(rec) as client:
        with pytest.raises(APIStatusError) as info:
            await client.stream_response(_request(x))
    rec.sent()
    _assert_status_error(info.value, x)


# --------------------------------------------------------------------------- responses, deltas


def _strip_snapshots(body: str, *, drop_item_done: bool) -> bytes:
    """The recorded stream with its terminal ``output`` emptied (and, if asked, without the
    ``output_item.done`` events): only the real deltas can then rebuild the output."""
    payloads = []
    for _, p in naive_payloads(body):
        if p.get("type") in ("response.completed", "response.incomplete"):
            p = {**p, "response": {**p["response"], "output": []}}
            p["response"].pop("output_text", None)
        elif drop_item_done and p.get("type") == "response.output_item.done":
            continue
        payloads.append(p)
    return sse_bytes(payloads)


@pytest.mark.parametrize("drop_item_done", [False, True], ids=["item-done", "deltas-only"])
@pytest.mark.parametrize("x", RESP_SSE)
def test_responses_real_deltas_rebuild_the_output(x: dict[str, Any], drop_item_done: bool) -> None:
    body = x["response"]["body"]
    terminal = responses_terminal(body)
    assert terminal is not None
    rec = Recorder(200, "text/event-stream", _strip_snapshots(body, drop_item_done=drop_item_done))
    with sync_client(rec) as client, client.stream_response(_request(x)) as stream:
        list(stream)
    result = stream.result().response
    exp = responses_expect(terminal)
    assert result.text == exp.text
    assert [(fc.call_id, fc.name, fc.arguments) for fc in result.function_calls] == (
        exp.function_calls
    )
    assert result.reasoning_text == exp.reasoning
    assert result.normalised_usage == exp.usage
    assert citations(result) == citations(Response.model_validate(terminal))


# --------------------------------------------------------------------------- known quirks


@pytest.mark.parametrize("x", CHAT_SSE)
def test_quirk_stream_without_finish_reason_but_with_done(x: dict[str, Any]) -> None:
    """Some gateways never send a finish_reason; ``[DONE]`` alone marks a complete stream.
    (No corpus stream does this on its own, so each one is replayed with them removed.)"""
    payloads = []
    for _, p in naive_payloads(x["response"]["body"]):
        for choice in p.get("choices") or []:
            choice["finish_reason"] = None
        payloads.append(p)
    rec = Recorder(200, "text/event-stream", sse_bytes(payloads, done=True))
    with sync_client(rec) as client, client.stream_chat_completion(_request(x)) as stream:
        list(stream)
    assert stream.completed
    expect = chat_expect_from_sse(x["response"]["body"])
    for choice in stream.result().completion.choices:
        assert choice.finish_reason is None
        assert choice.message.text == expect.choices[choice.index].text
    rec_cut = Recorder(200, "text/event-stream", sse_bytes(payloads, done=False))
    cut = sync_client(rec_cut).stream_chat_completion(_request(x))
    with cut, pytest.raises(StreamError, match="without \\[DONE\\] or a finish_reason"):
        list(cut)


def _responses_with(status: str) -> list[Any]:
    return _select(
        "responses",
        lambda x: (
            _ok(x)
            and not _is_stream(x)
            and json.loads(x["response"]["body"]).get("status") == status
        ),
    )


@pytest.mark.parametrize("x", _responses_with("queued"))
def test_quirk_background_response_is_queued(x: dict[str, Any]) -> None:
    """``background: true`` answers at once with ``status: "queued"`` and no output yet."""
    with sync_client(Recorder.of(x)) as client:
        reply = client.create_response(_request(x))
    response = reply.response
    assert response.status == "queued"
    assert response.model_extra is not None and response.model_extra["background"] is True
    assert (response.output, response.text, response.function_calls) == ([], "", [])
    assert response.usage is None and reply.usage is None


@pytest.mark.parametrize("x", _responses_with("complete"))
def test_quirk_status_complete_is_kept_verbatim(x: dict[str, Any]) -> None:
    """An older/compatible server says ``"complete"``, not ``"completed"``: kept as sent."""
    with sync_client(Recorder.of(x)) as client:
        response = client.create_response(_request(x)).response
    assert response.status == "complete"
    assert response.text == responses_expect(json.loads(x["response"]["body"])).text != ""


BUILTIN = ("web_search_call", "code_interpreter_call", "mcp_", "file_search_call", "image_gen")


@pytest.mark.parametrize(
    "x",
    _select(
        "responses",
        lambda x: (
            _ok(x)
            and _is_stream(x)
            and any(f"response.{b}" in x["response"]["body"] for b in BUILTIN)
        ),
    ),
)
def test_quirk_builtin_tool_events_carry_no_text(x: dict[str, Any]) -> None:
    """Events of built-in tools (web search, code interpreter, MCP, file search) pass through
    as deltas with no text, reasoning or function-call fragment, and break nothing."""
    with sync_client(Recorder.of(x)) as client, client.stream_response(_request(x)) as stream:
        deltas = list(stream)
    tool_deltas = [d for d in deltas if any(d.type.startswith(f"response.{b}") for b in BUILTIN)]
    assert tool_deltas
    for d in tool_deltas:
        assert (d.text, d.reasoning, d.tool_call) == (None, None, None)
        assert d.event["type"] == d.type
    assert stream.completed
