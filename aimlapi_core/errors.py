"""Typed errors: one class per failure a caller can act on.

Every error raised by ``aimlapi_core`` is an :class:`AIMLAPIError`. Status errors keep the HTTP
status, the provider's own message, the request id (AI/ML API's ``requestId`` or the
``x-inference-id`` header) and the raw body, so nothing the server said is lost. Messages end
with a hint that says what to fix. No error ever holds request headers, so the API key cannot
leak through ``str(error)``.

Example:
    >>> err = error_from_response(429, b'{"message": "slow down", "statusCode": 429}',
    ...                           {"retry-after": "7"})
    >>> type(err).__name__, err.status_code, err.provider_message, err.retry_after
    ('RateLimitError', 429, 'slow down', 7.0)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .usage import inference_id_from

__all__ = [
    "AIMLAPIError",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "EmptyReplyError",
    "InvalidAPIKeyError",
    "InvalidHeaderError",
    "InvalidParameterError",
    "MissingAPIKeyError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseFailedError",
    "ServerError",
    "StreamError",
    "UnprocessableEntityError",
    "error_from_response",
    "parse_error_body",
]


class AIMLAPIError(Exception):
    """Base of every error this package raises.

    Example:
        >>> try:
        ...     raise AIMLAPIError("boom")
        ... except AIMLAPIError as err:
        ...     str(err)
        'boom'
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        request_id: str | None = None,
        inference_id: str | None = None,
        provider_message: str | None = None,
        code: str | int | None = None,
        error_type: str | None = None,
        body: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.request_id = request_id
        self.inference_id = inference_id
        self.provider_message = provider_message
        self.code = code
        self.error_type = error_type
        self.body = body
        # The reply's headers (never the request's): what Retry-After and x-should-retry say.
        self.headers = headers


class MissingAPIKeyError(AIMLAPIError, ValueError):
    """No API key was given and none is set in the environment."""


class InvalidHeaderError(AIMLAPIError):
    """A header value (the API key's, or one of ``default_headers``) holds a character an HTTP
    header cannot carry: a control character such as a line break or NUL, or a non-ASCII one.
    Raised when the value is given or read, before any request; the message names the header
    and the position, never the value.

    Not a ``ValueError`` on purpose: pydantic would wrap one in a ``ValidationError`` that
    prints its input, and here the input may be a secret.

    Example:
        >>> from aimlapi_core.settings import check_header_values
        >>> try:
        ...     check_header_values({"X-Team-Token": "tok\\n3"})
        ... except InvalidHeaderError as err:
        ...     "tok" in str(err), str(err)[:63]
        (False, "The value of header 'X-Team-Token' holds a control character U+")
    """


class InvalidAPIKeyError(InvalidHeaderError):
    """The API key holds a character that cannot go in the ``Authorization`` header; see
    :class:`InvalidHeaderError`. Surrounding whitespace is not an error: it is stripped.

    Example:
        >>> from aimlapi_core.settings import clean_api_key
        >>> try:
        ...     clean_api_key("sk-12\\x0034")
        ... except InvalidAPIKeyError as err:
        ...     "sk-12" in str(err), str(err)[:54]
        (False, 'The API key (api_key) holds a control character U+0000')
    """


class InvalidParameterError(AIMLAPIError, ValueError):
    """A request parameter holds a value that cannot be sent as JSON: NaN or infinity, or
    nesting too deep to serialise. ``path`` names where it is, e.g. ``tools[0].function...``.

    Example:
        >>> InvalidParameterError("temperature is NaN", path="temperature").path
        'temperature'
    """

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class APIConnectionError(AIMLAPIError):
    """The server could not be reached, or the connection broke before a reply."""


class APITimeoutError(APIConnectionError):
    """The request took longer than the configured timeout."""


class StreamError(AIMLAPIError):
    """A stream carried an error event, or ended before its terminal event."""


class EmptyReplyError(AIMLAPIError):
    """A 2xx reply (or a finished stream) that carries no usable answer: no choice, or a choice
    without a message. Never passed on as an empty answer; the body is kept.

    Example:
        >>> issubclass(EmptyReplyError, AIMLAPIError)
        True
    """


class ResponseFailedError(StreamError):
    """A Responses call ended with status ``failed`` (a ``response.failed`` event, or a 200 body
    whose ``status`` is ``failed``); the provider's error code and message are kept.

    A :class:`StreamError` subclass, so code that catches stream errors also catches it.
    """


class APIStatusError(AIMLAPIError):
    """The server answered with a non-2xx status; ``headers`` are the reply's headers."""

    headers: Mapping[str, str] = MappingProxyType({})


class BadRequestError(APIStatusError):
    """400: the request itself is wrong (a parameter, a message, a schema)."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing, wrong or revoked."""


class PermissionDeniedError(APIStatusError):
    """403: on AI/ML API this means the account is out of credits."""


