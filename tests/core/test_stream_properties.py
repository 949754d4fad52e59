"""Stream accumulation properties: tool-call fragments in any interleaving give the same calls,
usage objects of both shapes normalise to the right numbers, and a reply streamed in any
chunking accumulates to exactly the non-streamed reply (chat completions and Responses),
through the whole path: bytes in random pieces → SSE decoder → reader → accumulator."""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aimlapi_core.sse import SSEDecoder
from aimlapi_core.stream import (
    ChatChunkReader,
    ChatStreamAccumulator,
    ResponsesEventReader,
    ResponsesStreamAccumulator,
)
from aimlapi_core.usage import Usage, usage_from_wire
from aimlapi_core.wire.chat import ChatCompletion
from aimlapi_core.wire.responses import Response
from tests.support.wire_expect import (
    random_pieces,
    sse_bytes,
    synth_chat_chunks,
    synth_responses_events,
)

PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
IDENT = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(IDENT, inner, max_size=3),
    max_leaves=6,
).map(lambda v: json.dumps({"v": v}, ensure_ascii=False))
COUNT = st.integers(0, 200_000)


# --------------------------------------------------------------------------- decoding path


def run_chat(body: bytes, rng: random.Random) -> ChatCompletion:
    decoder, reader, acc = SSEDecoder(), ChatChunkReader(), ChatStreamAccumulator()
    for piece in random_pieces(body, rng, 40):
        for event in decoder.feed(piece):
            payload = reader.read(event)
            if payload is not None:
                acc.add(payload)
    for event in decoder.flush():
        payload = reader.read(event)
        if payload is not None:
            acc.add(payload)
    reader.close()
    return acc.result()


def run_responses(body: bytes, rng: random.Random) -> tuple[Response, str]:
    decoder, reader, acc = SSEDecoder(), ResponsesEventReader(), ResponsesStreamAccumulator()
    text = []
    for piece in [*random_pieces(body, rng, 40), b""]:
        events = decoder.feed(piece) if piece else decoder.flush()
        for event in events:
            payload = reader.read(event)
            if payload is not None:
                text.append(acc.add(payload).text or "")
    reader.close()
    return acc.result(), "".join(text)


# --------------------------------------------------------------------------- tool calls


@st.composite
def tool_calls(draw: st.DrawFn) -> list[dict[str, Any]]:
    n = draw(st.integers(1, 5))
    ids = draw(st.lists(IDENT, min_size=n, max_size=n, unique=True))
    return [
        {"id": "call_" + ids[i], "name": draw(IDENT), "arguments": draw(JSONISH)} for i in range(n)
    ]


@PROPS
@given(tool_calls(), st.randoms(use_true_random=False), st.booleans())
def test_interleaved_tool_call_fragments_accumulate_to_the_calls(
    calls: list[dict[str, Any]], rng: random.Random, several_per_chunk: bool
) -> None:
    queues = []
    for i, call in enumerate(calls):
        args = call["arguments"]
        cuts = sorted(rng.sample(range(1, len(args)), min(len(args) - 1, rng.randint(0, 8))))
        frags = [args[a:b] for a, b in zip([0, *cuts], [*cuts, len(args)], strict=True)]
        header = {
            "index": i,
            "id": call["id"],
            "type": "function",
            "function": {"name": call["name"], "arguments": ""},
        }
        queues.append([header] + [{"index": i, "function": {"arguments": f}} for f in frags])
    entries: list[dict[str, Any]] = []
    while queues:
        q = rng.choice(queues)
        entries.append(q.pop(0))
        if not q:
            queues.remove(q)
    acc = ChatStreamAccumulator()
    acc.add({"choices": [{"index": 0, "delta": {"role": "assistant"}}]})
    while entries:
        take = rng.randint(1, 3) if several_per_chunk else 1
        group, entries = entries[:take], entries[take:]
        delta = acc.add({"choices": [{"index": 0, "delta": {"tool_calls": group}}]})
        assert [tc.index for tc in delta.choices[0].tool_calls] == [e["index"] for e in group]
    acc.add({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]})
    message = acc.result().choices[0].message
    got = [(tc.id, tc.function.name, tc.function.arguments) for tc in message.tool_calls or []]
    assert got == [(c["id"], c["name"], c["arguments"]) for c in calls]
    for tc in message.tool_calls or []:
        json.loads(tc.function.arguments or "")


