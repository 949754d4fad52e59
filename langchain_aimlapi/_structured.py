"""Structured output: every schema form ``ChatOpenAI`` accepts → the wire ``response_format``
or tool, the strict JSON schema OpenAI's structured outputs want, and refusals.

Forms: a pydantic class, a TypedDict, a JSON schema dict, an OpenAI tool or function dict,
OpenAI's json_schema dict ``{"name", "schema", "strict"}`` and a whole
``{"type": "json_schema", "json_schema": {...}}`` response format.

Example:
    >>> rf = response_format_for({"name": "point", "schema": {"type": "object"}, "strict": True})
    >>> rf["type"], rf["json_schema"]["name"]
    ('json_schema', 'point')
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from langchain_core.messages import BaseMessage, BaseMessageChunk
from langchain_core.utils.function_calling import convert_to_openai_function
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import BaseModel

from .errors import AIMLAPIRefusalError

__all__ = [
    "acheck_refusal",
    "as_openai_tool",
    "check_refusal",
    "is_json_schema_dict",
    "is_pydantic_class",
    "parse_into",
    "raise_on_refusal",
    "response_format_for",
    "strict_json_schema",
]


def is_pydantic_class(schema: Any) -> bool:
    """Whether ``schema`` is a pydantic model class."""
    return isinstance(schema, type) and is_basemodel_subclass(schema)


def is_json_schema_dict(schema: Any) -> bool:
    """OpenAI's ``{"name", "schema", ...}`` json_schema dict (not a plain JSON schema)."""
    return (
        isinstance(schema, Mapping)
        and "name" in schema
        and isinstance(schema.get("schema"), Mapping)
    )


def _is_response_format(schema: Any) -> bool:
    return (
        isinstance(schema, Mapping)
        and schema.get("type") == "json_schema"
        and isinstance(schema.get("json_schema"), Mapping)
    )


def _strict_in_place(node: Any, root: dict[str, Any]) -> Any:
    """OpenAI's strict mode rules, applied to one schema node and everything under it: every
    object closed (``additionalProperties: false``) with all its properties required, no
    ``default: null``, a lone ``allOf`` merged in, and a ``$ref`` with siblings resolved."""
    if not isinstance(node, dict):
        return node
    for key in ("$defs", "definitions"):
        for sub in (node.get(key) or {}).values():
            _strict_in_place(sub, root)
    if node.get("type") == "object":
        node.setdefault("additionalProperties", False)
    props = node.get("properties")
    if isinstance(props, dict):
        node["required"] = list(props)
        for sub in props.values():
            _strict_in_place(sub, root)
    if isinstance(node.get("items"), dict):
        _strict_in_place(node["items"], root)
    for key in ("anyOf", "allOf"):
        for sub in node.get(key) or ():
            _strict_in_place(sub, root)
    all_of = node.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1:
        only = node.pop("allOf")[0]
        node.update(only)
    if "default" in node and node["default"] is None:
        del node["default"]
    ref = node.get("$ref")
    if isinstance(ref, str) and len(node) > 1:
        target: Any = root
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        for key, value in copy.deepcopy(target).items():  # the node's own keys come first
            node.setdefault(key, value)
        del node["$ref"]
        _strict_in_place(node, root)
    return node


