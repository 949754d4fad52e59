"""Connection settings: API key, base URL, timeout, retries, headers.

Resolution order for each value: the explicit argument, then the environment, then the
default. The key is kept as a :class:`pydantic.SecretStr`; it is only read out when a request's
``Authorization`` header is built.

Example:
    >>> s = Settings(api_key="sk-test", base_url="http://127.0.0.1:8000/v1")
    >>> s.base_url, s.api_key
    ('http://127.0.0.1:8000/v1', SecretStr('**********'))
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import SecretStr

from .errors import MissingAPIKeyError

__all__ = [
    "API_KEY_ENV_VARS",
    "BASE_URL_ENV_VARS",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_KEEPALIVE_CONNECTIONS",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TOTAL_TIMEOUT",
    "Settings",
    "check_client_request_id_header",
    "normalise_base_url",
    "validate_client_request_id",
    "validate_timeout",
]

DEFAULT_BASE_URL = "https://api.aimlapi.com/v1"
DEFAULT_TIMEOUT = 120.0
DEFAULT_TOTAL_TIMEOUT = 600.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_MAX_CONNECTIONS = 100
DEFAULT_MAX_KEEPALIVE_CONNECTIONS = 20
API_KEY_ENV_VARS = ("AIMLAPI_API_KEY", "AIML_API_KEY")
BASE_URL_ENV_VARS = ("AIMLAPI_BASE_URL", "AIMLAPI_API_BASE")

_CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def validate_timeout(value: float | None, name: str = "timeout") -> float | None:
    """A timeout is ``None`` (wait forever) or a positive number of seconds.

    Example:
        >>> validate_timeout(30)
        30
    """
    if value is not None and value <= 0:
        raise ValueError(f"{name} must be a positive number of seconds, got {value!r}.")
    return value


def validate_client_request_id(value: str) -> str:
    """Check an ``X-Client-Request-Id`` (1–128 of ``[A-Za-z0-9._:-]``).

    AI/ML API silently drops an invalid id, so we refuse it up front instead.

    Example:
        >>> validate_client_request_id("order-8f21c4")
        'order-8f21c4'
    """
    if not isinstance(value, str) or not _CLIENT_REQUEST_ID.fullmatch(value):
        raise ValueError(
            f"Invalid X-Client-Request-Id {value!r}: use 1-128 characters from "
            "A-Z, a-z, 0-9, '.', '_', ':' and '-' (AI/ML API silently ignores anything else)."
        )
    return value


def check_client_request_id_header(headers: Mapping[str, str] | None) -> None:
    """Validate an ``X-Client-Request-Id`` given among ``headers`` (any letter case).

    Example:
        >>> check_client_request_id_header({"x-client-request-id": "ok-1"})
    """
    for name, value in (headers or {}).items():
        if name.lower() == "x-client-request-id":
            validate_client_request_id(value)


def _from_env(names: tuple[str, ...]) -> str | None:
    for name in names:
        value = os.environ.get(name)
        if value and value.strip():
            return value.strip()
    return None


def normalise_base_url(url: str) -> str:
    """Strip spaces and the trailing slash; refuse anything but an http(s) URL.

    Example:
        >>> normalise_base_url("https://api.aimlapi.com/v1/")
        'https://api.aimlapi.com/v1'
    """
    url = url.strip().rstrip("/")
    if not re.match(r"^https?://[^/\s]+", url):
        raise ValueError(
            f"Invalid base URL {url!r}: it must start with http:// or https://, "
            f"e.g. {DEFAULT_BASE_URL!r}."
        )
    return url


def _check_pool_limit(name: str, value: int | None, *, minimum: int) -> None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or value < minimum
    ):
        raise ValueError(
            f"{name} must be an integer >= {minimum} (or None for no limit), got {value!r}."
        )


@dataclass(frozen=True)
class Settings:
    """Everything a client needs to reach AI/ML API.

    ``api_key`` may be left ``None`` here: :meth:`require_api_key` resolves it (argument, then
    ``AIMLAPI_API_KEY``, then ``AIML_API_KEY``) at the first request and raises
    :class:`MissingAPIKeyError` naming those variables if there is none.

    ``timeout`` bounds each step of a request (connecting, each read: a stream silent, or
    sending only keep-alive comments, for that long has stalled); ``total_timeout`` bounds a
    whole call: connect, headers, the whole body or stream, and the waits between retries
    (``None``: no limit). Past either, the call raises :class:`~aimlapi_core.APITimeoutError`
    saying how much had arrived.

    Example:
        >>> Settings(api_key="k", max_retries=0, timeout=5).max_retries
        0
        >>> Settings(api_key="k").total_timeout, Settings(total_timeout=None).total_timeout
        (600.0, None)
    """

    api_key: SecretStr | None = None
    base_url: str | None = None
    timeout: float | None = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    default_headers: Mapping[str, str] = field(default_factory=dict)
    client_request_id: str | None = None
    # Connection-pool bounds, as httpx.Limits names them; None means no limit.
    max_connections: int | None = DEFAULT_MAX_CONNECTIONS
    max_keepalive_connections: int | None = DEFAULT_MAX_KEEPALIVE_CONNECTIONS
    # The whole call's time budget in seconds (None: no limit).
    total_timeout: float | None = DEFAULT_TOTAL_TIMEOUT

    def __post_init__(self) -> None:
        key = self.api_key
        if isinstance(key, str):
            object.__setattr__(self, "api_key", SecretStr(key) if key else None)
        url = self.base_url or _from_env(BASE_URL_ENV_VARS) or DEFAULT_BASE_URL
        object.__setattr__(self, "base_url", normalise_base_url(url))
        validate_timeout(self.timeout)
        validate_timeout(self.total_timeout, "total_timeout")
        if not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise ValueError(f"max_retries must be an integer >= 0, got {self.max_retries!r}.")
        if self.client_request_id is not None:
            validate_client_request_id(self.client_request_id)
        object.__setattr__(self, "default_headers", dict(self.default_headers or {}))
        check_client_request_id_header(self.default_headers)
        _check_pool_limit("max_connections", self.max_connections, minimum=1)
        _check_pool_limit("max_keepalive_connections", self.max_keepalive_connections, minimum=0)

    @property
    def url(self) -> str:
        """The resolved base URL, never ``None`` after construction."""
        assert self.base_url is not None
        return self.base_url

    def require_api_key(self) -> str:
        """The key as plain text, for the ``Authorization`` header only.

        Example:
            >>> Settings(api_key="sk-1").require_api_key()
            'sk-1'
        """
        if self.api_key is not None:
            secret = self.api_key.get_secret_value()
            if secret:
                return secret
        env = _from_env(API_KEY_ENV_VARS)
        if env:
            return env
        raise MissingAPIKeyError(
            "No AI/ML API key found. Pass api_key=..., or set the environment variable "
            "AIMLAPI_API_KEY (AIML_API_KEY is read too). Get a key at https://aimlapi.com/app/keys."
        )

    def fingerprint(self) -> tuple[object, ...]:
        """What identifies a connection: two settings with equal fingerprints may share a pool.

        Holds the key itself, so it is for comparing only: never log or print it.

        Example:
            >>> Settings(api_key="a").fingerprint() == Settings(api_key="a").fingerprint()
            True
        """
        key = self.api_key.get_secret_value() if self.api_key is not None else None
        return (
            key,
            self.base_url,
            self.timeout,
            self.max_retries,
            tuple(sorted(self.default_headers.items())),
            self.client_request_id,
            self.max_connections,
            self.max_keepalive_connections,
            self.total_timeout,
        )

    def __repr__(self) -> str:
        key = "'**********'" if self.api_key is not None else "None"
        return (
            f"Settings(api_key={key}, base_url={self.base_url!r}, timeout={self.timeout!r}, "
            f"max_retries={self.max_retries!r}, client_request_id={self.client_request_id!r})"
        )
