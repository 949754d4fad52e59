"""Sync and async HTTP clients: one pooled ``httpx`` client each, retries, typed errors.

Both clients have the same methods; the async ones are awaited. Each owns its connection pool
unless the caller passed an ``httpx`` client, and closes it on :meth:`Client.close` or at the
end of a ``with`` block.

Cut as httpx and openai-python cut theirs: ``_send_once`` sends a request and returns the open
2xx reply (its headers read, its body not) or raises the typed error (a status error with its
body, or a connection error); ``_send`` is the one retry loop around it; the 2xx body is then
read once, never retried: as JSON (:meth:`Client.request`, :meth:`~Client.post`,
:meth:`~Client.get`), as bytes (:meth:`Client.request_bytes`) or as events
(:meth:`Client.stream`, :mod:`aimlapi_core.streaming`). Reply types are built in
:mod:`aimlapi_core.replies`. Endpoint helpers stop at one request: batching many texts into
embeddings requests is :func:`aimlapi_core.embeddings.embed`, which calls
:meth:`Client.create_embeddings` (the client never imports it).

When a retry can send the same request twice: a retry re-sends the request after a 408, 409,
429 or 5xx status (the server says it did not do the work, though a gateway's 5xx may come
after the model ran) and after a connection failure before any reply: refused or timed out
while connecting (the request never left: no duplicate), or reset or timed out while waiting
for the reply's headers (the request had gone out, so the server may have done, and charged,
the work: this is the case that can duplicate a request). A reply whose 2xx status had arrived
is never retried: a body or stream that then breaks raises, as the work was done.

Every call has a total deadline (``Settings.total_timeout``, 600 s by default; ``None``: none)
over connect, headers, the whole body or stream, and the waits between retries.

Example:
    >>> import httpx
    >>> def reply(request):
    ...     return httpx.Response(200, json={"choices": []}, headers={"x-inference-id": "inf-1"})
    >>> with Client(Settings(api_key="k"), http_client=httpx.Client(
    ...         transport=httpx.MockTransport(reply))) as client:
    ...     r = client.post("/chat/completions", {"model": "m", "messages": []})
    >>> r.data, r.inference_id
    ({'choices': []}, 'inf-1')
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, NamedTuple

import httpx

from . import __version__
from .deadline import Deadline
from .errors import (
    AIMLAPIError,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    error_from_response,
    parse_error_body,
)
from .redaction import scrub_header_values
from .replies import (
    ChatReply,
    EmbeddingsReply,
    ResponsesReply,
    chat_reply_from,
    embeddings_reply_from,
    responses_reply_from,
)
from .retry import retry_delay, should_retry_status
from .settings import Settings, check_client_request_id_header
from .streaming import (
    AsyncChatStream,
    AsyncEventStream,
    AsyncResponsesStream,
    ChatStream,
    EventStream,
    ResponsesStream,
)
from .usage import Cost, cost_from_headers, cost_from_meta, inference_id_from
from .validation import encode_json_body

__all__ = [
    "APIResponse",
    "AsyncClient",
    "AsyncEventStream",
    "BytesResponse",
    "Client",
    "EventStream",
]

logger = logging.getLogger("aimlapi_core")

USER_AGENT = f"aimlapi-integrations/{__version__}"


class _Call(NamedTuple):
    """One call: the request every attempt sends, its deadline, its configured timeouts."""

    request: httpx.Request
    deadline: Deadline
    timeouts: dict[str, float | None]


@dataclass(slots=True)
class APIResponse:
    """A decoded JSON reply with its headers.

    Example:
        >>> APIResponse({"meta": {"usage": {"usd_spent": 0.1}}}, httpx.Headers(), 200).cost
        Cost(credits_used=None, usd_spent=0.1)
    """

    data: dict[str, Any]
    headers: httpx.Headers
    status_code: int

    @property
    def inference_id(self) -> str | None:
        """AI/ML API's ``x-inference-id``: the id the charge is recorded under."""
        return inference_id_from(self.headers)

    @property
    def cost(self) -> Cost | None:
        """Cost from the body's ``meta.usage``, else from the ``x-aimlapi-*`` headers."""
        return cost_from_meta(self.data.get("meta")) or cost_from_headers(self.headers)


