"""Incremental Server-Sent Events decoder.

Feed it bytes as they arrive, in any split (inside a line, inside a CRLF, inside a multi-byte
UTF-8 character): it yields the same events as if the whole body had come at once. Follows the
WHATWG event-stream rules that matter here: ``:`` comment lines (gateways send
``: OPENROUTER PROCESSING``), ``event:``/``id:``/``retry:`` fields, multi-line ``data:``,
``\\r\\n``, ``\\r`` and ``\\n`` line ends, one optional space after the colon.

Example:
    >>> dec = SSEDecoder()
    >>> dec.feed(b": ping\\n\\nevent: error\\ndata: {\\"a\\"")
    []
    >>> [(e.event, e.data) for e in dec.feed(b": 1}\\n\\ndata: [DONE]\\n\\n")]
    [('error', '{"a": 1}'), (None, '[DONE]')]
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

__all__ = ["SSEDecoder", "ServerSentEvent"]


@dataclass(slots=True)
class ServerSentEvent:
    """One dispatched event: ``data`` joins its ``data:`` lines with ``\\n``.

    Example:
        >>> ServerSentEvent(data="[DONE]").is_done
        True
    """

    data: str = ""
    event: str | None = None
    id: str | None = None
    retry: int | None = None

    @property
    def is_done(self) -> bool:
        """True for OpenAI's ``data: [DONE]`` terminator."""
        return self.data == "[DONE]"


class SSEDecoder:
    """Turns a byte stream into :class:`ServerSentEvent` objects, one chunk at a time.

    Example:
        >>> dec = SSEDecoder()
        >>> dec.feed(b"data: a\\r")
        []
        >>> [e.data for e in dec.feed(b"\\ndata: b\\r\\n\\r\\n")]
        ['a\\nb']
    """

    __slots__ = ("_data", "_event", "_id", "_pending", "_retry", "_text")

    def __init__(self) -> None:
        # utf-8-sig: a leading byte order mark is dropped, as the event-stream rules require
        # (kept, it would turn the first field name into "\ufeffdata" and lose the event).
        self._text = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
        self._pending = ""  # an unfinished line, kept until its end arrives
        self._data: list[str] = []
        self._event: str | None = None
        self._id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode ``chunk`` and return the events it completed (maybe none)."""
        text = self._pending + self._text.decode(chunk)
        if not text:
            return []
        # A trailing "\r" may be the first half of "\r\n": wait for the next byte.
        hold_cr = text.endswith("\r")
        if hold_cr:
            text = text[:-1]
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        self._pending = lines.pop() + ("\r" if hold_cr else "")
        events: list[ServerSentEvent] = []
        for line in lines:
            # Fast path for the two lines nearly every event is made of.
            if line.startswith("data: "):
                self._data.append(line[6:])
                continue
            event = self._dispatch() if not line else self._line(line)
            if event is not None:
                events.append(event)
        return events

    def flush(self) -> list[ServerSentEvent]:
        """End of stream: process a last unterminated line and dispatch what is pending.

        A body that ends without the blank line after its last event still yields it
        (servers often omit it); the caller decides whether the stream was complete.
        """
        text = self._pending + self._text.decode(b"", final=True)
        self._pending = ""
        events: list[ServerSentEvent] = []
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            event = self._line(line)
            if event is not None:
                events.append(event)
        event = self._line("")
        if event is not None:
            events.append(event)
        return events

    def _line(self, line: str) -> ServerSentEvent | None:
        if not line:
            return self._dispatch()
        if line[0] == ":":
            return None
        name, sep, value = line.partition(":")
        if sep and value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        if not self._data and self._event is None:
            return None
        event = ServerSentEvent(
            data="\n".join(self._data), event=self._event, id=self._id, retry=self._retry
        )
        self._data = []
        self._event = None
        self._retry = None
        return event
