"""Structured output by JSON schema: the ``response_format`` to send and the reply to parse.

Used by :meth:`AIMLAPI.structured_predict` and friends for models that take
``response_format`` (the others go through tool calling, LlamaIndex's default).

Example:
    >>> from pydantic import BaseModel, ValidationError
    >>> class City(BaseModel):
    ...     name: str
    >>> rf = response_format_for(City)
    >>> rf["type"], rf["json_schema"]["name"], rf["json_schema"]["strict"]
    ('json_schema', 'City', True)
    >>> parse_json_output(City, '```json\\n{"name": "Paris"}\\n```')
    City(name='Paris')
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .convert import strict_json_schema

__all__ = ["parse_json_output", "response_format_for", "strip_code_fence"]

ModelT = TypeVar("ModelT", bound=BaseModel)

_NAME_CHARS = re.compile(r"[^a-zA-Z0-9_-]")
_FENCE = re.compile(r"^\s*```[a-zA-Z0-9_-]*\s*\n?(.*?)\n?\s*```\s*$", re.DOTALL)


def response_format_for(output_cls: type[BaseModel], *, strict: bool = True) -> dict[str, Any]:
    """``{"type": "json_schema", "json_schema": {...}}`` for a pydantic class.

    The schema name is the class name with characters OpenAI refuses replaced by ``_``; with
    ``strict`` (the default, as OpenAI's SDK does) the schema is made strict-compatible.

    Example:
        >>> from pydantic import BaseModel, ValidationError
        >>> class Pair(BaseModel):
        ...     a: int
        ...     b: int = 0
        >>> response_format_for(Pair)["json_schema"]["schema"]["required"]
        ['a', 'b']
    """
    schema = output_cls.model_json_schema()
    json_schema: dict[str, Any] = {
        "name": _NAME_CHARS.sub("_", output_cls.__name__)[:64] or "output",
        "schema": strict_json_schema(schema) if strict else schema,
        "strict": strict,
    }
    description = schema.get("description")
    if isinstance(description, str) and description:
        json_schema["description"] = description
    return {"type": "json_schema", "json_schema": json_schema}


def strip_code_fence(text: str) -> str:
    """The JSON inside a Markdown code fence, or ``text`` itself when there is none.

    Example:
        >>> strip_code_fence('```json\\n{"a": 1}\\n```')
        '{"a": 1}'
    """
    match = _FENCE.match(text)
    return match.group(1) if match else text


def parse_json_output(output_cls: type[ModelT], text: str | None) -> ModelT:
    """Validate the model's JSON answer (fenced or not) as ``output_cls``.

    An answer that is not valid JSON for ``output_cls`` raises pydantic's ``ValidationError``,
    as llama-index ``OpenAI`` does (so ``except ValidationError`` works on both); where Python
    has exception notes (3.11+) a note names the class and quotes the answer.

    Example:
        >>> from pydantic import BaseModel, ValidationError
        >>> class A(BaseModel):
        ...     x: int
        >>> parse_json_output(A, '{"x": 2}')
        A(x=2)
        >>> try:
        ...     parse_json_output(A, "I'd rather not.")
        ... except ValidationError as exc:
        ...     print(exc.error_count(), exc.errors()[0]["type"])
        1 json_invalid
    """
    raw = strip_code_fence((text or "").strip())
    try:
        return output_cls.model_validate_json(raw)
    except ValidationError as exc:
        add_note = getattr(exc, "add_note", None)  # Python 3.11+
        if add_note is not None:
            add_note(
                f"The model's answer is not a valid {output_cls.__name__} JSON object: "
                f"{(text or '')[:300]!r}"
            )
        raise
