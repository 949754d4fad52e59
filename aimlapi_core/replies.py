"""Typed results of the two endpoints, and streams that yield deltas and end in a result.

A :class:`ChatReply` (or :class:`ResponsesReply`) is the same object whether the call was
streamed or not: a streamed call's :meth:`ChatStream.result` accumulates the chunks into it.

Example:
    >>> import httpx
    >>> from aimlapi_core import Client, Settings
    >>> body = (b'data: {"choices":[{"index":0,"delta":{"content":"hi"},'
    ...         b'"finish_reason":"stop"}]}\\n\\n')
    >>> http = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200,
    ...     content=body, headers={"content-type": "text/event-stream"})))
    >>> with Client(Settings(api_key="k"), http_client=http) as client:
    ...     with client.stream_chat_completion({"model": "m", "messages": []}) as stream:
    ...         texts = [d.choices[0].content for d in stream]
    ...     reply = stream.result()
    >>> texts, reply.completion.choices[0].message.content
    (['hi'], 'hi')
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from .errors import stream_error_from_event
from .stream import (
    ChatChunkReader,
    ChatStreamAccumulator,
    ResponsesDelta,
    ResponsesEventReader,
    ResponsesStreamAccumulator,
    StreamDelta,
)
from .usage import Cost, Usage, cost_from_headers
from .wire.chat import ChatCompletion
from .wire.responses import Response

if TYPE_CHECKING:
    from .client import AsyncEventStream, EventStream
    from .sse import ServerSentEvent

__all__ = [
    "AsyncChatStream",
    "AsyncResponsesStream",
    "ChatReply",
    "ChatStream",
    "ResponsesReply",
    "ResponsesStream",
    "raise_if_failed",
]


@dataclass(slots=True)
class ChatReply:
    """A chat completion plus what AI/ML API says about it outside the body."""

    completion: ChatCompletion
    inference_id: str | None
    cost: Cost | None
    headers: Mapping[str, str]

    @property
    def usage(self) -> Usage | None:
        """Normalised token usage."""
        return self.completion.normalised_usage


@dataclass(slots=True)
class ResponsesReply:
    """A Responses API result plus inference id and cost."""

    response: Response
    inference_id: str | None
    cost: Cost | None
    headers: Mapping[str, str]

    @property
    def usage(self) -> Usage | None:
        """Normalised token usage."""
        return self.response.normalised_usage


class _Reader(Protocol):
    def read(self, event: ServerSentEvent) -> dict[str, Any] | None: ...
    def close(self) -> None: ...


DeltaT = TypeVar("DeltaT")
DeltaT_co = TypeVar("DeltaT_co", covariant=True)


class _Accumulator(Protocol[DeltaT_co]):
    def add(self, payload: dict[str, Any]) -> DeltaT_co: ...


def _chat_reply(acc: ChatStreamAccumulator, headers: Mapping[str, str]) -> ChatReply:
    completion = acc.result()
    return ChatReply(
        completion,
        headers.get("x-inference-id"),
        completion.cost or cost_from_headers(headers),
        headers,
    )


def _responses_reply(acc: ResponsesStreamAccumulator, headers: Mapping[str, str]) -> ResponsesReply:
    response = acc.result()
    return ResponsesReply(
        response,
        headers.get("x-inference-id"),
        response.cost or cost_from_headers(headers),
        headers,
    )


class _SyncStream(Generic[DeltaT]):
    def __init__(
        self, events: EventStream, reader: _Reader, accumulator: _Accumulator[DeltaT]
    ) -> None:
        self.events = events
        self.headers = events.headers
        self._reader = reader
        self._accumulator = accumulator
        self.completed = False

    @property
    def inference_id(self) -> str | None:
        """AI/ML API's ``x-inference-id``."""
        return self.events.inference_id

    def __iter__(self) -> Iterator[DeltaT]:
        reader, add = self._reader, self._accumulator.add
        try:
            for event in self.events:
                payload = reader.read(event)
                if payload is not None:
                    yield add(payload)
            reader.close()
            self.completed = True
        finally:
            self.events.close()

    def close(self) -> None:
        """Stop early and return the connection to the pool."""
        self.events.close()

    def __enter__(self) -> _SyncStream[DeltaT]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _AsyncStream(Generic[DeltaT]):
    def __init__(
        self, events: AsyncEventStream, reader: _Reader, accumulator: _Accumulator[DeltaT]
    ) -> None:
        self.events = events
        self.headers = events.headers
        self._reader = reader
        self._accumulator = accumulator
        self.completed = False

    @property
    def inference_id(self) -> str | None:
        """AI/ML API's ``x-inference-id``."""
        return self.events.inference_id

    async def __aiter__(self) -> AsyncIterator[DeltaT]:
        reader, add = self._reader, self._accumulator.add
        try:
            async for event in self.events:
                payload = reader.read(event)
                if payload is not None:
                    yield add(payload)
            reader.close()
            self.completed = True
        finally:
            await self.events.aclose()

    async def aclose(self) -> None:
        """Stop early and return the connection to the pool."""
        await self.events.aclose()

    async def __aenter__(self) -> _AsyncStream[DeltaT]:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class ChatStream(_SyncStream[StreamDelta]):
    """A streamed chat completion: iterate for :class:`StreamDelta`, then call :meth:`result`."""

    def __init__(self, events: EventStream) -> None:
        self.accumulator = ChatStreamAccumulator()
        super().__init__(events, ChatChunkReader(events.inference_id), self.accumulator)

    def __enter__(self) -> ChatStream:
        return self

    def result(self) -> ChatReply:
        """Everything the stream carried, as one :class:`ChatReply`."""
        return _chat_reply(self.accumulator, self.headers)


