"""Every fault, through every adapter, sync and async, streamed and not.

Each cell starts its own :class:`FaultServer` on 127.0.0.1, scripts the fault, makes one call
and checks the promise: either the call recovers (retried within ``max_retries``, the server's
requested wait honoured, the answer complete and correct) or it raises the right typed error
with the provider's message and request id. In every cell: nothing partial is returned as an
answer, no call runs past its time budget, and afterwards no connection is left checked out
of the model's pools and the server sees every socket closed.

Waits are kept short without patching any sleep; ``aimlapi_core.retry.INITIAL_DELAY`` (the
fallback backoff) is patched instead. Where the server asks for a wait it is set to 2 s, so
ignoring the header would cost at least 1.5 s: ``Retry-After: 0`` and a past HTTP-date must
then mean "no wait" (a gap under 1 s), ``retry-after-ms: 150`` a wait of 0.15 s to 1 s. Faults
that fall back to exponential backoff set it to 20 ms, and the growth of the waits is still
checked. Real ``Retry-After`` waits of a second (seconds and a future HTTP-date) are checked
once per adapter, at the end of this module.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest

import aimlapi_core.retry as retry
from aimlapi_core import (
    AIMLAPIError,
    APIConnectionError,
    APITimeoutError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    StreamError,
)
from tests.faults.helpers import (
    CHAT,
    LLAMA,
    LLM,
    Subject,
    assert_pools_clean,
    chunk,
    close_clients,
    completion_body,
    ok_reply,
    stream_chunks,
)
from tests.support.fault_server import FaultServer, Reply
from tests.support.timing import at_least

FAST_BACKOFF = 0.02  # INITIAL_DELAY for faults that fall back to exponential backoff
SLOW_BACKOFF = 2.0  # INITIAL_DELAY where a Retry-After must win: ignoring it costs >= 1.5 s
SLOW = 0.3  # the timeout of the slow-first-byte and stall faults

NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
CAPTIVE_PORTAL = b"<!DOCTYPE html><html><body><h1>Sign in to the network</h1></body></html>"
OUT_OF_CREDITS: dict[str, str | int] = {
    "message": "You've run out of credits. Please top up your balance or update your payment "
    "method to continue: https://aimlapi.com/app/billing/",
    "path": "/v1/chat/completions",
    "requestId": "798b860e-98c2-4e8e-8c50-550bcfc2eccc",
    "statusCode": 403,
    "timestamp": "2025-03-11T07:13:27.813Z",
}
TOO_MANY: dict[str, str | int] = {
    "message": "Too many requests, slow down",
    "path": "/v1/chat/completions",
    "requestId": "req-429-7c1e",
    "statusCode": 429,
}
OVERLOADED = {"error": {"message": "Upstream provider overloaded", "code": 503}}


def iid(n: int) -> dict[str, str]:
    """The ``x-inference-id`` header of the ``n``-th reply."""
    return {"x-inference-id": f"inf-{n}"}


def sse(body: list[bytes], n: int, **kwargs: object) -> Reply:
    return Reply(body=body, content_type="text/event-stream", headers=iid(n), **kwargs)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Expect:
    """What a cell must end with."""

    requests: int  # requests the server received
    error: type[AIMLAPIError] | None = None  # None: the call recovers with the good answer
    status: int | None = None
    provider_message: str | None = None  # exact
    in_message: tuple[str, ...] = ()  # substrings of str(error)
    request_id: str | None = None
    budget: float = 2.5  # seconds the call may take at most: never a hang
    min_gaps: tuple[float, ...] = ()  # between request arrivals: the waits honoured
    max_gaps: tuple[float, ...] = ()


@dataclass(frozen=True)
class Fault:
    """A scripted misbehaviour and its expected end, both for a streamed or plain call."""

    name: str
    script: Callable[[bool], list[Reply]]
    expect: Callable[[bool], Expect]
    max_retries: int = 2
    timeout: float = 5.0
    backoff: float | None = None  # patch aimlapi_core.retry.INITIAL_DELAY to this


def _rate_limited(headers: dict[str, str]) -> Callable[[bool], list[Reply]]:
    def script(streamed: bool) -> list[Reply]:
        return [
            Reply(status=429, body=json.dumps(TOO_MANY).encode(), headers={**iid(1), **headers}),
            ok_reply(streamed, "inf-2"),
        ]

    return script


def _http_date(offset: float) -> str:
    return email.utils.formatdate(time.time() + offset, usegmt=True)


NO_WAIT = Expect(requests=2, max_gaps=(1.0,))  # the fallback backoff would be >= 1.5 s

FAULTS = [
    Fault(
        "429-retry-after-seconds",
        _rate_limited({"Retry-After": "0"}),
        lambda s: NO_WAIT,
        backoff=SLOW_BACKOFF,
    ),
    Fault(
        "429-retry-after-http-date",
        lambda s: _rate_limited({"Retry-After": _http_date(-30)})(s),
        lambda s: NO_WAIT,
        backoff=SLOW_BACKOFF,
    ),
    Fault(
        "429-retry-after-ms",
        _rate_limited({"retry-after-ms": "150"}),
        lambda s: Expect(requests=2, min_gaps=(0.15,), max_gaps=(1.0,)),
        backoff=SLOW_BACKOFF,
    ),
    Fault(
        "429-until-retries-run-out",
        lambda s: [
            Reply(
                status=429,
                body=json.dumps(TOO_MANY).encode(),
                headers={**iid(i), "retry-after-ms": "10"},
            )
            for i in (1, 2, 3)
        ],
        lambda s: Expect(
            requests=3,
            error=RateLimitError,
            status=429,
            provider_message=str(TOO_MANY["message"]),
            request_id=str(TOO_MANY["requestId"]),
            in_message=("429", "slow down"),
            min_gaps=(0.01, 0.01),
        ),
    ),
    Fault(
        "500-502-503-504-then-success",
        lambda s: [
            Reply(status=500, body=b'{"message": "Internal server error"}', headers=iid(1)),
            Reply(status=502, body=NGINX_502, content_type="text/html"),
            Reply(status=503, body=b"", headers=iid(3)),
            Reply(status=504, body=b'{"error": {"message": "Gateway timeout"}}', headers=iid(4)),
            ok_reply(s, "inf-5"),
        ],
        # jittered exponential backoff from 20 ms: 20, 40, 80, 160 ms minus up to 25 %
        lambda s: Expect(
            requests=5,
            min_gaps=tuple(0.75 * FAST_BACKOFF * 2**i for i in range(4)),
            max_gaps=(1.0, 1.0, 1.0, 1.0),
        ),
        max_retries=4,
        backoff=FAST_BACKOFF,
    ),
    Fault(
        "403-out-of-credits",
        lambda s: [Reply(status=403, body=json.dumps(OUT_OF_CREDITS).encode(), headers=iid(1))],
        lambda s: Expect(
            requests=1,  # not retried
            error=PermissionDeniedError,
            status=403,
            provider_message=str(OUT_OF_CREDITS["message"]),
            request_id=str(OUT_OF_CREDITS["requestId"]),
            in_message=("403", "run out of credits", "top up"),
        ),
    ),
    Fault(
        "html-error-page-from-proxy",
        lambda s: [Reply(status=502, body=NGINX_502, content_type="text/html")] * 3,
        lambda s: Expect(
            requests=3,
            error=ServerError,
            status=502,
            in_message=("502 Bad Gateway",),
        ),
        backoff=FAST_BACKOFF,
    ),
    Fault(
        "html-page-with-200-from-proxy",
        lambda s: [Reply(body=CAPTIVE_PORTAL, content_type="text/html", headers=iid(1))],
        lambda s: Expect(
            requests=1,
            error=StreamError if s else AIMLAPIError,
            in_message=("Sign in to the network",),
            request_id="inf-1",
        ),
    ),
    Fault(
        "empty-body-500",
        lambda s: [
            Reply(status=500, body=b"", content_type="text/plain", headers=iid(i))
            for i in (1, 2, 3)
        ],
        lambda s: Expect(
            requests=3,
            error=ServerError,
            status=500,
            provider_message="empty body",
            request_id="inf-3",
            in_message=("500", "empty body"),
        ),
        backoff=FAST_BACKOFF,
    ),
    Fault(
        "empty-body-200",
        lambda s: [
            Reply(
                body=[] if s else b"",
                content_type="text/event-stream" if s else "application/json",
                headers=iid(1),
            )
        ],
        lambda s: Expect(
            requests=1,
            error=StreamError if s else AIMLAPIError,
            request_id="inf-1",
            in_message=("incomplete",) if s else ("Expected a JSON reply",),
        ),
    ),
    Fault(
        "reset-before-headers-then-success",
        lambda s: [Reply(reset_before_headers=True), ok_reply(s, "inf-2")],
        lambda s: Expect(requests=2),
        backoff=FAST_BACKOFF,
    ),
    Fault(
        "reset-before-headers-every-time",
        lambda s: [Reply(reset_before_headers=True)] * 3,
        lambda s: Expect(requests=3, error=APIConnectionError, in_message=("127.0.0.1",)),
        backoff=FAST_BACKOFF,
    ),
    Fault(
        # A 2xx reply that has started to arrive is never retried, streamed or not: the
        # server did the work (a retry would be a second charge). The error says so.
        "reset-mid-body",
        lambda s: (
            [sse(stream_chunks(), 1, reset_after=3)]
            if s
            else [
                Reply(body=completion_body(), headers=iid(1), reset_after=40),
                ok_reply(s, "inf-2"),
            ]
        ),
        lambda s: (
            Expect(requests=1, error=StreamError, request_id="inf-1", in_message=("incomplete",))
            if s
            else Expect(
                requests=1,
                error=APIConnectionError,
                request_id="inf-1",
                in_message=("incomplete", "Not retried", "40 bytes"),
            )
        ),
        backoff=FAST_BACKOFF,
    ),
    Fault(
        # Cut after the finish_reason, before the usage chunk and [DONE]: the text is all
        # there, but the reply is not, so it is still an error, not a shorter answer.
        "reset-after-finish-reason",
        lambda s: (
            [sse(stream_chunks(), 1, reset_after=6)]
            if s
            else [
                Reply(
                    body=completion_body(), headers=iid(1), reset_after=len(completion_body()) - 2
                ),
                ok_reply(s, "inf-2"),
            ]
        ),
        lambda s: (
            Expect(requests=1, error=StreamError, request_id="inf-1", in_message=("incomplete",))
            if s
            else Expect(
                requests=1,
                error=APIConnectionError,
                request_id="inf-1",
                in_message=("incomplete", "Not retried"),
            )
        ),
        backoff=FAST_BACKOFF,
    ),
    Fault(
        "slow-first-byte-then-success",
        lambda s: [ok_reply(s, "inf-1", first_byte_delay=3.0), ok_reply(s, "inf-2")],
        lambda s: Expect(requests=2, budget=SLOW + 1.5, min_gaps=(SLOW,)),
        timeout=SLOW,
        backoff=FAST_BACKOFF,
    ),
    Fault(
        "slow-first-byte-past-timeout",
        lambda s: [ok_reply(s, "inf-1", first_byte_delay=3.0)],
        lambda s: Expect(
            requests=1, error=APITimeoutError, budget=SLOW + 1.5, in_message=("timed out",)
        ),
        max_retries=0,
        timeout=SLOW,
    ),
    Fault(
        "stall-mid-body",
        lambda s: (
            [sse(stream_chunks(), 1, stall_after=3)]
            if s
            else [
                Reply(body=completion_body(), headers=iid(1), stall_after=40),
                ok_reply(s, "inf-2"),
            ]
        ),
        lambda s: (
            Expect(
                requests=1,
                error=APITimeoutError,
                budget=SLOW + 1.5,
                request_id="inf-1",
                in_message=("incomplete",),
            )
            if s
            else Expect(
                requests=1,
                error=APITimeoutError,
                budget=SLOW + 1.5,
                request_id="inf-1",
                in_message=("incomplete", "Not retried"),
            )
        ),
        timeout=SLOW,
        backoff=FAST_BACKOFF,
    ),
    Fault(
        "stream-ends-without-terminal-event",
        lambda s: (
            [sse(stream_chunks(terminal=False), 1)]
            if s
            else [Reply(body=completion_body()[:-30], headers=iid(1))]  # a body cut short
        ),
        lambda s: Expect(
            requests=1,
            error=StreamError if s else AIMLAPIError,
            request_id="inf-1",
            in_message=("incomplete",) if s else ("Expected a JSON reply",),
        ),
    ),
    Fault(
        "error-event-inside-200-stream",
        lambda s: (
            [
                sse(
                    [
                        chunk({"content": "Hel"}),
                        b"data: " + json.dumps(OVERLOADED).encode() + b"\n\n",
                    ],
                    1,
                )
            ]
            if s
            else [Reply(body=json.dumps(OVERLOADED).encode(), headers=iid(1))]
        ),
        lambda s: Expect(
            requests=1,
            error=StreamError if s else ServerError,
            status=503,
            provider_message="Upstream provider overloaded",
            request_id="inf-1",
            in_message=("Upstream provider overloaded",),
        ),
    ),
    Fault(
        "malformed-json-in-a-data-line",
        lambda s: (
            [
                sse(
                    [
                        chunk({"content": "Hel"}),
                        b'data: {"id": "c1", "choices": [\n\n',
                        b"data: [DONE]\n\n",
                    ],
                    1,
                )
            ]
            if s
            else [Reply(body=b'{"id": "c1", "choices": [', headers=iid(1))]
        ),
        lambda s: Expect(
            requests=1,
            error=StreamError if s else AIMLAPIError,
            request_id="inf-1",
            in_message=("Malformed JSON",) if s else ("Expected a JSON reply",),
        ),
    ),
    Fault(
        "gzip-body",
        lambda s: [ok_reply(s, "inf-1", gzip=True)],
        lambda s: Expect(requests=1),
    ),
]

LLM_SUBSET = {
    "429-retry-after-ms",
    "500-502-503-504-then-success",
    "403-out-of-credits",
    "reset-mid-body",
    "slow-first-byte-past-timeout",
    "stream-ends-without-terminal-event",
    "error-event-inside-200-stream",
}

CELLS = [
    pytest.param(fault, subject, mode, streamed, id=f"{fault.name}-{subject.name}-{mode}-{kind}")
    for fault in FAULTS
    for subject in (CHAT, LLAMA, LLM)
    if subject is not LLM or fault.name in LLM_SUBSET
    for mode in ("sync", "async")
    for streamed, kind in ((False, "plain"), (True, "streamed"))
]


@pytest.mark.parametrize(("fault", "subject", "mode", "streamed"), CELLS)
async def test_fault(
    fault: Fault,
    subject: Subject,
    mode: str,
    streamed: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if fault.backoff is not None:
        monkeypatch.setattr(retry, "INITIAL_DELAY", fault.backoff)
    expect = fault.expect(streamed)
    with FaultServer(max_requests=10, lifetime=20) as server:
        server.enqueue(*fault.script(streamed))
        llm = subject.build(server.base_url, max_retries=fault.max_retries, timeout=fault.timeout)
        started = time.monotonic()
        try:
            if expect.error is None:
                outcome = await subject.run(llm, mode, streamed)
                assert outcome == subject.expected(f"inf-{expect.requests}")
            else:
                with pytest.raises(expect.error) as info:
                    await subject.run(llm, mode, streamed)
                _check_error(info.value, expect)
            elapsed = time.monotonic() - started
            assert assert_pools_clean(llm) == 1  # one pool was used, and nothing is left in it
        finally:
            await close_clients(llm)
        assert elapsed < expect.budget, f"took {elapsed:.2f} s"
        assert len(server.requests) == expect.requests
        gaps = server.gaps()
        for gap, least in zip(gaps, expect.min_gaps, strict=False):
            assert at_least(gap, least), f"retried after {gap:.3f} s, before the {least} s"
        for gap, most in zip(gaps, expect.max_gaps, strict=False):
            assert gap <= most, f"waited {gap:.3f} s, more than {most} s"
        assert server.wait_all_closed(), f"{server.stats.open} connection(s) left open"


def _check_error(error: AIMLAPIError, expect: Expect) -> None:
    text = str(error)
    if expect.status is not None:
        assert error.status_code == expect.status
    if expect.provider_message is not None:
        assert error.provider_message == expect.provider_message
        assert expect.provider_message in text
    for part in expect.in_message:
        assert part in text, f"{part!r} not in {text!r}"
    assert error.request_id == expect.request_id
    if expect.request_id is not None:
        assert expect.request_id in text or error.inference_id == expect.request_id
    assert "<html" not in text.lower() and "<h1>" not in text  # pages are reduced to their text


# --------------------------------------------------------------------------- real waits


@pytest.mark.parametrize("subject", [CHAT, LLAMA], ids=lambda s: s.name)
async def test_retry_after_one_second_is_waited(subject: Subject) -> None:
    with FaultServer(max_requests=5, lifetime=10) as server:
        server.enqueue(*_rate_limited({"Retry-After": "1"})(False))
        llm = subject.build(server.base_url)
        try:
            outcome = await subject.run(llm, "async", streamed=False)
        finally:
            await close_clients(llm)
    assert outcome == subject.expected("inf-2")
    (gap,) = server.gaps()
    assert at_least(gap, 1.0) and gap < 1.5, gap


@pytest.mark.parametrize("subject", [CHAT, LLAMA], ids=lambda s: s.name)
async def test_retry_after_http_date_in_the_future_is_waited(subject: Subject) -> None:
    # HTTP-dates have whole seconds: ask for the next whole second, at least 0.2 s away.
    target = float(int(time.time() + 1.2))
    date = email.utils.formatdate(target, usegmt=True)
    with FaultServer(max_requests=5, lifetime=10) as server:
        server.enqueue(*_rate_limited({"Retry-After": date})(True))
        llm = subject.build(server.base_url)
        try:
            outcome = await subject.run(llm, "sync", streamed=True)
        finally:
            await close_clients(llm)
    assert outcome == subject.expected("inf-2")
    first, second = server.requests
    assert second.wall >= target - 0.01, "retried before the date the server gave"
    assert second.wall - first.wall < 2.5


async def test_pooled_connection_is_reused_across_calls() -> None:
    # After a plain call and a stream, the one connection went back to the pool each time.
    with FaultServer(max_requests=5, lifetime=10) as server:
        server.enqueue(ok_reply(False, "inf-1"), ok_reply(True, "inf-2"))
        llm = CHAT.build(server.base_url)
        try:
            first = await CHAT.run(llm, "async", streamed=False)
            await asyncio.sleep(0)
            second = await CHAT.run(llm, "async", streamed=True)
            assert_pools_clean(llm)
        finally:
            await close_clients(llm)
    assert first == CHAT.expected("inf-1") and second == CHAT.expected("inf-2")
    assert server.stats.connections == 1  # the second call reused the pooled connection