@dataclass(slots=True)
class BytesResponse:
    """A reply whose body is kept as bytes (audio, images), with its headers.

    Example:
        >>> BytesResponse(b"RIFF", httpx.Headers({"x-inference-id": "i"}), 200).inference_id
        'i'
    """

    content: bytes
    headers: httpx.Headers
    status_code: int

    @property
    def inference_id(self) -> str | None:
        """AI/ML API's ``x-inference-id``."""
        return inference_id_from(self.headers)

    @property
    def cost(self) -> Cost | None:
        """Cost from the ``x-aimlapi-*`` headers."""
        return cost_from_headers(self.headers)

    def json(self) -> APIResponse:
        """The body decoded as a JSON reply (an endpoint that answers JSON or bytes), with
        the typed errors :meth:`Client.request` raises.

        Example:
            >>> BytesResponse(b'{"url": "u"}', httpx.Headers(), 200).json().data
            {'url': 'u'}
        """
        return APIResponse(
            _json_body(self.status_code, self.headers, self.content), self.headers, self.status_code
        )


def _limits(settings: Settings) -> httpx.Limits:
    """The pool bounds of ``settings`` (100 connections, 20 kept alive, unless changed)."""
    return httpx.Limits(
        max_connections=settings.max_connections,
        max_keepalive_connections=settings.max_keepalive_connections,
    )


def _pool_options(settings: Settings, limits: httpx.Limits | None) -> dict[str, Any]:
    """What a pool this client makes is built with: timeouts, limits, proxy, query."""
    options: dict[str, Any] = {
        "timeout": _timeout(settings.timeout),
        "limits": limits or _limits(settings),
    }
    if settings.proxy:
        options["proxy"] = settings.proxy
    if settings.default_query:
        options["params"] = dict(settings.default_query)
    return options


def _timeout(seconds: float | None) -> httpx.Timeout:
    if seconds is None:
        return httpx.Timeout(None)
    return httpx.Timeout(seconds, connect=min(seconds, 10.0))


def _encode(body: Mapping[str, Any]) -> bytes:
    # NaN, infinity and too-deep nesting: a typed error naming the parameter, before sending.
    return encode_json_body(body)


def _transport_error(exc: httpx.HTTPError, url: str) -> APIConnectionError:
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"Request to {url} timed out ({type(exc).__name__}). Raise timeout=... or retry later."
        )
    scrub_header_values(exc)  # h11 quotes a header it refused: never in our message
    return APIConnectionError(f"Could not reach {url}: {type(exc).__name__}: {exc}")


def _send_failed(exc: httpx.HTTPError, url: str, deadline: Deadline) -> APIConnectionError:
    # Past the total deadline, say so (the per-attempt timeouts were cut to fit it).
    if isinstance(exc, httpx.TimeoutException) and deadline.passed():
        return deadline.expired()
    return _transport_error(exc, url)


def _body_broken(
    exc: httpx.HTTPError, deadline: Deadline, inference_id: str | None
) -> AIMLAPIError:
    """A 2xx body that broke while arriving: never retried (the server did the work)."""
    if isinstance(exc, httpx.TimeoutException):
        if deadline.passed():
            return deadline.expired(inference_id)
        return APITimeoutError(
            f"The reply stalled past the read timeout {deadline.progress()}; the answer is "
            "incomplete. Not retried: the server had started answering, so it may have done "
            "(and charged) the work. Raise timeout=..., or retry later.",
            inference_id=inference_id,
            request_id=inference_id,
        )
    return APIConnectionError(
        f"The connection broke while the reply was arriving ({type(exc).__name__}: {exc}) "
        f"{deadline.progress()}; the answer is incomplete. Not retried: the server had started "
        "answering, so it may have done (and charged) the work.",
        inference_id=inference_id,
        request_id=inference_id,
    )


def _read_chunks(chunks: Iterator[bytes], deadline: Deadline, inference_id: str | None) -> bytes:
    parts = []
    for chunk in chunks:
        parts.append(chunk)
        deadline.received += len(chunk)
        if deadline.passed():
            raise deadline.expired(inference_id)
    return b"".join(parts)


async def _aread_chunks(
    chunks: AsyncIterator[bytes], deadline: Deadline, inference_id: str | None
) -> bytes:
    parts = []
    async for chunk in chunks:
        parts.append(chunk)
        deadline.received += len(chunk)
        if deadline.passed():
            raise deadline.expired(inference_id)
    return b"".join(parts)


