"""Load: 1,000 concurrent ``ainvoke`` through one model instance, against a fast local server.

A benchmark, not a timed test: the figures are printed (wall time, connections the server
saw, RSS, tracemalloc peaks) and only what must hold whatever the machine is asserted:
every call succeeds with the right answer, the server never sees more connections than the
configured pool limit, and memory does not grow with the number of calls.

Memory is read three ways with ``tracemalloc``: the peak of 100 concurrent calls, of 1,000
concurrent calls (every pending call holds its request until a connection frees up, so this
grows with *concurrency*: the per-call figure must stay flat), and of 1,000 calls made as ten
waves of 100 (same concurrency as the first, ten times the count: must stay near the first).
Memory kept after the calls, once collected, must not grow either.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from aimlapi_core import Settings
from tests.faults.helpers import (
    CHAT,
    HI,
    KEY,
    LLAMA,
    TEXT,
    Subject,
    assert_pools_clean,
    build_chat,
    build_llama,
    close_clients,
    ok_reply,
)
from tests.support.fault_server import FaultServer

CALLS = 1_000
LIMIT = 20  # max_connections (and keep-alive) of the model under test
MiB = 1024 * 1024


def rss_mib() -> float:
    """This process's resident memory now (Linux ``VmRSS``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _call(subject: Subject, llm: Any) -> Callable[[], Awaitable[str]]:
    if subject is LLAMA:

        async def chat() -> str:
            return str((await llm.achat(HI)).message.content)

        return chat

    async def invoke() -> str:
        return str((await llm.ainvoke("hi")).content)

    return invoke


async def _concurrent(call: Callable[[], Awaitable[str]], n: int) -> None:
    answers = await asyncio.gather(*(call() for _ in range(n)))
    assert answers == [TEXT] * n


async def _traced(run: Callable[[], Awaitable[None]]) -> tuple[int, int]:
    """``run()`` under tracemalloc: (peak bytes above the start, bytes kept once collected)."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        await run()
        peak = tracemalloc.get_traced_memory()[1] - base
        await asyncio.sleep(0)  # leave the callback that still holds gather()'s results
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    return peak, kept


@pytest.mark.parametrize("subject", [CHAT, LLAMA], ids=lambda s: s.name)
async def test_thousand_concurrent_ainvoke(
    subject: Subject, capsys: pytest.CaptureFixture[str]
) -> None:
    reply = ok_reply(False, "inf-load")
    server = FaultServer(lambda request: reply, max_requests=5 * CALLS, lifetime=240, record=False)
    with server:
        llm = subject.build(
            server.base_url,
            max_retries=0,
            max_connections=LIMIT,
            max_keepalive_connections=LIMIT,
        )
        call = _call(subject, llm)
        try:
            await _concurrent(call, 1)  # warm: imports, first connection
            rss_before = rss_mib()
            started = time.perf_counter()
            await _concurrent(call, CALLS)
            wall = time.perf_counter() - started
            rss_after = rss_mib()
            assert_pools_clean(llm)
            peak_open, connections = server.stats.peak_open, server.stats.connections
            peak_in_flight = server.stats.peak_in_flight

            peak_100, kept_100 = await _traced(lambda: _concurrent(call, 100))
            peak_1000, kept_1000 = await _traced(lambda: _concurrent(call, CALLS))

            async def waves() -> None:
                for _ in range(CALLS // 100):
                    await _concurrent(call, 100)

            peak_waves, kept_waves = await _traced(waves)
            assert_pools_clean(llm)
        finally:
            await close_clients(llm)
        assert server.wait_all_closed()

    report = "\n".join(
        [
            "",
            f"load: {CALLS} concurrent ainvoke through one {subject.name} "
            f"(max_connections={LIMIT})",
            f"  wall time                 {wall:8.2f} s   ({CALLS / wall:,.0f} calls/s)",
            f"  connections (server)      peak open {peak_open}, opened in total {connections},"
            f" peak requests in flight {peak_in_flight}",
            f"  RSS                       {rss_before:8.1f} MiB before, {rss_after:.1f} MiB after",
            f"  tracemalloc peak          100 concurrent {peak_100 / MiB:6.2f} MiB"
            f" ({peak_100 / 100 / 1024:.1f} KiB/call);"
            f" {CALLS} concurrent {peak_1000 / MiB:6.2f} MiB"
            f" ({peak_1000 / CALLS / 1024:.1f} KiB/call);"
            f" {CALLS} as 10 waves of 100 {peak_waves / MiB:6.2f} MiB",
            f"  kept after, collected     100 calls {kept_100 / 1024:.0f} KiB,"
            f" {CALLS} calls {kept_1000 / 1024:.0f} KiB,"
            f" {CALLS} in waves {kept_waves / 1024:.0f} KiB",
        ]
    )
    with capsys.disabled():
        print(report)
    assert KEY not in report

    # Bounded connections: never more than the pool limit, and reused, not reopened.
    assert server.count == 1 + 2 * CALLS + 100 + CALLS
    assert server.stats.peak_open <= LIMIT and server.stats.peak_in_flight <= LIMIT
    assert connections <= LIMIT  # during the timed run (idle ones expire after 5 s later)
    # Memory does not grow with the number of calls (loose bounds: no timing, no exact bytes).
    assert peak_waves < 2 * peak_100 + 2 * MiB, "ten waves of 100 cost more than one wave"
    assert peak_1000 / CALLS < 2 * peak_100 / 100 + 4096, "per-call memory grew with the count"
    assert kept_1000 < kept_100 + 2 * MiB and kept_waves < kept_100 + 2 * MiB, "calls leak"


def test_pool_limits_are_configurable_on_both_adapters() -> None:
    assert Settings(max_connections=3).fingerprint() != Settings().fingerprint()
    assert Settings(max_keepalive_connections=1).fingerprint() != Settings().fingerprint()
    chat = build_chat("http://127.0.0.1:9/v1", max_connections=3, max_keepalive_connections=1)
    llama = build_llama("http://127.0.0.1:9/v1", max_connections=5, max_keepalive_connections=2)
    try:
        for client, (most, idle) in ((chat.client, (3, 1)), (llama._client(), (5, 2))):
            pool = client.http_client._transport._pool  # type: ignore[attr-defined]
            assert (pool._max_connections, pool._max_keepalive_connections) == (most, idle)
        first = chat.client
        chat.max_connections = 7  # changed settings: a new client with the new bounds
        assert chat.client is not first
        assert chat.client.http_client._transport._pool._max_connections == 7  # type: ignore[attr-defined]
        unlimited = build_chat("http://127.0.0.1:9/v1", max_connections=None)
        pool = unlimited.client.http_client._transport._pool  # type: ignore[attr-defined]
        assert pool._max_connections == sys.maxsize  # httpcore's "no limit"
        unlimited._clients.close()
    finally:
        chat._clients.close()
        llama.close()
