"""Shape a request body to what the model accepts, instead of letting the API answer 400.

Both adapters build an OpenAI-style body and pass it through :func:`shape_chat_request` (for
``POST /v1/chat/completions``) or :func:`shape_responses_request` (for ``POST /v1/responses``)
with the model's :class:`~aimlapi_core.models.ModelCapabilities`. The input is never mutated.

* Token limits are renamed to the field the model takes (``max_tokens`` ->
  ``max_completion_tokens`` for reasoning models, the reverse for schemas with only
  ``max_tokens``; -> ``max_output_tokens`` on Responses).
* A parameter is dropped only when it is in a "safe to drop" set (sampling knobs whose absence
  changes nothing structural) and the model's documented schema does not have it; reasoning
  models also lose ``temperature`` unless it is 1. Dropping warns once per model and set of
  names with :class:`AIMLAPIParameterWarning`.
* ``tools``, ``tool_choice``, ``response_format`` and ``n`` > 1 are never dropped: if the model
  cannot honour them, the API's own error says so.
* Roles: ``system`` becomes ``developer`` (or the reverse) when the model takes only the other;
  for models taking neither (``o1-mini``) the instructions go into the next user message.

Example:
    >>> from aimlapi_core.models import get_capabilities
    >>> body = {"model": "openai/o3-2025-04-16", "max_tokens": 500, "reasoning_effort": "high",
    ...         "messages": [{"role": "user", "content": "Hi"}]}
    >>> shaped = shape_chat_request(body, get_capabilities(body["model"]))
    >>> shaped["max_completion_tokens"], "max_tokens" in shaped, shaped["reasoning_effort"]
    (500, False, 'high')
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Mapping
from typing import Any

from aimlapi_core.models import ModelCapabilities

__all__ = [
    "CHAT_SAFE_TO_DROP",
    "RESPONSES_SAFE_TO_DROP",
    "AIMLAPIParameterWarning",
    "reset_parameter_warnings",
    "shape_chat_request",
    "shape_responses_request",
    "validate_request",
]

CHAT_SAFE_TO_DROP = frozenset(
    {
        "temperature",
        "top_p",
        "stop",
        "parallel_tool_calls",
        "presence_penalty",
        "frequency_penalty",
        "logit_bias",
        "seed",
        "n",  # only when n == 1
        "stream_options",
        "logprobs",
        "top_logprobs",
        "reasoning_effort",
    }
)
"""Chat-completions parameters that may be removed when the model's schema lacks them."""

RESPONSES_SAFE_TO_DROP = frozenset({"temperature", "top_p", "parallel_tool_calls", "reasoning"})
"""Responses parameters that may be removed when the model's schema lacks them."""

_TOKEN_LIMITS = ("max_tokens", "max_completion_tokens", "max_output_tokens")
_TEXT_PART_TYPES = frozenset({"text", "input_text"})
_INSTRUCTION_ROLES = frozenset({"system", "developer"})


class AIMLAPIParameterWarning(UserWarning):
    """A request parameter the model does not accept was removed before sending.

    Silence it with
    ``warnings.filterwarnings("ignore", category=AIMLAPIParameterWarning)``.

    Example:
        >>> issubclass(AIMLAPIParameterWarning, UserWarning)
        True
    """


_warned: set[tuple[str, frozenset[str]]] = set()
_warned_lock = threading.Lock()


def reset_parameter_warnings() -> None:
    """Forget which drops were already warned about, so they warn again (for tests).

    Example:
        >>> reset_parameter_warnings()
    """
    with _warned_lock:
        _warned.clear()


def _warn_dropped(model: str, dropped: list[str], endpoint: str) -> None:
    key = (model, frozenset(dropped))
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    names = ", ".join(sorted(dropped))
    warnings.warn(
        f"AI/ML API model {model!r} does not accept {names} on {endpoint} (per its documented "
        "request schema); removed from the request. Leave them out to avoid this warning, or "
        "silence it with warnings.filterwarnings('ignore', "
        "category=aimlapi_core.shaping.AIMLAPIParameterWarning).",
        AIMLAPIParameterWarning,
        stacklevel=3,
    )


