"""Test helpers for the core's conformance and property tests (not a test module).

Two kinds of helper, both deliberately independent of ``aimlapi_core``:

* naive readers: what a JSON body or a raw SSE stream holds (text, tool calls, usage numbers,
  finish reason, status, error message), read with nothing but ``json`` and ``str.split``;
* synthesizers: an SSE stream in OpenAI's exact format built from a non-streamed reply, with
  the text and tool-call arguments cut into random pieces, to check that streaming and not
  streaming give the same result.

Plus ``ChunkedBody``: replays bytes to httpx in given pieces (sync and async).
"""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from aimlapi_core.usage import Usage

# --------------------------------------------------------------------------- transport


class ChunkedBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body delivered in the given pieces, to sync and async clients alike."""

    def __init__(self, pieces: Sequence[bytes]) -> None:
        self.pieces = list(pieces)

    def __iter__(self) -> Iterator[bytes]:
        yield from self.pieces

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self.pieces:
            yield piece


def random_pieces(data: bytes, rng: random.Random, max_size: int = 64) -> list[bytes]:
    """``data`` cut at random places (pieces of 1..max_size bytes)."""
    out, i = [], 0
    while i < len(data):
        n = rng.randint(1, max_size)
        out.append(data[i : i + n])
        i += n
    return out


# --------------------------------------------------------------------------- naive SSE


def naive_sse(body: str) -> list[tuple[str | None, str]]:
    """``(event, data)`` of each event: blank-line separated blocks, ``data:`` lines joined."""
    events: list[tuple[str | None, str]] = []
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    for block in text.split("\n\n"):
        name: str | None = None
        data: list[str] = []
        for line in block.split("\n"):
            if line.startswith(":") or not line:
                continue
            key, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if key == "event":
                name = value
            elif key == "data":
                data.append(value)
        if data or name is not None:
            events.append((name, "\n".join(data)))
    return events


def naive_payloads(body: str) -> list[tuple[str | None, dict[str, Any]]]:
    """The JSON payloads of a stream, without ``[DONE]``."""
    return [(name, json.loads(data)) for name, data in naive_sse(body) if data and data != "[DONE]"]


# --------------------------------------------------------------------------- expectations


def naive_usage(raw: Any) -> Usage | None:
    """The numbers a usage object holds, read key by key (both endpoint shapes)."""
    if not isinstance(raw, dict):
        return None
    if "input_tokens" in raw or "output_tokens" in raw:
        inp, out = raw.get("input_tokens") or 0, raw.get("output_tokens") or 0
        in_d = raw.get("input_tokens_details") or {}
        out_d = raw.get("output_tokens_details") or {}
    else:
        inp, out = raw.get("prompt_tokens") or 0, raw.get("completion_tokens") or 0
        in_d = raw.get("prompt_tokens_details") or {}
        out_d = raw.get("completion_tokens_details") or {}
    total = raw.get("total_tokens")
    return Usage(
        input_tokens=inp,
        output_tokens=out,
        total_tokens=inp + out if total is None else total,
        cached_input_tokens=in_d.get("cached_tokens"),
        reasoning_tokens=out_d.get("reasoning_tokens"),
        audio_input_tokens=in_d.get("audio_tokens"),
        audio_output_tokens=out_d.get("audio_tokens"),
    )


def content_text(content: Any) -> str:
    """A chat message's content as text: the string, or its text parts joined."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(
        p.get("text") or ""
        for p in content
        if isinstance(p, dict) and p.get("type") in ("text", "output_text")
    )


@dataclass
class ChoiceExpect:
    """What one chat choice holds."""

    text: str = ""
    reasoning: str = ""
    tool_calls: list[tuple[str | None, str | None, str]] = field(default_factory=list)
    finish_reason: str | None = None
    annotations: list[Any] = field(default_factory=list)


@dataclass
class ChatExpect:
    """What a chat completion (body or stream) holds."""

    choices: dict[int, ChoiceExpect]
    usage: Usage | None


def chat_expect_from_body(body: dict[str, Any]) -> ChatExpect:
    choices: dict[int, ChoiceExpect] = {}
    for pos, choice in enumerate(body.get("choices") or []):
        msg = choice.get("message") or {}
        calls = [
            (
                tc.get("id"),
                (tc.get("function") or {}).get("name"),
                (tc.get("function") or {}).get("arguments") or "",
            )
            for tc in msg.get("tool_calls") or []
        ]
        choices[choice.get("index", pos)] = ChoiceExpect(
            text=content_text(msg.get("content")),
            reasoning=delta_reasoning(msg),
            annotations=list(msg.get("annotations") or []),
            tool_calls=calls,
            finish_reason=choice.get("finish_reason"),
        )
    return ChatExpect(choices, naive_usage(body.get("usage")))