@PROPS
@given(tool_calls(), st.randoms(use_true_random=False))
def test_calls_reusing_one_index_stay_apart(
    calls: list[dict[str, Any]], rng: random.Random
) -> None:
    # Some providers send every call as index 0, each with a new id, fragments without id.
    acc = ChatStreamAccumulator()
    for call in calls:
        args = call["arguments"]
        mid = rng.randint(0, len(args))
        acc.add(
            {
                "choices": [
                    {
                        "index": 0,
                        "delta": {
                            "tool_calls": [
                                {
                                    "index": 0,
                                    "id": call["id"],
                                    "function": {"name": call["name"], "arguments": args[:mid]},
                                }
                            ]
                        },
                    }
                ]
            }
        )
        acc.add(
            {
                "choices": [
                    {
                        "index": 0,
                        "delta": {
                            "tool_calls": [{"index": 0, "function": {"arguments": args[mid:]}}]
                        },
                    }
                ]
            }
        )
    message = acc.result().choices[0].message
    got = [(tc.id, tc.function.name, tc.function.arguments) for tc in message.tool_calls or []]
    assert got == [(c["id"], c["name"], c["arguments"]) for c in calls]


@PROPS
@given(tool_calls(), st.randoms(use_true_random=False))
def test_calls_without_index_follow_their_id(
    calls: list[dict[str, Any]], rng: random.Random
) -> None:
    # Providers that omit ``index`` and repeat the id on each fragment.
    acc = ChatStreamAccumulator()
    for call in calls:
        args = call["arguments"]
        mid = rng.randint(0, len(args))
        for i, part in enumerate((args[:mid], args[mid:])):
            fn = {"arguments": part, **({"name": call["name"]} if i == 0 else {})}
            acc.add({"choices": [{"delta": {"tool_calls": [{"id": call["id"], "function": fn}]}}]})
    message = acc.result().choices[0].message
    got = [(tc.id, tc.function.name, tc.function.arguments) for tc in message.tool_calls or []]
    assert got == [(c["id"], c["name"], c["arguments"]) for c in calls]


# --------------------------------------------------------------------------- usage


def maybe(draw: st.DrawFn, value: Any) -> Any:
    return value if draw(st.booleans()) else None


@st.composite
def usage_case(draw: st.DrawFn) -> tuple[dict[str, Any], Usage]:
    inp, out = draw(COUNT), draw(COUNT)
    total = draw(st.one_of(st.none(), st.just(inp + out), COUNT))  # providers may add extras
    cached, reasoning = maybe(draw, draw(COUNT)), maybe(draw, draw(COUNT))
    audio_in, audio_out = maybe(draw, draw(COUNT)), maybe(draw, draw(COUNT))
    responses = draw(st.booleans())
    names = (
        ("input_tokens", "output_tokens", "input_tokens_details", "output_tokens_details")
        if responses
        else (
            "prompt_tokens",
            "completion_tokens",
            "prompt_tokens_details",
            "completion_tokens_details",
        )
    )
    raw: dict[str, Any] = {names[0]: inp, names[1]: out}
    if total is not None:
        raw["total_tokens"] = total
    in_d = {
        k: v for k, v in (("cached_tokens", cached), ("audio_tokens", audio_in)) if v is not None
    }
    out_d = {
        k: v
        for k, v in (("reasoning_tokens", reasoning), ("audio_tokens", audio_out))
        if v is not None
    }
    if in_d or draw(st.booleans()):
        raw[names[2]] = in_d
    if out_d or draw(st.booleans()):
        raw[names[3]] = out_d
    if draw(st.booleans()):  # gateway extras that must be ignored
        raw.update({"cost": 0.0012, "is_byok": False, "queue_time": 0.05})
    expected = Usage(
        input_tokens=inp,
        output_tokens=out,
        total_tokens=inp + out if total is None else total,
        cached_input_tokens=cached,
        reasoning_tokens=reasoning,
        audio_input_tokens=audio_in,
        audio_output_tokens=audio_out,
    )
    return raw, expected


