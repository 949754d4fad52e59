"""No leak per event loop: ``asyncio.run(model.ainvoke(...))`` fifty times on one model.

Scripts and notebooks do exactly this. Each run's loop gets its own async client (a pool is
bound to its loop); when the loop shuts down, that client, its sockets and the loop itself must
go too. Counted from both sides: the objects still alive in this process (weak references to
every loop and every ``httpx.AsyncClient`` the runs made) and the fault server's own count of
open connections.
"""

from __future__ import annotations

import asyncio
import gc
import warnings
import weakref
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from aimlapi_core.client_cache import ClientCache
from langchain_aimlapi import AIMLAPIEmbeddings
from llama_index_aimlapi import AIMLAPIEmbedding
from tests.faults.helpers import HI, KEY, build_chat, build_llama, build_llm, ok_reply
from tests.faults.test_secrets import EMBEDDING_BODY
from tests.support.fault_server import FaultServer, Received, Reply

RUNS = 50


def _reply(request: Received) -> Reply:
    if request.path.endswith("/embeddings"):
        return Reply(body=EMBEDDING_BODY)
    return ok_reply(bool(request.body and request.body.get("stream")), "inf-loop")


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer(_reply, max_requests=20 * RUNS, lifetime=120) as srv:
        yield srv


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[str], Any]
    call: Callable[[Any], Awaitable[object]]
    runs: int = 10  # the 50 for the two headline cases; fewer for the rest (time)


async def _astream_chat(llm: Any) -> object:
    return [piece async for piece in llm.astream("hi")]


async def _astream_llama(llm: Any) -> object:
    return [r async for r in await llm.astream_chat(HI)]


CASES = [
    Case("ChatAIMLAPI-ainvoke", build_chat, lambda llm: llm.ainvoke("hi"), RUNS),
    Case("ChatAIMLAPI-astream", build_chat, _astream_chat),
    Case("AIMLAPILLM-ainvoke", build_llm, lambda llm: llm.ainvoke("hi")),
    Case("AIMLAPI-achat", build_llama, lambda llm: llm.achat(HI), RUNS),
    Case("AIMLAPI-astream_chat", build_llama, _astream_llama),
    Case(
        "AIMLAPIEmbeddings",
        lambda url: AIMLAPIEmbeddings(api_key=KEY, base_url=url),
        lambda emb: emb.aembed_query("hi"),
    ),
    Case(
        "AIMLAPIEmbedding",
        lambda url: AIMLAPIEmbedding(api_key=KEY, api_base=url),
        lambda emb: emb.aget_text_embedding("hi"),
    ),
]


def _live(refs: list[weakref.ref[Any]]) -> int:
    gc.collect()
    return sum(ref() is not None for ref in refs)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_fifty_asyncio_runs_leave_no_client_socket_or_loop(server: FaultServer, case: Case) -> None:
    model = case.build(server.base_url)
    cache: ClientCache = model._clients
    loops: list[weakref.ref[asyncio.AbstractEventLoop]] = []
    pools: list[weakref.ref[httpx.AsyncClient]] = []

    async def once() -> None:
        loop = asyncio.get_running_loop()
        await case.call(model)
        await case.call(model)  # the second call of a run reuses the run's client
        ((_, client),) = cache._async.values()
        loops.append(weakref.ref(loop))
        pools.append(weakref.ref(client.http_client))

    for _ in range(case.runs):
        asyncio.run(once())
    assert len(server.requests) == 2 * case.runs
    assert server.stats.connections == case.runs  # one connection a run: the client was reused
    assert server.wait_all_closed(), f"{server.stats.open} connection(s) still open"
    assert (len(cache._async), len(cache._closers)) == (0, 0)
    assert _live(loops) == 0, "closed loops are still alive"
    assert _live(pools) == 0, "async clients of closed loops are still alive"
    assert len(pools) == case.runs


def test_one_loop_keeps_reusing_its_client(server: FaultServer) -> None:
    llm = build_chat(server.base_url)

    async def main() -> tuple[object, ...]:
        clients = []
        for _ in range(5):
            await llm.ainvoke("hi")
            clients.append(llm.async_client)
        return tuple(clients)

    clients = asyncio.run(main())
    assert len(set(map(id, clients))) == 1
    assert server.stats.connections == 1 and len(server.requests) == 5
    assert server.wait_all_closed()  # and it was closed with its loop
    assert clients[0].http_client.is_closed  # type: ignore[attr-defined]


def test_new_settings_in_a_loop_close_the_old_client(server: FaultServer) -> None:
    llm = build_llama(server.base_url)

    async def main() -> tuple[Any, Any]:
        await llm.achat(HI)
        first = llm._aclient()
        llm.timeout = 30.0  # another client from now on
        await llm.achat(HI)
        await asyncio.sleep(0.05)  # the old pool closes in the background
        return first, llm._aclient()

    first, second = asyncio.run(main())
    assert first is not second
    assert first.http_client.is_closed and second.http_client.is_closed
    assert server.stats.connections == 2 and server.wait_all_closed()


def test_a_loop_closed_without_shutdown_is_let_go(server: FaultServer) -> None:
    """``loop.close()`` alone shuts no generator down; the next use of the model drops the
    closed loop's client, so the loop and its sockets can be collected."""
    llm = build_chat(server.base_url)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(llm.ainvoke("hi"))
    loop.close()
    old = weakref.ref(loop)
    del loop
    with warnings.catch_warnings():
        # asyncio itself warns of the transport its closed loop never closed
        warnings.simplefilter("ignore", ResourceWarning)
        asyncio.run(llm.ainvoke("hi"))  # a new loop: the old one's entry goes
        assert _live([old]) == 0
    assert (len(llm._clients._async), len(llm._clients._closers)) == (0, 0)
    assert server.wait_all_closed(), f"{server.stats.open} connection(s) still open"
    assert server.stats.connections == 2
