"""Shape a request body to what the model accepts, instead of letting the API answer 400.

Both adapters build an OpenAI-style body and pass it through :func:`shape_chat_request` (for
``POST /v1/chat/completions``) or :func:`shape_responses_request` (for ``POST /v1/responses``)
with the model's :class:`~aimlapi_core.models.ModelCapabilities` (documented, or from a family
rule; see :mod:`aimlapi_core.models`). The input is never mutated. The rules, each driven by the
model's own request schema:

* **Token limit**: ``max_tokens`` / ``max_completion_tokens`` is sent under the name the model
  takes (``max_completion_tokens`` for reasoning models; ``max_output_tokens`` on Responses).
* **Reasoning effort**: ``reasoning_effort`` becomes ``reasoning: {effort}`` for models that
  take only that form, and ``reasoning={"effort": ...}`` becomes ``reasoning_effort`` for
  models that take only this one; each passes as given where the schema has it.
* **Unsupported sampling knobs** (:data:`CHAT_SAFE_TO_DROP`) are removed.
* **Roles**: ``system`` becomes ``developer`` (or the reverse) when the model takes only the
  other; for models taking neither (``o1-mini``) the instructions go into the next user message.
* **Assistant turns** with tool calls and no text carry ``content`` as the schema allows: left
  out, or ``""`` where a string is required; never ``null`` where the schema forbids it.
* **Responses function tools** carry ``strict`` where the schema requires it (the user's value,
  else ``false``: the non-strict mode chat completions use by default).
* **``tool_choice``** naming a function becomes ``"required"`` for a model that takes only the
  string forms (when that is the only tool).

Each change warns once per rule and model with :class:`AIMLAPIParameterWarning`, saying what
was changed and why; the warning points at the caller's line, not at this package. Requests a
model cannot serve at all (tools to a model without tools, an image to a model without vision,
a ``response_format`` type it does not take) raise :class:`UnsupportedRequestError` before
anything is sent.

Example:
    >>> from aimlapi_core.models import get_capabilities
    >>> body = {"model": "openai/o3-2025-04-16", "max_completion_tokens": 500,
    ...         "reasoning_effort": "high", "messages": [{"role": "user", "content": "Hi"}]}
    >>> shaped = shape_chat_request(body, get_capabilities(body["model"]))
    >>> shaped["max_completion_tokens"], "max_tokens" in shaped, shaped["reasoning_effort"]
    (500, False, 'high')
"""

from __future__ import annotations

import sys
import threading
import warnings
from collections.abc import Mapping
from typing import Any

from aimlapi_core.models import CHAT_COMPLETIONS, RESPONSES, EndpointSpec, ModelCapabilities

__all__ = [
    "CHAT_SAFE_TO_DROP",
    "RESPONSES_RENAMES",
    "RESPONSES_SAFE_TO_DROP",
    "AIMLAPIParameterWarning",
    "UnsupportedRequestError",
    "rename_for_responses",
    "reset_parameter_warnings",
    "shape_chat_request",
    "shape_responses_request",
    "validate_request",
    "with_stream_usage",
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
        "reasoning",
    }
)
"""Chat-completions parameters that may be removed when the model's schema lacks them."""

RESPONSES_SAFE_TO_DROP = frozenset({"temperature", "top_p", "parallel_tool_calls", "reasoning"})
"""Responses parameters that may be removed when the model's schema lacks them."""

RESPONSES_RENAMES: Mapping[str, tuple[str, ...]] = {
    "max_tokens": ("max_output_tokens",),
    "max_completion_tokens": ("max_output_tokens",),
    "reasoning_effort": ("reasoning", "effort"),
    "response_format": ("text", "format"),
}
"""Chat-completions names -> where ``/v1/responses`` takes the same thing (a key path).

The one table both :func:`~aimlapi_core.responses_bridge.responses_request_from_chat` and
:func:`shape_responses_request` use. ``response_format`` values are rewritten on the way
(``{"type": "json_schema", "json_schema": {...}}`` -> ``{"type": "json_schema", ...}``)."""

