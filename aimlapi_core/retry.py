"""When to retry and how long to wait: shared by the sync and async clients.

Retries cover connection errors, timeouts, 408, 409, 429 and 5xx. The wait is the server's
``retry-after-ms`` or ``Retry-After`` (seconds or HTTP-date) when it gives one within a minute,
else jittered exponential backoff: 0.5 s, 1 s, 2 s … capped at 8 s, minus up to 25 %.

Example:
    >>> should_retry_status(429), should_retry_status(400)
    (True, False)
    >>> retry_delay(0, {"retry-after-ms": "1500"})
    1.5
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Mapping

__all__ = ["retry_after_seconds", "retry_delay", "should_retry_status"]

INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
MAX_RETRY_AFTER = 60.0
_RETRY_STATUSES = frozenset({408, 409, 429})


def should_retry_status(status: int, headers: Mapping[str, str] | None = None) -> bool:
    """True for statuses worth another try; ``x-should-retry`` from the server wins."""
    if headers is not None:
        hint = headers.get("x-should-retry")
        if hint == "true":
            return True
        if hint == "false":
            return False
    return status in _RETRY_STATUSES or status >= 500


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """The server's requested wait in seconds, or ``None`` when absent or unreadable.

    Example:
        >>> retry_after_seconds({"retry-after": "2"})
        2.0
    """
    if not headers:
        return None
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return max(float(ms) / 1000.0, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    return max(float(email.utils.mktime_tz(parsed)) - time.time(), 0.0)


def retry_delay(attempt: int, headers: Mapping[str, str] | None = None) -> float:
    """Seconds to wait before retry number ``attempt + 1`` (``attempt`` counts from 0)."""
    requested = retry_after_seconds(headers)
    if requested is not None and requested <= MAX_RETRY_AFTER:
        return requested
    backoff = min(INITIAL_DELAY * float(1 << min(attempt, 16)), MAX_DELAY)
    return backoff * (1.0 - 0.25 * random.random())
