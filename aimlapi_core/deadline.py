"""One call's time budget: a total deadline over connect, headers, body and retries.

httpx bounds each operation (connect, each read) but not a whole call: a server that trickles a
byte every half second, or sends keep-alive comments and never content, holds a call forever.
A :class:`Deadline` is started when a call starts and passed down to everything that waits on
the call's behalf: every attempt's httpx timeouts are capped by what is left of it, a retry's
wait may not pass it, and the body and stream readers check it between reads. It also counts
what arrived (status, body bytes, events), so the timeout error can say how far the call got.

Example:
    >>> budget = Deadline(total=600, read_timeout=120)
    >>> 0 < budget.cap(120) <= 120, budget.passed()
    (True, False)
    >>> Deadline(total=None, read_timeout=None).cap(None) is None
    True
"""

from __future__ import annotations

from time import monotonic

from .errors import APITimeoutError

__all__ = ["Deadline"]


class Deadline:
    """The budget of one call: ``total`` seconds from now (``None``: no limit).

    ``read_timeout`` is the longest silence a stream may keep: a stream that sends only
    keep-alive comments for longer counts as stalled.

    Example:
        >>> d = Deadline(total=0.5, read_timeout=None)
        >>> d.status, d.received = 200, 1234
        >>> d.progress()
        'after status 200 and 1,234 bytes of the body'
    """

    __slots__ = ("at", "events", "read_timeout", "received", "started", "status", "total")

    def __init__(self, total: float | None, read_timeout: float | None) -> None:
        self.total = total
        self.read_timeout = read_timeout
        self.started = monotonic()
        self.at = None if total is None else self.started + total
        self.status: int | None = None  # of the reply being read, once its headers came
        self.received = 0  # body bytes of that reply
        self.events = 0  # server-sent events of that reply

    def cap(self, seconds: float | None) -> float | None:
        """``seconds`` (an httpx timeout; ``None``: none), made to end by the deadline."""
        if self.at is None:
            return seconds
        left = max(self.at - monotonic(), 0.001)  # 0 would mean "no wait" to some backends
        return left if seconds is None else min(seconds, left)

    def passed(self) -> bool:
        """Whether the deadline has passed."""
        return self.at is not None and monotonic() >= self.at

    def allows_wait(self, seconds: float) -> bool:
        """Whether waiting ``seconds`` (before a retry) still ends before the deadline."""
        return self.at is None or monotonic() + seconds < self.at

    def progress(self) -> str:
        """How far the call got, in counts only (never header or body content)."""
        if self.status is None:
            return "before any reply"
        text = f"after status {self.status} and {self.received:,} bytes of the body"
        if self.events:
            text += f" ({self.events:,} events)"
        return text

    def expired(self, inference_id: str | None = None) -> APITimeoutError:
        """The error for a call that ran past its total deadline."""
        elapsed = monotonic() - self.started
        return APITimeoutError(
            f"The call ran past its total_timeout of {self.total:g} s ({elapsed:.1f} s), "
            f"{self.progress()}; the answer is incomplete. Raise total_timeout=... "
            "(None: no limit), or retry later.",
            inference_id=inference_id,
            request_id=inference_id,
        )

    def stalled(self, inference_id: str | None, silent_for: float) -> APITimeoutError:
        """The error for a stream that sent nothing but keep-alive comments for too long."""
        return APITimeoutError(
            f"The stream stalled: only keep-alive comments for {silent_for:.1f} s, past the "
            f"read timeout of {self.read_timeout:g} s, {self.progress()}; the answer is "
            "incomplete. Raise timeout=..., or retry later.",
            inference_id=inference_id,
            request_id=inference_id,
        )
