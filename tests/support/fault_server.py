"""A socket-level HTTP/1.1 server on 127.0.0.1 that misbehaves on purpose, for failure tests.

Where :mod:`tests.support.replay_server` serves well-formed replies through ``http.server``,
this one writes the bytes itself, so it can also: reset a connection (``SO_LINGER 0``, an RST)
before the headers or in the middle of a body, hold back the first byte, stall mid-stream,
trickle a body one byte at a time, and gzip a body (a streamed one chunk by chunk with sync
flushes, so it still streams). It records every request with its arrival time, so a test can
check that a ``Retry-After`` wait was honoured, and counts connections (open now, peak open,
total) and requests in flight for pool and load checks.

Bounded by design: it listens on loopback only, answers at most ``max_requests`` requests
(then 503 with ``x-should-retry: false``) and closes every socket once ``lifetime`` seconds
have passed or its ``with`` block ends, so a test that goes wrong fails instead of hanging.
Delays and stalls wait on the stop signal, never in an uninterruptible sleep.

Example:
    >>> import httpx
    >>> with FaultServer(lifetime=5) as server:
    ...     server.enqueue(Reply(status=429, body=b"{}"), Reply(body=b'{"ok": true}', gzip=True))
    ...     with httpx.Client() as http:
    ...         replies = [http.post(server.base_url + "/x", json={}) for _ in range(2)]
    >>> [r.status_code for r in replies], replies[1].json(), replies[1].headers["content-encoding"]
    ([429, 200], {'ok': True}, 'gzip')
    >>> [r.path for r in server.requests], server.stats.connections
    (['/v1/x', '/v1/x'], 1)
"""

from __future__ import annotations

import contextlib
import gzip
import itertools
import json
import select
import socket
import struct
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

__all__ = ["FaultServer", "Received", "Reply", "Stats"]


