"""SSE decoder properties: the same events whatever the byte splits (inside a line, inside a
CRLF, inside a multi-byte UTF-8 character), on real corpus streams and on generated ones with
comments, ``event:``/``id:`` fields, multi-line data and mixed CRLF/CR/LF line ends."""

from __future__ import annotations

import itertools
import json
from functools import cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aimlapi_core.sse import ServerSentEvent, SSEDecoder
from tests.support.corpus import exchanges, require_corpus
from tests.support.wire_expect import naive_sse

PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Event = tuple[str | None, str, str | None]


def as_tuples(events: list[ServerSentEvent]) -> list[Event]:
    return [(e.event, e.data, e.id) for e in events]


def decode(pieces: list[bytes]) -> list[Event]:
    decoder = SSEDecoder()
    out: list[ServerSentEvent] = []
    for piece in pieces:
        out += decoder.feed(piece)
    out += decoder.flush()
    return as_tuples(out)


def cut(data: bytes, positions: list[int]) -> list[bytes]:
    points = sorted({p for p in positions if 0 < p < len(data)})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


# --------------------------------------------------------------------------- corpus streams


@cache
def corpus_streams() -> tuple[tuple[str, bytes], ...]:
    """Every SSE body of the corpus (kept in ``tests/data``, so never empty on a clone)."""
    require_corpus()
    out = []
    for endpoint in ("chat.completions", "responses"):
        for x in exchanges(endpoint):
            if x["response"]["content_type"].startswith("text/event-stream"):
                out.append((x["id"], x["response"]["body"].encode()))
    return tuple(out)


@cache
def whole(body: bytes) -> list[Event]:
    return decode([body])


def _needs_corpus() -> None:
    assert corpus_streams(), "the wire corpus has no SSE stream"


def test_corpus_streams_decode_like_a_naive_reader() -> None:
    _needs_corpus()
    assert len(corpus_streams()) >= 60
    for _, body in corpus_streams():
        naive = [(name, data) for name, data in naive_sse(body.decode())]
        assert [(e, d) for e, d, _ in whole(body)] == naive
        assert all(json.loads(d) is not None for _, d, _ in whole(body) if d != "[DONE]")


def _special_positions(body: bytes) -> list[int]:
    """Offsets inside multi-byte UTF-8 characters and right after a CR."""
    return [i for i, b in enumerate(body) if 0x80 <= b <= 0xBF or (i and body[i - 1] == 0x0D)]


@st.composite
def corpus_split(draw: st.DrawFn) -> tuple[bytes, list[bytes]]:
    index = draw(st.integers(0, len(corpus_streams()) - 1))
    body = corpus_streams()[index][1]
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if ending != "\n":
        body = body.replace(b"\n", ending.encode())
    positions = draw(st.lists(st.integers(1, max(len(body) - 1, 1)), max_size=40))
    special = _special_positions(body)
    if special:
        positions += draw(st.lists(st.sampled_from(special), max_size=20))
    if draw(st.booleans()) and len(body) < 20_000:
        positions += list(range(1, len(body)))  # byte by byte
    return body, cut(body, positions)


@PROPS
@given(corpus_split())
def test_corpus_streams_any_split_same_events(case: tuple[bytes, list[bytes]]) -> None:
    _needs_corpus()
    body, pieces = case
    lf = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    assert decode(pieces) == whole(lf)


def test_split_inside_every_multibyte_character_of_the_corpus() -> None:
    _needs_corpus()
    for _, body in corpus_streams():
        special = [i for i, b in enumerate(body) if 0x80 <= b <= 0xBF]
        if not special:
            continue
        assert decode(cut(body, special)) == whole(body)


# --------------------------------------------------------------------------- generated streams

VALUE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00"),
    max_size=30,
)
MULTIBYTE = st.sampled_from(["é", "中文", "🦜", "ß", "ج", "\u2028", "a b", ": x", " lead"])
DATA_LINE = st.one_of(VALUE, MULTIBYTE, st.just(""), st.just("[DONE]"))


@st.composite
def gen_event(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "comments": draw(st.lists(VALUE, max_size=2)),
        "event": draw(st.one_of(st.none(), st.sampled_from(["error", "message", "ping", "ü"]))),
        "id": draw(st.one_of(st.none(), st.text(alphabet="abc123", min_size=1, max_size=4))),
        "retry": draw(st.one_of(st.none(), st.integers(0, 5000))),
        "data": draw(st.lists(DATA_LINE, min_size=1, max_size=4)),
    }


def field_line(name: str, value: str, space: bool) -> str:
    # One space after the colon is dropped by the decoder: a value that starts with a space
    # therefore always gets one.
    return f"{name}:{' ' if space or value.startswith(' ') else ''}{value}"


@st.composite
def gen_stream(draw: st.DrawFn) -> tuple[bytes, list[Event]]:
    events = draw(st.lists(gen_event(), min_size=1, max_size=6))
    lines: list[str] = []
    expected: list[Event] = []
    last_id: str | None = None
    for ev in events:
        others = [":" + c for c in ev["comments"]]
        if ev["event"] is not None:
            others.append(field_line("event", ev["event"], draw(st.booleans())))
        if ev["id"] is not None:
            others.append(field_line("id", ev["id"], draw(st.booleans())))
            last_id = ev["id"]
        if ev["retry"] is not None:
            others.append(f"retry: {ev['retry']}")
        others = draw(st.permutations(others))
        datas = [field_line("data", d, draw(st.booleans())) for d in ev["data"]]
        # the other lines go anywhere among the data lines, which keep their order
        block: list[str] = []
        while others or datas:
            take_data = bool(datas) and (not others or draw(st.booleans()))
            block.append(datas.pop(0) if take_data else others.pop(0))
        lines += [*block, ""]
        expected.append((ev["event"], "\n".join(ev["data"]), last_id))
    text, previous = "", ""
    for line in lines:
        options = ["\n", "\r\n", "\r"]
        if previous == "\r" and line == "":
            options = ["\r\n", "\r"]  # "\r" + "\n" would read as one CRLF, not two ends
        ending = draw(st.sampled_from(options))
        text += line + ending
        previous = ending
    if draw(st.booleans()):
        text = ": keep-alive\n\n" + text
    return text.encode(), expected


@PROPS
@given(gen_stream(), st.data())
def test_generated_streams_any_split(
    stream: tuple[bytes, list[Event]], data: st.DataObject
) -> None:
    body, expected = stream
    assert decode([body]) == expected
    positions = data.draw(st.lists(st.integers(1, max(len(body) - 1, 1)), max_size=30))
    special = _special_positions(body)
    if special:
        positions += data.draw(st.lists(st.sampled_from(special), max_size=10))
    assert decode(cut(body, positions)) == expected
    assert decode([body[i : i + 1] for i in range(len(body))]) == expected


@PROPS
@given(gen_stream())
def test_last_event_without_trailing_blank_line_is_flushed(
    stream: tuple[bytes, list[Event]],
) -> None:
    body, expected = stream
    trimmed = body.rstrip(b"\r\n")
    assert decode([trimmed]) == expected


def test_bom_at_the_start_is_dropped() -> None:
    body = b"\xef\xbb\xbfdata: a\n\ndata: \xef\xbb\xbfb\n\n"
    expected = [(None, "a", None), (None, "\ufeffb", None)]
    assert decode([body]) == expected
    assert decode([body[i : i + 1] for i in range(len(body))]) == expected


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    assert decode([b"data: \xff\xfe ok\n\n"]) == [(None, "\ufffd\ufffd ok", None)]
