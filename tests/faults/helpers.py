"""What the fault tests share: canonical replies, the adapters under test, pool checks.

A *subject* is one adapter class driven the same way in every test: built on a base URL,
called sync or async, streamed or not, its answer reduced to an :class:`Outcome`, and its
connection pools inspected and closed afterwards.

Example:
    >>> outcome_of_text("Hello, world!").text
    'Hello, world!'
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from langchain_core.messages import AIMessageChunk, BaseMessage
from llama_index.core.base.llms.types import ChatMessage, ChatResponse

from aimlapi_core.client_cache import ClientCache
from langchain_aimlapi import AIMLAPILLM, ChatAIMLAPI
from llama_index_aimlapi import AIMLAPI
from tests.support.fault_server import Reply

KEY = "sk-fault-SECRET-5f0c2d9e8a7b"
MODEL = "openai/gpt-4o-mini"
PIECES = ["Hel", "lo, ", "wor", "ld!"]
TEXT = "".join(PIECES)
USAGE = {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13}


# --------------------------------------------------------------------------- canonical replies


def completion_body(text: str = TEXT) -> bytes:
    """A non-streamed chat completion in OpenAI's exact shape."""
    return json.dumps(
        {
            "id": "chatcmpl-fault",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": "gpt-4o-mini",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": USAGE,
        }
    ).encode()


