"""Lazily created, reused core clients for one model instance of either adapter.

One sync :class:`aimlapi_core.Client` per instance, and one :class:`aimlapi_core.AsyncClient`
per running event loop (an ``httpx.AsyncClient``'s pool is bound to the loop it first ran on,
so it must not be reused from another loop: ``asyncio.run`` twice, Jupyter, worker threads).
Clients are rebuilt when the connection settings change, and the cache is dropped on
pickling and deep copies, so a copy opens its own pool.

Example:
    >>> from aimlapi_core import Settings
    >>> clients = ClientCache()
    >>> a = clients.sync(Settings(api_key="k"), None)
    >>> a is clients.sync(Settings(api_key="k"), None)
    True
    >>> a is clients.sync(Settings(api_key="other"), None)
    False
    >>> clients.close()
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the client module (and httpx with it) loads when the first client is built
    import httpx

    from .client import AsyncClient, Client
    from .settings import Settings

__all__ = ["ClientCache"]

_lock = threading.Lock()  # module-level: a lock attribute would break pickling and copies


class ClientCache:
    """Holds the core clients of one LLM instance; see the module docs.

    Example:
        >>> import copy
        >>> copy.deepcopy(ClientCache())._sync is None  # copies start empty
        True
    """

    def __init__(self) -> None:
        self._sync: Client | None = None
        self._sync_key: Hashable | None = None
        self._async: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[Hashable, AsyncClient]
        ] = weakref.WeakKeyDictionary()

    def sync(self, settings: Settings, http_client: httpx.Client | None) -> Client:
        """The sync client for these settings, created on first use (again if they changed)."""
        key = settings.fingerprint()
        client = self._sync
        if client is not None and self._sync_key == key:
            return client
        with _lock:
            if self._sync is None or self._sync_key != key:
                from .client import Client

                self._sync = Client(settings, http_client=http_client)
                self._sync_key = key
            return self._sync

    def for_running_loop(
        self, settings: Settings, http_client: httpx.AsyncClient | None
    ) -> AsyncClient:
        """The async client of the running event loop, created on first use in that loop."""
        key = settings.fingerprint()
        loop = asyncio.get_running_loop()
        entry = self._async.get(loop)
        if entry is not None and entry[0] == key:
            return entry[1]
        with _lock:
            entry = self._async.get(loop)
            if entry is None or entry[0] != key:
                from .client import AsyncClient

                entry = (key, AsyncClient(settings, http_client=http_client))
                self._async[loop] = entry
            return entry[1]

    def close(self) -> None:
        """Close the sync client's pool (async pools are closed by :meth:`aclose`)."""
        with _lock:
            client, self._sync, self._sync_key = self._sync, None, None
        if client is not None:
            client.close()

    async def aclose(self) -> None:
        """Close the running loop's async client and the sync client."""
        loop = asyncio.get_running_loop()
        with _lock:
            entry = self._async.pop(loop, None)
        if entry is not None:
            await entry[1].aclose()
        self.close()

    # A cache is never copied: a copy (or an unpickled instance) opens its own clients.
    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    def __deepcopy__(self, memo: dict[int, Any]) -> ClientCache:
        return ClientCache()

    def __copy__(self) -> ClientCache:
        return ClientCache()
