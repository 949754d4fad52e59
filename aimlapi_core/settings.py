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

import math
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pydantic import SecretStr

from .errors import InvalidAPIKeyError, InvalidHeaderError, MissingAPIKeyError

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
    "api_key_from_env",
    "check_client_request_id_header",
    "check_header_values",
    "clean_api_key",
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
    """A timeout is ``None`` (wait forever) or a positive, finite number of seconds.

    NaN and infinity are refused here, at construction: httpx would fail on them at the first
    request, or (infinity) never time out while saying it does.

    Example:
        >>> validate_timeout(30)
        30
        >>> validate_timeout(float("inf"))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: timeout must be a positive, finite number of seconds, got inf: ...
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(
            f"{name} must be a number of seconds or None, got {type(value).__name__} {value!r}."
        )
    if not math.isfinite(value) or value <= 0:
        raise ValueError(
            f"{name} must be a positive, finite number of seconds, got {value!r}: pass e.g. "
            f"{name}=60, or {name}=None to wait as long as the server takes."
        )
    return value


def _bad_header_char(value: str) -> str | None:
    """What is wrong with the first character of ``value`` an HTTP header cannot carry.

    Printable ASCII and spaces are fine; anything else is described without being shown (a
    non-ASCII character would be a piece of the secret).
    """
    for position, char in enumerate(value, start=1):
        if " " <= char <= "~":
            continue
        if unicodedata.category(char) == "Cc":
            return f"a control character U+{ord(char):04X} at position {position} of {len(value)}"
        return f"a non-ASCII character at position {position} of {len(value)}"
    return None


def clean_api_key(value: str | SecretStr | None, *, source: str = "api_key") -> SecretStr | None:
    """The key with surrounding whitespace stripped, ``None`` if nothing is left.

    Keys often arrive with a line break (read from a file, pasted from a terminal), so that is
    stripped, from an argument or the environment alike. A key with a character inside that no
    HTTP header can carry is refused with :class:`InvalidAPIKeyError`, whose message says what
    and where (``source`` names the argument or variable), never the key.

    Example:
        >>> clean_api_key("  sk-abc\\n")
        SecretStr('**********')
        >>> clean_api_key("  sk-abc\\n").get_secret_value(), clean_api_key(" \\n")
        ('sk-abc', None)
    """
    raw = value.get_secret_value() if isinstance(value, SecretStr) else value
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise InvalidAPIKeyError(
            f"The API key ({source}) must be a string, got {type(raw).__name__}."
        )
    raw = raw.strip()
    if not raw:
        return None
    problem = _bad_header_char(raw)
    if problem:
        raise InvalidAPIKeyError(
            f"The API key ({source}) holds {problem}, which an HTTP header cannot carry. The key "
            "is not shown: check how it was read or pasted (surrounding whitespace is stripped "
            "for you; a break inside the key is not)."
        )
    return SecretStr(raw)


def api_key_from_env() -> SecretStr | None:
    """The key from ``AIMLAPI_API_KEY``, else ``AIML_API_KEY``, cleaned like an argument.

    A variable that is empty or all whitespace counts as unset.

    Example:
        >>> import os
        >>> os.environ["AIMLAPI_API_KEY"] = "sk-env\\n"
        >>> api_key_from_env().get_secret_value()
        'sk-env'
        >>> del os.environ["AIMLAPI_API_KEY"]
    """
    for name in API_KEY_ENV_VARS:
        key = clean_api_key(os.environ.get(name), source=f"environment variable {name}")
        if key is not None:
            return key
    return None


def check_header_values(headers: Mapping[str, str] | None) -> None:
    """Refuse a header whose name is not a token or whose value an HTTP header cannot carry.

    Raises :class:`InvalidHeaderError` naming the header, never its value (which may be a
    secret); httpx would otherwise fail at the first request with the value in the message.

    Example:
        >>> check_header_values({"X-Title": "my app"})
    """
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name):
            raise InvalidHeaderError(
                f"Invalid header name {name!r} in default_headers: use letters, digits and "
                "'-' (e.g. 'X-Title')."
            )
        if not isinstance(value, str):
            raise InvalidHeaderError(
                f"The value of header {name!r} must be a string, got {type(value).__name__}."
            )
        problem = _bad_header_char(value)
        if problem:
            raise InvalidHeaderError(
                f"The value of header {name!r} holds {problem}, which an HTTP header cannot "
                "carry; the value is not shown."
            )


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
    """Strip spaces and the trailing slash; refuse anything but a well-formed http(s) URL.

    Refused here, at construction, rather than at the first request: a URL that does not
    parse (``http://[::1/v1``, a bad port), one with a query or a fragment (the request path
    is appended to the base URL, so ``?a=1`` would end up in the middle of it), and spaces or
    control characters inside.

    Example:
        >>> normalise_base_url("https://api.aimlapi.com/v1/")
        'https://api.aimlapi.com/v1'
        >>> normalise_base_url("https://gw.example/v1?team=1")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: Invalid base URL 'https://gw.example/v1?team=1': it has a query (?...)...
    """
    if not isinstance(url, str):
        raise ValueError(f"The base URL must be a string, got {type(url).__name__}.")
    url = url.strip().rstrip("/")
    example = f"e.g. {DEFAULT_BASE_URL!r}"
    if not re.match(r"^https?://[^/\s]+", url):
        raise ValueError(
            f"Invalid base URL {url!r}: it must start with http:// or https://, {example}."
        )
    if re.search(r"[\s\x00-\x1f\x7f]", url):
        raise ValueError(f"Invalid base URL {url!r}: it holds a space or control character.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (parses the port: raises on a bad one)
    except ValueError as exc:
        raise ValueError(f"Invalid base URL {url!r}: {exc}; {example}.") from None
    for what, present in (
        ("a query (?...)", parts.query or "?" in url),
        ("a fragment (#...)", parts.fragment or "#" in url),
    ):
        if present:
            raise ValueError(
                f"Invalid base URL {url!r}: it has {what}, and request paths are appended to "
                f"the base URL; give the scheme, host and path only, {example}."
            )
    if not parts.hostname:
        raise ValueError(f"Invalid base URL {url!r}: it has no host name, {example}.")
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
    # An HTTP proxy for every request, and query parameters added to every request URL; the
    # client's own pool carries them (langchain-openai's openai_proxy and default_query).
    proxy: str | None = None
    default_query: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "api_key", clean_api_key(self.api_key))
        url = self.base_url or _from_env(BASE_URL_ENV_VARS) or DEFAULT_BASE_URL
        object.__setattr__(self, "base_url", normalise_base_url(url))
        validate_timeout(self.timeout)
        validate_timeout(self.total_timeout, "total_timeout")
        if not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise ValueError(f"max_retries must be an integer >= 0, got {self.max_retries!r}.")
        if self.client_request_id is not None:
            validate_client_request_id(self.client_request_id)
        object.__setattr__(self, "default_headers", dict(self.default_headers or {}))
        object.__setattr__(self, "default_query", dict(self.default_query or {}))
        check_client_request_id_header(self.default_headers)  # its own, more precise message
        check_header_values(self.default_headers)
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
        env = api_key_from_env()
        if env is not None:
            return env.get_secret_value()
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
            self.proxy,
            tuple(sorted(self.default_query.items())),
        )

    def __repr__(self) -> str:
        key = "'**********'" if self.api_key is not None else "None"
        return (
            f"Settings(api_key={key}, base_url={self.base_url!r}, timeout={self.timeout!r}, "
            f"max_retries={self.max_retries!r}, client_request_id={self.client_request_id!r})"
        )
