"""The deterministic fake model behind ``POST /v1/responses``, in OpenAI's exact wire format.

It reads a Responses request as the chat request that says the same thing (``input`` items →
messages, flat function tools → nested ones, ``text.format`` → ``response_format``,
``max_output_tokens`` → ``max_tokens``, ``reasoning.effort`` → ``reasoning_effort``), lets
:func:`tests.support.fake_model.fake_chat_completion` decide the answer, and writes that answer
as a Responses result: a ``reasoning`` item (with a ``summary`` only when ``reasoning.summary``
was asked for, as OpenAI does), a ``message`` item with ``output_text``, ``function_call``
items with ``call_id``; ``status`` ``incomplete`` with ``incomplete_details.reason =
max_output_tokens`` when the limit cut the text; usage as ``input_tokens``/``output_tokens`` with
``cached_tokens``/``reasoning_tokens`` details; AI/ML API's ``output_text`` and ``meta.usage``.
Streams are OpenAI's typed events (``event:`` and ``data:`` lines, ``sequence_number``),
ending in ``response.completed`` or ``response.incomplete``.

It keeps no state: ``previous_response_id`` is echoed, and the answer depends only on the
items sent.

Example:
    >>> reply = fake_response(ReceivedRequest("POST", "/v1/responses", {},
    ...     {"model": "openai/o3-2025-04-16", "input": "Hello"}))
    >>> body = json.loads(reply.body)
    >>> body["status"], body["output_text"], [i["type"] for i in body["output"]]
    ('completed', 'Hello! How can I help you today?', ['reasoning', 'message'])
"""

from __future__ import annotations

import hashlib
import json
import random
from typing import Any

from tests.support.fake_model import fake_chat_completion
from tests.support.replay_server import ReceivedRequest, Scripted
from tests.support.wire_expect import synth_responses_events

__all__ = ["chat_request_from_responses", "fake_response"]

_CHAT_PATH = "/v1/chat/completions"


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _chat_part(part: Any) -> Any:
    if isinstance(part, str):
        return {"type": "text", "text": part}
    kind = part.get("type")
    if kind in ("input_text", "output_text", "text"):
        return {"type": "text", "text": part.get("text") or ""}
    if kind == "input_image":
        return {"type": "image_url", "image_url": {"url": part.get("image_url") or ""}}
    if kind == "input_file":
        return {"type": "file", "file": {k: v for k, v in part.items() if k != "type"}}
    return part


def _messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    if body.get("instructions"):
        messages.append({"role": "system", "content": body["instructions"]})
    items = body.get("input")
    if isinstance(items, str):
        return [*messages, {"role": "user", "content": items}]
    for item in items or []:
        kind = item.get("type") or "message"
        if kind == "message":
            content = item.get("content")
            if isinstance(content, list):
                content = [_chat_part(p) for p in content]
            messages.append({"role": item.get("role") or "user", "content": content})
        elif kind == "function_call":
            call = {
                "id": item.get("call_id"),
                "type": "function",
                "function": {"name": item.get("name"), "arguments": item.get("arguments") or ""},
            }
            last = messages[-1] if messages else None
            if last is not None and last["role"] == "assistant":
                last.setdefault("tool_calls", []).append(call)
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind == "function_call_output":
            messages.append(
                {"role": "tool", "tool_call_id": item.get("call_id"), "content": item.get("output")}
            )
    return messages