def delta_reasoning(delta: dict[str, Any]) -> str:
    """A chunk's reasoning text: ``reasoning_content``, else ``reasoning``, else the text (or
    summary) of its ``reasoning_details`` items."""
    for name in ("reasoning_content", "reasoning"):
        if isinstance(delta.get(name), str) and delta[name]:
            return str(delta[name])
    return "".join(
        d.get("text") if isinstance(d.get("text"), str) else d.get("summary") or ""
        for d in delta.get("reasoning_details") or []
        if isinstance(d, dict)
    )


def chat_expect_from_sse(body: str) -> ChatExpect:
    choices: dict[int, ChoiceExpect] = {}
    calls: dict[int, dict[int, list[Any]]] = {}
    usage: Any = None
    for _, chunk in naive_payloads(body):
        if chunk.get("usage"):
            usage = chunk["usage"]
        for choice in chunk.get("choices") or []:
            idx = choice.get("index", 0)
            exp = choices.setdefault(idx, ChoiceExpect())
            delta = choice.get("delta") or {}
            if isinstance(delta.get("content"), str):
                exp.text += delta["content"]
            exp.reasoning += delta_reasoning(delta)
            exp.annotations += delta.get("annotations") or []
            for tc in delta.get("tool_calls") or []:
                slot = calls.setdefault(idx, {}).setdefault(tc["index"], [None, None, ""])
                fn = tc.get("function") or {}
                slot[0] = slot[0] or tc.get("id")
                slot[1] = slot[1] or fn.get("name")
                slot[2] += fn.get("arguments") or ""
            if choice.get("finish_reason"):
                exp.finish_reason = choice["finish_reason"]
    for idx, by_index in calls.items():
        choices[idx].tool_calls = [tuple(by_index[i]) for i in sorted(by_index)]  # type: ignore[misc]
    return ChatExpect(choices, naive_usage(usage))


def chat_stream_error(body: str) -> str | None:
    """The provider message of an error carried inside a 200 chat stream, if any."""
    for name, data in naive_sse(body):
        if not data or data == "[DONE]":
            continue
        payload = json.loads(data)
        if name == "error" or payload.get("error"):
            err = payload.get("error")
            return str(err.get("message")) if isinstance(err, dict) else str(err)
    return None


def error_message_of(body: str) -> str:
    """The provider's message in an error body of any of the known shapes."""
    data = json.loads(body)
    err = data.get("error")
    if isinstance(err, dict) and err.get("message"):
        return str(err["message"])
    if isinstance(err, str):
        return err
    return str(data["message"])


@dataclass
class ResponsesExpect:
    """What a Responses result holds."""

    status: str | None
    text: str
    function_calls: list[tuple[str | None, str | None, str]]
    usage: Usage | None
    reasoning: str | None = None


def responses_expect(resp: dict[str, Any]) -> ResponsesExpect:
    text = ""
    calls = []
    for item in resp.get("output") or []:
        if item.get("type") == "message":
            for part in item.get("content") or []:
                if part.get("type") == "output_text":
                    text += part.get("text") or ""
        elif item.get("type") == "function_call":
            calls.append((item.get("call_id"), item.get("name"), item.get("arguments") or ""))
    reasoning = []
    for item in resp.get("output") or []:
        if item.get("type") == "reasoning":
            parts = item.get("summary") or item.get("content") or []
            reasoning.append("\n\n".join(p.get("text") or "" for p in parts))
    return ResponsesExpect(
        resp.get("status"),
        text,
        calls,
        naive_usage(resp.get("usage")),
        "\n\n".join(r for r in reasoning if r) or None,
    )


def responses_terminal(body: str) -> dict[str, Any] | None:
    """The ``response`` of a stream's terminal event (completed or incomplete)."""
    for _, payload in naive_payloads(body):
        if payload.get("type") in ("response.completed", "response.incomplete"):
            return payload["response"]  # type: ignore[no-any-return]
    return None