def _json_body(status_code: int, headers: httpx.Headers, content: bytes) -> dict[str, Any]:
    inference_id = inference_id_from(headers)
    text = content.decode("utf-8", errors="replace")
    try:
        data = json.loads(content)
    except ValueError as exc:
        # A proxy's HTML page is reduced to its text, a cut body to a clipped excerpt.
        excerpt = parse_error_body(text).get("message") or "an empty body"
        raise AIMLAPIError(
            f"Expected a JSON reply, got {headers.get('content-type')!r}: {excerpt}. "
            "The body was cut short or did not come from AI/ML API: check the base URL, "
            "or retry.",
            status_code=status_code,
            request_id=inference_id,
            inference_id=inference_id,
            body=text,
        ) from exc
    if not isinstance(data, dict):
        raise AIMLAPIError(
            f"Expected a JSON object, got {type(data).__name__}",
            status_code=status_code,
            request_id=inference_id,
            inference_id=inference_id,
            body=text,
        )
    # An error envelope with no answer beside it (a missing, null or empty ``choices``); a
    # Responses object ("output") carries its own failure, raised from its status, and so
    # does a media job's status reply ({"id", "status": "error", "error": {...}}).
    is_job_status = isinstance(data.get("status"), str) and (
        "id" in data or "generation_id" in data
    )
    if (
        data.get("error")
        and not data.get("choices")
        and "output" not in data
        and not data.get("data")
        and not is_job_status
    ):
        raise _error_in_ok_body(data["error"], text, headers)
    return data


def _error_in_ok_body(error: Any, text: str, headers: httpx.Headers) -> APIStatusError:
    """A 200 whose body is an error envelope with no answer beside it (some gateways do that,
    sometimes with an empty ``choices``): no answer at all.

    Typed by the status the envelope names (``{"error": {"code": 429}}`` is a rate limit,
    ``503`` a server error), else a plain :class:`APIStatusError`.
    """
    code = error.get("code", error.get("status_code")) if isinstance(error, Mapping) else None
    if isinstance(code, str) and code.isdigit():
        code = int(code)
    status = code if isinstance(code, int) and 400 <= code < 600 else 200
    return error_from_response(status, text, headers)


class _BaseClient:
    """What the two clients share: settings, headers, URLs, deadlines, the retry decision."""

    _http: httpx.Client | httpx.AsyncClient

    def __init__(self, settings: Settings | None) -> None:
        self.settings = settings if settings is not None else Settings()

    def _url(self, path: str) -> str:
        if path.startswith(("https://", "http://")):  # another API version (/v2 for video)
            return path
        return self.settings.url + "/" + path.lstrip("/")

    def _headers(self, extra: Mapping[str, str] | None, *, accept: str) -> httpx.Headers:
        # httpx.Headers replaces a name whatever its letter case: a caller's "user-agent" or
        # "x-client-request-id" overrides ours instead of going out twice.
        headers = httpx.Headers(
            {"Content-Type": "application/json", "Accept": accept, "User-Agent": USER_AGENT}
        )
        for name, value in self.settings.default_headers.items():
            headers[name] = value
        if self.settings.client_request_id:
            headers["X-Client-Request-Id"] = self.settings.client_request_id
        if extra:
            check_client_request_id_header(extra)
            for name, value in extra.items():
                headers[name] = value
        headers["Authorization"] = "Bearer " + self.settings.require_api_key()
        return headers

    def _prepare(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | bytes | None,
        *,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        timeout: float | None,
        accept: str,
    ) -> _Call:
        """The request (sent as is by every attempt) and the call's deadline, started now."""
        per_call = _timeout(timeout) if timeout is not None else None
        request = self._http.build_request(
            method,
            self._url(path),
            # bytes go as they are (a multipart upload, its content type in ``headers``)
            content=body if isinstance(body, bytes) or body is None else _encode(body),
            headers=self._headers(headers, accept=accept),
            params=params,
            timeout=per_call if per_call is not None else httpx.USE_CLIENT_DEFAULT,
        )
        timeouts = dict(request.extensions.get("timeout") or {})
        deadline = Deadline(self.settings.total_timeout, timeouts.get("read"))
        return _Call(request, deadline, timeouts)

    @staticmethod
    def _attempt(call: _Call) -> httpx.Request:
        """The request with its httpx timeouts cut to what is left of the deadline."""
        request, deadline = call.request, call.deadline
        if deadline.at is not None:
            request.extensions["timeout"] = {
                phase: deadline.cap(seconds) for phase, seconds in call.timeouts.items()
            }
        return request

    def _retry_wait(self, attempt: int, error: AIMLAPIError, deadline: Deadline) -> float | None:
        """Seconds to wait before retrying, or ``None`` to give up and raise.

        Retried: connection failures before any reply, and 408, 409, 429 and 5xx (unless the
        server's ``x-should-retry`` says otherwise); never past the call's deadline.
        """
        if attempt >= self.settings.max_retries:
            return None
        headers = error.headers
        if isinstance(error, APIStatusError):
            if error.status_code is None or not should_retry_status(error.status_code, headers):
                return None
        elif not isinstance(error, APIConnectionError):
            return None
        delay = retry_delay(attempt, headers)
        if not deadline.allows_wait(delay):
            return None
        logger.info(
            "Retrying after %s (attempt %d of %d) in %.2f s",
            type(error).__name__,
            attempt + 1,
            self.settings.max_retries,
            delay,
        )
        return delay

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.settings!r})"


