"""Polling on a fake clock: completed, failed, still running past the deadline, cancelled.

The schedule itself (``wait_for_job`` / ``await_job``) is driven by scripted replies; the whole
video and transcription jobs run against the fake media endpoints through an in-process
transport, with the clock and sleep replaced, so no test waits for real.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from aimlapi_core import AsyncClient, Client, Settings
from aimlapi_core.errors import (
    APITimeoutError,
    GenerationCancelledError,
    GenerationFailedError,
    GenerationTimeoutError,
)
from aimlapi_core.media import (
    JobProgress,
    PollPolicy,
    agenerate_video,
    await_job,
    generate_video,
    transcribe,
    wait_for_job,
)
from tests.support.fake_media import FakeMedia, speech_wav
from tests.support.replay_server import ReceivedRequest


class FakeClock:
    """Time that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)
        await asyncio.sleep(0)


def scripted(*statuses: str, **extra: Any) -> Iterator[dict[str, Any]]:
    for status in statuses:
        yield {"id": "g-1", "status": status, **extra}


POLICY = PollPolicy(timeout=10, interval=2, max_interval=4, backoff=2)


def test_completed_backs_off_to_the_cap() -> None:
    clock = FakeClock()
    replies = scripted("queued", "generating", "generating", "generating", "completed")
    seen: list[JobProgress] = []
    done = wait_for_job(
        lambda: next(replies),
        "g-1",
        policy=PollPolicy(timeout=60, interval=2, max_interval=5, backoff=2),
        on_progress=seen.append,
        clock=clock,
        sleep=clock.sleep,
    )
    assert done["status"] == "completed"
    assert clock.sleeps == [2, 4, 5, 5]
    assert [(p.status, p.polls, p.elapsed) for p in seen] == [
        ("queued", 1, 0),
        ("generating", 2, 2),
        ("generating", 3, 6),
        ("generating", 4, 11),
        ("completed", 5, 16),
    ]


def test_failed_raises_with_the_providers_reason() -> None:
    clock = FakeClock()
    replies = iter(
        [
            {"id": "g-1", "status": "generating"},
            {"id": "g-1", "status": "error", "error": {"name": "Oops", "message": "GPU lost"}},
        ]
    )
    with pytest.raises(GenerationFailedError) as caught:
        wait_for_job(lambda: next(replies), "g-1", policy=POLICY, clock=clock, sleep=clock.sleep)
    err = caught.value
    assert (err.generation_id, err.reason, err.status) == ("g-1", "Oops: GPU lost", "error")
    assert '"GPU lost"' in (err.body or "")
    assert clock.sleeps == [2]


def test_still_running_past_the_deadline_times_out_with_the_id() -> None:
    clock = FakeClock()
    fetched: list[float] = []

    def fetch() -> dict[str, Any]:
        fetched.append(clock.now - 1000)
        return {"id": "g-1", "status": "generating"}

    with pytest.raises(GenerationTimeoutError) as caught:
        wait_for_job(fetch, "g-1", policy=POLICY, clock=clock, sleep=clock.sleep)
    err = caught.value
    assert isinstance(err, APITimeoutError)
    assert (err.generation_id, err.last_status) == ("g-1", "generating")
    # Waits never overshoot: the last look is exactly at the deadline.
    assert clock.sleeps == [2, 4, 4] and fetched == [0, 2, 6, 10]
    assert "g-1" in str(err) and "10 s" in str(err)


def test_a_short_last_wait_lands_on_the_deadline() -> None:
    clock = FakeClock()
    with pytest.raises(GenerationTimeoutError):
        wait_for_job(
            lambda: {"status": "queued"},
            "g-1",
            policy=PollPolicy(timeout=7, interval=3, max_interval=3, backoff=1),
            clock=clock,
            sleep=clock.sleep,
        )
    assert clock.sleeps == [3, 3, 1]


def test_cancel_event_stops_the_wait() -> None:
    clock = FakeClock()
    stop = threading.Event()
    polls: list[str] = []

    def progress(p: JobProgress) -> None:
        polls.append(p.status)
        if p.polls == 2:
            stop.set()

    with pytest.raises(GenerationCancelledError) as caught:
        wait_for_job(
            lambda: {"status": "generating"},
            "g-1",
            policy=POLICY,
            on_progress=progress,
            cancel=stop,
            clock=clock,
            sleep=clock.sleep,
        )
    assert polls == ["generating", "generating"] and caught.value.generation_id == "g-1"


def test_cancel_event_wakes_a_real_wait_at_once() -> None:
    """With the default sleep an Event ends a long wait as soon as it is set."""
    stop = threading.Event()
    threading.Timer(0.05, stop.set).start()
    with pytest.raises(GenerationCancelledError):
        wait_for_job(
            lambda: {"status": "queued"},
            "g-1",
            policy=PollPolicy(timeout=60, interval=30),
            cancel=stop,
        )


