"""Connection fields and clients shared by ``ChatAIMLAPI`` and ``AIMLAPILLM``.

Clients come from the core's :class:`~aimlapi_core.client_cache.ClientCache`: one sync client
per model instance, one async client per event loop, rebuilt if the settings change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.utils import from_env
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, field_validator

from aimlapi_core.client_cache import ClientCache
from aimlapi_core.settings import (
    BASE_URL_ENV_VARS,
    DEFAULT_BASE_URL,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_KEEPALIVE_CONNECTIONS,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    Settings,
    api_key_from_env,
    check_header_values,
    clean_api_key,
    normalise_base_url,
    validate_client_request_id,
    validate_timeout,
)

if TYPE_CHECKING:  # httpx loads with the first client, not with this module
    from aimlapi_core.client import AsyncClient, Client


class AIMLAPIConnection(BaseModel):
    """Key, base URL, timeout, retries, headers and HTTP clients of an AI/ML API model.

    Example:
        >>> conn = AIMLAPIConnection(api_key="sk-test", timeout=30)
        >>> conn.api_key
        SecretStr('**********')
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    api_key: SecretStr | None = Field(default_factory=api_key_from_env, alias="aimlapi_api_key")
    """AI/ML API key; read from ``AIMLAPI_API_KEY`` (then ``AIML_API_KEY``) if not given.
    Surrounding whitespace is stripped; a key with a line break or NUL inside is refused."""

    base_url: str = Field(
        default_factory=from_env(list(BASE_URL_ENV_VARS), default=DEFAULT_BASE_URL),
        alias="aimlapi_api_base",
        validate_default=True,  # a bad URL from the environment fails here, not at a call
    )
    """Base URL; ``AIMLAPI_BASE_URL`` (then ``AIMLAPI_API_BASE``), else the public API."""

    timeout: float | None = Field(default=DEFAULT_TIMEOUT, alias="request_timeout")
    """Seconds before a request (or a stalled stream) times out."""

    total_timeout: float | None = DEFAULT_TOTAL_TIMEOUT
    """Seconds one whole call may take: connect, headers, the whole stream and the waits
    between retries (600 s by default; ``None``: no limit)."""

    max_retries: int | None = DEFAULT_MAX_RETRIES
    """Retries on connection errors, 408/409/429/5xx, with backoff and ``Retry-After``."""

    default_headers: dict[str, str] | None = None
    """Headers sent with every request."""

    client_request_id: str | None = None
    """``X-Client-Request-Id`` to trace requests in AI/ML API's usage logs."""

    max_connections: int | None = Field(default=DEFAULT_MAX_CONNECTIONS, ge=1)
    """Most connections open at once per client (httpx ``Limits``); ``None``: no limit."""

    max_keepalive_connections: int | None = Field(default=DEFAULT_MAX_KEEPALIVE_CONNECTIONS, ge=0)
    """Most idle connections kept for reuse (httpx ``Limits``); ``None``: no limit."""

    http_client: Any | None = Field(default=None, exclude=True)
    """An ``httpx.Client`` to send sync requests through (proxies, custom TLS...)."""

    http_async_client: Any | None = Field(default=None, exclude=True)
    """An ``httpx.AsyncClient`` for async requests."""

    _clients: ClientCache = PrivateAttr(default_factory=ClientCache)

    @field_validator("api_key", mode="before")
    @classmethod
    def _check_api_key(cls, value: Any) -> SecretStr | None:
        # Raises InvalidAPIKeyError, not a ValueError: pydantic's error would print the key.
        return clean_api_key(value)

    @field_validator("default_headers")
    @classmethod
    def _check_default_headers(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        check_header_values(value)  # InvalidHeaderError: the value is never printed
        return value

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        return normalise_base_url(value)

    @field_validator("client_request_id")
    @classmethod
    def _check_client_request_id(cls, value: str | None) -> str | None:
        return validate_client_request_id(value) if value is not None else None

    @field_validator("timeout")
    @classmethod
    def _check_timeout(cls, value: float | None) -> float | None:
        return validate_timeout(value)

    @field_validator("total_timeout")
    @classmethod
    def _check_total_timeout(cls, value: float | None) -> float | None:
        return validate_timeout(value, "total_timeout")

    @field_validator("http_client")
    @classmethod
    def _check_http_client(cls, value: Any) -> Any:
        import httpx  # already loaded by whoever built the client passed in

        if value is not None and not isinstance(value, httpx.Client):
            raise TypeError(f"http_client must be an httpx.Client, got {type(value).__name__}.")
        return value

    @field_validator("http_async_client")
    @classmethod
    def _check_http_async_client(cls, value: Any) -> Any:
        import httpx

        if value is not None and not isinstance(value, httpx.AsyncClient):
            raise TypeError(
                f"http_async_client must be an httpx.AsyncClient, got {type(value).__name__}."
            )
        return value

    def _settings(self) -> Settings:
        return Settings(
            api_key=self.api_key,
            base_url=self.base_url,
            timeout=self.timeout,
            max_retries=DEFAULT_MAX_RETRIES if self.max_retries is None else self.max_retries,
            default_headers=self.default_headers or {},
            client_request_id=self.client_request_id,
            max_connections=self.max_connections,
            max_keepalive_connections=self.max_keepalive_connections,
            total_timeout=self.total_timeout,
        )

    @property
    def client(self) -> Client:
        """The sync core client (created at first use, then reused)."""
        return self._clients.sync(self._settings(), self.http_client)

    @property
    def async_client(self) -> AsyncClient:
        """The async core client of the running event loop."""
        return self._clients.for_running_loop(self._settings(), self.http_async_client)