@settings(max_examples=150, deadline=None)
@given(usage_case())
def test_usage_objects_normalise(case: tuple[dict[str, Any], Usage]) -> None:
    raw, expected = case
    assert usage_from_wire(raw) == expected
    assert usage_from_wire(json.loads(json.dumps(raw))) == expected


def test_usage_edge_values() -> None:
    assert usage_from_wire(None) is None
    assert usage_from_wire({}) == Usage()
    # details given as null, floats that are whole numbers, a bool is not a count
    u = usage_from_wire(
        {"prompt_tokens": 4.0, "completion_tokens": True, "prompt_tokens_details": None}
    )
    assert u == Usage(input_tokens=4, output_tokens=0, total_tokens=4)


# --------------------------------------------------------------------------- chat: streamed = not


@st.composite
def completions(draw: st.DrawFn) -> dict[str, Any]:
    choices = []
    for index in range(draw(st.integers(1, 3))):
        msg: dict[str, Any] = {"role": "assistant", "content": draw(st.one_of(st.none(), TEXT))}
        field = draw(st.sampled_from([None, "reasoning", "reasoning_content"]))
        if field:
            msg[field] = draw(TEXT.filter(bool))
        if draw(st.booleans()):
            msg["tool_calls"] = [
                {
                    "id": c["id"],
                    "type": "function",
                    "function": {"name": c["name"], "arguments": c["arguments"]},
                }
                for c in draw(tool_calls())
            ]
        finish = (
            "tool_calls" if msg.get("tool_calls") else draw(st.sampled_from(["stop", "length"]))
        )
        choices.append({"index": index, "message": msg, "finish_reason": finish})
    body: dict[str, Any] = {
        "id": "chatcmpl-" + draw(IDENT),
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": draw(st.sampled_from(["gpt-4o", "openai/o3-2025-04-16", "deepseek-r1"])),
        "choices": choices,
    }
    if draw(st.booleans()):
        body["usage"] = draw(usage_case())[0]
    if draw(st.booleans()):
        body["meta"] = {"usage": {"credits_used": draw(COUNT), "usd_spent": 0.000125}}
    return body


@PROPS
@given(completions(), st.randoms(use_true_random=False))
def test_chat_streamed_equals_not_streamed(body: dict[str, Any], rng: random.Random) -> None:
    direct = ChatCompletion.model_validate(body)
    streamed = run_chat(sse_bytes(synth_chat_chunks(body, rng)), rng)
    assert len(streamed.choices) == len(direct.choices)
    for s, d in zip(streamed.choices, direct.choices, strict=True):
        assert s.index == d.index
        assert s.message.text == d.message.text
        assert s.message.reasoning_text == d.message.reasoning_text
        assert [tc.model_dump() for tc in s.message.tool_calls or []] == [
            tc.model_dump() for tc in d.message.tool_calls or []
        ]
        assert s.finish_reason == d.finish_reason
    assert streamed.usage == direct.usage
    assert streamed.normalised_usage == direct.normalised_usage
    assert streamed.cost == direct.cost
    assert (streamed.id, streamed.model) == (direct.id, direct.model)


# --------------------------------------------------------------------------- responses


