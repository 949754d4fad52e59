"""Helpers for the LlamaIndex adapter tests: a capturing mock transport, reply builders.

Two ways a test reaches a server:

* ``llm_factory`` (a fixture, in ``conftest.py``): an :class:`AIMLAPI` on ``api_settings``,
  the loopback replay server answering with the deterministic fake model offline, AI/ML API
  itself when ``AIMLAPI_API_KEY`` is set. Tests using it are marked ``vcr`` (cassettes).
* :class:`MockAPI`: an ``httpx.MockTransport`` that records every request body and answers
  with scripted replies, for tests about exact request shapes or exact reply bytes (corpus).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import Any

import httpx

from llama_index_aimlapi import AIMLAPI

LIVE = bool(os.environ.get("AIMLAPI_API_KEY") or os.environ.get("AIML_API_KEY"))
MODEL = "gpt-4o-mini"
REASONING_MODEL = "openai/o3-2025-04-16"
TOOLS_ONLY_MODEL = "anthropic/claude-3.5-sonnet"  # tools, but no response_format
OFFLINE_KEY = "sk-offline-test-key-not-real"

LLMFactory = Callable[..., AIMLAPI]


Reply = httpx.Response | Callable[[httpx.Request], httpx.Response]


class MockAPI:
    """A scripted AI/ML API: records request bodies, answers from a queue or a function.

    Example:
        api = MockAPI(json_response({"choices": []}))
        llm = api.llm(model="gpt-4o")
        llm.chat([...]); api.bodies[0]["model"]  # 'gpt-4o'
    """

    def __init__(self, *replies: Reply, default: Reply | None = None) -> None:
        self.replies: list[Reply] = list(replies)
        self.default = default
        self.requests: list[httpx.Request] = []

    @property
    def bodies(self) -> list[dict[str, Any]]:
        """Every request body sent so far, decoded."""
        return [json.loads(r.content) for r in self.requests]

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if self.replies else self.default
        if reply is None:
            return httpx.Response(500, json={"message": "MockAPI has no reply", "statusCode": 500})
        return reply(request) if callable(reply) else _copy(reply)

    def llm(self, model: str = MODEL, **fields: Any) -> AIMLAPI:
        """An :class:`AIMLAPI` whose sync and async clients both go through this mock."""
        transport = httpx.MockTransport(self.handle)
        fields.setdefault("api_key", OFFLINE_KEY)
        return AIMLAPI(
            model=model,
            api_base="https://api.aimlapi.com/v1",
            http_client=httpx.Client(transport=transport),
            async_http_client=httpx.AsyncClient(transport=transport),
            **fields,
        )


def _copy(response: httpx.Response) -> httpx.Response:
    """A fresh response with the same status, headers and bytes (a response reads once)."""
    return httpx.Response(response.status_code, headers=response.headers, content=response.content)


def json_response(body: dict[str, Any] | str, **headers: str) -> httpx.Response:
    """A 200 JSON reply (``body`` a dict or the exact text)."""
    content = body if isinstance(body, str) else json.dumps(body)
    return httpx.Response(
        200,
        content=content.encode(),
        headers={"content-type": "application/json", **_headers(headers)},
    )


def sse_response(payloads: Iterable[dict[str, Any] | str], **headers: str) -> httpx.Response:
    """A 200 SSE reply: ``data: <json>`` per payload, then ``data: [DONE]``."""
    lines = ["data: " + (p if isinstance(p, str) else json.dumps(p)) + "\n\n" for p in payloads]
    lines.append("data: [DONE]\n\n")
    return httpx.Response(
        200,
        content="".join(lines).encode(),
        headers={"content-type": "text/event-stream", **_headers(headers)},
    )


def _headers(headers: dict[str, str]) -> dict[str, str]:
    return {k.replace("_", "-"): v for k, v in headers.items()}


def completion(
    content: str | None = "Hi!",
    *,
    tool_calls: list[dict[str, Any]] | None = None,
    usage: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A minimal ``chat.completion`` body."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if tool_calls else "stop",
            }
        ],
        "usage": usage or {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
        **extra,
    }
