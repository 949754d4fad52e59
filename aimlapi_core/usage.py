"""One normalised token usage and cost, from either endpoint's wire shape.

Chat completions say ``prompt_tokens``/``completion_tokens`` with ``*_tokens_details``;
Responses say ``input_tokens``/``output_tokens``. Both map to :class:`Usage`. AI/ML API's cost
comes as ``meta.usage`` in the body (or the final stream chunk) or as ``x-aimlapi-*`` headers:
both map to :class:`Cost`.

Example:
    >>> u = usage_from_wire({"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15,
    ...                      "completion_tokens_details": {"reasoning_tokens": 3}})
    >>> u.input_tokens, u.output_tokens, u.total_tokens, u.reasoning_tokens
    (10, 5, 15, 3)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "Cost",
    "Usage",
    "cost_from_headers",
    "cost_from_meta",
    "inference_id_from",
    "usage_from_wire",
]


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts of one call; the detail counts are ``None`` when the server did not say.

    Example:
        >>> Usage(input_tokens=3, output_tokens=4, total_tokens=7).as_dict()["total_tokens"]
        7
    """

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cached_input_tokens: int | None = None
    reasoning_tokens: int | None = None
    audio_input_tokens: int | None = None
    audio_output_tokens: int | None = None

    def as_dict(self) -> dict[str, int | None]:
        """Plain dict of the fields."""
        return asdict(self)

    def __add__(self, other: Usage) -> Usage:
        """The usage of two calls together; a detail count stays ``None`` only where both are.

        Example:
            >>> (Usage(3, 4, 7, reasoning_tokens=2) + Usage(1, 1, 2)).as_dict()["reasoning_tokens"]
            2
            >>> sum([Usage(1, 2, 3), Usage(4, 5, 9)], Usage()).total_tokens
            12
        """
        if not isinstance(other, Usage):
            return NotImplemented
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.total_tokens + other.total_tokens,
            _add(self.cached_input_tokens, other.cached_input_tokens),
            _add(self.reasoning_tokens, other.reasoning_tokens),
            _add(self.audio_input_tokens, other.audio_input_tokens),
            _add(self.audio_output_tokens, other.audio_output_tokens),
        )


def _add(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else a + b


@dataclass(frozen=True, slots=True)
class Cost:
    """What a call cost on AI/ML API: credits and US dollars.

    Example:
        >>> cost_from_meta({"usage": {"credits_used": 2480, "usd_spent": 0.00124}})
        Cost(credits_used=2480, usd_spent=0.00124)
    """

    credits_used: float | None = None
    usd_spent: float | None = None

    def as_dict(self) -> dict[str, float | None]:
        """Plain dict of the fields."""
        return asdict(self)


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _detail(details: Any, key: str) -> int | None:
    return _int(details.get(key)) if isinstance(details, Mapping) else None


def usage_from_wire(raw: Mapping[str, Any] | None) -> Usage | None:
    """Normalise a chat-completions or Responses ``usage`` object; ``None`` stays ``None``.

    A missing total is the sum of input and output.

    Example:
        >>> usage_from_wire({"input_tokens": 8, "output_tokens": 2,
        ...                  "input_tokens_details": {"cached_tokens": 4}}).cached_input_tokens
        4
    """
    if not isinstance(raw, Mapping):
        return None
    if "input_tokens" in raw or "output_tokens" in raw:
        inp, out = _int(raw.get("input_tokens")) or 0, _int(raw.get("output_tokens")) or 0
        in_details, out_details = raw.get("input_tokens_details"), raw.get("output_tokens_details")
    else:
        inp, out = _int(raw.get("prompt_tokens")) or 0, _int(raw.get("completion_tokens")) or 0
        in_details, out_details = (
            raw.get("prompt_tokens_details"),
            raw.get("completion_tokens_details"),
        )
    total = _int(raw.get("total_tokens"))
    return Usage(
        input_tokens=inp,
        output_tokens=out,
        total_tokens=total if total is not None else inp + out,
        cached_input_tokens=_detail(in_details, "cached_tokens"),
        reasoning_tokens=_detail(out_details, "reasoning_tokens"),
        audio_input_tokens=_detail(in_details, "audio_tokens"),
        audio_output_tokens=_detail(out_details, "audio_tokens"),
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number.is_integer() and "." not in value else number
    return None


def cost_from_meta(meta: Mapping[str, Any] | None) -> Cost | None:
    """AI/ML API's top-level ``meta`` object (``{"usage": {credits_used, usd_spent}}``) → Cost."""
    usage = meta.get("usage") if isinstance(meta, Mapping) else None
    if not isinstance(usage, Mapping):
        return None
    cost = Cost(_number(usage.get("credits_used")), _number(usage.get("usd_spent")))
    return cost if cost.credits_used is not None or cost.usd_spent is not None else None


def inference_id_from(headers: Mapping[str, str]) -> str | None:
    """AI/ML API's ``x-inference-id`` header: the id a call's charge is recorded under; the one
    place every reply, stream and error reads it.

    Example:
        >>> inference_id_from({"x-inference-id": "inf-1"}), inference_id_from({})
        ('inf-1', None)
    """
    return headers.get("x-inference-id")


def cost_from_headers(headers: Mapping[str, str]) -> Cost | None:
    """The ``x-aimlapi-credits-used`` / ``x-aimlapi-usd-spent`` headers → Cost."""
    credits, usd = headers.get("x-aimlapi-credits-used"), headers.get("x-aimlapi-usd-spent")
    if credits is None and usd is None:
        return None
    return Cost(_number(credits), _number(usd))