_TOKEN_LIMITS = ("max_tokens", "max_completion_tokens", "max_output_tokens")
_TEXT_PART_TYPES = frozenset({"text", "input_text"})
_IMAGE_PART_TYPES = frozenset({"image_url", "input_image", "image"})
_INSTRUCTION_ROLES = frozenset({"system", "developer"})
# Frames of these modules are not "the user's line" for a warning's stacklevel.
_INTERNAL_MODULES = (
    "aimlapi_core",
    "langchain_aimlapi",
    "llama_index_aimlapi",
    "langchain_core",
    "langchain_openai",
    "langgraph",
    "llama_index",
    "pydantic",
    "asyncio",
    "concurrent",
    "threading",
    "contextlib",
    "functools",
    "contextvars",
    "wrapt",
    "tenacity",
)


class AIMLAPIParameterWarning(UserWarning):
    """A request was changed to fit the model (a parameter renamed, mapped or removed).

    Silence it with
    ``warnings.filterwarnings("ignore", category=AIMLAPIParameterWarning)``.

    Example:
        >>> issubclass(AIMLAPIParameterWarning, UserWarning)
        True
    """


class UnsupportedRequestError(ValueError):
    """The model cannot serve this request as written (per its documented request schema).

    Raised before anything is sent; the message names the model, what it lacks and what to do.

    Example:
        >>> issubclass(UnsupportedRequestError, ValueError)
        True
    """


_warned: set[tuple[str, str]] = set()
_warned_lock = threading.Lock()


def reset_parameter_warnings() -> None:
    """Forget which changes were already warned about, so they warn again (for tests).

    Example:
        >>> reset_parameter_warnings()
    """
    with _warned_lock:
        _warned.clear()


def _user_stacklevel() -> int:
    """The ``stacklevel`` that points :func:`_warn`'s warning at the first frame outside us."""
    frame = sys._getframe(2)  # the caller of _warn
    level = 2
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if not (isinstance(module, str) and module.startswith(_INTERNAL_MODULES)):
            return level
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return 2


def _warn(rule: str, model: str, message: str) -> None:
    """Warn once per ``rule`` and ``model``; the warning points at the user's line."""
    key = (rule, model)
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    warnings.warn(
        f"AI/ML API model {model!r}: {message} Silence this with warnings.filterwarnings("
        "'ignore', category=aimlapi_core.shaping.AIMLAPIParameterWarning).",
        AIMLAPIParameterWarning,
        stacklevel=_user_stacklevel(),
    )


