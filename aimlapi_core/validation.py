"""Request bodies that JSON cannot carry are refused before they are sent, naming the place.

Python's ``json`` writes ``NaN`` and ``Infinity`` unless told not to; that is not JSON, and a
server either rejects the whole request or reads something else. A schema nested thousands of
levels deep makes the encoder raise ``RecursionError``. Both become an
:class:`~aimlapi_core.errors.InvalidParameterError` whose ``path`` says where the value is
(``temperature``, ``tools[0].function.parameters.properties...``).

The checks cost nothing on a good body: the encoder runs with ``allow_nan=False``, and only
when it fails is the body walked (iteratively, so depth cannot break the walk) to find where.

Example:
    >>> encode_json_body({"model": "m", "temperature": 0.5})
    b'{"model":"m","temperature":0.5}'
    >>> encode_json_body({"model": "m", "logit_bias": {"50": float("-inf")}})
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    aimlapi_core.errors.InvalidParameterError: logit_bias["50"] is -infinity: JSON has no ...
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

from .errors import InvalidParameterError

__all__ = ["encode_json_body", "find_deepest", "find_non_finite", "format_path"]

Path = tuple["str | int", ...]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Segments of a very deep path shown at each end; the middle is elided.
_SHOWN = 6
_NAMES = {"nan": "NaN", "inf": "infinity", "-inf": "-infinity"}


def format_path(path: Path) -> str:
    """``("tools", 0, "function", "a b")`` as ``tools[0].function["a b"]``.

    Example:
        >>> format_path(("tools", 0, "function", "parameters", "a b"))
        'tools[0].function.parameters["a b"]'
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out or "the body"


def _short(path: Path) -> str:
    if len(path) <= 2 * _SHOWN:
        return format_path(path)
    head, tail = format_path(path[:_SHOWN]), format_path(path[-_SHOWN:])
    return f"{head} ... {tail}"


def _children(value: Any) -> Iterator[tuple[str | int, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield (key if isinstance(key, (str, int)) else str(key)), item
    elif isinstance(value, (list, tuple)):
        yield from enumerate(value)


# A path as a linked list (parent, key): a walk shares prefixes instead of copying them, which
# keeps a body nested 100,000 levels deep linear to walk.
_Link = tuple["_Link | None", "str | int"] | None


def _path(link: _Link) -> Path:
    parts: list[str | int] = []
    while link is not None:
        link, key = link
        parts.append(key)
    return tuple(reversed(parts))


def _walk(body: Any) -> Iterator[tuple[int, _Link, Any]]:
    """Every value in ``body`` with its depth and path, depth first, without recursion."""
    stack: list[tuple[int, _Link, Any]] = [(0, None, body)]
    while stack:
        depth, link, value = stack.pop()
        yield depth, link, value
        children = list(_children(value))
        stack.extend((depth + 1, (link, key), item) for key, item in reversed(children))


def find_non_finite(body: Any) -> tuple[Path, float] | None:
    """The first NaN or infinity in ``body``, with its path; ``None`` if there is none.

    Example:
        >>> find_non_finite({"tools": [{"x": [1, float("nan")]}]})
        (('tools', 0, 'x', 1), nan)
    """
    for _, link, value in _walk(body):
        if isinstance(value, float) and not math.isfinite(value):
            return _path(link), value
    return None


def find_deepest(body: Any) -> Path:
    """The path of the most deeply nested value in ``body`` (the first one, if tied).

    Example:
        >>> find_deepest({"a": {"b": [0]}, "c": 1})
        ('a', 'b', 0)
    """
    deepest: tuple[int, _Link] = (0, None)
    for depth, link, _ in _walk(body):
        if depth > deepest[0]:
            deepest = (depth, link)
    return _path(deepest[1])


def encode_json_body(body: Mapping[str, Any]) -> bytes:
    """``body`` as compact UTF-8 JSON, or a typed error naming the value that cannot be sent.

    Raises :class:`InvalidParameterError` for NaN or infinity anywhere in the body, and for
    nesting too deep to encode; ``TypeError`` for values JSON has no form for (as before).
    """
    try:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except RecursionError:
        deepest = find_deepest(body)
        where = _short(deepest)
        raise InvalidParameterError(
            f"{format_path(deepest[:1])} is nested {len(deepest)} levels deep (at {where}): too "
            "deep to encode as JSON. Flatten it; a recursive schema can refer to itself with "
            "$defs and $ref.",
            path=where,
        ) from None
    except (TypeError, ValueError) as exc:
        found = find_non_finite(body)
        if found is not None:
            path, value = found
            name = format_path(path)
            raise InvalidParameterError(
                f"{name} is {_NAMES.get(repr(value), repr(value))}: JSON has no infinity or "
                "NaN, so it cannot be sent. "
                f"Pass a finite number, or leave {name} out.",
                path=name,
            ) from None
        raise TypeError(f"The request body is not JSON-serialisable: {exc}") from exc
    return text.encode()