def validate_request(body: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` naming the fix when a value cannot be right for any model.

    Checks that token limits (``max_tokens``, ``max_completion_tokens``, ``max_output_tokens``)
    are positive numbers, that every function tool (chat or Responses form) has a name, and
    that ``reasoning_effort`` is a string. ``None`` means unset.

    Example:
        >>> validate_request({"max_tokens": 0})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: max_tokens must be a positive number of tokens, got 0: pass an integer >= 1...
    """
    for key in _TOKEN_LIMITS:
        value = body.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ValueError(
                f"{key} must be a positive number of tokens, got {value!r}: pass an integer "
                f">= 1, or leave {key} out to use the model's default."
            )
    for tool in body.get("tools") or ():
        function = tool.get("function") if isinstance(tool, Mapping) else None
        spec = function if isinstance(function, Mapping) else tool
        if isinstance(spec, Mapping) and tool.get("type") == "function" and not spec.get("name"):
            raise ValueError(
                f"A function tool has no name: {dict(tool)!r}. Give every tool a name; the "
                "model calls tools by name."
            )
    effort = body.get("reasoning_effort")
    if effort is not None and not isinstance(effort, str):
        raise ValueError(
            f"reasoning_effort must be a string such as 'low', 'medium' or 'high', got "
            f"{type(effort).__name__} {effort!r}: pass the level as text."
        )


def _model_name(body: Mapping[str, Any], caps: ModelCapabilities) -> str:
    model = body.get("model")
    return model if isinstance(model, str) and model else caps.model_id


def _temperature_kept(value: Any, accepted: bool | None, reasoning: bool) -> bool:
    """Whether ``temperature`` stays: the schema has it, or a reasoning model got exactly 1."""
    if accepted:
        return True
    if reasoning:
        return value == 1 and not isinstance(value, bool)
    return accepted is None


def _drop_unsupported(
    out: dict[str, Any],
    safe: frozenset[str],
    params: frozenset[str],
    reasoning: bool,
    also_for_reasoning: frozenset[str],
) -> list[str]:
    """Remove from ``out`` the safe-to-drop names the schema lacks; return those that had a value.

    ``params`` empty means the schema is unknown: then only the reasoning-model rules apply
    (``temperature`` unless 1, and the names in ``also_for_reasoning``).
    """
    dropped: list[str] = []
    for name in [k for k in out if k in safe]:
        value = out[name]
        accepted: bool | None = (name in params) if params else None
        if name == "temperature":
            keep = _temperature_kept(value, accepted, reasoning)
        elif accepted is None:
            keep = not (reasoning and name in also_for_reasoning)
        elif name == "n":
            keep = accepted or value not in (None, 1)
        else:
            keep = accepted
        if not keep:
            del out[name]
            if value is not None:  # dropping an explicit null changes nothing: no warning
                dropped.append(name)
    return dropped


def _content_text(content: Any) -> str:
    """The text of a message's content: a string, or the text parts of a list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts: list[str] = []
        for part in content:
            if isinstance(part, str):
                texts.append(part)
            elif (
                isinstance(part, Mapping)
                and part.get("type", "text") in _TEXT_PART_TYPES
                and isinstance(part.get("text"), str)
            ):
                texts.append(part["text"])
        return "\n".join(texts)
    return ""


def _prepend_text(content: Any, prefix: str) -> Any:
    """``content`` with ``prefix`` and a blank line in front; a new object, never mutated."""
    if isinstance(content, str):
        return f"{prefix}\n\n{content}" if content else prefix
    if isinstance(content, list):
        parts = list(content)
        first = parts[0] if parts else None
        if (
            isinstance(first, Mapping)
            and first.get("type") in _TEXT_PART_TYPES
            and isinstance(first.get("text"), str)
        ):
            parts[0] = {**first, "text": f"{prefix}\n\n{first['text']}"}
        else:
            parts.insert(0, {"type": "text", "text": prefix})
        return parts
    return prefix


def _fold_instructions(messages: list[Any]) -> list[Any]:
    """Merge system/developer messages into the next user message (or a new one at the end)."""
    out: list[Any] = []
    pending: list[str] = []
    for message in messages:
        role = message.get("role") if isinstance(message, Mapping) else None
        if role in _INSTRUCTION_ROLES:
            text = _content_text(message.get("content"))
            if text:
                pending.append(text)
            continue
        if role == "user" and pending:
            message = {
                **message,
                "content": _prepend_text(message.get("content"), "\n\n".join(pending)),
            }
            pending = []
        out.append(message)
    if pending:
        out.append({"role": "user", "content": "\n\n".join(pending)})
    return out


def _rename_role(messages: list[Any], old: str, new: str) -> list[Any]:
    return [
        {**m, "role": new} if isinstance(m, Mapping) and m.get("role") == old else m
        for m in messages
    ]


def _shape_roles(messages: list[Any], roles: frozenset[str]) -> list[Any]:
    takes_system, takes_developer = "system" in roles, "developer" in roles
    present = {m.get("role") for m in messages if isinstance(m, Mapping)}
    if (takes_system and takes_developer) or not present & _INSTRUCTION_ROLES:
        return messages
    if takes_developer:
        return _rename_role(messages, "system", "developer")
    if takes_system:
        return _rename_role(messages, "developer", "system")
    return _fold_instructions(messages)


def shape_chat_request(body: dict[str, Any], caps: ModelCapabilities | None) -> dict[str, Any]:
    """A new body for ``POST /v1/chat/completions``, shaped to ``caps``; ``body`` is untouched.

    ``caps=None`` (unknown model) gives a shallow copy. Otherwise:

    * ``max_tokens`` becomes ``max_completion_tokens`` for a reasoning model, or when the schema
      has only ``max_completion_tokens``, unless the schema lacks ``max_completion_tokens``;
      when both are given, ``max_completion_tokens`` wins. The reverse rename happens when the
      schema has ``max_tokens`` but not ``max_completion_tokens``.
    * Names in :data:`CHAT_SAFE_TO_DROP` that the schema lacks are removed (``n`` only when 1);
      a reasoning model drops ``temperature`` unless it is 1 or its schema has it. One
      :class:`AIMLAPIParameterWarning` per model and set of removed names.
    * Roles follow ``caps.roles`` (see the module docs); ``None`` roles leave messages alone.

    Raises ``ValueError`` for a non-positive token limit or a non-string ``reasoning_effort``.

    Example:
        >>> from aimlapi_core.models import get_capabilities
        >>> body = {"model": "o1-mini", "messages": [
        ...     {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]}
        >>> shape_chat_request(body, get_capabilities("o1-mini"))["messages"]
        [{'role': 'user', 'content': 'Be brief.\\n\\nHi'}]
    """
    validate_request(body)
    out = dict(body)
    if caps is None:
        return out

    if "max_tokens" in out:
        takes_mct = caps.accepts_chat_param("max_completion_tokens")
        schema_prefers_mct = caps.chat_schema_known and (
            caps.max_completion_tokens and not caps.max_tokens
        )
        if takes_mct is not False and (caps.reasoning or schema_prefers_mct):
            value = out.pop("max_tokens")
            out.setdefault("max_completion_tokens", value)
    elif "max_completion_tokens" in out and (
        caps.accepts_chat_param("max_completion_tokens") is False
        and caps.accepts_chat_param("max_tokens")
    ):
        # The reverse: a schema with only `max_tokens` (Claude, MiniMax, most open models).
        out["max_tokens"] = out.pop("max_completion_tokens")

    dropped = _drop_unsupported(
        out, CHAT_SAFE_TO_DROP, caps.chat_params, caps.reasoning, frozenset()
    )
    if dropped:
        _warn_dropped(_model_name(body, caps), dropped, "/v1/chat/completions")

    messages = out.get("messages")
    if caps.roles is not None and isinstance(messages, list):
        out["messages"] = _shape_roles(messages, caps.roles)
    return out


def shape_responses_request(body: dict[str, Any], caps: ModelCapabilities | None) -> dict[str, Any]:
    """A new body for ``POST /v1/responses``, shaped to ``caps``; ``body`` is untouched.

    ``caps=None`` gives a shallow copy. Otherwise ``max_tokens`` / ``max_completion_tokens``
    become ``max_output_tokens`` (an explicit ``max_output_tokens`` wins; the documented minimum
    of 16 is left to the API), a chat-style ``reasoning_effort`` becomes ``reasoning.effort``,
    and names in :data:`RESPONSES_SAFE_TO_DROP` the schema lacks are removed with one
    :class:`AIMLAPIParameterWarning`; a reasoning model without a known schema loses
    ``temperature`` (unless 1) and ``top_p``.

    Example:
        >>> from aimlapi_core.models import get_capabilities
        >>> body = {"model": "openai/o3-2025-04-16", "input": "Hi", "max_tokens": 64,
        ...         "reasoning_effort": "low"}
        >>> shaped = shape_responses_request(body, get_capabilities(body["model"]))
        >>> shaped["max_output_tokens"], shaped["reasoning"]
        (64, {'effort': 'low'})
    """
    validate_request(body)
    out = dict(body)
    if caps is None:
        return out

    for legacy in ("max_completion_tokens", "max_tokens"):
        if legacy in out:
            value = out.pop(legacy)
            out.setdefault("max_output_tokens", value)

    if "reasoning_effort" in out:
        effort = out.pop("reasoning_effort")
        reasoning = out.get("reasoning")
        if effort is not None:
            if isinstance(reasoning, Mapping):
                out["reasoning"] = {"effort": effort, **reasoning}
            elif reasoning is None:
                out["reasoning"] = {"effort": effort}

    dropped = _drop_unsupported(
        out,
        RESPONSES_SAFE_TO_DROP,
        caps.responses_params,
        caps.reasoning,
        frozenset({"top_p"}),
    )
    if dropped:
        _warn_dropped(_model_name(body, caps), dropped, "/v1/responses")
    return out
