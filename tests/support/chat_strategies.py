"""Hypothesis strategies for random chat completions, shared by the stream property tests.

A completion has text or none, optional reasoning (under either key providers use), up to
four tool calls with JSON arguments, a random valid usage object and AI/ML API's ``meta``
cost, as a non-streamed reply body; ``tests.support.wire_expect.synth_chat_chunks`` cuts it
into a stream, and :func:`chat_streams` draws such streams in every shape providers send.
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

from hypothesis import strategies as st

from tests.support.wire_expect import synth_chat_chunks

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


# --------------------------------------------------------------------------- streams


def perturbed(chunks: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """The same stream in the other shapes providers send, each of which the fast path must
    leave to the general walk (or fold the same way): ids and ``type`` repeated on argument
    fragments, a name sent after the first fragment, id-less calls, logprobs, a finish reason
    on the last content chunk, empty and ``None`` pieces, a second choice."""
    out = copy.deepcopy(chunks)
    ids_dropped = rng.random() < 0.2
    indexless = rng.random() < 0.15
    for chunk in out:
        for choice in chunk["choices"]:
            delta = choice["delta"]
            for fragment in delta.get("tool_calls") or ():
                function, index = fragment["function"], fragment["index"]
                if ids_dropped:
                    fragment.pop("id", None)
                if "name" in function and rng.random() < 0.3:
                    # the header without its name; the name follows in a fragment of its own
                    name = function.pop("name")
                    delta["tool_calls"] = [fragment, {"index": index, "function": {"name": name}}]
                roll = rng.random()
                if roll < 0.1:
                    fragment["type"] = "function"
                elif roll < 0.2 and not ids_dropped:
                    fragment["id"] = f"call_repeat_{index}"
                elif roll < 0.25:
                    function["arguments"] = rng.choice(["", None])
                if indexless and "id" not in fragment and rng.random() < 0.5:
                    del fragment["index"]  # followed to the call the last fragment went to
            if "content" in delta and len(delta) == 1:
                roll = rng.random()
                if roll < 0.05:
                    choice["logprobs"] = {
                        "content": [{"token": "x", "logprob": -0.5, "bytes": [120]}]
                    }
                elif roll < 0.1:
                    delta["content"] = rng.choice(["", None])
    ends = [i for i, c in enumerate(out) if c["choices"] and c["choices"][0]["finish_reason"]]
    if ends and ends[0] > 1 and rng.random() < 0.3:
        # the finish reason on the last content or arguments chunk, no chunk of its own
        end = out.pop(ends[0])
        out[ends[0] - 1]["choices"][0]["finish_reason"] = end["choices"][0]["finish_reason"]
    if out and rng.random() < 0.2:
        # a second choice beside the first (n=2): folded too, not shown by LlamaIndex
        first = out[0]["choices"][0]
        out[0]["choices"].append({**copy.deepcopy(first), "index": 1})
    return out


def chat_streams() -> st.SearchStrategy[list[dict[str, Any]]]:
    """Random completions cut into chunk payloads, half of them :func:`perturbed`."""
    return st.builds(
        lambda body, rng, perturb: (
            perturbed(synth_chat_chunks(body, rng), rng)
            if perturb
            else synth_chat_chunks(body, rng)
        ),
        completions(),
        st.randoms(use_true_random=False),
        st.booleans(),
    )
