"""The connection fields and core clients that ``AIMLAPI``, ``AIMLAPIResponses`` and
``AIMLAPIEmbedding`` share: key, base URL, timeout, retries, headers, pool limits, clients."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llama_index.core.bridge.pydantic import (
    BaseModel,
    Field,
    PrivateAttr,
    SecretStr,
    field_validator,
)

from aimlapi_core.client_cache import ClientCache
from aimlapi_core.settings import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_KEEPALIVE_CONNECTIONS,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    Settings,
    check_header_values,
    clean_api_key,
    validate_client_request_id,
    validate_timeout,
)

if TYPE_CHECKING:  # httpx loads with the first client, not with this module
    import httpx

    from aimlapi_core.client import AsyncClient, Client

__all__ = ["AIMLAPIConnection"]


class AIMLAPIConnection(BaseModel):
    """How to reach AI/ML API; the key is read at the first request, never printed.

    Example:
        >>> conn = AIMLAPIConnection(api_key="sk-secret", api_base="https://api.aimlapi.com/v1")
        >>> "sk-secret" in repr(conn), conn._settings().url
        (False, 'https://api.aimlapi.com/v1')
    """

    api_key: SecretStr | None = Field(
        default=None,
        exclude=True,
        repr=False,
        description="AI/ML API key; else AIMLAPI_API_KEY or AIML_API_KEY at first use.",
    )
    api_base: str = Field(default="", description="The base URL of AI/ML API.")
    timeout: float | None = Field(
        default=DEFAULT_TIMEOUT, description="Timeout of a request, in seconds (positive, finite)."
    )
    total_timeout: float | None = Field(
        default=DEFAULT_TOTAL_TIMEOUT,
        gt=0,
        description=(
            "Seconds one whole call may take: connect, headers, the whole stream and the waits "
            "between retries (None: no limit)."
        ),
    )
    max_retries: int = Field(
        default=DEFAULT_MAX_RETRIES, ge=0, description="Retries of a failed request."
    )
    default_headers: dict[str, str] | None = Field(
        default=None, description="Headers sent with every request."
    )
    client_request_id: str | None = Field(
        default=None,
        description="X-Client-Request-Id sent with every request (1-128 of A-Za-z0-9._:-).",
    )
    max_connections: int | None = Field(
        default=DEFAULT_MAX_CONNECTIONS,
        ge=1,
        description="Most connections open at once per client (httpx Limits); None: no limit.",
    )
    max_keepalive_connections: int | None = Field(
        default=DEFAULT_MAX_KEEPALIVE_CONNECTIONS,
        ge=0,
        description="Most idle connections kept for reuse (httpx Limits); None: no limit.",
    )

    @field_validator("client_request_id")
    @classmethod
    def _check_request_id(cls, value: str | None) -> str | None:
        return validate_client_request_id(value) if value is not None else None

    @field_validator("api_key", mode="before")
    @classmethod
    def _check_api_key(cls, value: Any) -> SecretStr | None:
        # Strips whitespace; raises InvalidAPIKeyError (not a ValueError, which pydantic would
        # wrap in an error that prints the key) for a key no HTTP header can carry.
        return clean_api_key(value)

    @field_validator("default_headers")
    @classmethod
    def _check_default_headers(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        check_header_values(value)  # InvalidHeaderError: the value is never printed
        return value

    @field_validator("timeout")
    @classmethod
    def _check_timeout(cls, value: float | None) -> float | None:
        return validate_timeout(value)  # NaN and infinity too, not only <= 0

    _clients: ClientCache = PrivateAttr(default_factory=ClientCache)
    _http_client: httpx.Client | None = PrivateAttr(default=None)
    _async_http_client: httpx.AsyncClient | None = PrivateAttr(default=None)

    def _use_http_clients(
        self, http_client: httpx.Client | None, async_http_client: httpx.AsyncClient | None
    ) -> None:
        """Send through the caller's own ``httpx`` clients (proxies, transports)."""
        self._http_client = http_client
        self._async_http_client = async_http_client

    def _secret(self) -> SecretStr | None:
        # An assignment (llm.api_key = "sk-...") is not validated, so a str may sit here.
        key: Any = self.api_key
        if isinstance(key, str):
            key = SecretStr(key) if key else None
        return key if isinstance(key, SecretStr) else None

    def _settings(self) -> Settings:
        return Settings(
            api_key=self._secret(),
            base_url=self.api_base or None,
            timeout=self.timeout,
            max_retries=self.max_retries,
            default_headers=self.default_headers or {},
            client_request_id=self.client_request_id,
            max_connections=self.max_connections,
            max_keepalive_connections=self.max_keepalive_connections,
            total_timeout=self.total_timeout,
        )

    def _client(self) -> Client:
        """The sync core client, created on first use and reused (one connection pool)."""
        return self._clients.sync(self._settings(), self._http_client)

    def _aclient(self) -> AsyncClient:
        """The async core client of the running event loop (one per loop, reused)."""
        return self._clients.for_running_loop(self._settings(), self._async_http_client)

    def close(self) -> None:
        """Close the sync connection pool (it reopens on the next call).

        Example:
            >>> AIMLAPIConnection(api_key="k").close()
        """
        self._clients.close()

    async def aclose(self) -> None:
        """Close the running loop's async connection pool and the sync one."""
        await self._clients.aclose()
