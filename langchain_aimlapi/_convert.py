"""LangChain messages ⇄ chat-completions wire dicts, as plain functions.

Each mapping is one named function, shared by the streamed and the non-streamed paths.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    InvalidToolCall,
    SystemMessage,
    ToolCall,
    ToolMessage,
    is_data_content_block,
)
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata
from langchain_core.messages.block_translators.openai import convert_to_openai_data_block
from langchain_core.messages.tool import ToolCallChunk, tool_call, tool_call_chunk
from langchain_core.output_parsers.openai_tools import make_invalid_tool_call, parse_tool_call

from aimlapi_core import ChatReply, Cost, StreamDelta, Usage
from aimlapi_core.stream import ChoiceDelta, ToolCallDelta, synthetic_call_id
from aimlapi_core.wire import AssistantMessage

from ._items import ITEM_BLOCK_TYPES, custom_input, format_annotations, responses_blocks

PROVIDER = "aimlapi"

# Content blocks that are output-only (or another provider's) and must not be sent back.
_SKIPPED_BLOCKS = ITEM_BLOCK_TYPES | frozenset(
    {"tool_use", "thinking", "reasoning", "reasoning_content", "tool_call"}
)


def _format_content(content: str | list[Any]) -> str | list[Any]:
    """LangChain content (string, OpenAI parts, standard or Anthropic blocks) → wire parts."""
    if not isinstance(content, list):
        return content
    parts: list[Any] = []
    for block in content:
        if isinstance(block, str):
            parts.append({"type": "text", "text": block})
            continue
        if not isinstance(block, dict):
            raise TypeError(f"Unsupported content block {block!r}: use a dict or a string.")
        kind = block.get("type")
        if kind in _SKIPPED_BLOCKS:
            continue
        if is_data_content_block(block):
            parts.append(convert_to_openai_data_block(block, api="chat/completions"))
        elif kind == "image" and isinstance(block.get("source"), dict):
            parts.append(_anthropic_image(block["source"]))
        elif kind == "text":
            parts.append({"type": "text", "text": block.get("text", "")})
        else:
            parts.append(block)
    return parts


def _anthropic_image(source: Mapping[str, Any]) -> dict[str, Any]:
    if source.get("type") == "base64":
        url = f"data:{source.get('media_type')};base64,{source.get('data')}"
    elif source.get("type") == "url":
        url = str(source.get("url"))
    else:
        raise ValueError(f"Unsupported image source {source.get('type')!r}: use base64 or url.")
    return {"type": "image_url", "image_url": {"url": url}}


def _tool_call_to_wire(call: ToolCall, custom_ids: frozenset[Any]) -> dict[str, Any]:
    if call["id"] in custom_ids:  # a custom tool's call: its one argument is the input text
        custom = {"name": call["name"], "input": custom_input(call["args"])}
        return {"id": call["id"], "type": "custom", "custom": custom}
    return {
        "id": call["id"],
        "type": "function",
        "function": {
            "name": call["name"],
            "arguments": json.dumps(call["args"], ensure_ascii=False),
        },
    }


def _invalid_tool_call_to_wire(call: InvalidToolCall) -> dict[str, Any]:
    return {
        "id": call.get("id"),
        "type": "function",
        "function": {"name": call.get("name"), "arguments": call.get("args")},
    }


def _tool_content(content: str | list[Any]) -> str | list[Any]:
    """Tool results: strings pass; lists keep text parts (and images), others become JSON text."""
    if isinstance(content, str):
        return content
    outputs = [
        b for b in content if isinstance(b, dict) and b.get("type") == "custom_tool_call_output"
    ]
    if outputs:  # what a custom tool (langchain_openai.custom_tool) returns
        return "".join(str(b.get("output") or "") for b in outputs)
    parts = _format_content(content)
    if isinstance(parts, list) and all(
        isinstance(p, dict) and p.get("type") in ("text", "image_url") for p in parts
    ):
        return parts
    return json.dumps(content, ensure_ascii=False, default=str)


def message_to_wire(message: BaseMessage) -> dict[str, Any]:
    """One LangChain message → one chat-completions message dict.

    Example:
        >>> message_to_wire(HumanMessage("hi", name="ann"))
        {'role': 'user', 'content': 'hi', 'name': 'ann'}
    """
    if isinstance(message, ToolMessage):
        return {
            "role": "tool",
            "content": _tool_content(message.content),
            "tool_call_id": message.tool_call_id,
        }
    wire: dict[str, Any] = {"role": "", "content": _format_content(message.content)}
    if isinstance(message, HumanMessage):
        wire["role"] = "user"
    elif isinstance(message, AIMessage):
        wire["role"] = "assistant"
        custom_ids = _custom_call_ids(message)
        calls = [_tool_call_to_wire(c, custom_ids) for c in message.tool_calls]
        calls += [_invalid_tool_call_to_wire(c) for c in message.invalid_tool_calls]
        if not calls and "tool_calls" in message.additional_kwargs:
            calls = [
                {k: v for k, v in c.items() if k in ("id", "type", "function")}
                for c in message.additional_kwargs["tool_calls"]
            ]
        if calls:
            wire["tool_calls"] = calls
            wire["content"] = wire["content"] or None
    elif isinstance(message, SystemMessage):
        wire["role"] = message.additional_kwargs.get("__openai_role__", "system")
    elif isinstance(message, ChatMessage):
        wire["role"] = message.role
    elif isinstance(message, FunctionMessage):
        wire["role"] = "function"
    else:
        raise TypeError(
            f"Unsupported message type {type(message).__name__}: use SystemMessage, "
            "HumanMessage, AIMessage, ToolMessage or ChatMessage."
        )
    name = message.name or message.additional_kwargs.get("name")
    if name is not None:
        wire["name"] = name
    return wire


def _custom_call_ids(message: AIMessage) -> frozenset[Any]:
    """The ids of a message's calls of custom tools: its ``custom_tool_call`` blocks, or its
    raw calls of ``type="custom"``."""
    ids = {
        b.get("call_id")
        for b in message.content
        if isinstance(b, dict) and b.get("type") == "custom_tool_call"
    }
    ids.update(
        c.get("id")
        for c in message.additional_kwargs.get("tool_calls") or ()
        if isinstance(c, dict) and c.get("type") == "custom"
    )
    return frozenset(ids)


def messages_to_wire(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    """A whole conversation → wire messages; an empty one is refused before any request."""
    if not messages:
        raise ValueError("No messages to send: pass at least one message (e.g. a HumanMessage).")
    return [message_to_wire(m) for m in messages]


def usage_metadata_from(usage: Usage | None) -> UsageMetadata | None:
    """The core's normalised usage → LangChain ``UsageMetadata`` (with cache and reasoning)."""
    if usage is None:
        return None
    input_details = InputTokenDetails()
    if usage.cached_input_tokens is not None:
        input_details["cache_read"] = usage.cached_input_tokens
    if usage.audio_input_tokens is not None:
        input_details["audio"] = usage.audio_input_tokens
    output_details = OutputTokenDetails()
    if usage.reasoning_tokens is not None:
        output_details["reasoning"] = usage.reasoning_tokens
    if usage.audio_output_tokens is not None:
        output_details["audio"] = usage.audio_output_tokens
    return UsageMetadata(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        total_tokens=usage.total_tokens,
        input_token_details=input_details,
        output_token_details=output_details,
    )


