"""A tiny OpenAI-compatible HTTP server on 127.0.0.1 for tests and benchmarks.

It answers each request with a :class:`Scripted` reply: taken in order from a queue the test
fills (``server.enqueue(...)``), or made by a ``responder`` function from the request. Every
reply says where it came from in an ``x-cassette-origin`` header (``wire-corpus <id>`` or
``authored``), and vcrpy records that header into the cassette.

Bounded by design: it listens on loopback only, serves at most ``max_requests`` requests and
stops when the test's ``with`` block ends. ``TCP_NODELAY`` is set on every connection (without
it each call waits ~40 ms on delayed ACKs).
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Scripted:
    """One reply: status, headers and body (bytes, or a list of chunks sent one by one)."""

    status: int = 200
    body: bytes | list[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    origin: str = "authored"
    chunk_delay: float = 0.0  # seconds between streamed chunks
    first_byte_delay: float = 0.0  # seconds before the status line
    drop_after: int | None = None  # close the socket after this many body bytes/chunks


@dataclass
class ReceivedRequest:
    """What the server saw: method, path, headers and the JSON body (if any)."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


Responder = Callable[[ReceivedRequest], Scripted]


class ReplayServer:
    """Serve scripted replies on ``http://127.0.0.1:<port>/v1``.

    Example:
        with ReplayServer() as server:
            server.enqueue(Scripted(body=b'{"choices": []}'))
            base_url = server.base_url
    """

    def __init__(self, responder: Responder | None = None, *, max_requests: int = 100_000) -> None:
        self.responder = responder
        self.queue: deque[Scripted] = deque()
        self.requests: list[ReceivedRequest] = []
        self.max_requests = max_requests
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server._handle(self)

            def do_POST(self) -> None:
                server._handle(self)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                # A client dropping an idle keep-alive connection is not an error here.
                if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
                    super().handle_error(request, client_address)

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        """The ``/v1`` base URL to give a client."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def enqueue(self, *replies: Scripted) -> None:
        """Queue replies; each request takes the next one (before any responder)."""
        self.queue.extend(replies)

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _next(self, request: ReceivedRequest) -> Scripted:
        with self._lock:
            self.requests.append(request)
            if len(self.requests) > self.max_requests:
                return Scripted(status=503, body=b'{"message": "replay server request limit"}')
            if self.queue:
                return self.queue.popleft()
        if self.responder is not None:
            return self.responder(request)
        return Scripted(
            status=500,
            body=json.dumps({"message": f"replay server has no reply for {request.path}"}).encode(),
        )

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", errors="replace")
        request = ReceivedRequest(
            handler.command, handler.path, {k.lower(): v for k, v in handler.headers.items()}, body
        )
        reply = self._next(request)
        if reply.first_byte_delay:
            time.sleep(reply.first_byte_delay)
        chunks: list[bytes] = reply.body if isinstance(reply.body, list) else [reply.body]
        streamed = isinstance(reply.body, list)
        try:
            handler.send_response(reply.status)
            handler.send_header("content-type", reply.content_type)
            handler.send_header("x-cassette-origin", reply.origin)
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            if streamed:
                handler.send_header("transfer-encoding", "chunked")
            else:
                handler.send_header("content-length", str(len(chunks[0])))
            handler.end_headers()
            for i, chunk in enumerate(chunks):
                if reply.drop_after is not None and i >= reply.drop_after:
                    handler.wfile.flush()
                    handler.connection.shutdown(socket.SHUT_RDWR)
                    handler.close_connection = True
                    return
                if streamed:
                    if not chunk:
                        continue
                    handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    handler.wfile.flush()
                    if reply.chunk_delay:
                        time.sleep(reply.chunk_delay)
                else:
                    handler.wfile.write(chunk)
            if streamed:
                handler.wfile.write(b"0\r\n\r\n")
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True


def sse(payloads: Iterable[dict[str, Any] | str], *, done: bool = True) -> list[bytes]:
    """SSE chunks in OpenAI's exact format: ``data: <json>\\n\\n`` per payload, then ``[DONE]``."""
    chunks = [
        b"data: "
        + (p if isinstance(p, str) else json.dumps(p, separators=(",", ":"))).encode()
        + b"\n\n"
        for p in payloads
    ]
    if done:
        chunks.append(b"data: [DONE]\n\n")
    return chunks
