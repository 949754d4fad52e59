"""Sync and async HTTP clients: one pooled ``httpx`` client each, retries, typed errors.

Both clients have the same methods; the async ones are awaited. Each owns its connection pool
unless the caller passed an ``httpx`` client, and closes it on :meth:`Client.close` or at the
end of a ``with`` block.

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
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

from . import __version__
from . import embeddings as _embeddings
from .embeddings import EmbeddingsReply, EmbeddingsResult, embeddings_reply_from
from .errors import (
    AIMLAPIError,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    StreamError,
    error_from_response,
    parse_error_body,
)
from .replies import (
    AsyncChatStream,
    AsyncResponsesStream,
    ChatReply,
    ChatStream,
    ResponsesReply,
    ResponsesStream,
    chat_reply_from,
    responses_reply_from,
)
from .retry import retry_delay, should_retry_status
from .settings import Settings, check_client_request_id_header
from .sse import ServerSentEvent, SSEDecoder
from .usage import Cost, cost_from_headers, cost_from_meta

__all__ = ["APIResponse", "AsyncClient", "AsyncEventStream", "Client", "EventStream"]

logger = logging.getLogger("aimlapi_core")

USER_AGENT = f"aimlapi-integrations/{__version__}"


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
        return _header(self.headers, "x-inference-id")

    @property
    def cost(self) -> Cost | None:
        """Cost from the body's ``meta.usage``, else from the ``x-aimlapi-*`` headers."""
        return cost_from_meta(self.data.get("meta")) or cost_from_headers(self.headers)


def _header(headers: httpx.Headers, name: str) -> str | None:
    value = headers.get(name)
    return str(value) if value is not None else None


def _limits(settings: Settings) -> httpx.Limits:
    """The pool bounds of ``settings`` (100 connections, 20 kept alive, unless changed)."""
    return httpx.Limits(
        max_connections=settings.max_connections,
        max_keepalive_connections=settings.max_keepalive_connections,
    )


def _timeout(seconds: float | None) -> httpx.Timeout:
    if seconds is None:
        return httpx.Timeout(None)
    return httpx.Timeout(seconds, connect=min(seconds, 10.0))


def _encode(body: Mapping[str, Any]) -> bytes:
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    except (TypeError, ValueError) as exc:
        raise TypeError(f"The request body is not JSON-serialisable: {exc}") from exc


def _transport_error(exc: httpx.HTTPError, url: str) -> APIConnectionError:
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"Request to {url} timed out ({type(exc).__name__}). Raise timeout=... or retry later."
        )
    return APIConnectionError(f"Could not reach {url}: {type(exc).__name__}: {exc}")


def _json_body(response: httpx.Response, content: bytes) -> dict[str, Any]:
    inference_id = _header(response.headers, "x-inference-id")
    text = content.decode("utf-8", errors="replace")
    try:
        data = json.loads(content)
    except ValueError as exc:
        # A proxy's HTML page is reduced to its text, a cut body to a clipped excerpt.
        excerpt = parse_error_body(text).get("message") or "an empty body"
        raise AIMLAPIError(
            f"Expected a JSON reply, got {response.headers.get('content-type')!r}: {excerpt}. "
            "The body was cut short or did not come from AI/ML API: check the base URL, "
            "or retry.",
            status_code=response.status_code,
            request_id=inference_id,
            inference_id=inference_id,
            body=text,
        ) from exc
    if not isinstance(data, dict):
        raise AIMLAPIError(
            f"Expected a JSON object, got {type(data).__name__}",
            status_code=response.status_code,
            request_id=inference_id,
            inference_id=inference_id,
            body=text,
        )
    # A job's status reply ({"id", "status": "error", "error": {...}}: video, transcription) is
    # an answer: the job module raises its typed failure with the provider's reason.
    is_job_status = isinstance(data.get("status"), str) and (
        "id" in data or "generation_id" in data
    )
    if data.get("error") and "choices" not in data and "output" not in data and not is_job_status:
        raise _error_in_ok_body(data["error"], text, response.headers)
    return data