def _cost_dict(cost: Cost | None) -> dict[str, float | None] | None:
    return cost.as_dict() if cost is not None else None


def _parse_tool_calls(
    raw_calls: list[dict[str, Any]],
) -> tuple[list[ToolCall], list[InvalidToolCall]]:
    tool_calls: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    for raw in raw_calls:
        try:
            parsed = parse_tool_call(raw, return_id=True)
        except Exception as exc:
            invalid.append(make_invalid_tool_call(raw, str(exc)))
            continue
        if parsed is not None:
            tool_calls.append(parsed)  # type: ignore[arg-type]
    return tool_calls, invalid


def ai_message_from_reply(reply: ChatReply, index: int = 0) -> AIMessage:
    """One choice of a :class:`ChatReply` → an ``AIMessage`` with usage and metadata.

    Reasoning text goes to ``additional_kwargs["reasoning_content"]``, which LangChain turns
    into a ``reasoning`` content block; AI/ML API's cost and inference id go to
    ``response_metadata``. Citations, custom tool calls and built-in tool items are shown as
    :mod:`langchain_aimlapi._items` says.
    """
    completion = reply.completion
    choice = completion.choices[index]
    wire: AssistantMessage = choice.message
    additional_kwargs: dict[str, Any] = {}
    reasoning = wire.reasoning_text
    if reasoning:
        additional_kwargs["reasoning_content"] = reasoning
    if wire.refusal:
        additional_kwargs["refusal"] = wire.refusal
    raw_calls = [c.model_dump(exclude_none=True) for c in wire.tool_calls or ()]
    custom_calls: list[ToolCall] = []
    for slot, call in enumerate(raw_calls):
        # some providers omit the arguments of a no-argument call, and some the id
        call.setdefault("id", synthetic_call_id(slot))
        if call.get("type") == "custom":
            custom = call.get("custom") or {}
            custom_calls.append(
                tool_call(
                    name=custom.get("name") or "",
                    args={"__arg1": custom.get("input") or ""},
                    id=call["id"],
                )
            )
            call.pop("function", None)
        else:
            call.setdefault("function", {}).setdefault("arguments", "")
    if raw_calls:
        additional_kwargs["tool_calls"] = raw_calls
    tool_calls, invalid = _parse_tool_calls([c for c in raw_calls if c.get("type") != "custom"])
    tool_calls += custom_calls  # (a reply has function or custom calls, not both, in practice)
    extra = completion.model_extra or {}
    output = extra.get("output")
    content: str | list[Any] = wire.text
    if isinstance(output, list):
        # From /v1/responses with citations or tool items: ChatOpenAI's Responses blocks.
        content = responses_blocks(output)
    elif wire.annotations:
        additional_kwargs["annotations"] = format_annotations(wire.annotations)
    metadata: dict[str, Any] = {
        "token_usage": completion.usage,
        "model_name": completion.model,
        "system_fingerprint": completion.system_fingerprint,
        "id": completion.id,
        "finish_reason": choice.finish_reason,
        "model_provider": PROVIDER,
        "inference_id": reply.inference_id,
        "cost": _cost_dict(reply.cost),
    }
    if choice.logprobs is not None:
        metadata["logprobs"] = choice.logprobs
    if completion.citations:
        metadata["citations"] = completion.citations
    if completion.search_results:
        metadata["search_results"] = completion.search_results
    for key in ("status", "incomplete_details"):  # a /v1/responses reply's own fields
        if extra.get(key) is not None:
            metadata[key] = extra[key]
    return AIMessage(
        content=content,
        additional_kwargs=additional_kwargs,
        tool_calls=tool_calls,
        invalid_tool_calls=invalid,
        usage_metadata=usage_metadata_from(reply.usage),
        response_metadata={k: v for k, v in metadata.items() if v is not None},
        id=completion.id,
    )