class Client(_BaseClient):
    """Synchronous client over one pooled :class:`httpx.Client`.

    Example:
        >>> client = Client(Settings(api_key="k", base_url="http://127.0.0.1:9/v1"))
        >>> client.settings.max_retries
        2
        >>> client.close()
    """

    _http: httpx.Client

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        http_client: httpx.Client | None = None,
        limits: httpx.Limits | None = None,
    ) -> None:
        super().__init__(settings)
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(**_pool_options(self.settings, limits))
        # A pool this client made is closed when the client is no longer reachable (a model
        # collected, its settings changed), not left for the garbage collector to find open.
        self._finalizer = weakref.finalize(self, self._http.close) if self._owns_http else None

    @property
    def http_client(self) -> httpx.Client:
        """The underlying ``httpx`` client (shared pool)."""
        return self._http

    # -- transport: send once, one retry loop, read the body once --------------------------

    def _send_once(self, call: _Call) -> httpx.Response:
        """One attempt: the open 2xx reply (headers read, body not), or the typed error."""
        request, deadline = self._attempt(call), call.deadline
        started = time.perf_counter()
        try:
            response = self._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise _send_failed(exc, str(request.url.copy_with(query=None)), deadline) from exc
        logger.debug(
            "%s %s -> %d in %.1f ms",
            request.method,
            request.url,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        if response.status_code < 300:
            return response
        try:
            content = _read_chunks(response.iter_bytes(), deadline, None)
        except (httpx.HTTPError, AIMLAPIError):
            content = b""
        finally:
            response.close()
        raise error_from_response(response.status_code, content, response.headers)

    def _send(self, call: _Call) -> httpx.Response:
        """The retry loop: :meth:`_send_once` until a 2xx reply opens or retries run out."""
        attempt = 0
        while True:
            try:
                return self._send_once(call)
            except AIMLAPIError as error:
                wait = self._retry_wait(attempt, error, call.deadline)
                if wait is None:
                    raise
            time.sleep(wait)
            attempt += 1

    def _read(self, response: httpx.Response, deadline: Deadline) -> bytes:
        """The whole 2xx body (never retried: the server has done the work)."""
        deadline.status = response.status_code
        inference_id = inference_id_from(response.headers)
        try:
            return _read_chunks(response.iter_bytes(), deadline, inference_id)
        except httpx.HTTPError as exc:
            raise _body_broken(exc, deadline, inference_id) from exc
        finally:
            response.close()

    # -- generic calls ------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | bytes | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> APIResponse:
        """Send ``body`` (JSON, if any) with ``method`` to ``path`` (relative to the base URL)
        and decode the JSON reply; any endpoint, any method."""
        reply = self.request_bytes(
            method,
            path,
            body,
            params=params,
            headers=headers,
            timeout=timeout,
            accept="application/json",
        )
        return reply.json()

    def request_bytes(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | bytes | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        accept: str = "*/*",
    ) -> BytesResponse:
        """As :meth:`request`, keeping the reply's body as bytes (audio, images, files)."""
        call = self._prepare(
            method, path, body, params=params, headers=headers, timeout=timeout, accept=accept
        )
        response = self._send(call)
        content = self._read(response, call.deadline)
        return BytesResponse(content, response.headers, response.status_code)

    def post(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> APIResponse:
        """POST ``body`` as JSON to ``path`` (relative to the base URL) and decode the reply."""
        return self.request("POST", path, body, headers=headers, timeout=timeout)

    def get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> APIResponse:
        """GET ``path`` and decode the JSON reply."""
        return self.request("GET", path, params=params, headers=headers, timeout=timeout)

    def stream(
        self,
        path: str,
        body: Mapping[str, Any] | None,
        *,
        method: str = "POST",
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> EventStream:
        """Send ``body`` and return the open SSE reply (retried only until it opens)."""
        call = self._prepare(
            method,
            path,
            body,
            params=params,
            headers=headers,
            timeout=timeout,
            accept="text/event-stream",
        )
        return EventStream(self._send(call), call.deadline, owner=self)

    # -- endpoints ----------------------------------------------------------------------------

    def chat_completion(self, body: Mapping[str, Any], **kwargs: Any) -> ChatReply:
        """``POST /chat/completions`` (not streamed) → :class:`ChatReply`."""
        reply = self.post("/chat/completions", {**body, "stream": False}, **kwargs)
        return chat_reply_from(reply.data, reply.headers)

    def stream_chat_completion(self, body: Mapping[str, Any], **kwargs: Any) -> ChatStream:
        """``POST /chat/completions`` with ``stream: true`` → :class:`ChatStream`."""
        return ChatStream(self.stream("/chat/completions", {**body, "stream": True}, **kwargs))

    def create_response(self, body: Mapping[str, Any], **kwargs: Any) -> ResponsesReply:
        """``POST /responses`` (not streamed) → :class:`ResponsesReply`."""
        reply = self.post("/responses", {**body, "stream": False}, **kwargs)
        return responses_reply_from(reply.data, reply.headers)

    def stream_response(self, body: Mapping[str, Any], **kwargs: Any) -> ResponsesStream:
        """``POST /responses`` with ``stream: true`` → :class:`ResponsesStream`."""
        return ResponsesStream(self.stream("/responses", {**body, "stream": True}, **kwargs))

    def create_embeddings(self, body: Mapping[str, Any], **kwargs: Any) -> EmbeddingsReply:
        """``POST /embeddings``, one request as ``body`` says → :class:`EmbeddingsReply`."""
        reply = self.post("/embeddings", body, **kwargs)
        return embeddings_reply_from(reply.data, reply.headers)

    def list_models(self, **params: Any) -> dict[str, Any]:
        """``GET /models`` (AI/ML API serves it without a key; ours is sent anyway if set)."""
        return self.get("/models", params=params or None).data

    def close(self) -> None:
        """Close the connection pool (only when this client created it)."""
        if self._finalizer is not None:
            self._finalizer()  # closes the pool once, and never again when collected

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient(_BaseClient):
    """Asynchronous client over one pooled :class:`httpx.AsyncClient`.

    Example:
        >>> import asyncio
        >>> async def main():
        ...     async with AsyncClient(Settings(api_key="k")) as client:
        ...         return client.settings.url
        >>> asyncio.run(main())
        'https://api.aimlapi.com/v1'
    """

    _http: httpx.AsyncClient

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        http_client: httpx.AsyncClient | None = None,
        limits: httpx.Limits | None = None,
    ) -> None:
        super().__init__(settings)
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(**_pool_options(self.settings, limits))

    @property
    def http_client(self) -> httpx.AsyncClient:
        """The underlying ``httpx`` client (shared pool)."""
        return self._http

    # -- transport: send once, one retry loop, read the body once --------------------------

    async def _send_once(self, call: _Call) -> httpx.Response:
        """One attempt: the open 2xx reply (headers read, body not), or the typed error."""
        request, deadline = self._attempt(call), call.deadline
        started = time.perf_counter()
        try:
            response = await self._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise _send_failed(exc, str(request.url.copy_with(query=None)), deadline) from exc
        logger.debug(
            "%s %s -> %d in %.1f ms",
            request.method,
            request.url,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        if response.status_code < 300:
            return response
        try:
            content = await _aread_chunks(response.aiter_bytes(), deadline, None)
        except (httpx.HTTPError, AIMLAPIError):
            content = b""
        finally:
            await response.aclose()
        raise error_from_response(response.status_code, content, response.headers)

    async def _send(self, call: _Call) -> httpx.Response:
        """The retry loop: :meth:`_send_once` until a 2xx reply opens or retries run out."""
        attempt = 0
        while True:
            try:
                return await self._send_once(call)
            except AIMLAPIError as error:
                wait = self._retry_wait(attempt, error, call.deadline)
                if wait is None:
                    raise
            await asyncio.sleep(wait)
            attempt += 1

    async def _read(self, response: httpx.Response, deadline: Deadline) -> bytes:
        """The whole 2xx body (never retried: the server has done the work)."""
        deadline.status = response.status_code
        inference_id = inference_id_from(response.headers)
        try:
            return await _aread_chunks(response.aiter_bytes(), deadline, inference_id)
        except httpx.HTTPError as exc:
            raise _body_broken(exc, deadline, inference_id) from exc
        finally:
            await response.aclose()

    # -- generic calls ------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | bytes | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> APIResponse:
        """Send ``body`` (JSON, if any) with ``method`` to ``path`` and decode the JSON reply."""
        reply = await self.request_bytes(
            method,
            path,
            body,
            params=params,
            headers=headers,
            timeout=timeout,
            accept="application/json",
        )
        return reply.json()

    async def request_bytes(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | bytes | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        accept: str = "*/*",
    ) -> BytesResponse:
        """As :meth:`request`, keeping the reply's body as bytes (audio, images, files)."""
        call = self._prepare(
            method, path, body, params=params, headers=headers, timeout=timeout, accept=accept
        )
        response = await self._send(call)
        content = await self._read(response, call.deadline)
        return BytesResponse(content, response.headers, response.status_code)

    async def post(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> APIResponse:
        """POST ``body`` as JSON to ``path`` and decode the reply."""
        return await self.request("POST", path, body, headers=headers, timeout=timeout)

    async def get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> APIResponse:
        """GET ``path`` and decode the JSON reply."""
        return await self.request("GET", path, params=params, headers=headers, timeout=timeout)

    async def stream(
        self,
        path: str,
        body: Mapping[str, Any] | None,
        *,
        method: str = "POST",
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> AsyncEventStream:
        """Send ``body`` and return the open SSE reply (retried only until it opens)."""
        call = self._prepare(
            method,
            path,
            body,
            params=params,
            headers=headers,
            timeout=timeout,
            accept="text/event-stream",
        )
        return AsyncEventStream(await self._send(call), call.deadline, owner=self)

    # -- endpoints ----------------------------------------------------------------------------

    async def chat_completion(self, body: Mapping[str, Any], **kwargs: Any) -> ChatReply:
        """``POST /chat/completions`` (not streamed) → :class:`ChatReply`."""
        reply = await self.post("/chat/completions", {**body, "stream": False}, **kwargs)
        return chat_reply_from(reply.data, reply.headers)

    async def stream_chat_completion(
        self, body: Mapping[str, Any], **kwargs: Any
    ) -> AsyncChatStream:
        """``POST /chat/completions`` with ``stream: true`` → :class:`AsyncChatStream`."""
        return AsyncChatStream(
            await self.stream("/chat/completions", {**body, "stream": True}, **kwargs)
        )

    async def create_response(self, body: Mapping[str, Any], **kwargs: Any) -> ResponsesReply:
        """``POST /responses`` (not streamed) → :class:`ResponsesReply`."""
        reply = await self.post("/responses", {**body, "stream": False}, **kwargs)
        return responses_reply_from(reply.data, reply.headers)

    async def stream_response(self, body: Mapping[str, Any], **kwargs: Any) -> AsyncResponsesStream:
        """``POST /responses`` with ``stream: true`` → :class:`AsyncResponsesStream`."""
        return AsyncResponsesStream(
            await self.stream("/responses", {**body, "stream": True}, **kwargs)
        )

    async def create_embeddings(self, body: Mapping[str, Any], **kwargs: Any) -> EmbeddingsReply:
        """``POST /embeddings``, one request as ``body`` says → :class:`EmbeddingsReply`."""
        reply = await self.post("/embeddings", body, **kwargs)
        return embeddings_reply_from(reply.data, reply.headers)

    async def list_models(self, **params: Any) -> dict[str, Any]:
        """``GET /models``."""
        return (await self.get("/models", params=params or None)).data

    async def aclose(self) -> None:
        """Close the connection pool (only when this client created it)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
