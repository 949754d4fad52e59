"""Event streams: an open SSE reply read to where the protocol ends it, and the typed streams
of the two endpoints on top of it.

Two layers, sync and async alike:

* :class:`EventStream` / :class:`AsyncEventStream` turn the body of an open reply into
  :class:`~aimlapi_core.sse.ServerSentEvent` objects. The stream ends at ``data: [DONE]``
  (trailing whitespace allowed): nothing after it is read as the answer (keep-alives, silence,
  error events, more content), and the connection goes back to the pool. A body labelled
  ``application/json`` or ``text/html`` that is in fact an event stream (some proxies label it
  so) is read as one; a real JSON error body or page raises :class:`StreamError` with its
  message. The call's :class:`~aimlapi_core.deadline.Deadline` is checked between reads: past
  it, or after only keep-alive comments for longer than the read timeout, the stream raises
  :class:`APITimeoutError` saying how much had arrived.
* :class:`ChatStream` / :class:`ResponsesStream` (and their async twins) check each event
  (:mod:`aimlapi_core.stream`'s readers), fold it (its accumulators), yield the per-chunk
  deltas, and at the end give the same :class:`~aimlapi_core.replies.ChatReply` /
  :class:`~aimlapi_core.replies.ResponsesReply` a non-streamed call returns.

Example:
    >>> import httpx
    >>> from aimlapi_core import Client, Settings
    >>> body = (b'data: {"choices":[{"index":0,"delta":{"content":"hi"},'
    ...         b'"finish_reason":"stop"}]}\\n\\ndata: [DONE]\\n\\n: late keep-alive\\n\\n')
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

import itertools
from collections.abc import AsyncIterator, Iterator
from contextlib import suppress
from time import monotonic
from typing import Any, Generic, Protocol, TypeVar

import httpx

from .deadline import Deadline
from .errors import AIMLAPIError, APITimeoutError, EmptyReplyError, StreamError, parse_error_body
from .replies import ChatReply, ResponsesReply, build_reply
from .sse import ServerSentEvent, SSEDecoder
from .stream import (
    ChatChunkReader,
    ChatStreamAccumulator,
    ResponsesDelta,
    ResponsesEventReader,
    ResponsesStreamAccumulator,
    StreamDelta,
)
from .usage import inference_id_from

__all__ = [
    "AsyncChatStream",
    "AsyncEventStream",
    "AsyncResponsesStream",
    "ChatStream",
    "EventStream",
    "ResponsesStream",
]

# After [DONE], the end of the body is read only if it is already there or comes within this
# many seconds, and only this many bytes of it: then the connection can be reused; anything
# slower or longer closes it instead (a server that keeps talking after [DONE] costs nothing).
_DRAIN_WAIT = 0.05
_DRAIN_BYTES = 65536

# What an event stream can start with (after a BOM and blank lines); JSON and pages cannot.
_EVENT_STARTS = (b"data:", b"event:", b"id:", b"retry:", b":")


def _labelled_whole_body(response: httpx.Response) -> bool:
    # JSON (a gateway's error body) or HTML (a proxy's page): one whole body, unless the bytes
    # say otherwise (some proxies label an event stream application/json).
    return str(response.headers.get("content-type", "")).startswith(
        ("application/json", "text/html")
    )


def _opening(head: bytes) -> bytes:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")


def _is_event_stream(head: bytes) -> bool:
    return _opening(head).startswith(_EVENT_STARTS)


def _json_instead_of_events(content: bytes, inference_id: str | None) -> StreamError:
    # Some gateways answer a failed streaming request with a 200 JSON error body.
    parsed = parse_error_body(content)
    message = parsed.get("message") or content[:200].decode("utf-8", errors="replace")
    kind = "a JSON body" if content.lstrip().startswith((b"{", b"[")) else "a page"
    return StreamError(
        f"Expected an event stream, got {kind}: {message}",
        inference_id=inference_id,
        request_id=parsed.get("request_id") or inference_id,
        provider_message=parsed.get("message"),
        code=parsed.get("code"),
        error_type=parsed.get("type"),
        body=content.decode("utf-8", errors="replace"),
    )


def _stream_broken(
    exc: httpx.HTTPError, inference_id: str | None, deadline: Deadline
) -> AIMLAPIError:
    if isinstance(exc, httpx.TimeoutException):
        if deadline.passed():
            return deadline.expired(inference_id)
        return APITimeoutError(
            f"The stream stalled past the read timeout {deadline.progress()}; the answer is "
            "incomplete.",
            inference_id=inference_id,
            request_id=inference_id,
        )
    return StreamError(
        f"The connection broke mid-stream ({type(exc).__name__}: {exc}) {deadline.progress()};"
        " the answer is incomplete.",
        inference_id=inference_id,
        request_id=inference_id,
    )


class _Pace:
    """Per read: count the bytes, notice a deadline passed or a stream that only keeps alive.

    One instance per stream; :meth:`check` runs once per read, so it stays small.
    """

    __slots__ = ("deadline", "end", "inference_id", "last", "stall")

    def __init__(self, deadline: Deadline, inference_id: str | None) -> None:
        self.deadline = deadline
        self.inference_id = inference_id
        self.end = deadline.at
        self.stall = deadline.read_timeout
        self.last = monotonic()  # when the stream last carried more than comments

    def check(self, size: int, events: int, idle: bool) -> None:
        deadline = self.deadline
        deadline.received += size
        now = monotonic()
        if events:
            deadline.events += events
            self.last = now
        elif not idle:
            self.last = now
        elif self.stall is not None and now - self.last > self.stall:
            raise deadline.stalled(self.inference_id, now - self.last)
        if self.end is not None and now > self.end:
            raise deadline.expired(self.inference_id)


class _OpenReply:
    """What both event streams hold: the open reply, its headers and deadline, and the client
    that opened it (whose pool closes when it is collected: the stream keeps it while it is
    read, so a temporary client's stream still reads on)."""

    def __init__(
        self, response: httpx.Response, deadline: Deadline | None = None, owner: object = None
    ) -> None:
        self.response = response
        self.headers = response.headers
        self.deadline = deadline if deadline is not None else Deadline(None, None)
        self.deadline.status = response.status_code
        self._owner = owner  # kept while the stream is read (see above)

    @property
    def inference_id(self) -> str | None:
        """AI/ML API's ``x-inference-id``."""
        return inference_id_from(self.headers)


class EventStream(_OpenReply):
    """An open SSE reply: iterate it for :class:`ServerSentEvent` objects.

    The connection goes back to the pool when the iteration ends (at ``[DONE]`` or the end of
    the body), when :meth:`close` is called, or at the end of a ``with`` block, whichever is
    first. A connection that breaks mid-stream raises :class:`StreamError` (or
    :class:`APITimeoutError`).
    """

    def __iter__(self) -> Iterator[ServerSentEvent]:
        response = self.response
        decoder = SSEDecoder(end_at_done=True)
        pace = _Pace(self.deadline, self.inference_id)
        chunks = response.iter_bytes()
        try:
            if _labelled_whole_body(response):
                chunks = self._sniff(chunks, pace)
            for chunk in chunks:
                events = decoder.feed(chunk)
                pace.check(len(chunk), len(events), decoder.idle)
                if events:
                    yield from events
                    if decoder.done:
                        _drain(chunks, response)
                        return
            yield from decoder.flush()
        except httpx.HTTPError as exc:
            raise _stream_broken(exc, self.inference_id, self.deadline) from exc
        finally:
            response.close()

    def _sniff(self, chunks: Iterator[bytes], pace: _Pace) -> Iterator[bytes]:
        # Read up to the first byte that is not whitespace: events go on as events, anything
        # else is read whole and raised as the error body or page it is.
        head = b""
        for chunk in chunks:
            head += chunk
            pace.check(len(chunk), 0, False)
            if _opening(head):
                break
        if _is_event_stream(head):
            return itertools.chain((head,), chunks)
        rest = []
        for chunk in chunks:
            rest.append(chunk)
            pace.check(len(chunk), 0, False)
        raise _json_instead_of_events(head + b"".join(rest), self.inference_id)

    def close(self) -> None:
        """Close the reply and return its connection to the pool."""
        self.response.close()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncEventStream(_OpenReply):
    """The async twin of :class:`EventStream`."""

    async def __aiter__(self) -> AsyncIterator[ServerSentEvent]:
        response = self.response
        decoder = SSEDecoder(end_at_done=True)
        pace = _Pace(self.deadline, self.inference_id)
        chunks = response.aiter_bytes()
        try:
            if _labelled_whole_body(response):
                chunks = await self._sniff(chunks, pace)
            async for chunk in chunks:
                events = decoder.feed(chunk)
                pace.check(len(chunk), len(events), decoder.idle)
                if events:
                    for event in events:
                        yield event
                    if decoder.done:
                        await _adrain(chunks, response)
                        return
            for event in decoder.flush():
                yield event
        except httpx.HTTPError as exc:
            raise _stream_broken(exc, self.inference_id, self.deadline) from exc
        finally:
            await response.aclose()

    async def _sniff(self, chunks: AsyncIterator[bytes], pace: _Pace) -> AsyncIterator[bytes]:
        head = b""
        async for chunk in chunks:
            head += chunk
            pace.check(len(chunk), 0, False)
            if _opening(head):
                break
        if _is_event_stream(head):
            return _prepend(head, chunks)
        rest = []
        async for chunk in chunks:
            rest.append(chunk)
            pace.check(len(chunk), 0, False)
        raise _json_instead_of_events(head + b"".join(rest), self.inference_id)

    async def aclose(self) -> None:
        """Close the reply and return its connection to the pool."""
        await self.response.aclose()

    async def __aenter__(self) -> AsyncEventStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


async def _prepend(head: bytes, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield head
    async for chunk in chunks:
        yield chunk


def _drain(chunks: Iterator[bytes], response: httpx.Response) -> None:
    """After ``[DONE]``: read the end of the body if it is (nearly) there, never waiting.

    A body read to its end leaves its connection reusable; closing it earlier costs the pool
    that connection (a new TLS handshake for the next call). httpx fixes a body's read timeout
    when the body starts, so each read of the transport's stream is capped here instead.
    """
    network: Any = response.extensions.get("network_stream")
    read = getattr(network, "read", None)
    if read is None:
        return

    def quick_read(max_bytes: int, timeout: float | None = None) -> Any:
        return read(max_bytes, _DRAIN_WAIT if timeout is None else min(timeout, _DRAIN_WAIT))

    left = _DRAIN_BYTES
    try:
        network.read = quick_read
        for chunk in chunks:
            left -= len(chunk)
            if left < 0:
                break
    except httpx.HTTPError:
        pass  # slow, broken or still talking: the connection is closed instead
    finally:
        with suppress(AttributeError):
            del network.read


async def _adrain(chunks: AsyncIterator[bytes], response: httpx.Response) -> None:
    """The async :func:`_drain`."""
    network: Any = response.extensions.get("network_stream")
    read = getattr(network, "read", None)
    if read is None:
        return

    async def quick_read(max_bytes: int, timeout: float | None = None) -> Any:
        wait = _DRAIN_WAIT if timeout is None else min(timeout, _DRAIN_WAIT)
        return await read(max_bytes, wait)

    left = _DRAIN_BYTES
    try:
        network.read = quick_read
        async for chunk in chunks:
            left -= len(chunk)
            if left < 0:
                break
    except httpx.HTTPError:
        pass
    finally:
        with suppress(AttributeError):
            del network.read


# --------------------------------------------------------------------------- typed streams


class _Reader(Protocol):
    def read(self, event: ServerSentEvent) -> dict[str, Any] | None: ...
    def close(self) -> None: ...


DeltaT = TypeVar("DeltaT")
DeltaT_co = TypeVar("DeltaT_co", covariant=True)


class _Accumulator(Protocol[DeltaT_co]):
    def add(self, payload: dict[str, Any]) -> DeltaT_co: ...


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
            self._check_answer()
            self.completed = True
        finally:
            self.events.close()

    def _check_answer(self) -> None:
        """At the end of a complete stream: raise if it carried no answer at all."""

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
            self._check_answer()
            self.completed = True
        finally:
            await self.events.aclose()

    def _check_answer(self) -> None:
        """At the end of a complete stream: raise if it carried no answer at all."""

    async def aclose(self) -> None:
        """Stop early and return the connection to the pool."""
        await self.events.aclose()

    async def __aenter__(self) -> _AsyncStream[DeltaT]:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _check_chat_answer(
    reader: ChatChunkReader, accumulator: ChatStreamAccumulator, inference_id: str | None
) -> None:
    # A finish_reason came inside a choice: there was one. Otherwise (a stream of [DONE] or of
    # usage only) look at the fold, once, at the end.
    if getattr(reader, "finished", False) or accumulator.result().choices:
        return
    raise EmptyReplyError(
        f"The stream ended after {reader.chunks} chunk(s) without any choice: there is no "
        "answer to return. Retry, or check the model id and the request."
        + (f" (request id {inference_id})" if inference_id else ""),
        status_code=200,
        request_id=inference_id,
        inference_id=inference_id,
    )


class ChatStream(_SyncStream[StreamDelta]):
    """A streamed chat completion: iterate for :class:`StreamDelta`, then call :meth:`result`."""

    def __init__(self, events: EventStream) -> None:
        self.accumulator = ChatStreamAccumulator()
        self._chunks = ChatChunkReader(events.inference_id)
        super().__init__(events, self._chunks, self.accumulator)

    def __enter__(self) -> ChatStream:
        return self

    def _check_answer(self) -> None:
        _check_chat_answer(self._chunks, self.accumulator, self.inference_id)

    def result(self) -> ChatReply:
        """Everything the stream carried, as one :class:`ChatReply`."""
        return build_reply(ChatReply, self.accumulator.result(), self.headers)


class AsyncChatStream(_AsyncStream[StreamDelta]):
    """The async twin of :class:`ChatStream`."""

    def __init__(self, events: AsyncEventStream) -> None:
        self.accumulator = ChatStreamAccumulator()
        self._chunks = ChatChunkReader(events.inference_id)
        super().__init__(events, self._chunks, self.accumulator)

    async def __aenter__(self) -> AsyncChatStream:
        return self

    def _check_answer(self) -> None:
        _check_chat_answer(self._chunks, self.accumulator, self.inference_id)

    def result(self) -> ChatReply:
        """Everything the stream carried, as one :class:`ChatReply`."""
        return build_reply(ChatReply, self.accumulator.result(), self.headers)


class ResponsesStream(_SyncStream[ResponsesDelta]):
    """A streamed Responses call: iterate for :class:`ResponsesDelta`, then :meth:`result`."""

    def __init__(self, events: EventStream) -> None:
        self.accumulator = ResponsesStreamAccumulator()
        super().__init__(events, ResponsesEventReader(events.inference_id), self.accumulator)

    def __enter__(self) -> ResponsesStream:
        return self

    def result(self) -> ResponsesReply:
        """Everything the stream carried, as one :class:`ResponsesReply`."""
        return build_reply(ResponsesReply, self.accumulator.result(), self.headers)


class AsyncResponsesStream(_AsyncStream[ResponsesDelta]):
    """The async twin of :class:`ResponsesStream`."""

    def __init__(self, events: AsyncEventStream) -> None:
        self.accumulator = ResponsesStreamAccumulator()
        super().__init__(events, ResponsesEventReader(events.inference_id), self.accumulator)

    async def __aenter__(self) -> AsyncResponsesStream:
        return self

    def result(self) -> ResponsesReply:
        """Everything the stream carried, as one :class:`ResponsesReply`."""
        return build_reply(ResponsesReply, self.accumulator.result(), self.headers)