def _tool_call_chunk(tc: ToolCallDelta) -> ToolCallChunk:
    if tc.type == "custom":  # a custom tool's call comes whole: its input as ``__arg1``
        args = json.dumps({"__arg1": tc.arguments}, ensure_ascii=False)
        return tool_call_chunk(name=tc.name, args=args, id=tc.id, index=tc.index)
    return tool_call_chunk(name=tc.name, args=tc.arguments, id=tc.id, index=tc.index)


def _add_item_fields(fields: dict[str, Any], choice: ChoiceDelta, *, blocks: bool) -> None:
    """Citations and tool items of a chunk: on chat completions ``additional_kwargs``
    (annotations, which LangChain's merge appends); on Responses, content blocks as
    ``ChatOpenAI`` streams them (a text block with the annotation, each finished item)."""
    notes = format_annotations(choice.annotations or ())
    if not blocks:
        if notes:
            fields.setdefault("additional_kwargs", {})["annotations"] = notes
        return
    content: list[Any] = [choice.content] if choice.content else []
    if notes:
        content.append({"type": "text", "text": "", "annotations": notes})
    content.extend(choice.output_items or ())  # (a custom tool's call is one of them)
    if content:
        fields["content"] = content


# Chunk fields copied into the last chunk's response_metadata (the last three come only from
# /v1/responses streams: the response id is what previous_response_id chains on).
_FINAL_CHUNK_METADATA = (
    ("model", "model_name"),
    ("system_fingerprint", "system_fingerprint"),
    ("response_id", "id"),
    ("status", "status"),
    ("incomplete_details", "incomplete_details"),
)


