"""Stopping early: breaking out of a stream, or cancelling an ``astream``/``ainvoke`` task,
closes the response and gives the connection back, through each adapter.

The server streams slowly (a chunk every 50 ms) or holds back its first byte, so the call is
still in progress when it is stopped. Afterwards: no connection of the model's pool is checked
out, the server sees the abandoned connection closed (an unfinished body cannot be reused),
and the same model instance answers the next call.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from tests.faults.helpers import (
    CHAT,
    HI,
    LLAMA,
    LLM,
    PIECES,
    Subject,
    assert_pools_clean,
    chunk,
    close_clients,
    ok_reply,
)
from tests.support.fault_server import FaultServer, Reply

SUBJECTS = [CHAT, LLAMA, LLM]


def slow_stream(n: int = 40) -> Reply:
    """A long stream, one chunk every 50 ms: still going when the caller stops."""
    body = [chunk({"role": "assistant", "content": ""})]
    body += [chunk({"content": PIECES[i % len(PIECES)]}) for i in range(n)]
    body += [chunk({}, "stop"), b"data: [DONE]\n\n"]
    return Reply(
        body=body,
        content_type="text/event-stream",
        chunk_delay=0.05,
        headers={"x-inference-id": "inf-slow"},
    )


def _sync_stream(subject: Subject, llm: Any) -> Any:
    if subject is LLAMA:
        return llm.stream_chat(HI)
    return llm.stream("hi")


async def _async_stream(subject: Subject, llm: Any) -> AsyncIterator[Any]:
    if subject is LLAMA:
        return await llm.astream_chat(HI)  # type: ignore[no-any-return]
    return llm.astream("hi")  # type: ignore[no-any-return]


async def _ainvoke(subject: Subject, llm: Any) -> Any:
    return await (llm.achat(HI) if subject is LLAMA else llm.ainvoke("hi"))


async def _settle(llm: Any, server: FaultServer) -> None:
    """Let the loop run the closing of abandoned async generators, then check everything."""
    for _ in range(50):
        await asyncio.sleep(0.01)
        if server.stats.open == 0:
            break
    assert_pools_clean(llm)
    assert server.wait_all_closed(1.0), "the abandoned connection was never closed"


async def _answers_again(subject: Subject, llm: Any, server: FaultServer, mode: str) -> None:
    server.enqueue(ok_reply(False, "inf-next"))
    assert await subject.run(llm, mode, streamed=False) == subject.expected("inf-next")
    assert_pools_clean(llm)


@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: s.name)
async def test_breaking_out_of_a_sync_stream(subject: Subject) -> None:
    with FaultServer(max_requests=5, lifetime=15) as server:
        server.enqueue(slow_stream())
        llm = subject.build(server.base_url)
        try:
            for _ in _sync_stream(subject, llm):
                break
            assert_pools_clean(llm)
            assert server.wait_all_closed(1.0), "the abandoned connection was never closed"
            await _answers_again(subject, llm, server, "sync")
        finally:
            await close_clients(llm)
    assert server.stats.connections == 2  # the cut one, then a fresh one
    assert len(server.requests) == 2


@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: s.name)
@pytest.mark.parametrize("closing", [False, True], ids=["break", "aclosing"])
async def test_breaking_out_of_an_async_stream(subject: Subject, closing: bool) -> None:
    # Without aclosing() the loop closes the abandoned async generator on its own; with it,
    # at once. Either way the response is closed and the connection released.
    with FaultServer(max_requests=5, lifetime=15) as server:
        server.enqueue(slow_stream())
        llm = subject.build(server.base_url)
        try:
            stream = await _async_stream(subject, llm)
            if closing:
                async with contextlib.aclosing(stream):  # type: ignore[type-var]
                    async for _ in stream:
                        break
            else:
                async for _ in stream:
                    break
                del stream
            await _settle(llm, server)
            await _answers_again(subject, llm, server, "async")
        finally:
            await close_clients(llm)
    assert len(server.requests) == 2


async def _cancel_when(task: asyncio.Task[Any], ready: Callable[[], bool]) -> None:
    for _ in range(200):
        if ready():
            break
        await asyncio.sleep(0.01)
    assert ready(), "the call never got going"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: s.name)
async def test_cancelling_an_astream_task(subject: Subject) -> None:
    received: list[Any] = []

    async def consume(llm: Any) -> None:
        async for item in await _async_stream(subject, llm):
            received.append(item)

    with FaultServer(max_requests=5, lifetime=15) as server:
        server.enqueue(slow_stream())
        llm = subject.build(server.base_url)
        try:
            task = asyncio.create_task(consume(llm))
            await _cancel_when(task, lambda: len(received) >= 2)  # mid-stream
            await _settle(llm, server)
            await _answers_again(subject, llm, server, "async")
        finally:
            await close_clients(llm)
    assert 2 <= len(received) < 40


@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: s.name)
async def test_cancelling_an_ainvoke_task(subject: Subject) -> None:
    with FaultServer(max_requests=5, lifetime=15) as server:
        server.enqueue(ok_reply(False, "inf-late", first_byte_delay=5.0))
        llm = subject.build(server.base_url)
        try:
            task = asyncio.create_task(_ainvoke(subject, llm))
            await _cancel_when(task, lambda: len(server.requests) == 1)  # waiting for bytes
            await _settle(llm, server)
            await _answers_again(subject, llm, server, "async")
        finally:
            await close_clients(llm)
    assert len(server.requests) == 2


async def test_many_cancelled_calls_leave_the_pool_usable() -> None:
    # A pool of 4: if cancelled calls leaked their connections, the 5th call would wait forever.
    with FaultServer(max_requests=20, lifetime=15) as server:
        for _ in range(4):  # the 4 calls that get a connection hang; the other 4 queue for one
            server.enqueue(ok_reply(False, "inf-late", first_byte_delay=5.0))
        llm = CHAT.build(server.base_url, max_connections=4, max_keepalive_connections=4)
        try:
            tasks = [asyncio.create_task(llm.ainvoke("hi")) for _ in range(8)]
            await _cancel_all_when(tasks, lambda: len(server.requests) == 4)
            await _settle(llm, server)
            server.enqueue(*[ok_reply(False, f"inf-{i}") for i in range(4)])
            answers = await asyncio.wait_for(
                asyncio.gather(*[llm.ainvoke("hi") for _ in range(4)]), timeout=5
            )
            assert [a.content for a in answers] == ["Hello, world!"] * 4
            assert_pools_clean(llm)
        finally:
            await close_clients(llm)
    assert server.stats.peak_open <= 4
    assert len(server.requests) == 8  # 4 were sent and cancelled, 4 never left the queue


async def _cancel_all_when(tasks: list[asyncio.Task[Any]], ready: Callable[[], bool]) -> None:
    for _ in range(200):
        if ready():
            break
        await asyncio.sleep(0.01)
    assert ready()
    for task in tasks:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)
