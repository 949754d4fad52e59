"""A stream's choices by what they carry, not by the integer 0 (issue #15, item 3).

A single-choice stream whose ``index`` is ``1`` or ``"0"`` is the answer (it used to come
out as ``''``, a success); with ``n > 1`` a stream is complete only when every choice has
finished, else the typed truncated-stream error. Through every adapter, sync and async, on
the fault server; the same replies not streamed give the same answer.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from aimlapi_core import StreamError
from tests.faults.helpers import (
    CHAT,
    LLAMA,
    LLM,
    PIECES,
    TEXT,
    USAGE,
    Subject,
    assert_pools_clean,
    close_clients,
)
from tests.support.fault_server import FaultServer, Reply

SUBJECTS = [CHAT, LLAMA, LLM]
MODES = ["sync", "async"]


def _line(choices: list[dict[str, Any]], **extra: Any) -> bytes:
    payload = {
        "id": "chatcmpl-index",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": "gpt-4o-mini",
        "choices": choices,
        **extra,
    }
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


def _choice(index: Any, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"index": index, "delta": delta, "finish_reason": finish}


def single_choice_stream(index: Any) -> list[bytes]:
    """The canonical answer streamed, every chunk's choice carrying ``index``."""
    out = [_line([_choice(index, {"role": "assistant", "content": ""})])]
    out += [_line([_choice(index, {"content": piece})]) for piece in PIECES]
    out.append(_line([_choice(index, {}, "stop")]))
    out.append(_line([], usage=USAGE))
    out.append(b"data: [DONE]\n\n")
    return out


def two_choice_stream(*, second_finishes: bool) -> list[bytes]:
    """``n=2``: the answer as choice 0, another text as choice 1, interleaved."""
    other = ["Bye", "!"]
    out = [
        _line([_choice(0, {"role": "assistant", "content": ""})]),
        _line([_choice(1, {"role": "assistant", "content": ""})]),
    ]
    for i, piece in enumerate(PIECES):
        out.append(_line([_choice(0, {"content": piece})]))
        if i < len(other):
            out.append(_line([_choice(1, {"content": other[i]})]))
    out.append(_line([_choice(0, {}, "stop")]))
    if second_finishes:
        out.append(_line([_choice(1, {}, "stop")]))
    out.append(_line([], usage=USAGE))
    out.append(b"data: [DONE]\n\n")
    return out


def completion_with_index(index: Any) -> bytes:
    return json.dumps(
        {
            "id": "chatcmpl-index",
            "object": "chat.completion",
            "model": "gpt-4o-mini",
            "choices": [
                {
                    "index": index,
                    "message": {"role": "assistant", "content": TEXT},
                    "finish_reason": "stop",
                }
            ],
            "usage": USAGE,
        }
    ).encode()


def _stream_reply(body: list[bytes]) -> Reply:
    return Reply(body=body, content_type="text/event-stream", headers={"x-inference-id": "inf-1"})


async def _run(subject: Subject, reply: Reply, mode: str, streamed: bool, **fields: Any) -> Any:
    with FaultServer(max_requests=3, lifetime=20) as server:
        server.enqueue(reply)
        llm = subject.build(server.base_url, max_retries=0, **fields)
        try:
            outcome = await subject.run(llm, mode, streamed)
            assert assert_pools_clean(llm) == 1
        finally:
            await close_clients(llm)
        assert len(server.requests) == 1
        return outcome


@pytest.mark.parametrize("index", [1, "0", "1"], ids=["int-1", "str-0", "str-1"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: s.name)
async def test_a_single_choice_with_another_index_is_the_answer(
    subject: Subject, mode: str, index: Any
) -> None:
    outcome = await _run(subject, _stream_reply(single_choice_stream(index)), mode, True)
    assert outcome == subject.expected("inf-1")


@pytest.mark.parametrize("index", [1, "0"], ids=["int-1", "str-0"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: s.name)
async def test_not_streamed_the_same_reply_gives_the_same_answer(
    subject: Subject, mode: str, index: Any
) -> None:
    reply = Reply(body=completion_with_index(index), headers={"x-inference-id": "inf-1"})
    outcome = await _run(subject, reply, mode, False)
    assert outcome == subject.expected("inf-1")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: s.name)
async def test_n2_stream_with_every_choice_finished_gives_choice_0(
    subject: Subject, mode: str
) -> None:
    reply = _stream_reply(two_choice_stream(second_finishes=True))
    outcome = await _run(subject, reply, mode, True)
    assert outcome == subject.expected("inf-1")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: s.name)
async def test_n2_stream_with_a_choice_unfinished_raises(subject: Subject, mode: str) -> None:
    reply = _stream_reply(two_choice_stream(second_finishes=False))
    with pytest.raises(StreamError) as info:
        await _run(subject, reply, mode, True)
    assert "choice(s) [1] of 2 unfinished" in str(info.value)
    assert info.value.inference_id == "inf-1"
