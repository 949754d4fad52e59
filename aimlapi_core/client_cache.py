"""Lazily created, reused core clients for one model instance of either adapter.

One sync :class:`aimlapi_core.Client` per instance, and one :class:`aimlapi_core.AsyncClient`
per running event loop (an ``httpx.AsyncClient``'s pool is bound to the loop it first ran on,
so it must not be reused from another loop: ``asyncio.run`` twice, Jupyter, worker threads).
Clients are rebuilt when the connection settings change, and the cache is dropped on
pickling and deep copies, so a copy opens its own pool.

A loop's client goes when its loop does. Scripts and notebooks call ``asyncio.run`` over and
over on one model; each run's loop would otherwise keep its client, its sockets and itself
alive (the client's connections refer to the loop, so a weak key is not enough). So:

* with the first client of a loop comes a small async generator, parked in that loop. Loops
  close the async generators still open when they shut down (``asyncio.run`` and
  ``asyncio.Runner`` do, through ``loop.shutdown_asyncgens()``), and this one closes the
  loop's client there, while the loop still runs: sockets are shut down cleanly;
* a loop found closed without that (``loop.close()`` alone) has its entry dropped at the next
  use of the cache, so the loop, its client and their sockets can be collected.

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
import contextlib
import threading
import weakref
from collections.abc import AsyncGenerator, Callable, Coroutine, Hashable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the client module (and httpx with it) loads when the first client is built
    import httpx

    from .client import AsyncClient, Client
    from .settings import Settings

__all__ = ["ClientCache"]

_lock = threading.Lock()  # module-level: a lock attribute would break pickling and copies

Loop = asyncio.AbstractEventLoop


async def _close_at_loop_shutdown(
    cache_ref: weakref.ref[ClientCache], loop_ref: weakref.ref[Loop]
) -> AsyncGenerator[None, None]:
    """Parked at its ``yield`` until the loop shuts its async generators down; then closes
    the loop's client of that cache (if both are still there). Holds only weak references, so
    it keeps neither the model nor the loop alive."""
    try:
        yield
    finally:
        cache, loop = cache_ref(), loop_ref()
        entry = None
        if cache is not None and loop is not None:
            with _lock:  # this generator refers to the loop (its finalizer): let both go
                cache._closers.pop(loop, None)
                entry = cache._async.pop(loop, None)
        if entry is not None:
            await entry[1].aclose()


def _park(closer: AsyncGenerator[None, None]) -> None:
    """Run ``closer`` to its ``yield`` now, from sync code in the running loop.

    Its first step registers it with the running loop (the loop's ``firstiter`` hook), which
    is what makes ``shutdown_asyncgens`` close it later.
    """
    with contextlib.suppress(StopIteration):
        closer.asend(None).send(None)


_closing: set[asyncio.Task[None]] = set()  # pools closing in the background, kept until done


def _close_soon(loop: Loop, close: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Start ``close()`` as a task of ``loop`` (the running one), kept until it is done."""
    task = loop.create_task(close())
    _closing.add(task)
    task.add_done_callback(_closing.discard)


def _close_in_loop(loop_ref: weakref.ref[Loop], pool: httpx.AsyncClient) -> None:
    """Close ``pool`` in its loop, from the finalizer of the async client that owned it.

    That client became unreachable while its loop still runs (its model was collected before
    the loop shut down): no call can use the pool any more, so its sockets are shut now rather
    than left to the garbage collector. Nothing can be done through a closed loop.
    """
    loop = loop_ref()
    if loop is None or loop.is_closed() or pool.is_closed:
        return

    with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
        loop.call_soon_threadsafe(_close_soon, loop, pool.aclose)


def _discard(closer: AsyncGenerator[None, None]) -> None:
    """Finish a parked closer without its loop (closed): its entry is already gone, so its
    ``finally`` awaits nothing. A finished generator is never handed to a dead loop later."""
    with contextlib.suppress(StopIteration, RuntimeError):
        closer.aclose().send(None)


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
        self._async: weakref.WeakKeyDictionary[Loop, tuple[Hashable, AsyncClient]] = (
            weakref.WeakKeyDictionary()
        )
        # One parked closer per loop this cache has a client in (see the module docs).
        self._closers: weakref.WeakKeyDictionary[Loop, AsyncGenerator[None, None]] = (
            weakref.WeakKeyDictionary()
        )

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
        self._drop_closed_loops()
        with _lock:
            entry = self._async.get(loop)
            if entry is not None and entry[0] == key:
                return entry[1]
            from .client import AsyncClient

            client = AsyncClient(settings, http_client=http_client)
            self._async[loop] = (key, client)
            if http_client is None:  # its own pool: closed in its loop once nothing uses it
                weakref.finalize(client, _close_in_loop, weakref.ref(loop), client.http_client)
            if loop not in self._closers:
                closer = _close_at_loop_shutdown(weakref.ref(self), weakref.ref(loop))
                self._closers[loop] = closer
                _park(closer)
        if entry is not None:  # the settings changed: the old pool closes in the background
            _close_soon(loop, entry[1].aclose)
        return client

    def _drop_closed_loops(self) -> None:
        """Let go of the clients of loops closed without shutting their generators down.

        Their sockets cannot be closed through a closed loop; dropped here, they are closed
        when the loop and its transports are collected.
        """
        with _lock:
            closed = [loop for loop in list(self._closers) if loop.is_closed()]
            closed += [loop for loop in list(self._async) if loop.is_closed()]
            closers = [self._closers.pop(loop, None) for loop in closed]
            for loop in closed:
                self._async.pop(loop, None)
        for closer in closers:
            if closer is not None:
                _discard(closer)

    def close(self) -> None:
        """Close the sync client's pool (async pools are closed by :meth:`aclose`)."""
        with _lock:
            client, self._sync, self._sync_key = self._sync, None, None
        if client is not None:
            client.close()
        self._drop_closed_loops()

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