def _error_in_ok_body(error: Any, text: str, headers: httpx.Headers) -> APIStatusError:
    """A 200 whose body is only an error envelope (some gateways do that): no answer at all.

    Typed by the status the envelope names (``{"error": {"code": 503}}`` is a server error),
    else a plain :class:`APIStatusError`.
    """
    code = error.get("code", error.get("status_code")) if isinstance(error, Mapping) else None
    status = code if isinstance(code, int) and 400 <= code < 600 else 200
    return error_from_response(status, text, headers)


class _BaseClient:
    """What the two clients share: settings, headers, URLs, the retry decision."""

    def __init__(self, settings: Settings | None) -> None:
        self.settings = settings if settings is not None else Settings()

    def _url(self, path: str) -> str:
        if path.startswith(("https://", "http://")):  # another API version (/v2 for video)
            return path
        return self.settings.url + "/" + path.lstrip("/")

    def _headers(self, extra: Mapping[str, str] | None, *, stream: bool) -> httpx.Headers:
        # httpx.Headers replaces a name whatever its letter case: a caller's "user-agent" or
        # "x-client-request-id" overrides ours instead of going out twice.
        headers = httpx.Headers(
            {
                "Content-Type": "application/json",
                "Accept": "text/event-stream" if stream else "application/json",
                "User-Agent": USER_AGENT,
            }
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

    def _retry_wait(
        self, attempt: int, error: AIMLAPIError, headers: Mapping[str, str] | None
    ) -> float | None:
        """Seconds to wait before retrying, or ``None`` to give up and raise."""
        if attempt >= self.settings.max_retries:
            return None
        if isinstance(error, APIStatusError):
            if error.status_code is None or not should_retry_status(error.status_code, headers):
                return None
        elif not isinstance(error, APIConnectionError):
            return None
        delay = retry_delay(attempt, headers)
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


class EventStream:
    """An open SSE reply: iterate it for :class:`ServerSentEvent` objects.

    The connection goes back to the pool when the iteration ends, when :meth:`close` is called,
    or at the end of a ``with`` block, whichever is first. A connection that breaks mid-stream
    raises :class:`StreamError` (or :class:`APITimeoutError`).
    """

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.headers = response.headers

    @property
    def inference_id(self) -> str | None:
        """AI/ML API's ``x-inference-id``."""
        return _header(self.headers, "x-inference-id")

    def __iter__(self) -> Iterator[ServerSentEvent]:
        decoder = SSEDecoder()
        try:
            if _is_json(self.response):
                raise _json_instead_of_events(self.response.read(), self.inference_id)
            for chunk in self.response.iter_bytes():
                yield from decoder.feed(chunk)
            yield from decoder.flush()
        except httpx.HTTPError as exc:
            raise _stream_broken(exc, self.inference_id) from exc
        finally:
            self.response.close()

    def close(self) -> None:
        """Close the reply and return its connection to the pool."""
        self.response.close()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncEventStream:
    """The async twin of :class:`EventStream`."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.headers = response.headers

    @property
    def inference_id(self) -> str | None:
        """AI/ML API's ``x-inference-id``."""
        return _header(self.headers, "x-inference-id")

    async def __aiter__(self) -> AsyncIterator[ServerSentEvent]:
        decoder = SSEDecoder()
        try:
            if _is_json(self.response):
                raise _json_instead_of_events(await self.response.aread(), self.inference_id)
            chunks = self.response.aiter_bytes()
            async for chunk in chunks:
                for event in decoder.feed(chunk):
                    yield event
            for event in decoder.flush():
                yield event
        except httpx.HTTPError as exc:
            raise _stream_broken(exc, self.inference_id) from exc
        finally:
            await self.response.aclose()

    async def aclose(self) -> None:
        """Close the reply and return its connection to the pool."""
        await self.response.aclose()

    async def __aenter__(self) -> AsyncEventStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _is_json(response: httpx.Response) -> bool:
    # JSON (a gateway's error body) or HTML (a proxy's page): one whole body, never events.
    return str(response.headers.get("content-type", "")).startswith(
        ("application/json", "text/html")
    )


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


def _stream_broken(exc: httpx.HTTPError, inference_id: str | None) -> AIMLAPIError:
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            "The stream stalled past the read timeout; the answer is incomplete.",
            inference_id=inference_id,
            request_id=inference_id,
        )
    return StreamError(
        f"The connection broke mid-stream ({type(exc).__name__}: {exc}); the answer is incomplete.",
        inference_id=inference_id,
        request_id=inference_id,
    )