def chunk_from_delta(
    delta: StreamDelta, *, inference_id: str | None, first: bool, blocks: bool = False
) -> tuple[AIMessageChunk, dict[str, Any] | None] | None:
    """One :class:`StreamDelta` → an ``AIMessageChunk`` (first choice) plus its logprobs.

    A usage-only final chunk (no choices) becomes an empty chunk carrying
    ``usage_metadata``, which is where ``ChatOpenAI`` puts it too. Returns ``None`` for a
    chunk with nothing in it. ``blocks``: the stream is a translated ``/v1/responses`` one,
    whose citations and tool items come as content blocks (:mod:`._items`).
    """
    chunk = delta.chunk
    usage = usage_metadata_from(delta.usage) if delta.usage is not None else None
    metadata: dict[str, Any] = {"model_provider": PROVIDER}
    if first and inference_id:
        metadata["inference_id"] = inference_id
    if delta.cost is not None:
        metadata["cost"] = delta.cost.as_dict()
    choice = None
    for candidate in delta.choices:
        if candidate.index == 0:
            choice = candidate
            break
    if choice is None:
        if usage is None and delta.cost is None and not first:
            return None
        return AIMessageChunk(content="", usage_metadata=usage, response_metadata=metadata), None
    # Only the fields this chunk has: each keyword costs pydantic a validation per chunk.
    fields: dict[str, Any] = {
        "content": choice.content or "",
        "response_metadata": metadata,
        "id": chunk.get("id"),
    }
    if choice.reasoning or choice.refusal:
        additional_kwargs: dict[str, Any] = {}
        if choice.reasoning:
            additional_kwargs["reasoning_content"] = choice.reasoning
        if choice.refusal:
            additional_kwargs["refusal"] = choice.refusal
        fields["additional_kwargs"] = additional_kwargs
    if choice.finish_reason:
        metadata["finish_reason"] = choice.finish_reason
        for key, name in _FINAL_CHUNK_METADATA:
            if chunk.get(key):
                metadata[name] = chunk[key]
        for key in ("citations", "search_results"):  # kept from whichever chunk had them
            value = delta.accumulator.top_level(key)
            if value:
                metadata[key] = value
    if choice.logprobs:
        metadata["logprobs"] = choice.logprobs
    if choice.tool_calls:
        fields["tool_call_chunks"] = [_tool_call_chunk(tc) for tc in choice.tool_calls]
    if choice.annotations or choice.output_items:
        _add_item_fields(fields, choice, blocks=blocks)
    if usage is not None:
        fields["usage_metadata"] = usage
    return AIMessageChunk(**fields), choice.logprobs