def _warn_dropped(model: str, dropped: list[str], endpoint: str) -> None:
    names = ", ".join(sorted(dropped))
    _warn(
        f"drop {names} {endpoint}",
        model,
        f"does not accept {names} on {endpoint} (per its documented request schema); removed "
        "from the request. Leave them out to avoid this warning.",
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


def _drop_unsupported(out: dict[str, Any], safe: frozenset[str], spec: EndpointSpec) -> list[str]:
    """Remove from ``out`` the safe-to-drop names ``spec`` refuses; return those with a value."""
    dropped: list[str] = []
    for name in [k for k in out if k in safe]:
        value = out[name]
        if spec.may_send(name) or (name == "n" and value not in (None, 1)):
            continue
        del out[name]
        if value is not None:  # dropping an explicit null changes nothing: no warning
            dropped.append(name)
    return dropped


# -- messages -----------------------------------------------------------------------------------


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


def _shape_roles(messages: list[Any], roles: frozenset[str], model: str) -> list[Any]:
    takes_system, takes_developer = "system" in roles, "developer" in roles
    present = {m.get("role") for m in messages if isinstance(m, Mapping)}
    if (takes_system and takes_developer) or not present & _INSTRUCTION_ROLES:
        return messages
    if takes_developer:
        if "system" in present:
            _warn(
                "role system", model, "takes no 'system' role; system messages sent as 'developer'."
            )
        return _rename_role(messages, "system", "developer")
    if takes_system:
        if "developer" in present:
            _warn("role developer", model, "takes no 'developer' role; sent as 'system'.")
        return _rename_role(messages, "developer", "system")
    _warn(
        "role fold",
        model,
        "takes neither 'system' nor 'developer' messages; their text is put in front of the "
        "next user message.",
    )
    return _fold_instructions(messages)


def _has_image(message: Mapping[str, Any]) -> bool:
    content = message.get("content")
    return isinstance(content, list) and any(
        isinstance(p, Mapping) and p.get("type") in _IMAGE_PART_TYPES for p in content
    )


def _shape_messages(messages: list[Any], spec: EndpointSpec, model: str) -> list[Any]:
    if spec.vision is False and any(
        isinstance(m, Mapping) and m.get("role") == "user" and _has_image(m) for m in messages
    ):
        raise UnsupportedRequestError(
            f"AI/ML API model {model!r} takes no images (its documented request schema has no "
            "image content part): send text only, or pick a vision model."
        )
    if spec.roles is not None:
        messages = _shape_roles(messages, spec.roles, model)
    if spec.assistant_content != "nullable":
        fixed: list[Any] = []
        for m in messages:
            if (
                isinstance(m, Mapping)
                and m.get("role") == "assistant"
                and ("content" in m and m["content"] is None)
            ):
                m = {k: v for k, v in m.items() if k != "content"}
                if spec.assistant_content == "required":
                    m["content"] = ""
            fixed.append(m)
        messages = fixed
    return messages


# -- parameters ---------------------------------------------------------------------------------


def _shape_token_limit(out: dict[str, Any], spec: EndpointSpec, model: str) -> None:
    target = spec.token_limit
    given = [k for k in ("max_tokens", "max_completion_tokens") if out.get(k) is not None]
    if target is None or not given:
        return
    # When both are given, max_completion_tokens (the newer name) wins.
    value = out.get("max_completion_tokens", out.get("max_tokens"))
    if value is None:
        value = out["max_tokens"]
    renamed = [k for k in given if k != target]
    for key in ("max_tokens", "max_completion_tokens"):
        if key != target:
            out.pop(key, None)
    out[target] = value
    if renamed:
        _warn(
            f"token limit {target}",
            model,
            f"takes its output limit as {target!r}; {', '.join(renamed)} sent as {target}.",
        )


def _shape_reasoning(out: dict[str, Any], spec: EndpointSpec, model: str) -> None:
    effort = out.get("reasoning_effort")
    reasoning = out.get("reasoning")
    if spec.reasoning_param == "reasoning" and effort is not None:
        if spec.accepts("reasoning_effort") is not True:
            out.pop("reasoning_effort")
            given = dict(reasoning) if isinstance(reasoning, Mapping) else {}
            out["reasoning"] = {"effort": effort, **given}
            _warn(
                "reasoning_effort -> reasoning",
                model,
                f"takes the effort as reasoning={{'effort': ...}}; reasoning_effort={effort!r} "
                "sent that way.",
            )
    elif (
        spec.reasoning_param == "reasoning_effort"
        and isinstance(reasoning, Mapping)
        and not spec.may_send("reasoning")
    ):
        out.pop("reasoning")
        if reasoning.get("effort") is not None and effort is None:
            out["reasoning_effort"] = reasoning["effort"]
            rest = sorted(k for k in reasoning if k != "effort")
            note = f" ({', '.join(rest)} dropped: no such parameter)" if rest else ""
            _warn(
                "reasoning -> reasoning_effort",
                model,
                f"takes the effort as reasoning_effort; reasoning={dict(reasoning)!r} sent as "
                f"reasoning_effort={reasoning['effort']!r}{note}.",
            )


def _shape_tool_choice(out: dict[str, Any], spec: EndpointSpec, model: str) -> None:
    choice = out.get("tool_choice")
    forms = spec.tool_choice
    if not isinstance(choice, Mapping) or not forms or "function" in forms:
        return
    tools = out.get("tools") or []
    if "required" in forms and len(tools) == 1:
        out["tool_choice"] = "required"
        _warn(
            "tool_choice function",
            model,
            "takes tool_choice only as 'none', 'auto' or 'required'; the forced function "
            "(the only tool) is asked for as 'required'.",
        )
        return
    raise UnsupportedRequestError(
        f"AI/ML API model {model!r} takes tool_choice only as {sorted(forms)}, not a named "
        "function: pass tool_choice='required' with that one tool."
    )


def _check_tools(out: Mapping[str, Any], spec: EndpointSpec, model: str) -> None:
    if out.get("tools") and not spec.may_send("tools"):
        raise UnsupportedRequestError(
            f"AI/ML API model {model!r} cannot call tools: its documented request schema has "
            "no `tools`. Pick a model with function calling (see "
            "aimlapi_core.models.get_capabilities(model).tools), or call it without tools."
        )


def _check_responses_items(out: Mapping[str, Any], spec: EndpointSpec, model: str) -> None:
    """Function tools, tool-call turns and images only where the Responses schema takes them."""
    tools = out.get("tools") or []
    kinds = {t.get("type") for t in tools if isinstance(t, Mapping)}
    if spec.tool_types is not None and "function" in kinds and "function" not in spec.tool_types:
        raise UnsupportedRequestError(
            f"AI/ML API model {model!r} cannot call function tools on /v1/responses (its "
            f"schema takes only {sorted(spec.tool_types) or 'no'} tools): call it without "
            "function tools."
        )
    items = out.get("input")
    if not isinstance(items, list):
        return
    types = {str(i.get("type")) for i in items if isinstance(i, Mapping)}
    calls = types & {"function_call", "function_call_output"}
    if spec.input_types is not None and calls - spec.input_types:
        raise UnsupportedRequestError(
            f"AI/ML API model {model!r} takes no {'/'.join(sorted(calls))} input items on "
            "/v1/responses (per its schema): a conversation with tool calls cannot be sent to "
            "it there; send it to a model with function calling."
        )
    if spec.vision is False and any(
        isinstance(i, Mapping) and i.get("role") == "user" and _has_image(i) for i in items
    ):
        raise UnsupportedRequestError(
            f"AI/ML API model {model!r} takes no images on /v1/responses (its documented "
            "request schema has no image content part): send text only, or pick a vision model."
        )


def _check_format(kind: Any, spec: EndpointSpec, name: str, model: str) -> None:
    if not spec.may_send(name):
        raise UnsupportedRequestError(
            f"AI/ML API model {model!r} takes no {name} (structured output): leave it out, or "
            "use tool calling for structured output where the model has tools."
        )
    formats = spec.response_formats
    if formats and isinstance(kind, str) and kind not in formats:
        raise UnsupportedRequestError(
            f"AI/ML API model {model!r} takes response formats {sorted(formats)}, not "
            f"{kind!r}: use one of those (for structured output, method='json_mode' with "
            "'json_object')."
        )


def with_stream_usage(
    body: dict[str, Any], caps: ModelCapabilities | None, include_usage: bool
) -> dict[str, Any]:
    """``body`` for a streamed chat call, asking for usage (``stream_options``) or not.

    The one place that owns the stream-usage default: with ``include_usage`` the body gains
    ``stream_options: {"include_usage": true}`` unless it already has ``stream_options`` or the
    model's schema lacks it; without, ``stream_options`` is removed. ``body`` is updated and
    returned.

    Example:
        >>> from aimlapi_core.models import get_capabilities
        >>> with_stream_usage({"model": "gpt-4o"}, get_capabilities("gpt-4o"), True)
        {'model': 'gpt-4o', 'stream_options': {'include_usage': True}}
    """
    if not include_usage:
        body.pop("stream_options", None)
    elif "stream_options" not in body and (caps is None or caps.may_send("stream_options")):
        body["stream_options"] = {"include_usage": True}
    return body


def shape_chat_request(body: dict[str, Any], caps: ModelCapabilities | None) -> dict[str, Any]:
    """A new body for ``POST /v1/chat/completions``, shaped to ``caps``; ``body`` is untouched.

    ``caps=None`` (or an ``"unknown"`` record) gives a shallow copy. Otherwise the rules of the
    module docs apply, each warning once per model with :class:`AIMLAPIParameterWarning`.

    Raises ``ValueError`` for a non-positive token limit or a non-string ``reasoning_effort``,
    and :class:`UnsupportedRequestError` for tools, images or a ``response_format`` the model
    does not take.

    Example:
        >>> from aimlapi_core.models import get_capabilities
        >>> body = {"model": "o1-mini", "messages": [
        ...     {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]}
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     shape_chat_request(body, get_capabilities("o1-mini"))["messages"]
        [{'role': 'user', 'content': 'Be brief.\\n\\nHi'}]
    """
    validate_request(body)
    out = dict(body)
    if caps is None or caps.source == "unknown":
        return out
    spec = caps.spec(CHAT_COMPLETIONS)
    model = _model_name(body, caps)
    _shape_token_limit(out, spec, model)
    _shape_reasoning(out, spec, model)
    dropped = _drop_unsupported(out, CHAT_SAFE_TO_DROP, spec)
    if dropped:
        _warn_dropped(model, dropped, "/v1/chat/completions")
    _check_tools(out, spec, model)
    _shape_tool_choice(out, spec, model)
    response_format = out.get("response_format")
    if isinstance(response_format, Mapping):
        _check_format(response_format.get("type"), spec, "response_format", model)
    messages = out.get("messages")
    if isinstance(messages, list):
        out["messages"] = _shape_messages(messages, spec, model)
    return out


def _text_format(response_format: Mapping[str, Any]) -> dict[str, Any]:
    kind = response_format.get("type")
    if kind == "json_schema":
        spec = response_format.get("json_schema") or {}
        return {"type": "json_schema", **spec}
    return {"type": kind}


def rename_for_responses(out: dict[str, Any], key: str, value: Any) -> None:
    """Put chat-completions ``key: value`` into the Responses body ``out``, per the renames table.

    An explicit Responses value already in ``out`` wins over a renamed one.

    Example:
        >>> out = {}
        >>> rename_for_responses(out, "reasoning_effort", "low")
        >>> rename_for_responses(out, "response_format", {"type": "json_object"})
        >>> out
        {'reasoning': {'effort': 'low'}, 'text': {'format': {'type': 'json_object'}}}
    """
    if value is None:
        return
    path = RESPONSES_RENAMES[key]
    if key == "response_format":
        if not isinstance(value, Mapping):
            return
        value = _text_format(value)
    if len(path) == 1:
        out.setdefault(path[0], value)
        return
    outer, inner = path
    current = out.get(outer)
    merged = dict(current) if isinstance(current, Mapping) else {}
    merged.setdefault(inner, value)
    out[outer] = merged


def shape_responses_request(body: dict[str, Any], caps: ModelCapabilities | None) -> dict[str, Any]:
    """A new body for ``POST /v1/responses``, shaped to ``caps``; ``body`` is untouched.

    Chat-completions names left in the body are renamed (:data:`RESPONSES_RENAMES`) for any
    model. With known ``caps``: names in :data:`RESPONSES_SAFE_TO_DROP` the schema lacks are
    removed, function tools gain ``strict`` where the schema requires it, and tools or a
    ``text.format`` the model does not take raise :class:`UnsupportedRequestError`.

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
    for key in RESPONSES_RENAMES:
        if key in out:
            rename_for_responses(out, key, out.pop(key))
    if caps is None or caps.source == "unknown":
        return out
    spec = caps.spec(RESPONSES)
    model = _model_name(body, caps)
    dropped = _drop_unsupported(out, RESPONSES_SAFE_TO_DROP, spec)
    if dropped:
        _warn_dropped(model, dropped, "/v1/responses")
    _check_tools(out, spec, model)
    _check_responses_items(out, spec, model)
    text = out.get("text")
    if isinstance(text, Mapping) and isinstance(text.get("format"), Mapping):
        _check_format(text["format"].get("type"), spec, "text", model)
    tools = out.get("tools")
    if spec.strict_tools and isinstance(tools, list):
        out["tools"] = [
            {**t, "strict": False}
            if isinstance(t, Mapping) and t.get("type") == "function" and t.get("strict") is None
            else t
            for t in tools
        ]
    return out
