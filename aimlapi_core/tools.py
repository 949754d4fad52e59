"""Tool-choice forms of both frameworks → the wire's ``tool_choice``.

Example:
    >>> tool_choice_to_wire("any"), tool_choice_to_wire("get_weather", ["get_weather"])
    ('required', {'type': 'function', 'function': {'name': 'get_weather'}})
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["tool_choice_to_wire"]

_MODES = ("auto", "none", "required")


def tool_choice_to_wire(
    tool_choice: dict[str, Any] | str | bool | None,
    tool_names: Sequence[str] | None = None,
) -> dict[str, Any] | str | None:
    """``"auto"``, ``"none"``, ``"required"`` pass; ``"any"`` and ``True`` mean ``"required"``;
    a tool's name forces that tool; ``False``/``None`` send nothing; a dict passes as is.

    With ``tool_names``, a name that is not among them is refused (``ValueError``).
    """
    if tool_choice is None or tool_choice is False:
        return None
    if tool_choice is True or tool_choice == "any":
        return "required"
    if isinstance(tool_choice, dict):
        return tool_choice
    if not isinstance(tool_choice, str):
        raise TypeError(
            f"tool_choice must be a str, bool or dict, got {type(tool_choice).__name__}."
        )
    if tool_choice in _MODES:
        return tool_choice
    if tool_names is not None and tool_choice not in tool_names:
        raise ValueError(
            f"tool_choice={tool_choice!r} names no bound tool; use 'auto', 'none', 'required', "
            f"'any', True, or one of {list(tool_names)}."
        )
    return {"type": "function", "function": {"name": tool_choice}}