@st.composite
def responses(draw: st.DrawFn) -> dict[str, Any]:
    output: list[dict[str, Any]] = []
    for i in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["message", "function_call", "reasoning", "web_search_call"]))
        if kind == "message":
            parts = [
                {"type": "output_text", "text": draw(TEXT), "annotations": []}
                for _ in range(draw(st.integers(1, 2)))
            ]
            output.append(
                {
                    "type": "message",
                    "id": f"msg_{i}",
                    "role": "assistant",
                    "status": "completed",
                    "content": parts,
                }
            )
        elif kind == "function_call":
            call = draw(tool_calls())[0]
            output.append(
                {
                    "type": "function_call",
                    "id": f"fc_{i}",
                    "call_id": call["id"],
                    "name": call["name"],
                    "arguments": call["arguments"],
                    "status": "completed",
                }
            )
        elif kind == "reasoning":
            summary = [
                {"type": "summary_text", "text": draw(TEXT.filter(bool))}
                for _ in range(draw(st.integers(0, 2)))
            ]
            output.append({"type": "reasoning", "id": f"rs_{i}", "summary": summary})
        else:
            output.append(
                {
                    "type": "web_search_call",
                    "id": f"ws_{i}",
                    "status": "completed",
                    "action": {"type": "search", "query": draw(TEXT)},
                }
            )
    body: dict[str, Any] = {
        "id": "resp_" + draw(IDENT),
        "object": "response",
        "status": draw(st.sampled_from(["completed", "incomplete", "complete"])),
        "model": "gpt-5",
        "output": output,
    }
    if draw(st.booleans()):
        body["usage"] = draw(usage_case())[0]
    return body


@PROPS
@given(responses(), st.randoms(use_true_random=False), st.booleans())
def test_responses_streamed_equals_not_streamed(
    body: dict[str, Any], rng: random.Random, snapshot: bool
) -> None:
    direct = Response.model_validate(body)
    events = synth_responses_events(body, rng, snapshot=snapshot)
    streamed, delta_text = run_responses(
        sse_bytes(events, done=rng.random() < 0.5, events=rng.random() < 0.5), rng
    )
    assert streamed.status == direct.status
    assert streamed.text == direct.text == delta_text
    assert [(f.id, f.call_id, f.name, f.arguments) for f in streamed.function_calls] == [
        (f.id, f.call_id, f.name, f.arguments) for f in direct.function_calls
    ]
    assert streamed.reasoning_text == direct.reasoning_text
    assert streamed.normalised_usage == direct.normalised_usage
    assert [i["type"] for i in streamed.output] == [i["type"] for i in direct.output]


def test_responses_done_events_alone_carry_the_output() -> None:
    # A gateway that sends only the ``.done`` events (no deltas, no output_item.done).
    events = [
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {"type": "message", "content": []},
        },
        {
            "type": "response.output_text.done",
            "output_index": 0,
            "content_index": 0,
            "text": "Paris.",
        },
        {
            "type": "response.output_item.added",
            "output_index": 1,
            "item": {"type": "function_call", "call_id": "c1", "name": "f", "arguments": ""},
        },
        {
            "type": "response.function_call_arguments.done",
            "output_index": 1,
            "arguments": '{"a": 1}',
        },
        {"type": "response.completed", "response": {"status": "completed", "output": []}},
    ]
    acc = ResponsesStreamAccumulator()
    for e in events:
        acc.add(e)
    result = acc.result()
    assert result.text == "Paris."
    assert [(f.call_id, f.arguments) for f in result.function_calls] == [("c1", '{"a": 1}')]


def test_yielded_events_are_not_mutated_by_accumulation() -> None:
    added = {
        "type": "response.output_item.added",
        "output_index": 0,
        "item": {"type": "message", "content": []},
    }
    acc = ResponsesStreamAccumulator()
    acc.add(added)
    acc.add({"type": "response.output_text.delta", "output_index": 0, "delta": "hi"})
    assert added["item"] == {"type": "message", "content": []}
    assert acc.streamed_text == "hi"
