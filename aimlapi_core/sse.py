"""Incremental Server-Sent Events decoder.

Feed it bytes as they arrive, in any split (inside a line, inside a CRLF, inside a multi-byte
UTF-8 character): it yields the same events as if the whole body had come at once. Follows the
WHATWG event-stream rules that matter here: ``:`` comment lines (gateways send
``: OPENROUTER PROCESSING``), ``event:``/``id:``/``retry:`` fields, multi-line ``data:``,
``\\r\\n``, ``\\r`` and ``\\n`` line ends, one optional space after the colon.

Linear in the bytes: an unfinished line is kept as a list of pieces and joined once, when its
end arrives, so a 4 MB event arriving in 256-byte reads costs what one read of it costs.
With ``end_at_done=True`` OpenAI's ``data: [DONE]`` (trailing whitespace allowed) is the last
event: the decoder yields it as ``[DONE]`` and ignores every byte after it.

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

_utf8_decode = codecs.utf_8_decode


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
        """True for OpenAI's ``data: [DONE]`` terminator (surrounding whitespace allowed).

        Example:
            >>> ServerSentEvent(data="[DONE] ").is_done
            True
        """
        return self.data == "[DONE]" or self.data.strip() == "[DONE]"


class SSEDecoder:
    """Turns a byte stream into :class:`ServerSentEvent` objects, one chunk at a time.

    After each :meth:`feed`, :attr:`idle` says whether the chunk carried nothing but comments
    and blank lines (a keep-alive), and :attr:`done` whether ``[DONE]`` ended the stream
    (``end_at_done=True`` only).

    Example:
        >>> dec = SSEDecoder()
        >>> dec.feed(b"data: a\\r")
        []
        >>> [e.data for e in dec.feed(b"\\ndata: b\\r\\n\\r\\n")]
        ['a\\nb']
        >>> dec = SSEDecoder(end_at_done=True)
        >>> [e.data for e in dec.feed(b"data: [DONE] \\n\\n: ping\\n\\ndata: late\\n\\n")], dec.done
        (['[DONE]'], True)
    """

    __slots__ = (
        "_data",
        "_end_at_done",
        "_event",
        "_id",
        "_pending",
        "_retry",
        "_started",
        "_undecoded",
        "done",
        "idle",
    )

    def __init__(self, *, end_at_done: bool = False) -> None:
        self._undecoded = b""  # the start of a multi-byte character split across chunks
        self._started = False  # whether the first character (maybe a BOM) has been seen
        # An unfinished line as the pieces that came so far, joined once its end arrives:
        # adding each piece to a string would copy the line again at every read (quadratic).
        self._pending: list[str] = []
        self._data: list[str] = []
        self._event: str | None = None
        self._id: str | None = None
        self._retry: int | None = None
        self._end_at_done = end_at_done
        self.done = False  # [DONE] was dispatched (end_at_done only): the rest is ignored
        self.idle = False  # the last chunk carried only comments and blank lines

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode ``chunk`` and return the events it completed (maybe none)."""
        if self.done:
            return []
        if self._undecoded or not self._started:
            text = self._decode(chunk, final=False)
        else:
            # The C UTF-8 codec directly: an incomplete character at the end waits.
            text, used = _utf8_decode(chunk, "replace", False)
            if used < len(chunk):
                self._undecoded = chunk[used:]
        # Fast path: servers flush one whole ``data:`` event per write, so most chunks are
        # exactly "data: <json>\n\n" (one event, no state before or after it).
        if (
            text.startswith("data: ")
            and text.endswith("\n\n")
            and text.find("\n") == len(text) - 2
            and not self._pending
            and not self._data
            and self._event is None
            and "\r" not in text
        ):
            retry, self._retry = self._retry, None
            data = text[6:-2]
            if self._end_at_done and data[:1] == "[" and data.rstrip() == "[DONE]":
                self.done = True
                data = "[DONE]"
            return [ServerSentEvent(data, None, self._id, retry)]
        pending = self._pending
        if "\n" not in text and "\r" not in text:
            # No line ends here: one more piece of the unfinished line, nothing to dispatch.
            if text:
                pending.append(text)
            self.idle = self._pending_is_comment()
            return []
        if pending:
            pending.append(text)
            text = "".join(pending)
            pending.clear()
        # A trailing "\r" may be the first half of "\r\n": wait for the next byte.
        hold_cr = text.endswith("\r")
        if hold_cr:
            text = text[:-1]
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        last = lines.pop() + ("\r" if hold_cr else "")
        if last:
            pending.append(last)
        events: list[ServerSentEvent] = []
        idle = True
        for line in lines:
            # Fast path for the two lines nearly every event is made of.
            if line.startswith("data: "):
                self._data.append(line[6:])
                idle = False
                continue
            if not line:
                event = self._dispatch()
                if event is None:
                    continue
                events.append(event)
                if self.done:
                    return events
            elif line[0] != ":":
                self._line(line)
                idle = False
        self.idle = idle and not events and self._pending_is_comment()
        return events

    def _pending_is_comment(self) -> bool:
        # The unfinished line (if any) is a comment: ``:`` after a held "\r" of a line end.
        for piece in self._pending:
            piece = piece.lstrip("\r")
            if piece:
                return piece[0] == ":"
        return True

    def _decode(self, chunk: bytes, *, final: bool) -> str:
        # An incremental decoder object would cost three Python calls per chunk: the C codec
        # instead, with an incomplete character at the end kept in ``_undecoded``.
        data = self._undecoded + chunk if self._undecoded else chunk
        text, used = _utf8_decode(data, "replace", final)
        self._undecoded = data[used:] if used < len(data) else b""
        if not self._started and text:
            self._started = True
            # A leading byte order mark is dropped, as the event-stream rules require (kept,
            # it would turn the first field name into "\ufeffdata" and lose the event).
            if text[0] == "\ufeff":
                text = text[1:]
        return text

    def flush(self) -> list[ServerSentEvent]:
        """End of stream: process a last unterminated line and dispatch what is pending.

        A body that ends without the blank line after its last event still yields it
        (servers often omit it); the caller decides whether the stream was complete.
        """
        if self.done:
            return []
        text = "".join(self._pending) + self._decode(b"", final=True)
        self._pending.clear()
        events: list[ServerSentEvent] = []
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            event = self._line(line)
            if event is not None:
                events.append(event)
                if self.done:
                    return events
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
        data = "\n".join(self._data)
        if self._end_at_done and data[:1] == "[" and data.rstrip() == "[DONE]":
            self.done = True
            data = "[DONE]"
        event = ServerSentEvent(data=data, event=self._event, id=self._id, retry=self._retry)
        self._data = []
        self._event = None
        self._retry = None
        return event
