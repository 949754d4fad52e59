"""SSE decoding of one large event arriving in small reads (issue #15, item 7).

One ``data:`` event of ``size`` bytes (a chat chunk whose content is that long) is cut into
``read``-byte pieces, as a slow or chunking proxy delivers it, and each contestant decodes the
same pieces, in interleaved rounds, CPU time each:

* ``iter_lines`` (the floor): httpx's own text and line decoders, what ``Response.iter_lines``
  runs over the same reads; it only finds the line ends;
* ``aimlapi_core`` :class:`~aimlapi_core.sse.SSEDecoder`: lines, fields and events;
* the ``openai`` SDK's ``SSEDecoder`` over ``iter_bytes`` (when installed), for reference.

A decoder that adds each read to the unfinished line copies the line again at every read:
quadratic (a 4 MB event in 256-byte reads took 25 s). Linear decoders stay close to the floor.

Example:
    >>> numbers = measure(size=4096, read=256, rounds=1)
    >>> sorted(numbers)[:2], len(numbers["aimlapi_core SSEDecoder"])
    (['aimlapi_core SSEDecoder', 'iter_lines'], 1)
"""

from __future__ import annotations

import gc
import importlib.util
import json
import time
from collections.abc import Callable

__all__ = ["FLOOR", "OURS", "measure", "pieces"]

FLOOR = "iter_lines"
OURS = "aimlapi_core SSEDecoder"
OPENAI = "openai SDK SSEDecoder"


def pieces(size: int, read: int) -> list[bytes]:
    """One ``data:`` event carrying ``size`` bytes of content, in ``read``-byte pieces."""
    payload = {"choices": [{"index": 0, "delta": {"content": "x" * size}}]}
    body = b"data: " + json.dumps(payload).encode() + b"\n\ndata: [DONE]\n\n"
    return [body[i : i + read] for i in range(0, len(body), read)]


def _iter_lines(chunks: list[bytes]) -> int:
    from httpx._decoders import LineDecoder, TextDecoder

    text, lines, n = TextDecoder(), LineDecoder(), 0
    for chunk in chunks:
        n += len(lines.decode(text.decode(chunk)))
    return n + len(lines.flush())


def _ours(chunks: list[bytes]) -> int:
    from aimlapi_core.sse import SSEDecoder

    decoder, n = SSEDecoder(end_at_done=True), 0
    for chunk in chunks:
        n += len(decoder.feed(chunk))
    return n + len(decoder.flush())


def _openai(chunks: list[bytes]) -> int:
    from openai._streaming import SSEDecoder as OpenAIDecoder

    return sum(1 for _ in OpenAIDecoder().iter_bytes(iter(chunks)))


def _cpu_s(fn: Callable[[list[bytes]], int], chunks: list[bytes]) -> float:
    gc.collect()
    started = time.process_time()
    fn(chunks)
    return time.process_time() - started


def measure(
    size: int = 4 * 1024 * 1024, read: int = 256, rounds: int = 5
) -> dict[str, list[float]]:
    """CPU seconds per contestant and round, rounds interleaved (A, B, C, A, B, C...)."""
    chunks = pieces(size, read)
    contestants: dict[str, Callable[[list[bytes]], int]] = {FLOOR: _iter_lines, OURS: _ours}
    if importlib.util.find_spec("openai") is not None:
        contestants[OPENAI] = _openai
    for fn in contestants.values():  # warm-up: imports and first-call costs
        fn(chunks[:8])
    out: dict[str, list[float]] = {name: [] for name in contestants}
    for _ in range(rounds):
        for name, fn in contestants.items():
            out[name].append(_cpu_s(fn, chunks))
    return out