def responses_stream_text(body: str, kind: str = "response.output_text.delta") -> str:
    """The deltas of one event type (text by default) in a stream, concatenated."""
    return "".join(p.get("delta") or "" for _, p in naive_payloads(body) if p.get("type") == kind)


# --------------------------------------------------------------------------- synthesizers


def split_random(text: str, rng: random.Random, max_size: int = 6) -> list[str]:
    """``text`` cut into random non-empty pieces (at least one piece, maybe '')."""
    if not text:
        return []
    out, i = [], 0
    while i < len(text):
        n = rng.randint(1, max_size)
        out.append(text[i : i + n])
        i += n
    return out


def interleave(rng: random.Random, queues: list[list[Any]]) -> list[Any]:
    """A random merge of several sequences, each one's order kept."""
    queues = [list(q) for q in queues if q]
    out = []
    while queues:
        q = rng.choice(queues)
        out.append(q.pop(0))
        if not q:
            queues.remove(q)
    return out


def sse_bytes(payloads: list[dict[str, Any]], *, done: bool = True, events: bool = False) -> bytes:
    """``data: <json>\\n\\n`` per payload (with ``event: <type>`` lines when asked)."""
    out = []
    for p in payloads:
        head = f"event: {p['type']}\n" if events and "type" in p else ""
        out.append(head + "data: " + json.dumps(p, separators=(",", ":")) + "\n\n")
    if done:
        out.append("data: [DONE]\n\n")
    return "".join(out).encode()


_REASONING_FIELDS = ("reasoning_content", "reasoning")