def strict_json_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` that OpenAI's strict structured outputs accept (what ``ChatOpenAI``
    sends for a pydantic schema).

    Example:
        >>> strict_json_schema({"type": "object", "properties": {"a": {"type": "string"}}})
        {'type': 'object', 'properties': {'a': {'type': 'string'}}, 'additionalProperties': \
False, 'required': ['a']}
    """
    out = copy.deepcopy(dict(schema))
    return _strict_in_place(out, out)  # type: ignore[no-any-return]


def response_format_for(schema: Any, *, strict: bool | None = None) -> dict[str, Any]:
    """The ``response_format`` for any schema form (see the module docs).

    A pydantic class is strict unless ``strict=False`` (as ``ChatOpenAI`` sends it); other
    forms are strict only when asked (``strict`` or their own ``"strict"``).
    """
    if is_pydantic_class(schema):
        if strict is False:
            function = convert_to_openai_function(schema)
            body = {"name": function["name"], "schema": function["parameters"], "strict": False}
            if function.get("description"):
                body["description"] = function["description"]
            return {"type": "json_schema", "json_schema": body}
        return {
            "type": "json_schema",
            "json_schema": {
                "schema": strict_json_schema(schema.model_json_schema()),
                "name": schema.__name__,
                "strict": True,
            },
        }
    if _is_response_format(schema) and "name" not in schema["json_schema"]:
        # langchain's create_agent writes {"type": "json_schema", "json_schema": {"schema"}}
        inner = schema["json_schema"]
        own = inner.get("strict")
        return response_format_for(inner["schema"], strict=strict if strict is not None else own)
    if _is_response_format(schema):
        response_format = copy.deepcopy(dict(schema))
    elif is_json_schema_dict(schema):
        response_format = {"type": "json_schema", "json_schema": copy.deepcopy(dict(schema))}
    else:
        if isinstance(schema, Mapping) and isinstance(schema.get("function"), Mapping):
            schema = schema["function"]  # an OpenAI tool dict: its function
        own = schema.get("strict") if isinstance(schema, Mapping) else None
        resolved = strict if strict is not None else own if isinstance(own, bool) else False
        function = dict(convert_to_openai_function(schema, strict=resolved))
        function["schema"] = function.pop("parameters")
        return {"type": "json_schema", "json_schema": function}
    given = response_format["json_schema"].get("strict")
    if strict is not None and given is not None and strict is not given:
        raise ValueError(
            f"The schema says strict={given} but strict={strict} was passed too: "
            "give strict in one place only."
        )
    return response_format


def as_openai_tool(schema: Any, *, strict: bool | None = None) -> Any:
    """A schema in a form ``convert_to_openai_tool`` takes: OpenAI json_schema dicts and whole
    response formats become a function tool; anything else is returned as it is."""
    if _is_response_format(schema):
        schema = schema["json_schema"]
    if not is_json_schema_dict(schema):
        return schema
    function: dict[str, Any] = {"name": schema["name"], "parameters": dict(schema["schema"])}
    if schema.get("description"):
        function["description"] = schema["description"]
    if strict is not None or schema.get("strict") is not None:
        function["strict"] = strict if strict is not None else schema["strict"]
    return {"type": "function", "function": function}


def raise_on_refusal(message: BaseMessage) -> None:
    """Raise :class:`AIMLAPIRefusalError` if the model refused (``message.refusal``) or a
    content filter stopped it; the error carries the refusal text and the message."""
    refusal = message.additional_kwargs.get("refusal")
    if refusal:
        raise AIMLAPIRefusalError(
            f"The model refused to produce the requested output: {refusal}",
            raw_message=message,
            refusal=str(refusal),
        )
    if message.response_metadata.get("finish_reason") == "content_filter":
        raise AIMLAPIRefusalError(
            "The model's output was stopped by a content filter.", raw_message=message
        )


def check_refusal(messages: Iterator[BaseMessage]) -> Iterator[BaseMessage]:
    """Pass messages (or chunks) through; raise on a refusal. A streamed refusal is collected
    to its end first, so the error carries the whole text."""
    held: BaseMessageChunk | None = None
    for message in messages:
        if held is not None or message.additional_kwargs.get("refusal"):
            held = _add(held, message)
            continue
        raise_on_refusal(message)
        yield message
    if held is not None:
        raise_on_refusal(held)


async def acheck_refusal(messages: AsyncIterator[BaseMessage]) -> AsyncIterator[BaseMessage]:
    """The async :func:`check_refusal`."""
    held: BaseMessageChunk | None = None
    async for message in messages:
        if held is not None or message.additional_kwargs.get("refusal"):
            held = _add(held, message)
            continue
        raise_on_refusal(message)
        yield message
    if held is not None:
        raise_on_refusal(held)


def _add(held: BaseMessageChunk | None, message: BaseMessage) -> BaseMessageChunk:
    if not isinstance(message, BaseMessageChunk):
        raise_on_refusal(message)  # a whole message: nothing to wait for
    assert isinstance(message, BaseMessageChunk)
    return message if held is None else held + message


def parse_into(schema: type[BaseModel], message: BaseMessage) -> BaseModel | None:
    """The message's JSON text as a ``schema`` instance; ``None`` when it called a tool
    instead (as ``ChatOpenAI``'s structured-output parser does)."""
    parsed = message.additional_kwargs.get("parsed")
    if isinstance(parsed, schema):
        return parsed
    raise_on_refusal(message)
    if getattr(message, "tool_calls", None) and not message.text:
        return None
    return schema.model_validate(json.loads(message.text))
