"""The replies the benchmark server sends, in OpenAI's exact wire format.

Shapes are those of real ``api.openai.com`` replies in ``../shared/wire-corpus`` (copied here,
so the benchmarks need nothing outside the repository):

* a non-streamed chat completion (``test_valid_response``: "The capital of France is Paris.");
* a text stream: one ``role`` chunk, ``n`` content deltas (the words of a real streamed story,
  cycled), a ``finish_reason`` chunk, a usage chunk and ``data: [DONE]``
  (``TestOpenAIStandard.test_stream_time``);
* a tool-call stream: one chunk opening the call (id, name, empty arguments), ``n`` argument
  deltas that join to valid JSON, a ``finish_reason: tool_calls`` chunk, usage and ``[DONE]``
  (``test_streaming_tool_call_v1_v2_parity``, with its ``obfuscation`` field).
"""

from __future__ import annotations

import json
from typing import Any

MODEL = "gpt-4o-mini"
PROMPT = "What is the capital of France?"
TOOL_NAME = "summarize"

CHAT_COMPLETION: dict[str, Any] = {
    "choices": [
        {
            "finish_reason": "stop",
            "index": 0,
            "logprobs": None,
            "message": {
                "annotations": [],
                "content": "The capital of France is Paris.",
                "refusal": None,
                "role": "assistant",
            },
        }
    ],
    "created": 1752720361,
    "id": "chatcmpl-Bu8vBIrB8kIWKRyTcpEEPncjhHtMU",
    "model": "gpt-4o-mini-2024-07-18",
    "object": "chat.completion",
    "service_tier": "default",
    "system_fingerprint": "fp_a288987b44",
    "usage": {
        "completion_tokens": 7,
        "completion_tokens_details": {
            "accepted_prediction_tokens": 0,
            "audio_tokens": 0,
            "reasoning_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
        "prompt_tokens": 14,
        "prompt_tokens_details": {"audio_tokens": 0, "cached_tokens": 0},
        "total_tokens": 21,
    },
}

# The opening of the real story (content deltas as the API split them), cycled to any length.
_STORY = (  # noqa: SIM905 (one string reads better than 85 list items)
    "In| a| quiet| little| village| nestled| between| rolling| hills| and| lush| green|"
    " forests|,| there| lived| a| curious| cat| named| Whisk|ers|.| Whisk|ers| was| no|"
    " ordinary| cat|;| he| had| a| coat| of| soft|,| silver| fur| that| sh|imm|ered| in|"
    " the| sunlight| and| bright| green| eyes| that| sparkled| with| mischief|.| Every|"
    " morning|,| he| would| stretch| lazily| on| the| windows|ill| of| the| old| bakery|"
    " owned| by| Mrs|.| Thompson|,| soaking| up| the| warm| rays| of| the| sun|."
).split("|")

_TEXT_CHUNK = {
    "id": "chatcmpl-Bd6IhzOU9spIUNjdCAIa4fKrwKo5A",
    "object": "chat.completion.chunk",
    "created": 1748658711,
    "model": "gpt-4o-mini-2024-07-18",
    "service_tier": "default",
    "system_fingerprint": "fp_34a54ae93c",
}
_TOOL_CHUNK = {
    "id": "chatcmpl-DXowQ5ZdAViQzqbpNi2tFI5zzMTtn",
    "object": "chat.completion.chunk",
    "created": 1776953014,
    "model": "gpt-4o-mini-2024-07-18",
    "service_tier": "default",
    "system_fingerprint": "fp_f9565ce549",
}
_USAGE = {
    "prompt_tokens": 14,
    "completion_tokens": 877,
    "total_tokens": 891,
    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
    "completion_tokens_details": {
        "reasoning_tokens": 0,
        "audio_tokens": 0,
        "accepted_prediction_tokens": 0,
        "rejected_prediction_tokens": 0,
    },
}


def _choice(delta: dict[str, Any], finish_reason: str | None = None) -> list[dict[str, Any]]:
    return [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]


def _event(payload: dict[str, Any] | str) -> bytes:
    if isinstance(payload, str):
        return b"data: " + payload.encode() + b"\n\n"
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


def _words(n: int) -> list[str]:
    return [_STORY[i % len(_STORY)] for i in range(n)]


def text_stream_events(n: int) -> list[bytes]:
    """SSE events of a streamed text answer with ``n`` content deltas."""
    events = [
        {
            **_TEXT_CHUNK,
            "choices": _choice({"role": "assistant", "content": "", "refusal": None}),
            "usage": None,
        }
    ]
    events += [
        {**_TEXT_CHUNK, "choices": _choice({"content": word}), "usage": None} for word in _words(n)
    ]
    events.append({**_TEXT_CHUNK, "choices": _choice({}, "stop"), "usage": None})
    events.append({**_TEXT_CHUNK, "choices": [], "usage": _USAGE})
    return [_event(e) for e in events] + [_event("[DONE]")]


def tool_arguments_deltas(n: int) -> list[str]:
    """``n`` argument fragments that join to ``{"text": "<story>"}`` (valid JSON)."""
    if n < 3:
        raise ValueError("a tool-call stream needs at least 3 argument deltas")
    middle = [json.dumps(word)[1:-1] for word in _words(n - 2)]
    return ['{"text":"', *middle, '"}']


def tool_stream_events(n: int) -> list[bytes]:
    """SSE events of one streamed tool call whose arguments come in ``n`` deltas."""
    opening = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "index": 0,
                "id": "call_9MmhpM34dYIcHt0SHUXsgZgN",
                "type": "function",
                "function": {"name": TOOL_NAME, "arguments": ""},
            }
        ],
        "refusal": None,
    }
    events = [{**_TOOL_CHUNK, "choices": _choice(opening), "usage": None, "obfuscation": "53h1"}]
    events += [
        {
            **_TOOL_CHUNK,
            "choices": _choice({"tool_calls": [{"index": 0, "function": {"arguments": part}}]}),
            "usage": None,
            "obfuscation": "eUqQbhRpp",
        }
        for part in tool_arguments_deltas(n)
    ]
    events.append(
        {**_TOOL_CHUNK, "choices": _choice({}, "tool_calls"), "usage": None, "obfuscation": "KUBWM"}
    )
    events.append({**_TOOL_CHUNK, "choices": [], "usage": _USAGE, "obfuscation": "zeoW7B3SDg"})
    return [_event(e) for e in events] + [_event("[DONE]")]


def http_json(body: dict[str, Any]) -> bytes:
    """A complete HTTP/1.1 200 response carrying ``body`` as JSON."""
    content = json.dumps(body).encode()
    head = (
        "HTTP/1.1 200 OK\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(content)}\r\n"
        "x-request-id: req_bench\r\n"
        "\r\n"
    )
    return head.encode() + content


def http_sse(events: list[bytes]) -> bytes:
    """A complete chunked HTTP/1.1 200 SSE response, one HTTP chunk per event (as OpenAI)."""
    head = (
        b"HTTP/1.1 200 OK\r\n"
        b"content-type: text/event-stream; charset=utf-8\r\n"
        b"transfer-encoding: chunked\r\n"
        b"x-request-id: req_bench\r\n"
        b"\r\n"
    )
    body = b"".join(b"%x\r\n%s\r\n" % (len(e), e) for e in events)
    return head + body + b"0\r\n\r\n"