class AsyncChatStream(_AsyncStream[StreamDelta]):
    """The async twin of :class:`ChatStream`."""

    def __init__(self, events: AsyncEventStream) -> None:
        self.accumulator = ChatStreamAccumulator()
        super().__init__(events, ChatChunkReader(events.inference_id), self.accumulator)

    async def __aenter__(self) -> AsyncChatStream:
        return self

    def result(self) -> ChatReply:
        """Everything the stream carried, as one :class:`ChatReply`."""
        return _chat_reply(self.accumulator, self.headers)


class ResponsesStream(_SyncStream[ResponsesDelta]):
    """A streamed Responses call: iterate for :class:`ResponsesDelta`, then :meth:`result`."""

    def __init__(self, events: EventStream) -> None:
        self.accumulator = ResponsesStreamAccumulator()
        super().__init__(events, ResponsesEventReader(events.inference_id), self.accumulator)

    def __enter__(self) -> ResponsesStream:
        return self

    def result(self) -> ResponsesReply:
        """Everything the stream carried, as one :class:`ResponsesReply`."""
        return _responses_reply(self.accumulator, self.headers)


class AsyncResponsesStream(_AsyncStream[ResponsesDelta]):
    """The async twin of :class:`ResponsesStream`."""

    def __init__(self, events: AsyncEventStream) -> None:
        self.accumulator = ResponsesStreamAccumulator()
        super().__init__(events, ResponsesEventReader(events.inference_id), self.accumulator)

    async def __aenter__(self) -> AsyncResponsesStream:
        return self

    def result(self) -> ResponsesReply:
        """Everything the stream carried, as one :class:`ResponsesReply`."""
        return _responses_reply(self.accumulator, self.headers)


def chat_reply_from(data: dict[str, Any], headers: Mapping[str, str]) -> ChatReply:
    """A non-streamed chat completion body and its headers → :class:`ChatReply`."""
    completion = ChatCompletion.model_validate(data)
    return ChatReply(
        completion,
        headers.get("x-inference-id"),
        completion.cost or cost_from_headers(headers),
        headers,
    )


def raise_if_failed(response: Response, inference_id: str | None) -> None:
    """Raise :class:`ResponseFailedError` for a ``failed`` response, with its error and id.

    Example:
        >>> raise_if_failed(Response(status="failed", error={"code": "server_error",
        ...     "message": "The model crashed"}), "inf-1")
        Traceback (most recent call last):
        ...
        aimlapi_core.errors.ResponseFailedError: The response failed: The model crashed
    """
    if response.status != "failed":
        return
    raise stream_error_from_event(
        {"error": response.error or {"message": "the response failed without an error"}},
        inference_id=inference_id,
        failed=True,
    )


def responses_reply_from(data: dict[str, Any], headers: Mapping[str, str]) -> ResponsesReply:
    """A non-streamed Responses body and its headers → :class:`ResponsesReply`.

    A body whose ``status`` is ``failed`` raises :class:`ResponseFailedError`, as the
    ``response.failed`` event of a stream does.
    """
    response = Response.model_validate(data)
    raise_if_failed(response, headers.get("x-inference-id"))
    return ResponsesReply(
        response,
        headers.get("x-inference-id"),
        response.cost or cost_from_headers(headers),
        headers,
    )
