"""Hypothesis strategies for random chat completions, shared by the stream property tests.

A completion has text or none, optional reasoning (under either key providers use), up to
four tool calls with JSON arguments, a random valid usage object and AI/ML API's ``meta``
cost, as a non-streamed reply body; ``tests.support.wire_expect.synth_chat_chunks`` cuts it
into a stream.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
)
IDENT = st.from_regex(r"[a-z][a-z0-9_]{0,9}", fullmatch=True)
ARGS = st.dictionaries(
    IDENT, st.none() | st.booleans() | st.integers(-99, 99) | TEXT, max_size=4
).map(lambda d: json.dumps(d, ensure_ascii=False))
COUNT = st.integers(0, 100_000)


@st.composite
def usage_objects(draw: st.DrawFn) -> dict[str, Any]:
    """A valid chat-completions usage object, details and gateway extras optional."""
    prompt, completion = draw(COUNT), draw(COUNT)
    usage: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion + draw(st.sampled_from([0, 0, 7])),
    }
    if draw(st.booleans()):
        usage["prompt_tokens_details"] = {"cached_tokens": draw(st.integers(0, prompt))}
    if draw(st.booleans()):
        usage["completion_tokens_details"] = {"reasoning_tokens": draw(st.integers(0, completion))}
    if draw(st.booleans()):
        usage.update({"cost": 0.00042, "is_byok": False})
    return usage


@st.composite
def completions(draw: st.DrawFn) -> dict[str, Any]:
    n_calls = draw(st.integers(0, 4))
    ids = draw(st.lists(IDENT, min_size=n_calls, max_size=n_calls, unique=True))
    calls = [
        {
            "id": f"call_{ids[i]}",
            "type": "function",
            "function": {"name": draw(IDENT), "arguments": draw(ARGS)},
        }
        for i in range(n_calls)
    ]
    message: dict[str, Any] = {"role": "assistant", "content": draw(st.none() | TEXT)}
    if calls:
        message["tool_calls"] = calls
    if draw(st.booleans()):
        message[draw(st.sampled_from(["reasoning_content", "reasoning"]))] = draw(TEXT.filter(bool))
    body: dict[str, Any] = {
        "id": "chatcmpl-" + draw(IDENT),
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls"
                if calls
                else draw(st.sampled_from(["stop", "length"])),
            }
        ],
    }
    if draw(st.booleans()):
        body["usage"] = draw(usage_objects())
    if draw(st.booleans()):
        body["meta"] = {"usage": {"credits_used": draw(COUNT), "usd_spent": 0.000125}}
    return body
