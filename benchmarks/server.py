"""A lean OpenAI-compatible server for the benchmarks: asyncio, loopback, pre-encoded replies.

It runs in its own process (``python -m benchmarks.server``) so it never shares a GIL with
the client being measured; on 2 cores the client has one to itself. Every reply is encoded
once and written with a single ``transport.write``, so serving a request costs a header parse
and a dict lookup (``GET /stats`` reports the CPU it has used, to show it does not dominate).

The path chooses the reply: ``/<kind>/<n>/v1/chat/completions`` where ``kind`` is ``text``
or ``tools`` and ``n`` the number of deltas of a streamed reply; ``"stream": true`` in the
request body chooses SSE, otherwise the small JSON completion is sent.

Usage:
    python -m benchmarks.server    # prints the port on stdout, serves until stdin closes
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import resource
import socket
import sys
import time
from typing import Any

from . import wire

_STREAM_TRUE = re.compile(rb'"stream"\s*:\s*true')


class Replies:
    """Pre-encoded responses, by (kind, n, streamed)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int, bool], bytes] = {}
        self.served = 0

    def get(self, path: bytes, body: bytes) -> bytes:
        self.served += 1
        if path == b"/stats":
            return wire.http_json(self.stats())
        streamed = bool(_STREAM_TRUE.search(body))
        parts = path.split(b"/")
        kind = parts[1].decode() if len(parts) > 2 else "text"
        try:
            n = int(parts[2])
        except (IndexError, ValueError):
            n = 100
        key = (kind, n, streamed)
        reply = self._cache.get(key)
        if reply is None:
            if not streamed:
                reply = wire.http_json(wire.CHAT_COMPLETION)
            elif kind == "tools":
                reply = wire.http_sse(wire.tool_stream_events(n))
            else:
                reply = wire.http_sse(wire.text_stream_events(n))
            self._cache[key] = reply
        return reply

    def stats(self) -> dict[str, Any]:
        return {"served": self.served, "cpu_s": time.process_time()}


class _Protocol(asyncio.Protocol):
    def __init__(self, replies: Replies) -> None:
        self.replies = replies
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).lower()
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line.startswith(b"content-length:"):
                    length = int(line[15:])
                    break
            total = end + 4 + length
            if len(self.buffer) < total:
                return
            body = bytes(self.buffer[end + 4 : total])
            path = head.split(b" ", 2)[1]
            del self.buffer[:total]
            assert self.transport is not None
            self.transport.write(self.replies.get(path, body))


async def _serve(port: int) -> None:
    replies = Replies()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: _Protocol(replies), "127.0.0.1", port, backlog=4096, reuse_address=True
    )
    sockname = server.sockets[0].getsockname()
    print(json.dumps({"port": sockname[1]}), flush=True)
    # Serve until the parent closes our stdin (or dies).
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


def raise_fd_limit(want: int = 8192) -> None:
    """Allow enough sockets for 1,000 concurrent connections (soft limit up to the hard one)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def main() -> None:
    raise_fd_limit()
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    asyncio.run(_serve(port))


if __name__ == "__main__":
    main()