def chat_request_from_responses(body: dict[str, Any]) -> dict[str, Any]:
    """The chat-completions request that asks what a Responses request asks."""
    chat: dict[str, Any] = {"model": body.get("model"), "messages": _messages(body)}
    if body.get("tools"):
        chat["tools"] = [
            {"type": "function", "function": {k: v for k, v in t.items() if k != "type"}}
            for t in body["tools"]
            if t.get("type") == "function"
        ]
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "function":
        chat["tool_choice"] = {"type": "function", "function": {"name": choice.get("name")}}
    elif choice is not None:
        chat["tool_choice"] = choice
    fmt = (body.get("text") or {}).get("format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        spec = {k: v for k, v in fmt.items() if k != "type"}
        chat["response_format"] = {"type": "json_schema", "json_schema": spec}
    elif isinstance(fmt, dict) and fmt.get("type") == "json_object":
        chat["response_format"] = {"type": "json_object"}
    if body.get("max_output_tokens") is not None:
        chat["max_tokens"] = body["max_output_tokens"]
    effort = (body.get("reasoning") or {}).get("effort")
    if effort:
        chat["reasoning_effort"] = effort
    for key in ("temperature", "top_p", "parallel_tool_calls"):
        if key in body:
            chat[key] = body[key]
    return chat


def _output(message: dict[str, Any], seed: str, summary: bool) -> tuple[list[dict[str, Any]], str]:
    output: list[dict[str, Any]] = []
    reasoning = message.get("reasoning_content")
    if reasoning:
        parts = [p for p in reasoning.split("\n\n") if p] if summary else []
        output.append(
            {
                "type": "reasoning",
                "id": "rs_" + _digest("rs", seed)[:40],
                "summary": [{"type": "summary_text", "text": p} for p in parts],
            }
        )
    text = message.get("content") or ""
    if text:
        output.append(
            {
                "type": "message",
                "id": "msg_" + _digest("msg", seed)[:40],
                "status": "completed",
                "role": "assistant",
                "content": [
                    {"type": "output_text", "annotations": [], "logprobs": [], "text": text}
                ],
            }
        )
    for i, call in enumerate(message.get("tool_calls") or []):
        output.append(
            {
                "type": "function_call",
                "id": "fc_" + _digest("fc", seed, i)[:40],
                "status": "completed",
                "call_id": call["id"],
                "name": call["function"]["name"],
                "arguments": call["function"]["arguments"],
            }
        )
    return output, text


def _usage(chat_usage: dict[str, Any]) -> dict[str, Any]:
    cached = (chat_usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
    reasoning = (chat_usage.get("completion_tokens_details") or {}).get("reasoning_tokens") or 0
    return {
        "input_tokens": chat_usage["prompt_tokens"],
        "input_tokens_details": {"cached_tokens": cached},
        "output_tokens": chat_usage["completion_tokens"],
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": chat_usage["total_tokens"],
    }


def fake_response(request: ReceivedRequest) -> Scripted:
    """Answer one ``POST /v1/responses`` (JSON, or typed SSE events when ``stream`` is true)."""
    body: dict[str, Any] = request.body or {}
    chat = chat_request_from_responses(body)
    answer = fake_chat_completion(ReceivedRequest("POST", _CHAT_PATH, request.headers, chat))
    if answer.status != 200:
        return answer
    completion = json.loads(answer.body)  # type: ignore[arg-type]
    choice = completion["choices"][0]
    seed = _digest(body)
    summary = bool((body.get("reasoning") or {}).get("summary"))
    output, text = _output(choice["message"], seed, summary)
    cut = choice["finish_reason"] == "length"
    response: dict[str, Any] = {
        "id": "resp_" + _digest("resp", seed)[:48],
        "object": "response",
        "created_at": completion["created"],
        "status": "incomplete" if cut else "completed",
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if cut else None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "model": completion["model"],
        "output": output,
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "previous_response_id": body.get("previous_response_id"),
        "reasoning": body.get("reasoning") or {"effort": None, "summary": None},
        "store": body.get("store", True),
        "temperature": body.get("temperature", 1.0),
        "text": body.get("text") or {"format": {"type": "text"}},
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools") or [],
        "usage": _usage(completion["usage"]),
        "output_text": text,
        "meta": completion["meta"],
    }
    if body.get("stream") is True:
        events = synth_responses_events(response, random.Random(seed), snapshot=True)
        if cut:
            events[-1]["type"] = "response.incomplete"
        chunks = [
            f"event: {e['type']}\ndata: {json.dumps(e, separators=(',', ':'))}\n\n".encode()
            for e in events
        ]
        headers = {"x-inference-id": answer.headers["x-inference-id"]}
        return Scripted(
            body=chunks, headers=headers, content_type="text/event-stream", origin=answer.origin
        )
    return Scripted(
        body=json.dumps(response, ensure_ascii=False, indent=2).encode(),
        headers=answer.headers,
        origin=answer.origin,
    )


FAILED_RESPONSE: dict[str, Any] = {
    "id": "resp_failed",
    "object": "response",
    "status": "failed",
    "output": [],
    "error": {"code": "server_error", "message": "The model failed to generate a response."},
}
"""A ``failed`` Responses result, as OpenAI sends it (the live API cannot be asked for one)."""


def failed_reply(*, stream: bool) -> Scripted:
    """:data:`FAILED_RESPONSE` as a 200 JSON body, or as a stream that shows some text first
    and then ends in ``response.failed``."""
    if not stream:
        return Scripted(body=json.dumps(FAILED_RESPONSE).encode())
    events = [
        {"type": "response.created", "response": {**FAILED_RESPONSE, "status": "in_progress"}},
        {"type": "response.output_text.delta", "output_index": 0, "delta": "Once upon"},
        {"type": "response.failed", "response": FAILED_RESPONSE},
    ]
    body = b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)
    return Scripted(body=body, content_type="text/event-stream")
