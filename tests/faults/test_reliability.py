"""Issue #15, items 1, 2, 8, 9 and 10, through every adapter, sync and async, on the fault server.

* A stream ends at ``data: [DONE]``: whatever follows (keep-alives, silence, an error event,
  more content, a cut) neither changes the answer nor holds the call, and the connection is
  released (reused when the body's end was already there).
* No usable choice is an error, never an empty answer; an error envelope beside an empty
  ``choices`` raises the status it names.
* An event stream labelled ``application/json`` is read as the stream it is.
* A total deadline: a body trickled one byte every half second, or a stream of keep-alive
  comments only, raises :class:`APITimeoutError` saying what had arrived.
* A 2xx reply that started to arrive is never sent again; a 5xx before it still is.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

import aimlapi_core.retry as retry
from aimlapi_core import (
    AIMLAPIError,
    APIConnectionError,
    APITimeoutError,
    EmptyReplyError,
    RateLimitError,
    StreamError,
)
from tests.faults.helpers import (
    CHAT,
    KEY,
    LLAMA,
    LLM,
    USAGE,
    Subject,
    assert_pools_clean,
    chunk,
    close_clients,
    completion_body,
    ok_reply,
    stream_chunks,
)
from tests.support.fault_server import FaultServer, Reply

SUBJECTS = [CHAT, LLAMA, LLM]
MODES = ["sync", "async"]


def sse(body: list[bytes], **kwargs: Any) -> Reply:
    headers = {"x-inference-id": "inf-1", **kwargs.pop("headers", {})}
    return Reply(body=body, content_type="text/event-stream", headers=headers, **kwargs)


def answered(subject: Subject) -> Any:
    return subject.expected("inf-1")


async def run_one(
    subject: Subject, mode: str, streamed: bool, reply: Reply, **fields: Any
) -> tuple[Any, float, FaultServer]:
    """One call against ``reply``; returns (outcome or the error raised, seconds, server)."""
    with FaultServer(max_requests=5, lifetime=20) as server:
        server.enqueue(reply)
        llm = subject.build(server.base_url, **{"max_retries": 0, "timeout": 5.0, **fields})
        started = time.monotonic()
        try:
            try:
                result: Any = await subject.run(llm, mode, streamed)
            except AIMLAPIError as error:
                result = error
            elapsed = time.monotonic() - started
            assert assert_pools_clean(llm) == 1
        finally:
            await close_clients(llm)
        assert server.wait_all_closed(), f"{server.stats.open} connection(s) left open"
    return result, elapsed, server


# --------------------------------------------------------------------------- 1. [DONE] ends it

KEEP_ALIVE = b": keep-alive\n\n"
AFTER_DONE = {
    # 60 keep-alives, 0.1 s apart: 6 s of talk after the answer (the read timeout is 5 s)
    "keep-alives": lambda: sse(stream_chunks() + [KEEP_ALIVE] * 60, chunk_delay=0.1),
    # silence until the server's lifetime: the body never ends
    "silence": lambda: sse(stream_chunks(), stall_after=len(stream_chunks())),
    "error-event": lambda: sse(
        [*stream_chunks(), b'data: {"error": {"message": "late failure", "code": 500}}\n\n']
    ),
    "more-content": lambda: sse([*stream_chunks(), chunk({"content": " and more"})]),
    "cut-short": lambda: sse([*stream_chunks(), chunk({"content": "x"})], reset_after=8),
    "trailing-space": lambda: sse([*stream_chunks()[:-1], b"data: [DONE] \n\n", KEEP_ALIVE]),
    "trailing-tab-crlf": lambda: sse([*stream_chunks()[:-1], b"data: [DONE]\t\r\n\r\n"]),
}


@pytest.mark.parametrize("after", sorted(AFTER_DONE))
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: s.name)
async def test_the_stream_ends_at_done(subject: Subject, mode: str, after: str) -> None:
    result, elapsed, _ = await run_one(subject, mode, True, AFTER_DONE[after]())
    assert result == answered(subject), result
    assert elapsed < 2.0, f"the call took {elapsed:.2f} s after [DONE]"


@pytest.mark.parametrize("mode", MODES)
async def test_a_stream_read_to_its_end_leaves_the_connection_reusable(mode: str) -> None:
    with FaultServer(max_requests=5, lifetime=10) as server:
        server.enqueue(ok_reply(True, "inf-1"), ok_reply(False, "inf-2"), ok_reply(True, "inf-3"))
        llm = CHAT.build(server.base_url)
        try:
            outcomes = [
                await CHAT.run(llm, mode, streamed=True),
                await CHAT.run(llm, mode, streamed=False),
                await CHAT.run(llm, mode, streamed=True),
            ]
            assert_pools_clean(llm)
        finally:
            await close_clients(llm)
    assert outcomes == [CHAT.expected(f"inf-{i}") for i in (1, 2, 3)]
    assert server.stats.connections == 1  # every call went over the one pooled connection


# --------------------------------------------------------------------------- 2. no empty answers

EMPTY_BODIES: dict[str, dict[str, Any]] = {
    "empty-object": {},
    "choices-empty": {"id": "c", "choices": []},
    "choices-null": {"id": "c", "choices": None},
    "message-null": {
        "id": "c",
        "choices": [{"index": 0, "message": None, "finish_reason": "stop"}],
    },
}


@pytest.mark.parametrize("body", sorted(EMPTY_BODIES))
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: s.name)
async def test_no_usable_choice_is_an_error(subject: Subject, mode: str, body: str) -> None:
    reply = Reply(body=json.dumps(EMPTY_BODIES[body]).encode(), headers={"x-inference-id": "i-7"})
    error, _, server = await run_one(subject, mode, False, reply)
    assert isinstance(error, EmptyReplyError), error
    assert "no usable choice" in str(error) and "i-7" in str(error)
    assert error.status_code == 200 and error.inference_id == "i-7"
    assert len(server.requests) == 1


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: s.name)
async def test_error_envelope_with_empty_choices_is_its_typed_error(
    subject: Subject, mode: str, streamed: bool
) -> None:
    envelope = {"error": {"message": "quota exceeded", "code": 429}, "choices": []}
    body = json.dumps(envelope).encode()
    reply = (
        sse([b"data: " + body + b"\n\n", b"data: [DONE]\n\n"])
        if streamed
        else Reply(body=body, headers={"x-inference-id": "inf-1"})
    )
    error, _, server = await run_one(subject, mode, streamed, reply, max_retries=2)
    assert error.provider_message == "quota exceeded", error
    assert "quota exceeded" in str(error)
    if streamed:  # an error event inside a 200 stream, with the status it names
        assert isinstance(error, StreamError) and error.status_code == 429
    else:
        assert isinstance(error, RateLimitError) and error.status_code == 429
    assert len(server.requests) == 1  # a 200 was answered: never sent again


STREAMS_WITHOUT_CHOICE = {
    "done-only": [b"data: [DONE]\n\n"],
    "usage-only": [
        b"data: " + json.dumps({"id": "c", "choices": [], "usage": USAGE}).encode() + b"\n\n",
        b"data: [DONE]\n\n",
    ],
}


@pytest.mark.parametrize("body", sorted(STREAMS_WITHOUT_CHOICE))
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: s.name)
async def test_a_stream_without_any_choice_is_an_error(
    subject: Subject, mode: str, body: str
) -> None:
    error, _, _ = await run_one(subject, mode, True, sse(STREAMS_WITHOUT_CHOICE[body]))
    assert isinstance(error, EmptyReplyError), error
    assert "without any choice" in str(error) and error.inference_id == "inf-1"


# --------------------------------------------------------------------------- 8. mislabelled SSE


@pytest.mark.parametrize("label", ["application/json", "application/json; charset=utf-8"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: s.name)
async def test_an_event_stream_labelled_json_is_read_as_a_stream(
    subject: Subject, mode: str, label: str
) -> None:
    reply = Reply(
        body=[b"\n", *stream_chunks()], content_type=label, headers={"x-inference-id": "inf-1"}
    )
    result, _, _ = await run_one(subject, mode, True, reply)
    assert result == answered(subject), result


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: s.name)
async def test_a_json_error_body_on_a_stream_still_raises(subject: Subject, mode: str) -> None:
    body = json.dumps({"error": {"message": "model overloaded", "code": 503}}).encode()
    reply = Reply(body=body, headers={"x-inference-id": "inf-1"})
    error, _, _ = await run_one(subject, mode, True, reply)
    assert isinstance(error, StreamError) and error.provider_message == "model overloaded"


# --------------------------------------------------------------------------- 9. total deadline


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: s.name)
async def test_a_trickled_reply_runs_into_the_total_deadline(
    subject: Subject, mode: str, streamed: bool
) -> None:
    # One byte every half second never trips a 5 s read timeout: only the total does.
    reply = ok_reply(streamed, "inf-1", trickle=0.5)
    error, elapsed, _ = await run_one(subject, mode, streamed, reply, total_timeout=1.5)
    assert isinstance(error, APITimeoutError), error
    text = str(error)
    assert "total_timeout of 1.5 s" in text and "status 200" in text and "bytes" in text
    assert error.inference_id == "inf-1"
    assert KEY not in text and "Bearer" not in text
    assert 1.5 <= elapsed < 3.5, f"took {elapsed:.2f} s"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: s.name)
async def test_a_stream_of_keep_alives_only_has_stalled(subject: Subject, mode: str) -> None:
    # Comments every 0.1 s keep each read under the 0.5 s read timeout; the stream as a whole
    # carries nothing for longer than that: stalled.
    body = [chunk({"role": "assistant", "content": "Hel"}), *[KEEP_ALIVE] * 100]
    error, elapsed, _ = await run_one(subject, mode, True, sse(body, chunk_delay=0.1), timeout=0.5)
    assert isinstance(error, APITimeoutError), error
    assert "only keep-alive comments" in str(error) and "read timeout of 0.5 s" in str(error)
    assert "incomplete" in str(error) and "(1 events)" in str(error)
    assert elapsed < 2.5, f"took {elapsed:.2f} s"


@pytest.mark.parametrize("mode", MODES)
async def test_retries_stop_at_the_total_deadline(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A Retry-After of 1 s with 0.6 s left: the 503 is raised now instead of waited on.
    busy = Reply(status=503, body=b'{"message": "busy"}', headers={"retry-after": "1"})
    error, elapsed, server = await run_one(
        CHAT, mode, False, busy, max_retries=3, total_timeout=0.6
    )
    assert error.status_code == 503 and len(server.requests) == 1
    assert elapsed < 0.6


# --------------------------------------------------------------------------- 10. no second charge


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: s.name)
async def test_a_started_reply_is_never_sent_twice_but_a_5xx_is(
    subject: Subject, mode: str, streamed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retry, "INITIAL_DELAY", 0.01)
    cut = (
        sse(stream_chunks(), reset_after=3)
        if streamed
        else Reply(body=completion_body(), headers={"x-inference-id": "inf-2"}, reset_after=40)
    )
    with FaultServer(max_requests=5, lifetime=10) as server:
        server.enqueue(Reply(status=502, body=b'{"message": "bad gateway"}'), cut)
        server.enqueue(ok_reply(streamed, "inf-3"))
        llm = subject.build(server.base_url, max_retries=3)
        try:
            with pytest.raises((APIConnectionError, StreamError)) as info:
                await subject.run(llm, mode, streamed)
        finally:
            await close_clients(llm)
    assert len(server.requests) == 2  # the 502 was retried; the cut 200 was not
    assert "incomplete" in str(info.value)