@dataclass
class Reply:
    """One scripted reply, and how to break it.

    ``body`` as ``bytes`` goes out with a ``content-length``; as a list of chunks it goes out
    with ``transfer-encoding: chunked``, one HTTP chunk per item (an SSE stream). ``cut_after``
    counts chunks for a list body and bytes for a ``bytes`` body: that much is sent, then the
    socket is reset (``reset_after``) or held silent (``stall_after``).

    Example:
        >>> Reply(status=503, body=b"", reset_before_headers=True).status
        503
    """

    status: int = 200
    body: bytes | list[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    first_byte_delay: float = 0.0  # seconds before anything is written
    chunk_delay: float = 0.0  # seconds between chunks of a list body
    gzip: bool = False  # content-encoding: gzip
    reset_before_headers: bool = False  # read the request, then RST without a byte
    reset_after: int | None = None  # RST after this many chunks (list) or bytes (bytes)
    stall_after: int | None = None  # go silent after this many chunks/bytes, until stopped
    trickle: float = 0.0  # send the body one byte at a time, this many seconds apart


@dataclass
class Received:
    """A request as the server saw it, with when it arrived and on which connection."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    arrived: float  # time.monotonic()
    wall: float  # time.time(), to compare with an HTTP-date
    connection: int  # 1 for the first connection accepted, 2 for the next...


@dataclass
class Stats:
    """Connection and request counters (read them after the calls are done)."""

    connections: int = 0  # accepted in total
    open: int = 0  # open now
    peak_open: int = 0
    in_flight: int = 0  # requests read but not fully answered
    peak_in_flight: int = 0


Responder = Callable[[Received], Reply]

# Small reads: a blocked recv() holds its whole buffer, which load tests would count.
_RECV_SIZE = 4096

_LIMIT_REPLY = Reply(
    status=503,
    body=b'{"message": "fault server request limit reached"}',
    headers={"x-should-retry": "false"},
)


class FaultServer:
    """Serve :class:`Reply` scripts on ``http://127.0.0.1:<port>/v1``.

    Each request takes the next queued reply (:meth:`enqueue`), else ``responder(request)``,
    else a 500 that says nothing was scripted. With ``record=False`` requests are only
    counted (:attr:`count`), so a load test's memory figures are the client's alone.

    Example:
        >>> with FaultServer(lambda request: Reply(body=b"{}"), max_requests=3) as server:
        ...     server.base_url.startswith("http://127.0.0.1:")
        True
    """

    def __init__(
        self,
        responder: Responder | None = None,
        *,
        max_requests: int = 200,
        lifetime: float = 30.0,
        record: bool = True,
    ) -> None:
        self.responder = responder
        self.max_requests = max_requests
        self.lifetime = lifetime
        self.record = record  # False: count requests only (load tests measure our memory)
        self.count = 0  # requests received
        self.queue: deque[Reply] = deque()
        self.requests: list[Received] = []
        self.stats = Stats()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=2048)
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)

    # -- public ------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The ``/v1`` base URL to give a client."""
        host, port = self._listener.getsockname()[:2]
        return f"http://{host}:{port}/v1"

    def enqueue(self, *replies: Reply) -> None:
        """Queue replies; each request takes the next one (before any responder)."""
        with self._lock:
            self.queue.extend(replies)

    def gaps(self) -> list[float]:
        """Seconds between consecutive request arrivals."""
        return [b.arrived - a.arrived for a, b in itertools.pairwise(self.requests)]

    def wait_all_closed(self, timeout: float = 2.0) -> bool:
        """Wait until no client connection is open; ``False`` if some still are."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.stats.open == 0:
                return True
            time.sleep(0.005)
        return self.stats.open == 0

    def __enter__(self) -> FaultServer:
        self._deadline = time.monotonic() + self.lifetime
        self._acceptor.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Close the listener and every connection; wake every delayed or stalled reply."""
        if not self._stop.is_set():
            self._stop.set()
            with contextlib.suppress(OSError):  # wake the acceptor from its accept()
                socket.create_connection(self._listener.getsockname()[:2], timeout=1).close()
        if self._acceptor.is_alive() and self._acceptor is not threading.current_thread():
            self._acceptor.join(timeout=5)
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in list(self._threads):
            thread.join(timeout=5)
        self._listener.close()

    # -- connections -------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            left = self._deadline - time.monotonic()
            if left <= 0:
                # The hard lifetime: whatever the test is doing, stop answering.
                threading.Thread(target=self.stop, daemon=True).start()
                return
            self._listener.settimeout(left)
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self._stop.is_set():
                conn.close()
                return
            conn.settimeout(None)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self.stats.connections += 1
                self.stats.open += 1
                self.stats.peak_open = max(self.stats.peak_open, self.stats.open)
                self._sockets.add(conn)
                number = self.stats.connections
            thread = threading.Thread(target=self._serve, args=(conn, number), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket, number: int) -> None:
        buffer = b""
        try:
            while not self._stop.is_set():
                parsed = _read_request(conn, buffer)
                if parsed is None:
                    return
                method, path, headers, raw, buffer = parsed
                request = Received(
                    method, path, headers, _decode(raw), time.monotonic(), time.time(), number
                )
                reply = self._next(request)
                with self._lock:
                    self.stats.in_flight += 1
                    self.stats.peak_in_flight = max(self.stats.peak_in_flight, self.stats.in_flight)
                try:
                    keep_alive = self._send(conn, reply)
                finally:
                    with self._lock:
                        self.stats.in_flight -= 1
                if not keep_alive or headers.get("connection", "").lower() == "close":
                    return
        except OSError:
            pass  # the client went away: nothing to answer
        finally:
            with self._lock:
                self._sockets.discard(conn)
                self.stats.open -= 1
            conn.close()

    def _next(self, request: Received) -> Reply:
        with self._lock:
            self.count += 1
            if self.record:
                self.requests.append(request)
            if self.count > self.max_requests:
                return _LIMIT_REPLY
            if self.queue:
                return self.queue.popleft()
        if self.responder is not None:
            return self.responder(request)
        return Reply(status=500, body=b'{"message": "fault server: no reply scripted"}')

    # -- replies -----------------------------------------------------------------------------

    def _send(self, conn: socket.socket, reply: Reply) -> bool:
        """Write ``reply``; ``True`` when the connection may serve another request."""
        if reply.first_byte_delay and self._wait(conn, reply.first_byte_delay):
            return False
        if reply.reset_before_headers:
            _reset(conn)
            return False
        pieces, framing, cut = _encode_body(reply)
        head = [f"HTTP/1.1 {reply.status} {_phrase(reply.status)}", framing]
        head.append(f"content-type: {reply.content_type}")
        if reply.gzip:
            head.append("content-encoding: gzip")
        head += [f"{name}: {value}" for name, value in reply.headers.items()]
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        for i, piece in enumerate(pieces):
            if i == cut:
                if reply.reset_after is not None:
                    _reset(conn)
                else:
                    self._wait(conn, self.lifetime)  # silent until the client or test gives up
                return False
            if piece and reply.trickle:
                for i in range(len(piece)):
                    conn.sendall(piece[i : i + 1])
                    if self._wait(conn, reply.trickle):
                        return False
            elif piece:
                conn.sendall(piece)
            chunked = isinstance(reply.body, list)
            if reply.chunk_delay and chunked and self._wait(conn, reply.chunk_delay):
                return False
        return True

    def _wait(self, conn: socket.socket, seconds: float) -> bool:
        """Wait ``seconds``; ``True`` (stop now) as soon as the client hangs up or we stop.

        Watching the socket lets a delayed reply notice a client that timed out, so the
        connection counts stay true while the server holds back its bytes.
        """
        deadline = time.monotonic() + seconds
        while not self._stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            readable, _, _ = select.select([conn], [], [], min(left, 0.02))
            if readable and not conn.recv(1, socket.MSG_PEEK):
                return True  # EOF: the client closed its end
        return True


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _reset(conn: socket.socket) -> None:
    # SO_LINGER with a zero timeout makes close() send an RST instead of a FIN.
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def _encode_body(reply: Reply) -> tuple[list[bytes], str, int | None]:
    """The body as the pieces written to the socket, its framing header, and the index of
    the piece where the reply breaks (``None``: it does not).

    A ``bytes`` body is cut at ``reset_after``/``stall_after`` (a byte offset) into two pieces;
    a list body becomes one chunk-framed piece per item, plus the terminating chunk.
    """
    cut = reply.reset_after if reply.reset_after is not None else reply.stall_after
    if isinstance(reply.body, bytes):
        body = gzip.compress(reply.body) if reply.gzip else reply.body
        if cut is None:
            return [body], f"content-length: {len(body)}", None
        return [body[:cut], body[cut:]], f"content-length: {len(body)}", 1
    chunks = list(reply.body)
    if reply.gzip:
        packer = zlib.compressobj(wbits=31)  # gzip container
        chunks = [packer.compress(c) + packer.flush(zlib.Z_SYNC_FLUSH) for c in chunks]
        chunks.append(packer.flush())
    framed = [b"%x\r\n%s\r\n" % (len(c), c) for c in chunks if c]
    return [*framed, b"0\r\n\r\n"], "transfer-encoding: chunked", cut


def _read_request(
    conn: socket.socket, buffer: bytes
) -> tuple[str, str, dict[str, str], bytes, bytes] | None:
    """One request off the socket: method, path, headers, body, and the bytes left over."""
    while b"\r\n\r\n" not in buffer:
        data = conn.recv(_RECV_SIZE)
        if not data:
            return None
        buffer += data
    head, buffer = buffer.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length") or 0)
    while len(buffer) < length:
        data = conn.recv(_RECV_SIZE)
        if not data:
            return None
        buffer += data
    return method, path, headers, buffer[:length], buffer[length:]


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", errors="replace")
