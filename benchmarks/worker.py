"""Measurements that run in a child interpreter; each prints one JSON line on stdout.

``python -m benchmarks.worker '<json spec>'`` with ``spec["task"]``:

* ``"group"``: per-call overhead (``call`` then ``acall``) and streaming for a list of
  contestants in one process, in interleaved rounds (A, B, C, A, B, C...) so a slow moment
  of the machine hits every contestant alike; the result holds every round's numbers.
* ``"concurrency"``: one contestant, ``n`` concurrent ``acall`` on one instance with
  ``asyncio.gather``; wall time and this child's peak RSS (see :func:`_peak_rss_mib`), also
  the peak before the burst (imports, instance, one warm-up call) to show what the burst
  itself added.
* ``"sse"``: one large SSE event decoded from small reads (:mod:`benchmarks.sse`).
"""

from __future__ import annotations

import asyncio
import gc
import json
import resource
import sys
import time
from typing import Any

from .contestants import ADAPTERS, Adapter
from .server import raise_fd_limit


def _peak_rss_mib() -> float:
    """This process's peak RSS.

    On Linux ``VmHWM`` of ``/proc/self/status``: ``getrusage().ru_maxrss`` of a child starts
    at its parent's peak (it is carried over through ``fork``/``exec``), which would count the
    orchestrator's memory as the contestant's. Elsewhere ``ru_maxrss`` (KiB on Linux, bytes on
    macOS).
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _timed_calls(adapter: Adapter, n: int) -> tuple[float, float]:
    """Wall and CPU seconds per call over ``n`` sequential calls."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        adapter.call()
    return (time.perf_counter() - wall) / n, (time.process_time() - cpu) / n


async def _timed_acalls(adapter: Adapter, n: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        await adapter.acall()
    return (time.perf_counter() - wall) / n, (time.process_time() - cpu) / n


def _timed_stream(adapter: Adapter, kind: str) -> tuple[float, float, int]:
    consume = adapter.stream_text if kind == "text" else adapter.stream_tools
    wall, cpu = time.perf_counter(), time.process_time()
    items = consume()
    return time.perf_counter() - wall, time.process_time() - cpu, items


def run_group(spec: dict[str, Any]) -> dict[str, Any]:
    server, n_stream = spec["server"], spec["stream_deltas"]
    adapters = [ADAPTERS[name](server, n_stream) for name in spec["contestants"]]
    for adapter in adapters:
        adapter.check()
    out: dict[str, Any] = {a.name: {} for a in adapters}

    def record(adapter: Adapter, key: str, value: Any) -> None:
        out[adapter.name].setdefault(key, []).append(value)

    n, rounds, warmup = spec["calls"], spec["rounds"], spec["warmup"]
    for adapter in adapters:
        _timed_calls(adapter, warmup)
    for _ in range(rounds):
        for adapter in adapters:
            record(adapter, "call", _timed_calls(adapter, n))

    loop = asyncio.new_event_loop()
    for adapter in adapters:
        loop.run_until_complete(_timed_acalls(adapter, warmup))
    for _ in range(rounds):
        for adapter in adapters:
            record(adapter, "acall", loop.run_until_complete(_timed_acalls(adapter, n)))
    loop.close()

    for kind in ("text", "tools"):
        for adapter in adapters:
            _timed_stream(adapter, kind)  # warm-up
        for _ in range(spec["stream_rounds"]):
            for adapter in adapters:
                gc.collect()
                record(adapter, f"stream_{kind}", _timed_stream(adapter, kind))
    return out


def run_concurrency(spec: dict[str, Any]) -> dict[str, Any]:
    raise_fd_limit()
    adapter = ADAPTERS[spec["contestant"]](spec["server"], spec["stream_deltas"])
    n = spec["concurrent"]

    async def burst() -> tuple[float, float]:
        await adapter.acall()  # warm-up: clients and lazily built state exist before the burst
        gc.collect()
        before = _peak_rss_mib()
        wall = time.perf_counter()
        replies = await asyncio.gather(*(adapter.acall() for _ in range(n)))
        elapsed = time.perf_counter() - wall
        assert len(replies) == n
        return elapsed, before

    elapsed, before = asyncio.run(burst())
    return {"wall_s": elapsed, "rss_before_mib": before, "rss_peak_mib": _peak_rss_mib()}


def main() -> None:
    spec = json.loads(sys.argv[1])
    task = spec["task"]
    if task == "sse":
        from .sse import measure

        result: dict[str, Any] = measure(spec["size"], spec["read"], spec["rounds"])
    else:
        result = run_group(spec) if task == "group" else run_concurrency(spec)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