def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    """One ``data:`` line of a chat-completion stream."""
    payload = {
        "id": "chatcmpl-fault",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


def stream_chunks(*, terminal: bool = True) -> list[bytes]:
    """The same answer streamed: role, text pieces, finish_reason, usage, ``[DONE]``.

    Without ``terminal`` the stream has the text pieces only: no finish_reason, no usage, no
    ``[DONE]``, as a stream cut short by a proxy looks.
    """
    out = [chunk({"role": "assistant", "content": ""})]
    out += [chunk({"content": piece}) for piece in PIECES]
    if not terminal:
        return out
    out.append(chunk({}, "stop"))
    usage = {"id": "chatcmpl-fault", "object": "chat.completion.chunk", "choices": []}
    out.append(b"data: " + json.dumps({**usage, "usage": USAGE}).encode() + b"\n\n")
    out.append(b"data: [DONE]\n\n")
    return out


def ok_reply(streamed: bool, inference_id: str, **kwargs: Any) -> Reply:
    """The good answer, as JSON or as an SSE stream."""
    headers = {"x-inference-id": inference_id, **kwargs.pop("headers", {})}
    if streamed:
        return Reply(
            body=stream_chunks(), content_type="text/event-stream", headers=headers, **kwargs
        )
    return Reply(body=completion_body(), headers=headers, **kwargs)


# --------------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class Outcome:
    """An answer reduced to what every adapter reports (``None`` where one does not)."""

    text: str
    finish_reason: str | None = None
    total_tokens: int | None = None
    inference_id: str | None = None


def outcome_of_text(text: str) -> Outcome:
    """An outcome with text only (``AIMLAPILLM`` returns a plain string)."""
    return Outcome(text)


def _of_message(message: BaseMessage) -> Outcome:
    meta = message.response_metadata
    usage = getattr(message, "usage_metadata", None)
    return Outcome(
        str(message.content),
        meta.get("finish_reason"),
        usage["total_tokens"] if usage else None,
        meta.get("inference_id"),
    )


def _of_response(response: ChatResponse) -> Outcome:
    kwargs = response.additional_kwargs
    return Outcome(
        response.message.content or "",
        kwargs.get("finish_reason"),
        kwargs.get("total_tokens"),
        kwargs.get("inference_id"),
    )


# --------------------------------------------------------------------------- subjects

HI = [ChatMessage(role="user", content="hi")]


@dataclass(frozen=True)
class Subject:
    """One adapter class and how to drive it."""

    name: str
    build: Callable[..., Any]
    sync_call: Callable[[Any], Outcome]
    sync_stream: Callable[[Any], Outcome]
    async_call: Callable[[Any], Awaitable[Outcome]]
    async_stream: Callable[[Any], Awaitable[Outcome]]
    full_outcome: bool  # reports finish reason, usage and inference id

    async def run(self, llm: Any, mode: str, streamed: bool) -> Outcome:
        """One call: ``mode`` is ``"sync"`` or ``"async"``."""
        if mode == "sync":
            return self.sync_stream(llm) if streamed else self.sync_call(llm)
        return await (self.async_stream(llm) if streamed else self.async_call(llm))

    def expected(self, inference_id: str) -> Outcome:
        """The outcome of the good answer served with ``inference_id``."""
        if not self.full_outcome:
            return Outcome(TEXT)
        return Outcome(TEXT, "stop", USAGE["total_tokens"], inference_id)


def _lc_stream(llm: ChatAIMLAPI) -> Outcome:
    full: AIMessageChunk | None = None
    for piece in llm.stream("hi"):
        full = piece if full is None else full + piece
    assert full is not None
    return _of_message(full)


async def _lc_astream(llm: ChatAIMLAPI) -> Outcome:
    full: AIMessageChunk | None = None
    async for piece in llm.astream("hi"):
        full = piece if full is None else full + piece
    assert full is not None
    return _of_message(full)


async def _lc_ainvoke(llm: ChatAIMLAPI) -> Outcome:
    return _of_message(await llm.ainvoke("hi"))


def _llama_stream(llm: AIMLAPI) -> Outcome:
    last, deltas = None, ""
    for last in llm.stream_chat(HI):
        deltas += last.delta or ""
    assert last is not None
    assert deltas == last.message.content  # the deltas add up to the message
    return _of_response(last)


async def _llama_astream(llm: AIMLAPI) -> Outcome:
    last, deltas = None, ""
    async for last in await llm.astream_chat(HI):
        deltas += last.delta or ""
    assert last is not None
    assert deltas == last.message.content
    return _of_response(last)


async def _llama_achat(llm: AIMLAPI) -> Outcome:
    return _of_response(await llm.achat(HI))


def _llm_stream(llm: AIMLAPILLM) -> Outcome:
    return Outcome("".join(llm.stream("hi")))


async def _llm_astream(llm: AIMLAPILLM) -> Outcome:
    return Outcome("".join([piece async for piece in llm.astream("hi")]))


async def _llm_ainvoke(llm: AIMLAPILLM) -> Outcome:
    return Outcome(await llm.ainvoke("hi"))


def build_chat(base_url: str, **fields: Any) -> ChatAIMLAPI:
    """A ``ChatAIMLAPI`` on ``base_url`` with the test key."""
    return ChatAIMLAPI(**{"model": MODEL, "api_key": KEY, **fields}, base_url=base_url)


def build_llm(base_url: str, **fields: Any) -> AIMLAPILLM:
    """An ``AIMLAPILLM`` on ``base_url`` with the test key."""
    return AIMLAPILLM(**{"model": MODEL, "api_key": KEY, **fields}, base_url=base_url)


def build_llama(base_url: str, **fields: Any) -> AIMLAPI:
    """A LlamaIndex ``AIMLAPI`` on ``base_url`` with the test key."""
    return AIMLAPI(**{"model": MODEL, "api_key": KEY, **fields}, api_base=base_url)


CHAT = Subject(
    "ChatAIMLAPI",
    build_chat,
    lambda llm: _of_message(llm.invoke("hi")),
    _lc_stream,
    _lc_ainvoke,
    _lc_astream,
    full_outcome=True,
)
LLAMA = Subject(
    "AIMLAPI-llama",
    build_llama,
    lambda llm: _of_response(llm.chat(HI)),
    _llama_stream,
    _llama_achat,
    _llama_astream,
    full_outcome=True,
)
LLM = Subject(
    "AIMLAPILLM",
    build_llm,
    lambda llm: Outcome(llm.invoke("hi")),
    _llm_stream,
    _llm_ainvoke,
    _llm_astream,
    full_outcome=False,
)


# --------------------------------------------------------------------------- pools


def http_clients(llm: Any) -> list[httpx.Client | httpx.AsyncClient]:
    """The ``httpx`` clients a model instance has opened so far (sync and per event loop)."""
    cache: ClientCache = llm._clients
    found: list[httpx.Client | httpx.AsyncClient] = []
    if cache._sync is not None:
        found.append(cache._sync.http_client)
    found += [client.http_client for _, client in list(cache._async.values())]
    return found


def busy_connections(http: httpx.Client | httpx.AsyncClient) -> list[str]:
    """Connections of ``http``'s pool still checked out by a request (should be none)."""
    pool = http._transport._pool  # type: ignore[union-attr]
    busy = [f"queued request {r!r}" for r in pool._requests]
    busy += [repr(c) for c in pool.connections if not (c.is_idle() or c.is_closed())]
    return busy


def assert_pools_clean(llm: Any) -> int:
    """Every pool of ``llm`` has all its connections idle or closed; returns how many pools."""
    clients = http_clients(llm)
    for http in clients:
        busy = busy_connections(http)
        assert not busy, f"connections left busy: {busy}"
    return len(clients)


async def close_clients(llm: Any) -> None:
    """Close every pool ``llm`` opened (the running loop's async one and the sync one)."""
    await llm._clients.aclose()