def test_cancel_callback() -> None:
    clock = FakeClock()
    with pytest.raises(GenerationCancelledError):
        wait_for_job(
            lambda: {"status": "queued"},
            "g-1",
            policy=POLICY,
            cancel=lambda: clock.now >= 1006,
            clock=clock,
            sleep=clock.sleep,
        )
    assert clock.sleeps == [2, 4]


async def test_async_completed_failed_and_deadline() -> None:
    clock = FakeClock()
    replies = scripted("queued", "completed")

    async def fetch() -> dict[str, Any]:
        return next(replies)

    async def on_progress(p: JobProgress) -> None:  # a coroutine callback is awaited
        seen.append(p.status)

    seen: list[str] = []
    done = await await_job(
        fetch, "g-1", policy=POLICY, on_progress=on_progress, clock=clock, sleep=clock.asleep
    )
    assert done["status"] == "completed" and seen == ["queued", "completed"]

    async def running() -> dict[str, Any]:
        return {"status": "generating"}

    with pytest.raises(GenerationTimeoutError):
        await await_job(running, "g-2", policy=POLICY, clock=clock, sleep=clock.asleep)


async def test_async_task_cancellation_stops_polling() -> None:
    polls = 0

    async def fetch() -> dict[str, Any]:
        nonlocal polls
        polls += 1
        return {"status": "generating"}

    task = asyncio.ensure_future(
        await_job(fetch, "g-1", policy=PollPolicy(timeout=600, interval=60))
    )
    await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert polls == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timeout": 0}, "timeout must be a positive"),
        ({"interval": -1}, "interval must be a positive"),
        ({"backoff": 0.5}, "backoff must be a number >= 1"),
    ],
)
def test_bad_policy(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PollPolicy(**kwargs)


# --------------------------------------------------------------------------- whole jobs


def _transport(fake: FakeMedia) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        raw = request.read()
        try:
            body: Any = httpx.Response(200, content=raw).json() if raw else None
        except ValueError:
            body = raw.decode("latin-1")
        headers = {k.lower(): v for k, v in request.headers.items()}
        path = request.url.raw_path.decode()
        reply = fake(ReceivedRequest(request.method, path, headers, body))
        assert isinstance(reply.body, bytes)
        return httpx.Response(
            reply.status,
            content=reply.body,
            headers={"content-type": reply.content_type, **reply.headers},
        )

    return httpx.MockTransport(handle)


def _client(fake: FakeMedia) -> Client:
    return Client(
        Settings(api_key="sk-test", base_url="http://fake.test/v1"),
        http_client=httpx.Client(transport=_transport(fake)),
    )


def test_video_job_past_the_deadline_on_a_fake_clock() -> None:
    clock = FakeClock()
    with pytest.raises(GenerationTimeoutError) as caught:
        generate_video(
            _client(FakeMedia()),
            "an endless corridor",
            policy=POLICY,
            clock=clock,
            sleep=clock.sleep,
        )
    assert caught.value.last_status == "generating" and caught.value.generation_id
    assert sum(clock.sleeps) == 10


def test_transcription_job_completes_on_a_fake_clock() -> None:
    clock = FakeClock()
    progress: list[str] = []
    result = transcribe(
        _client(FakeMedia()),
        speech_wav("fake clocks are fast"),
        filename="a.wav",
        policy=POLICY,
        on_progress=lambda p: progress.append(p.status),
        clock=clock,
        sleep=clock.sleep,
    )
    assert result.text == "fake clocks are fast"
    assert progress == ["generating", "completed"] and clock.sleeps == [2]


def test_video_job_cancelled_by_event() -> None:
    clock = FakeClock()
    stop = threading.Event()
    fake = FakeMedia()

    def progress(p: JobProgress) -> None:
        if p.status == "queued":
            stop.set()

    with pytest.raises(GenerationCancelledError):
        generate_video(
            _client(fake),
            "a slow sunrise",
            policy=POLICY,
            on_progress=progress,
            cancel=stop,
            clock=clock,
            sleep=clock.sleep,
        )
    (job,) = fake.videos.values()
    assert job["polls"] == 0  # cancelled after the submission, before any poll


async def test_async_video_job_cancelled_as_a_task() -> None:
    fake = FakeMedia()
    client = AsyncClient(
        Settings(api_key="sk-test", base_url="http://fake.test/v1"),
        http_client=httpx.AsyncClient(transport=_async_transport(fake)),
    )
    task = asyncio.ensure_future(
        agenerate_video(client, "an endless loop", policy=PollPolicy(timeout=600, interval=60))
    )
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (job,) = fake.videos.values()
    assert job["polls"] == 0


def _async_transport(fake: FakeMedia) -> httpx.MockTransport:
    sync = _transport(fake)

    async def handle(request: httpx.Request) -> httpx.Response:
        return sync.handle_request(request)

    return httpx.MockTransport(handle)
