"""Header values never reach an error message.

httpx (through h11) refuses a header it cannot send with the header in its message:
``Illegal header value b'Bearer sk-...\\n'``. Our connection errors quote the transport error,
and chain it as their cause, so the message of that error and of every error in its chain is
cut down before it is quoted.

Example:
    >>> without_header_values("Illegal header value b'Bearer sk-secret\\\\n'")
    'Illegal header value (not shown)'
"""

from __future__ import annotations

import re

__all__ = ["scrub_header_values", "without_header_values"]

# What h11/httpcore put in a message about a header they refused: the header itself.
_HEADER_IN_MESSAGE = re.compile(r"(Illegal header (?:value|name))\b.*", re.DOTALL)
_BEARER = re.compile(r"(Bearer\s+)\S+", re.IGNORECASE)


def without_header_values(text: str) -> str:
    """``text`` with any header value cut out (it may be the API key or another secret).

    Example:
        >>> without_header_values("auth failed for Bearer sk-123")
        'auth failed for Bearer (not shown)'
    """
    return _BEARER.sub(r"\1(not shown)", _HEADER_IN_MESSAGE.sub(r"\1 (not shown)", text))


def scrub_header_values(exc: BaseException) -> None:
    """Cut header values out of the arguments of ``exc`` and of every exception in its chain.

    Example:
        >>> err = ValueError("Illegal header value b'tok\\\\n'")
        >>> scrub_header_values(err)
        >>> str(err)
        'Illegal header value (not shown)'
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.args = tuple(
            without_header_values(a) if isinstance(a, str) else a for a in current.args
        )
        current = current.__cause__ or current.__context__