class Client(_BaseClient):
    """Synchronous client over one pooled :class:`httpx.Client`.

    Example:
        >>> client = Client(Settings(api_key="k", base_url="http://127.0.0.1:9/v1"))
        >>> client.settings.max_retries
        2
        >>> client.close()
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        http_client: httpx.Client | None = None,
        limits: httpx.Limits | None = None,
    ) -> None:
        super().__init__(settings)
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(
            timeout=_timeout(self.settings.timeout), limits=limits or _limits(self.settings)
        )

    @property
    def http_client(self) -> httpx.Client:
        """The underlying ``httpx`` client (shared pool)."""
        return self._http

    def _send(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | bytes | None,
        *,
        headers: Mapping[str, str] | None,
        params: Mapping[str, Any] | None,
        timeout: float | None,
        stream: bool,
    ) -> httpx.Response:
        url = self._url(path)
        # bytes are sent as they are (a multipart upload, its content type in ``headers``)
        content = body if isinstance(body, bytes) else _encode(body) if body is not None else None
        request_headers = self._headers(headers, stream=stream)
        request = self._http.build_request(
            method,
            url,
            content=content,
            headers=request_headers,
            params=params,
            timeout=_timeout(timeout) if timeout is not None else httpx.USE_CLIENT_DEFAULT,
        )
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                response = self._http.send(request, stream=True)
            except httpx.HTTPError as exc:
                error: AIMLAPIError = _transport_error(exc, url)
                wait = self._retry_wait(attempt, error, None)
                if wait is None:
                    raise error from exc
            else:
                logger.debug(
                    "%s %s -> %d in %.1f ms",
                    method,
                    url,
                    response.status_code,
                    (time.perf_counter() - started) * 1000,
                )
                if response.status_code < 300:
                    if not stream:
                        try:
                            response.read()
                        except httpx.HTTPError as exc:
                            response.close()
                            error = _transport_error(exc, url)
                            wait = self._retry_wait(attempt, error, None)
                            if wait is None:
                                raise error from exc
                            time.sleep(wait)
                            attempt += 1
                            continue
                    return response
                try:
                    content_bytes = response.read()
                except httpx.HTTPError:
                    content_bytes = b""
                finally:
                    response.close()
                error = error_from_response(response.status_code, content_bytes, response.headers)
                wait = self._retry_wait(attempt, error, response.headers)
                if wait is None:
                    raise error
            time.sleep(wait)
            attempt += 1

    def post(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> APIResponse:
        """POST ``body`` as JSON to ``path`` (relative to the base URL) and decode the reply."""
        response = self._send(
            "POST", path, body, headers=headers, params=None, timeout=timeout, stream=False
        )
        return APIResponse(
            _json_body(response, response.content), response.headers, response.status_code
        )

    def get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> APIResponse:
        """GET ``path`` and decode the JSON reply."""
        response = self._send(
            "GET", path, None, headers=headers, params=params, timeout=timeout, stream=False
        )
        return APIResponse(
            _json_body(response, response.content), response.headers, response.status_code
        )

    def stream(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> EventStream:
        """POST ``body`` and return the open SSE reply (retried only until it opens)."""
        response = self._send(
            "POST", path, body, headers=headers, params=None, timeout=timeout, stream=True
        )
        return EventStream(response)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | bytes | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """Send one request with the client's auth, retries and typed errors, and return the
        read reply whatever its content type (audio bytes, JSON...).

        ``path`` is relative to the base URL, or an absolute URL (``/v2`` routes); ``body``
        is a JSON object, or bytes sent as they are with the ``Content-Type`` of ``headers``.
        """
        return self._send(
            method, path, body, headers=headers, params=params, timeout=timeout, stream=False
        )

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

    def embed(
        self, texts: list[str], model: str = _embeddings.DEFAULT_EMBEDDING_MODEL, **options: Any
    ) -> EmbeddingsResult:
        """Embed ``texts`` in batches, vectors in input order: see
        :func:`aimlapi_core.embeddings.embed` for ``options``."""
        return _embeddings.embed(self, texts, model, **options)

    def list_models(self, **params: Any) -> dict[str, Any]:
        """``GET /models`` (AI/ML API serves it without a key; ours is sent anyway if set)."""
        return self.get("/models", params=params or None).data

    def close(self) -> None:
        """Close the connection pool (only when this client created it)."""
        if self._owns_http:
            self._http.close()

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

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        http_client: httpx.AsyncClient | None = None,
        limits: httpx.Limits | None = None,
    ) -> None:
        super().__init__(settings)
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(
            timeout=_timeout(self.settings.timeout), limits=limits or _limits(self.settings)
        )

    @property
    def http_client(self) -> httpx.AsyncClient:
        """The underlying ``httpx`` client (shared pool)."""
        return self._http

    async def _send(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | bytes | None,
        *,
        headers: Mapping[str, str] | None,
        params: Mapping[str, Any] | None,
        timeout: float | None,
        stream: bool,
    ) -> httpx.Response:
        url = self._url(path)
        # bytes are sent as they are (a multipart upload, its content type in ``headers``)
        content = body if isinstance(body, bytes) else _encode(body) if body is not None else None
        request = self._http.build_request(
            method,
            url,
            content=content,
            headers=self._headers(headers, stream=stream),
            params=params,
            timeout=_timeout(timeout) if timeout is not None else httpx.USE_CLIENT_DEFAULT,
        )
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                response = await self._http.send(request, stream=True)
            except httpx.HTTPError as exc:
                error: AIMLAPIError = _transport_error(exc, url)
                wait = self._retry_wait(attempt, error, None)
                if wait is None:
                    raise error from exc
            else:
                logger.debug(
                    "%s %s -> %d in %.1f ms",
                    method,
                    url,
                    response.status_code,
                    (time.perf_counter() - started) * 1000,
                )
                if response.status_code < 300:
                    if not stream:
                        try:
                            await response.aread()
                        except httpx.HTTPError as exc:
                            await response.aclose()
                            error = _transport_error(exc, url)
                            wait = self._retry_wait(attempt, error, None)
                            if wait is None:
                                raise error from exc
                            await asyncio.sleep(wait)
                            attempt += 1
                            continue
                    return response
                try:
                    content_bytes = await response.aread()
                except httpx.HTTPError:
                    content_bytes = b""
                finally:
                    await response.aclose()
                error = error_from_response(response.status_code, content_bytes, response.headers)
                wait = self._retry_wait(attempt, error, response.headers)
                if wait is None:
                    raise error
            await asyncio.sleep(wait)
            attempt += 1

    async def post(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> APIResponse:
        """POST ``body`` as JSON to ``path`` and decode the reply."""
        response = await self._send(
            "POST", path, body, headers=headers, params=None, timeout=timeout, stream=False
        )
        return APIResponse(
            _json_body(response, response.content), response.headers, response.status_code
        )

    async def get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> APIResponse:
        """GET ``path`` and decode the JSON reply."""
        response = await self._send(
            "GET", path, None, headers=headers, params=params, timeout=timeout, stream=False
        )
        return APIResponse(
            _json_body(response, response.content), response.headers, response.status_code
        )

    async def stream(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> AsyncEventStream:
        """POST ``body`` and return the open SSE reply (retried only until it opens)."""
        response = await self._send(
            "POST", path, body, headers=headers, params=None, timeout=timeout, stream=True
        )
        return AsyncEventStream(response)

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | bytes | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """Send one request with the client's auth, retries and typed errors, and return the
        read reply whatever its content type (audio bytes, JSON...).

        ``path`` is relative to the base URL, or an absolute URL (``/v2`` routes); ``body``
        is a JSON object, or bytes sent as they are with the ``Content-Type`` of ``headers``.
        """
        return await self._send(
            method, path, body, headers=headers, params=params, timeout=timeout, stream=False
        )

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

    async def embed(
        self, texts: list[str], model: str = _embeddings.DEFAULT_EMBEDDING_MODEL, **options: Any
    ) -> EmbeddingsResult:
        """Embed ``texts`` in concurrent batches, vectors in input order: see
        :func:`aimlapi_core.embeddings.aembed` for ``options``."""
        return await _embeddings.aembed(self, texts, model, **options)

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
