"""The fault server itself, seen through plain ``httpx``: each misbehaviour happens as scripted,
and the server stays within its bounds (requests, lifetime) whatever a test does."""

from __future__ import annotations

import gzip
import time

import httpx
import pytest

from tests.support.fault_server import FaultServer, Reply
from tests.support.timing import at_least


def test_request_limit_answers_503_that_must_not_be_retried() -> None:
    server = FaultServer(lambda request: Reply(body=b"{}"), max_requests=2)
    with server, httpx.Client() as http:
        codes = [http.post(server.base_url + "/x", json={}) for _ in range(3)]
    assert [r.status_code for r in codes] == [200, 200, 503]
    assert codes[2].headers["x-should-retry"] == "false"
    assert server.count == 3 and len(server.requests) == 3


def test_lifetime_ends_a_stalled_reply() -> None:
    stalled = Reply(body=[b"data: 1\n\n", b"data: 2\n\n"], stall_after=1)
    with FaultServer(lambda request: stalled, lifetime=0.3) as server:
        started = time.monotonic()
        with pytest.raises(httpx.RemoteProtocolError), httpx.stream("POST", server.base_url) as r:
            r.read()  # would wait forever for chunk 2 without the lifetime
        assert 0.25 < time.monotonic() - started < 2


def test_reset_before_headers_and_mid_body() -> None:
    with FaultServer() as server:
        server.enqueue(Reply(reset_before_headers=True), Reply(body=b"x" * 1000, reset_after=10))
        with httpx.Client() as http:
            # an RST reads as "reset by peer", or as "closed" if it races the request write
            with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
                http.post(server.base_url)
            with pytest.raises(httpx.ReadError):
                http.post(server.base_url)
    assert server.stats.connections == 2


def test_slow_first_byte_and_request_arrival_times() -> None:
    with FaultServer() as server:
        server.enqueue(Reply(body=b"{}", first_byte_delay=5), Reply(body=b"{}"))
        with httpx.Client(timeout=0.2) as http:
            with pytest.raises(httpx.ReadTimeout):
                http.post(server.base_url, json={"n": 1})
            time.sleep(0.1)
            assert http.post(server.base_url, json={"n": 2}).json() == {}
        assert server.wait_all_closed()
    first, second = server.requests
    assert (first.body, second.body) == ({"n": 1}, {"n": 2})
    assert at_least(server.gaps()[0], 0.3), server.gaps()  # 0.2 s timeout, then 0.1 s
    assert first.connection == 1 and second.connection == 2  # the timed-out one was dropped


def test_gzip_stream_arrives_chunk_by_chunk() -> None:
    chunks = [b"data: %d\n\n" % i for i in range(5)]
    with FaultServer() as server:
        server.enqueue(Reply(body=chunks, gzip=True, content_type="text/event-stream"))
        server.enqueue(Reply(body=b'{"a": 1}', gzip=True))
        with httpx.Client() as http:
            with http.stream("POST", server.base_url) as r:
                assert r.headers["content-encoding"] == "gzip"
                assert r.headers["transfer-encoding"] == "chunked"
                got = list(r.iter_bytes())
            raw = http.post(server.base_url)
    assert b"".join(got) == b"".join(chunks)
    assert raw.json() == {"a": 1}
    assert int(raw.headers["content-length"]) == len(gzip.compress(b'{"a": 1}'))


def test_connection_counts() -> None:
    with FaultServer(lambda request: Reply(body=b"{}")) as server:
        clients = [httpx.Client() for _ in range(3)]
        for http in clients:
            http.post(server.base_url)
        assert server.stats.open == 3
        for http in clients:
            http.close()
        assert server.wait_all_closed()
    assert server.stats.peak_open == 3 and server.stats.connections == 3
