"""SSE decoder: linear in the bytes, ``[DONE]`` ends the stream, keep-alives are told apart.

(The split-invariance properties are in ``test_sse_properties.py``.)
"""

from __future__ import annotations

import time

import pytest

from aimlapi_core.sse import SSEDecoder
from benchmarks.sse import pieces


def _decode_cpu(chunks: list[bytes]) -> tuple[float, int]:
    best, size = float("inf"), 0
    for _ in range(3):
        decoder = SSEDecoder(end_at_done=True)
        started = time.process_time()
        events = [e for chunk in chunks for e in decoder.feed(chunk)]
        best = min(best, time.process_time() - started)
        size = len(events[0].data)
    return best, size


def test_one_large_event_in_small_reads_is_linear() -> None:
    # Four times the bytes in the same 256-byte reads: a linear decoder takes about four times
    # as long, the old quadratic one sixteen (1 MB: 1.5 s, 4 MB: 25 s). The bound is generous
    # (load on the machine moves both sizes alike; best of three of each).
    small, small_size = _decode_cpu(pieces(1024 * 1024, 256))
    large, large_size = _decode_cpu(pieces(4 * 1024 * 1024, 256))
    assert large_size > 4 * 1024 * 1024 > small_size > 1024 * 1024
    assert large < 8 * small + 0.05, f"1 MB: {small:.3f} s, 4 MB: {large:.3f} s"
    assert large < 2.0, f"4 MB in 256-byte reads took {large:.2f} s CPU"


def test_an_unfinished_line_is_kept_in_pieces_not_copied_per_read() -> None:
    # Structural: the pieces of an unfinished line are kept as they came and joined once.
    decoder = SSEDecoder()
    chunks = pieces(64 * 1024, 256)
    for chunk in chunks[:-1]:
        assert decoder.feed(chunk) == []
    assert len(decoder._pending) == len(chunks) - 1
    assert all(len(piece) <= 256 for piece in decoder._pending)
    (event,) = decoder.feed(chunks[-1])[:1]
    assert len(event.data) > 64 * 1024


@pytest.mark.parametrize(
    "done",
    [b"data: [DONE]\n\n", b"data: [DONE] \n\n", b"data:[DONE]\t\r\n\r\n", b"data: [DONE]  \n\n"],
)
@pytest.mark.parametrize(
    "after",
    [
        b"",
        b": keep-alive\n\n" * 3,
        b'data: {"error": {"message": "late"}}\n\n',
        b'data: {"choices": [{"delta": {"content": "more"}}]}\n\n',
        b"event: error\ndata: boom\n\n",
        b"data: cut sh",
    ],
)
@pytest.mark.parametrize("split", [None, 1, 7])
def test_done_ends_the_stream_whatever_follows(
    done: bytes, after: bytes, split: int | None
) -> None:
    body = b'data: {"a": 1}\n\n' + done + after
    chunks = [body] if split is None else [body[i : i + split] for i in range(0, len(body), split)]
    decoder = SSEDecoder(end_at_done=True)
    events = [e for chunk in chunks for e in decoder.feed(chunk)] + decoder.flush()
    assert [e.data for e in events] == ['{"a": 1}', "[DONE]"]
    assert decoder.done and events[-1].is_done
    assert decoder.feed(b"data: x\n\n") == [] and decoder.flush() == []


def test_without_end_at_done_the_decoder_keeps_going() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"data: [DONE]\n\ndata: x\n\n")
    assert [e.data for e in events] == ["[DONE]", "x"] and not decoder.done


@pytest.mark.parametrize(
    ("chunk", "idle"),
    [
        (b": keep-alive\n\n", True),
        (b": OPENROUTER PROCESSING\r\n\r\n", True),
        (b"\n", True),
        (b": partial comm", True),
        (b"data: partial", False),
        (b'data: {"a": 1}\n', False),
        (b"event: ping\n", False),
        (b"id: 7\n", False),
    ],
)
def test_idle_marks_chunks_with_only_comments(chunk: bytes, idle: bool) -> None:
    decoder = SSEDecoder()
    assert decoder.feed(chunk) == []
    assert decoder.idle is idle
