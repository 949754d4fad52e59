"""Tolerance for timing assertions.

A wait measured on one clock is seen on another: a server stamps a request's arrival when it
has parsed it, a client starts its timeout when it has sent it, and the two are a few
milliseconds apart under load (a 0.2 s timeout plus a 0.1 s pause was once seen as a 0.2998 s
gap between arrivals). Lower bounds therefore allow :data:`CLOCK_SLACK`.

Example:
    >>> at_least(0.2998, 0.3), at_least(0.25, 0.3)
    (True, False)
"""

from __future__ import annotations

CLOCK_SLACK = 0.02  # seconds


def at_least(measured: float, expected: float, slack: float = CLOCK_SLACK) -> bool:
    """``measured`` is ``expected`` or more, give or take ``slack`` seconds of clock skew."""
    return measured >= expected - slack
