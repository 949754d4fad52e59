"""Citations, custom tool calls and built-in tool items, shown as ``ChatOpenAI`` shows them.

* Chat completions: ``annotations`` go to ``additional_kwargs["annotations"]`` (``ChatOpenAI``
  drops them there); Perplexity-style top-level ``citations`` / ``search_results`` go to
  ``response_metadata`` (``ChatOpenAI`` drops them in both modes).
* ``/v1/responses``: a reply with annotations, a custom tool call or a built-in tool item
  gets ``ChatOpenAI``'s Responses content blocks (``output_version="responses/v1"``): text
  blocks with their ``annotations``, and each item as a block of its own type. A plain answer
  keeps its string content.
* A custom (free-form) tool's call is a tool call whose one argument ``__arg1`` is the
  ``input`` text, as in ``ChatOpenAI``.

Example:
    >>> responses_blocks([{"type": "message", "id": "msg_1", "content": [{"type":
    ...     "output_text", "text": "Hi", "annotations": [{"type": "url_citation", "url": "u"}]}]},
    ...     {"type": "web_search_call", "id": "ws_1", "status": "completed"}])
    [{'type': 'text', 'text': 'Hi', 'annotations': [{'type': 'url_citation', 'url': 'u'}], \
'id': 'msg_1'}, {'type': 'web_search_call', 'id': 'ws_1', 'status': 'completed'}]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "ITEM_BLOCK_TYPES",
    "custom_input",
    "format_annotation",
    "responses_blocks",
]

ITEM_BLOCK_TYPES = frozenset(
    {
        "function_call",
        "custom_tool_call",
        "compaction",
        "web_search_call",
        "file_search_call",
        "computer_call",
        "code_interpreter_call",
        "mcp_call",
        "mcp_list_tools",
        "mcp_approval_request",
        "image_generation_call",
        "tool_search_call",
        "tool_search_output",
        "apply_patch_call",
        "apply_patch_call_output",
        "refusal",
    }
)
"""Output-only content blocks of a Responses answer: never sent back as message content."""


def format_annotation(annotation: Any) -> Any:
    """An annotation as LangChain keeps it: a ``file_citation``'s ``index`` is
    ``file_index`` (LangChain merges streamed blocks by ``index``), as in ``ChatOpenAI``.

    Example:
        >>> format_annotation({"type": "file_citation", "file_id": "f", "index": 3})
        {'type': 'file_citation', 'file_id': 'f', 'file_index': 3}
    """
    if isinstance(annotation, Mapping) and "index" in annotation:
        out = {k: v for k, v in annotation.items() if k != "index"}
        out["file_index"] = annotation["index"]
        return out
    return annotation


def format_annotations(annotations: Iterable[Any]) -> list[Any]:
    """:func:`format_annotation` of each."""
    return [format_annotation(a) for a in annotations]


def _drop_none(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item without its ``None`` fields. Only the top level: deeper, a ``null`` may be data
    (a JSON schema's ``"default": null``), which ``ChatOpenAI``'s SDK models keep or drop by
    their own field types."""
    return {k: v for k, v in item.items() if v is not None}


def responses_blocks(output: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A Responses ``output`` as ``ChatOpenAI``'s content blocks, in order.

    Each ``output_text`` part is a ``text`` block (its ``annotations``, the message ``id``);
    a refusal part a ``refusal`` block; every other item (``function_call``,
    ``custom_tool_call``, ``reasoning``, ``web_search_call``, ``mcp_call``, ...) a block that
    is the item itself.
    """
    blocks: list[dict[str, Any]] = []
    for item in output:
        if item.get("type") != "message":
            blocks.append(_drop_none(item))
            continue
        for part in item.get("content") or ():
            kind = part.get("type")
            block: dict[str, Any]
            if kind == "output_text":
                block = {
                    "type": "text",
                    "text": part.get("text") or "",
                    "annotations": format_annotations(part.get("annotations") or ()),
                }
            elif kind == "refusal":
                block = {"type": "refusal", "refusal": part.get("refusal") or ""}
            else:
                continue
            if item.get("id"):
                block["id"] = item["id"]
            if item.get("phase") is not None:
                block["phase"] = item["phase"]
            blocks.append(block)
    return blocks


def custom_input(args: Any) -> str:
    """The ``input`` text of a custom tool's call from its LangChain ``args``.

    Example:
        >>> custom_input({"__arg1": "print(3**3)"})
        'print(3**3)'
    """
    if isinstance(args, Mapping):
        if "__arg1" in args:
            return str(args["__arg1"])
        if len(args) == 1:
            return str(next(iter(args.values())))
    return args if isinstance(args, str) else ""