def synth_chat_chunks(completion: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """OpenAI-format chunks carrying the same completion: role first, text and reasoning in
    small pieces, each tool call's header then its argument fragments interleaved with the
    other calls of its choice, finish_reason last, usage in a final chunk with no choices."""
    top = {
        k: completion[k]
        for k in ("id", "created", "model", "system_fingerprint", "service_tier")
        if completion.get(k) is not None
    }
    top["object"] = "chat.completion.chunk"
    per_choice: list[list[dict[str, Any]]] = []
    for pos, choice in enumerate(completion.get("choices") or []):
        index = choice.get("index", pos)
        msg = choice.get("message") or {}
        deltas: list[dict[str, Any]] = [{"role": msg.get("role") or "assistant", "content": ""}]
        for name in _REASONING_FIELDS:
            if isinstance(msg.get(name), str) and msg[name]:
                pieces: list[dict[str, Any]] = [
                    {name: piece} for piece in split_random(msg[name], rng)
                ]
                if msg.get("reasoning_details"):
                    # OpenRouter sends both fields in one chunk; the details travel whole here.
                    pieces[0]["reasoning_details"] = msg["reasoning_details"]
                deltas += pieces
                break
        else:
            deltas += [{"reasoning_details": [d]} for d in msg.get("reasoning_details") or []]
        deltas += [
            {"content": piece} for piece in split_random(content_text(msg.get("content")), rng)
        ]
        for note in msg.get("annotations") or []:  # citations come one per chunk, after the text
            deltas.append({"annotations": [note]})
        if isinstance(msg.get("refusal"), str) and msg["refusal"]:
            deltas += [{"refusal": piece} for piece in split_random(msg["refusal"], rng)]
        call_streams = []
        for ti, tc in enumerate(msg.get("tool_calls") or []):
            fn = tc.get("function") or {}
            header: dict[str, Any] = {
                "index": ti,
                "type": tc.get("type") or "function",
                "function": {"name": fn.get("name"), "arguments": ""},
            }
            if tc.get("id") is not None:
                header["id"] = tc["id"]
            frags = [
                {"index": ti, "function": {"arguments": piece}}
                for piece in split_random(fn.get("arguments") or "", rng, 5)
            ]
            call_streams.append([header, *frags])
        deltas += [{"tool_calls": [tc]} for tc in interleave(rng, call_streams)]
        chunks = [{"index": index, "delta": d, "finish_reason": None} for d in deltas]
        chunks.append({"index": index, "delta": {}, "finish_reason": choice.get("finish_reason")})
        per_choice.append(chunks)
    out = [{**top, "choices": [c]} for c in interleave(rng, per_choice)]
    final: dict[str, Any] = {**top, "choices": []}
    if completion.get("usage") is not None:
        final["usage"] = completion["usage"]
    if completion.get("meta") is not None:
        final["meta"] = completion["meta"]
    if len(final) > len(top) + 1:
        out.append(final)
    return out


def synth_responses_events(
    response: dict[str, Any], rng: random.Random, *, snapshot: bool
) -> list[dict[str, Any]]:
    """Responses stream events carrying the same response. With ``snapshot`` the events are
    what OpenAI sends (``output_item.done`` items, full ``response.completed``); without, only
    the deltas carry the output and the terminal response has ``output: []``, so the result
    must be accumulated from the deltas."""
    seq = iter(range(1_000_000))
    shell = {k: v for k, v in response.items() if k not in ("output", "usage", "output_text")}
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": {**shell, "status": "in_progress", "output": []}},
        {
            "type": "response.in_progress",
            "response": {**shell, "status": "in_progress", "output": []},
        },
    ]
    for oi, item in enumerate(response.get("output") or []):
        kind = item.get("type")
        iid = item.get("id")
        if kind == "message":
            events.append(
                {
                    "type": "response.output_item.added",
                    "output_index": oi,
                    "item": {**item, "content": [], "status": "in_progress"},
                }
            )
            for ci, part in enumerate(item.get("content") or []):
                empty = (
                    {**part, "text": "", "annotations": []}
                    if part.get("type") == "output_text"
                    else part
                )
                events.append(
                    {
                        "type": "response.content_part.added",
                        "output_index": oi,
                        "content_index": ci,
                        "item_id": iid,
                        "part": empty,
                    }
                )
                if part.get("type") == "output_text":
                    for piece in split_random(part.get("text") or "", rng):
                        events.append(
                            {
                                "type": "response.output_text.delta",
                                "output_index": oi,
                                "content_index": ci,
                                "item_id": iid,
                                "delta": piece,
                            }
                        )
                    for ai, note in enumerate(part.get("annotations") or []):
                        events.append(
                            {
                                "type": "response.output_text.annotation.added",
                                "output_index": oi,
                                "content_index": ci,
                                "item_id": iid,
                                "annotation_index": ai,
                                "annotation": note,
                            }
                        )
                    events.append(
                        {
                            "type": "response.output_text.done",
                            "output_index": oi,
                            "content_index": ci,
                            "item_id": iid,
                            "text": part.get("text") or "",
                        }
                    )
                elif part.get("type") == "refusal":
                    pass  # carried whole by content_part.added / output_item.done
                events.append(
                    {
                        "type": "response.content_part.done",
                        "output_index": oi,
                        "content_index": ci,
                        "item_id": iid,
                        "part": part,
                    }
                )
        elif kind == "function_call":
            events.append(
                {
                    "type": "response.output_item.added",
                    "output_index": oi,
                    "item": {**item, "arguments": "", "status": "in_progress"},
                }
            )
            for piece in split_random(item.get("arguments") or "", rng, 5):
                events.append(
                    {
                        "type": "response.function_call_arguments.delta",
                        "output_index": oi,
                        "item_id": iid,
                        "delta": piece,
                    }
                )
            events.append(
                {
                    "type": "response.function_call_arguments.done",
                    "output_index": oi,
                    "item_id": iid,
                    "arguments": item.get("arguments") or "",
                }
            )
        elif kind == "reasoning":
            events.append(
                {
                    "type": "response.output_item.added",
                    "output_index": oi,
                    "item": {**item, "summary": [], "content": []},
                }
            )
            for si, part in enumerate(item.get("summary") or []):
                for piece in split_random(part.get("text") or "", rng):
                    events.append(
                        {
                            "type": "response.reasoning_summary_text.delta",
                            "output_index": oi,
                            "summary_index": si,
                            "item_id": iid,
                            "delta": piece,
                        }
                    )
            for ci, part in enumerate(item.get("content") or []):
                for piece in split_random(part.get("text") or "", rng):
                    events.append(
                        {
                            "type": "response.reasoning_text.delta",
                            "output_index": oi,
                            "content_index": ci,
                            "item_id": iid,
                            "delta": piece,
                        }
                    )
        else:  # built-in tool calls and the like: no text, the item travels whole
            events.append({"type": "response.output_item.added", "output_index": oi, "item": item})
        if snapshot or kind not in ("message", "function_call", "reasoning"):
            events.append({"type": "response.output_item.done", "output_index": oi, "item": item})
    final = dict(response)
    if not snapshot:
        final["output"] = []
        final.pop("output_text", None)
    events.append({"type": "response.completed", "response": final})
    for e in events:
        e["sequence_number"] = next(seq)
    return events
