"""The core accumulator's fast path against its general walk.

:meth:`ChatStreamAccumulator._add_usual` folds a content-only delta and a known call's next
``arguments`` piece without the general walk (:meth:`ChatStreamAccumulator._add_choice`),
its twin: every typed delta and the folded result must equal those of the general walk
alone, on random streams perturbed into every shape the fast path must hand over (repeated
ids, late names, ``type`` on fragments, logprobs, finish reasons, id-less calls, an index
reused). Pieces are joined a run at a time: the text comes out the same.
"""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from aimlapi_core import ChatStreamAccumulator
from tests.support.chat_strategies import chat_streams
from tests.support.wire_expect import synth_chat_chunks

PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class GeneralWalk(ChatStreamAccumulator):
    """The accumulator with its fast path turned off: every chunk takes the general walk."""

    def _add_usual(self, raw: dict[str, Any]) -> None:
        return None


@PROPS
@given(chat_streams())
def test_fast_path_folds_like_the_general_walk(chunks: list[dict[str, Any]]) -> None:
    fast, general = ChatStreamAccumulator(), GeneralWalk()
    for chunk in chunks:
        assert fast.add(copy.deepcopy(chunk)) == general.add(copy.deepcopy(chunk))
    assert fast.to_wire() == general.to_wire()


def test_the_fast_path_is_taken_for_usual_chunks() -> None:
    """Guards the test above: the shapes of OpenAI's stream do go through the fast path."""
    taken = 0

    class Counting(ChatStreamAccumulator):
        def _add_usual(self, raw: dict[str, Any]) -> Any:
            nonlocal taken
            out = super()._add_usual(raw)
            taken += out is not None
            return out

    body = {
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "Calling it.",
                    "tool_calls": [
                        {
                            "id": "c1",
                            "type": "function",
                            "function": {"name": "f", "arguments": '{"a": "xyzxyzxyz"}'},
                        }
                    ],
                },
                "finish_reason": "tool_calls",
            }
        ]
    }
    chunks = synth_chat_chunks(body, random.Random(1))
    acc = Counting()
    for chunk in chunks:
        acc.add(chunk)
    usual = sum(
        1
        for c in chunks[1:]
        for ch in c["choices"]
        if list(ch["delta"]) == ["content"]
        or ch["delta"].get("tool_calls", [{}])[0].keys() == {"index", "function"}
    )
    assert usual > 5 and taken == usual


def test_long_streams_join_the_same_text() -> None:
    """Pieces are joined a run at a time; the result is the same text, whatever the count."""
    acc = ChatStreamAccumulator()
    head = {"index": 0, "id": "c1", "type": "function", "function": {"name": "f"}}
    acc.add({"choices": [{"index": 0, "delta": {"role": "assistant", "tool_calls": [head]}}]})
    text = [f"w{i} " for i in range(1000)]
    args = [f'"{i}",' for i in range(777)]
    for i in range(1000):
        acc.add({"choices": [{"index": 0, "delta": {"content": text[i]}}]})
        if i < len(args):
            fragment = {"index": 0, "function": {"arguments": args[i]}}
            acc.add({"choices": [{"index": 0, "delta": {"tool_calls": [fragment]}}]})
    message = acc.result().choices[0].message
    assert message.content == "".join(text)
    assert message.tool_calls is not None
    assert message.tool_calls[0].function.arguments == "".join(args)


def test_a_piece_that_is_not_text_still_fails_at_the_end() -> None:
    """A provider sending arguments as an object: as before, folding keeps it and joining the
    call's text at the end is what fails, however many pieces came around it."""
    acc = ChatStreamAccumulator()
    head = {"index": 0, "id": "c1", "type": "function", "function": {"name": "f"}}
    acc.add({"choices": [{"index": 0, "delta": {"tool_calls": [head]}}]})
    pieces: list[Any] = ["{", {"a": 1}, *["x"] * 40]
    for piece in pieces:
        fragment = {"index": 0, "function": {"arguments": piece}}
        acc.add({"choices": [{"index": 0, "delta": {"tool_calls": [fragment]}}]})
    with pytest.raises(TypeError):
        acc.to_wire()