class NotFoundError(APIStatusError):
    """404: unknown or deprecated model id, or wrong base URL."""


class ConflictError(APIStatusError):
    """409: a conflicting request; safe to retry."""


class UnprocessableEntityError(APIStatusError):
    """422: the body is well-formed JSON but fails validation."""


class RateLimitError(APIStatusError):
    """429: too many requests or tokens; retried with backoff before it reaches you.

    ``retry_after``: the seconds the server asked to wait (``retry-after-ms`` or
    ``Retry-After``), ``None`` when it did not say.
    """

    retry_after: float | None = None


class ServerError(APIStatusError):
    """5xx: the gateway or the upstream provider failed."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}

_HINTS: dict[type[APIStatusError], str] = {
    AuthenticationError: "Check the API key (argument api_key, or AIMLAPI_API_KEY / AIML_API_KEY).",
    PermissionDeniedError: (
        "AI/ML API answers 403 when the account is out of credits: "
        "top up at https://aimlapi.com/app/billing."
    ),
    NotFoundError: (
        "Check the model id (vendor-prefixed, e.g. 'openai/gpt-4o'; GET /v1/models lists them) "
        "and the base URL (default https://api.aimlapi.com/v1)."
    ),
    RateLimitError: "Lower the request rate, or raise max_retries to wait longer.",
    ServerError: "The provider failed; retrying later usually helps.",
}


def _clip(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_error_body(body: str | bytes | Mapping[str, Any] | None) -> dict[str, Any]:
    """Pull message, code, type and request id out of any error body shape seen in the wild.

    Handles AI/ML API's ``{"message", "statusCode", "requestId", ...}``, OpenAI's
    ``{"error": {"message", "type", "code", "param"}}``, OpenRouter's
    ``{"error": {"code", "message", "metadata": {"raw"}}}``, FastAPI's ``{"detail": ...}``
    (Voyage), a bare string ``error``, and HTML or empty bodies (the message is then a clipped
    excerpt of the text).

    Example:
        >>> parse_error_body('{"error": {"message": "bad", "type": "invalid_request_error"}}')
        {'message': 'bad', 'type': 'invalid_request_error'}
    """
    data: Any = body
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8", errors="replace")
    if isinstance(body, str):
        text = body.strip()
        if not text:
            return {}
        try:
            data = json.loads(text)
        except ValueError:
            if text.startswith("<"):
                return {"message": "non-JSON error page: " + _clip(_strip_tags(text))}
            return {"message": _clip(text)}
    if not isinstance(data, Mapping):
        return {"message": _clip(str(data))} if data is not None else {}
    out: dict[str, Any] = {}
    err = data.get("error")
    if isinstance(err, Mapping):
        if err.get("message") is not None:
            out["message"] = str(err["message"])
        raw = (
            err.get("metadata", {}).get("raw") if isinstance(err.get("metadata"), Mapping) else None
        )
        if raw:
            out["message"] = f"{out.get('message', 'error')}: {raw}"
        for key in ("type", "code", "param"):
            if err.get(key) is not None:
                out[key] = err[key]
    elif isinstance(err, str):
        out["message"] = err
    if "message" not in out and data.get("message") is not None:
        msg = data["message"]
        out["message"] = "; ".join(map(str, msg)) if isinstance(msg, list) else str(msg)
    detail = data.get("detail")  # FastAPI's shape (Voyage): a string or validation errors
    if "message" not in out and detail:
        out["message"] = (
            "; ".join(str(d.get("msg", d)) if isinstance(d, Mapping) else str(d) for d in detail)
            if isinstance(detail, list)
            else str(detail)
        )
    for key in ("requestId", "request_id"):
        if data.get(key):
            out["request_id"] = str(data[key])
            break
    if "type" not in out and isinstance(data.get("error"), str) and "message" in data:
        out["type"] = data["error"]
    return out


def _strip_tags(html: str) -> str:
    import re

    return re.sub(r"<[^>]+>", " ", html)


def error_from_response(
    status_code: int,
    body: bytes | str,
    headers: Mapping[str, str],
) -> APIStatusError:
    """Build the typed error for a non-2xx reply.

    Example:
        >>> err = error_from_response(403, b'{"message": "Insufficient credits"}', {})
        >>> isinstance(err, PermissionDeniedError), "top up" in str(err)
        (True, True)
    """
    text = body.decode("utf-8", errors="replace") if isinstance(body, (bytes, bytearray)) else body
    parsed = parse_error_body(text)
    cls = _BY_STATUS.get(status_code) or (ServerError if status_code >= 500 else APIStatusError)
    inference_id = inference_id_from(headers)
    request_id = parsed.get("request_id") or headers.get("x-request-id") or inference_id
    provider_message = parsed.get("message") or ("empty body" if not text.strip() else None)
    parts = [f"AI/ML API returned {status_code}"]
    if provider_message:
        parts[0] += f": {provider_message}"
    if request_id:
        parts.append(f"(request id {request_id})")
    hint = _HINTS.get(cls)
    location = headers.get("location")
    if 300 <= status_code < 400 and location:
        # httpx does not follow redirects; a POST must not be silently re-sent elsewhere.
        hint = (
            f"The server redirected to {location}: check the base URL (https, ending in /v1; "
            f"default https://api.aimlapi.com/v1)."
        )
    if hint:
        parts.append(hint)
    error = cls(
        " ".join(parts),
        status_code=status_code,
        request_id=request_id,
        inference_id=inference_id,
        provider_message=provider_message,
        code=parsed.get("code"),
        error_type=parsed.get("type"),
        body=text,
        headers=headers,
    )
    error.headers = dict(headers)
    if isinstance(error, RateLimitError):
        from .retry import retry_after_seconds

        error.retry_after = retry_after_seconds(headers)
    return error


def stream_error_from_event(
    payload: Mapping[str, Any], *, inference_id: str | None, failed: bool = False
) -> StreamError:
    """Build the :class:`StreamError` for an error carried inside a 200 stream.

    ``failed=True`` builds a :class:`ResponseFailedError` (a Responses ``failed`` status).

    Example:
        >>> err = stream_error_from_event({"error": {"message": "Token limit", "code": 400}},
        ...                               inference_id=None)
        >>> err.provider_message, err.code
        ('Token limit', 400)
    """
    parsed = parse_error_body(payload)
    err = payload.get("error")
    status = None
    if isinstance(err, Mapping):
        raw_status = err.get("status_code") or (
            err.get("code") if isinstance(err.get("code"), int) else None
        )
        status = int(raw_status) if isinstance(raw_status, int) else None
    message = parsed.get("message", "unknown error")
    cls, text = (
        (ResponseFailedError, f"The response failed: {message}")
        if failed
        else (StreamError, f"The stream carried an error event: {message}")
    )
    return cls(
        text,
        status_code=status,
        request_id=parsed.get("request_id") or inference_id,
        inference_id=inference_id,
        provider_message=message,
        code=parsed.get("code"),
        error_type=parsed.get("type"),
        body=json.dumps(payload),
    )


# --------------------------------------------------------------------------- media jobs


class MediaParameterError(AIMLAPIError, ValueError):
    """A media request the model's schema refuses (unknown parameter, bad enum value, wrong
    type, out of range), raised before any request; ``parameter`` names it.

    Example:
        >>> err = MediaParameterError("bad voice", parameter="voice", model="openai/tts-1")
        >>> err.parameter, isinstance(err, ValueError)
        ('voice', True)
    """

    def __init__(self, message: str, *, parameter: str | None = None, model: str | None = None):
        super().__init__(message)
        self.parameter = parameter
        self.model = model


class GenerationFailedError(AIMLAPIError):
    """A video or transcription job ended with status ``error``/``failed``; ``reason`` is the
    provider's own message and ``generation_id`` the job's id.

    Example:
        >>> err = GenerationFailedError("failed", generation_id="g-1", reason="NSFW prompt")
        >>> err.generation_id, err.reason
        ('g-1', 'NSFW prompt')
    """

    def __init__(
        self,
        message: str,
        *,
        generation_id: str | None = None,
        reason: str | None = None,
        status: str | None = None,
        body: str | None = None,
        request_id: str | None = None,
    ):
        super().__init__(
            message,
            provider_message=reason,
            body=body,
            request_id=request_id or generation_id,
            inference_id=request_id,
        )
        self.generation_id = generation_id
        self.reason = reason
        self.status = status


class GenerationTimeoutError(APITimeoutError):
    """A job was still running when its overall deadline passed; the job itself goes on at
    AI/ML API: ``generation_id`` fetches it later.

    Example:
        >>> err = GenerationTimeoutError("late", generation_id="g-1", last_status="generating")
        >>> err.generation_id, err.last_status, isinstance(err, APITimeoutError)
        ('g-1', 'generating', True)
    """

    def __init__(
        self, message: str, *, generation_id: str | None = None, last_status: str | None = None
    ):
        super().__init__(message, request_id=generation_id)
        self.generation_id = generation_id
        self.last_status = last_status


class GenerationCancelledError(AIMLAPIError):
    """Waiting for a job was cancelled by the caller (sync: the cancel event or callback);
    async waits raise :class:`asyncio.CancelledError` instead. The job may still finish.

    Example:
        >>> GenerationCancelledError("stopped", generation_id="g-1").generation_id
        'g-1'
    """

    def __init__(self, message: str, *, generation_id: str | None = None):
        super().__init__(message, request_id=generation_id)
        self.generation_id = generation_id


__all__ += [
    "GenerationCancelledError",
    "GenerationFailedError",
    "GenerationTimeoutError",
    "MediaParameterError",
]
