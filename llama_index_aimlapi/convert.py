"""LlamaIndex objects ⇄ chat-completions wire dicts, as plain functions.

Nothing here does I/O or keeps state: :mod:`llama_index_aimlapi.base` builds a request with
:func:`messages_to_wire` and :func:`tool_specs`, sends it through ``aimlapi_core`` and maps the
:class:`~aimlapi_core.ChatReply` back with :func:`chat_response_from_reply`. Streams are mapped
by :mod:`llama_index_aimlapi.stream`, which shares :func:`usage_kwargs` and the block builders.

Example:
    >>> from llama_index.core.base.llms.types import ChatMessage
    >>> messages_to_wire([ChatMessage(role="system", content="Be brief."),
    ...                   ChatMessage(role="user", content="Hi")])
    [{'role': 'system', 'content': 'Be brief.'}, {'role': 'user', 'content': 'Hi'}]
"""

from __future__ import annotations

import base64
import json
import logging
import mimetypes
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import filetype  # type: ignore[import-untyped]
from llama_index.core.base.llms.types import (
    AudioBlock,
    CachePoint,
    ChatMessage,
    ChatResponse,
    CitableBlock,
    CitationBlock,
    ContentBlock,
    DocumentBlock,
    ImageBlock,
    LogProb,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from aimlapi_core import ChatReply, Cost, Usage
from aimlapi_core.stream import synthetic_call_id

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

__all__ = [
    "assistant_blocks",
    "chat_response_from_reply",
    "image_part",
    "item_kwargs",
    "logprobs_from_wire",
    "message_to_wire",
    "messages_to_wire",
    "strict_json_schema",
    "synthetic_call_id",
    "tool_specs",
    "usage_kwargs",
]

logger = logging.getLogger(__name__)

# LlamaIndex roles that chat completions spell differently.
_ROLE_ALIASES = {"chatbot": "assistant", "model": "assistant"}
# Roles whose ``content`` must be a string (or text parts): images only go in user messages.
_TEXT_ONLY_ROLES = frozenset({"system", "developer", "assistant", "tool", "function"})
_DEFAULT_IMAGE_MIME = "image/png"


# ---------------------------------------------------------------------------------------------
# Requests: ChatMessage -> wire dict
# ---------------------------------------------------------------------------------------------


def _mime_of(data_b64: str, declared: str | None, name: str | None) -> str:
    """The image mime type: declared, else sniffed from the bytes, else from the file name."""
    if declared:
        return declared
    try:
        raw = base64.b64decode(data_b64[:400], validate=False)
    except ValueError:
        raw = b""
    kind = filetype.guess(raw) if raw else None
    if kind is not None and kind.mime.startswith("image/"):
        return str(kind.mime)
    if name:
        guessed, _ = mimetypes.guess_type(name)
        if guessed and guessed.startswith("image/"):
            return guessed
    return _DEFAULT_IMAGE_MIME


def image_part(block: ImageBlock) -> dict[str, Any]:
    """An :class:`ImageBlock` as an OpenAI ``image_url`` content part.

    A URL is sent as is (``http(s)://`` or ``data:``); bytes, base64 and paths become a
    ``data:<mime>;base64,...`` URL with the block's mime type, or the one sniffed from the bytes.

    Example:
        >>> image_part(ImageBlock(url="https://example.com/cat.png", detail="low"))
        {'type': 'image_url', 'image_url': {'url': 'https://example.com/cat.png', 'detail': 'low'}}
    """
    if block.url is not None and block.image is None and block.path is None:
        url = str(block.url)
    else:
        data = block.resolve_image(as_base64=True).read().decode("ascii")
        mime = _mime_of(data, block.image_mimetype, str(block.path) if block.path else None)
        url = f"data:{mime};base64,{data}"
    image_url: dict[str, Any] = {"url": url}
    if block.detail:
        image_url["detail"] = block.detail
    return {"type": "image_url", "image_url": image_url}


def _audio_part(block: AudioBlock) -> dict[str, Any]:
    data = block.resolve_audio(as_base64=True).read().decode("ascii")
    return {"type": "input_audio", "input_audio": {"data": data, "format": block.format or "wav"}}


def _document_part(block: DocumentBlock) -> dict[str, Any]:
    data = block._get_b64_string(block.resolve_document())
    mime = block._guess_mimetype() or "application/pdf"
    file: dict[str, Any] = {"file_data": f"data:{mime};base64,{data}"}
    if block.title:
        file["filename"] = block.title
    return {"type": "file", "file": file}


def _tool_call_from_block(block: ToolCallBlock) -> dict[str, Any]:
    arguments = block.tool_kwargs
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments, ensure_ascii=False)
    call: dict[str, Any] = {
        "id": block.tool_call_id,
        "type": "function",
        "function": {"name": block.tool_name, "arguments": arguments},
    }
    if call["id"] is None:
        del call["id"]
    return call


def _legacy_tool_call(call: Any) -> dict[str, Any]:
    """A tool call kept in ``additional_kwargs["tool_calls"]`` (dict or SDK object) as a dict."""
    if isinstance(call, Mapping):
        return dict(call)
    dump = getattr(call, "model_dump", None)
    if callable(dump):
        return dict(dump(exclude_none=True))
    raise TypeError(f"Unsupported tool call in additional_kwargs: {type(call).__name__}")


def _text_of_nested(block: CitableBlock | CitationBlock) -> str:
    return "".join(b.text for b in block.nested_blocks if isinstance(b, TextBlock))


def message_to_wire(message: ChatMessage) -> dict[str, Any]:
    """One :class:`ChatMessage` as a chat-completions message dict.

    Text-only content becomes a string; a user message with images, audio or files becomes a
    list of parts. :class:`ToolCallBlock` s become ``tool_calls`` (arguments as a JSON string);
    ``additional_kwargs["tool_call_id"]`` makes a tool reply. Reasoning (:class:`ThinkingBlock`)
    is not sent back: chat completions take no reasoning input.

    Example:
        >>> message_to_wire(ChatMessage(role="assistant", blocks=[
        ...     ToolCallBlock(tool_call_id="c1", tool_name="add", tool_kwargs={"a": 1})]))
        {'role': 'assistant', 'content': None, 'tool_calls': [{'id': 'c1', 'type': 'function', \
'function': {'name': 'add', 'arguments': '{"a": 1}'}}]}
    """
    role = _ROLE_ALIASES.get(message.role.value, message.role.value)
    audio_id = message.additional_kwargs.get("reference_audio_id")
    if audio_id and role == "assistant":  # a spoken answer goes back by id, as OpenAI's
        return {"role": role, "audio": {"id": audio_id}}
    texts: list[str] = []
    parts: list[dict[str, Any]] = []
    tool_calls: list[dict[str, Any]] = []
    rich = False
    for block in message.blocks:
        if isinstance(block, TextBlock):
            texts.append(block.text)
            parts.append({"type": "text", "text": block.text})
        elif isinstance(block, ImageBlock):
            parts.append(image_part(block))
            rich = True
        elif isinstance(block, AudioBlock):
            parts.append(_audio_part(block))
            rich = True
        elif isinstance(block, DocumentBlock):
            parts.append(_document_part(block))
            rich = True
        elif isinstance(block, ToolCallBlock):
            tool_calls.append(_tool_call_from_block(block))
        elif isinstance(block, (CitableBlock, CitationBlock)):
            text = _text_of_nested(block)
            texts.append(text)
            parts.append({"type": "text", "text": text})
        elif isinstance(block, (ThinkingBlock, CachePoint)):
            continue
        else:
            raise ValueError(
                f"AI/ML API chat completions cannot take a {type(block).__name__} in a message; "
                "send text, images, audio or documents."
            )

    if not tool_calls and message.additional_kwargs.get("tool_calls"):
        tool_calls = [_legacy_tool_call(c) for c in message.additional_kwargs["tool_calls"]]

    text = "".join(texts)
    content: Any
    if rich and role not in _TEXT_ONLY_ROLES:
        content = parts
    else:
        if rich:
            logger.warning(
                "AI/ML API: only user messages can carry images, audio or files; the non-text "
                "parts of a %s message were left out.",
                role,
            )
        content = text
    if role == "assistant" and tool_calls and not text:
        content = None

    out: dict[str, Any] = {"role": role, "content": content}
    if tool_calls and role == "assistant":
        out["tool_calls"] = tool_calls
    call_id = message.additional_kwargs.get("tool_call_id")
    if call_id is not None and role in ("tool", "function"):
        out["role"] = "tool"
        out["tool_call_id"] = call_id
    return out


def messages_to_wire(messages: Sequence[ChatMessage]) -> list[dict[str, Any]]:
    """Every message of a conversation as a chat-completions message dict.

    Example:
        >>> messages_to_wire([ChatMessage(role="tool", content="3",
        ...                               additional_kwargs={"tool_call_id": "c1"})])
        [{'role': 'tool', 'content': '3', 'tool_call_id': 'c1'}]
    """
    return [message_to_wire(m) for m in messages]


def strict_json_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a JSON schema made fit for OpenAI's ``strict`` mode.

    Every object gets ``additionalProperties: false`` and lists all its properties as
    required; ``default: null`` is removed. ``$defs``, ``items``, ``anyOf``/``allOf`` and
    nested properties are handled recursively.

    Example:
        >>> strict_json_schema({"type": "object", "properties": {"a": {"type": "string"}}})
        {'type': 'object', 'properties': {'a': {'type': 'string'}}, \
'additionalProperties': False, 'required': ['a']}
    """

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, Mapping):
            return node
        out = {key: walk(value) for key, value in node.items()}
        if "default" in out and out["default"] is None:
            del out["default"]
        if out.get("type") == "object" or "properties" in out:
            props = out.get("properties")
            if isinstance(props, Mapping):
                out["additionalProperties"] = False
                out["required"] = list(props)
            elif "additionalProperties" not in out:
                out["additionalProperties"] = False
        return out

    return dict(walk(schema))


def tool_specs(tools: Sequence[BaseTool], *, strict: bool) -> list[dict[str, Any]]:
    """LlamaIndex tools as chat-completions ``tools`` entries.

    With ``strict`` the function is marked ``strict: true`` and its parameters made strict (see
    :func:`strict_json_schema`); otherwise the schema goes as LlamaIndex wrote it.

    Example:
        >>> from llama_index.core.tools import FunctionTool
        >>> def add(a: int, b: int) -> int:
        ...     '''Add two numbers.'''
        ...     return a + b
        >>> spec = tool_specs([FunctionTool.from_defaults(add)], strict=False)[0]
        >>> spec["function"]["name"], spec["function"]["parameters"]["required"]
        ('add', ['a', 'b'])
    """
    specs = []
    for tool in tools:
        if not tool.metadata.name:
            raise ValueError(
                f"Tool {tool.metadata.description[:60]!r} has no name: give every tool a name "
                "(ToolMetadata(name=...) or FunctionTool.from_defaults(fn, name=...))."
            )
        spec = tool.metadata.to_openai_tool(skip_length_check=True)
        if strict and spec.get("type") == "function":
            function = spec["function"]
            function["parameters"] = strict_json_schema(function.get("parameters") or {})
            function["strict"] = True
        specs.append(spec)
    return specs


# ---------------------------------------------------------------------------------------------
# Replies: wire -> ChatResponse
# ---------------------------------------------------------------------------------------------


def usage_kwargs(
    usage: Usage | None, cost: Cost | None, inference_id: str | None
) -> dict[str, Any]:
    """Token counts (OpenAI's names), cached/reasoning tokens, cost and inference id.

    Only what the server reported is included.

    Example:
        >>> usage_kwargs(Usage(10, 5, 15, cached_input_tokens=2), Cost(40, 0.00002), "inf-1")
        {'prompt_tokens': 10, 'completion_tokens': 5, 'total_tokens': 15, 'cached_tokens': 2, \
'cost': {'credits_used': 40, 'usd_spent': 2e-05}, 'inference_id': 'inf-1'}
    """
    out: dict[str, Any] = {}
    if usage is not None:
        out["prompt_tokens"] = usage.input_tokens
        out["completion_tokens"] = usage.output_tokens
        out["total_tokens"] = usage.total_tokens
        if usage.cached_input_tokens is not None:
            out["cached_tokens"] = usage.cached_input_tokens
        if usage.reasoning_tokens is not None:
            out["reasoning_tokens"] = usage.reasoning_tokens
    if cost is not None:
        out["cost"] = cost.as_dict()
    if inference_id:
        out["inference_id"] = inference_id
    return out


def item_kwargs(
    annotations: Sequence[Any],
    output_items: Sequence[Mapping[str, Any]],
    custom_calls: Sequence[Mapping[str, Any]],
    top_level: Mapping[str, Any],
    *,
    responses: bool = False,
) -> dict[str, Any]:
    """Citations and tool items of an answer, for ``ChatResponse.additional_kwargs``.

    ``annotations`` (every citation, in order, as llama-index ``OpenAIResponses`` keeps them,
    for chat completions too), ``built_in_tool_calls`` (the built-in tools' items as dicts;
    always there for ``/v1/responses``, as in ``OpenAIResponses``), ``custom_tool_calls``
    (``{"type": "custom_tool_call", "call_id", "name", "input"}``: LlamaIndex has no free-form
    tools, so they are kept here rather than as a ``ToolCallBlock``) and Perplexity-style
    ``citations`` / ``search_results`` (from ``top_level``). Only what the answer has.

    Example:
        >>> item_kwargs([{"type": "url_citation", "url": "u"}], [], [], {"citations": ["u"]})
        {'annotations': [{'type': 'url_citation', 'url': 'u'}], 'citations': ['u']}
    """
    out: dict[str, Any] = {}
    if annotations:
        out["annotations"] = list(annotations)
    built_in = [dict(i) for i in output_items if i.get("type") != "custom_tool_call"]
    if built_in or responses:
        out["built_in_tool_calls"] = built_in
    if custom_calls:
        out["custom_tool_calls"] = [
            {"type": "custom_tool_call", "call_id": c.get("id"), **(c.get("custom") or {})}
            for c in custom_calls
        ]
    for key in ("citations", "search_results"):
        if top_level.get(key):
            out[key] = top_level[key]
    return out


def assistant_blocks(
    text: str,
    reasoning: str | None,
    tool_calls: Sequence[Mapping[str, Any]],
    *,
    always_text: bool,
    reasoning_tokens: int | None = None,
) -> list[ContentBlock]:
    """Blocks of an assistant message: thinking, then text, then one block per tool call.

    ``tool_calls`` are wire dicts; their ``arguments`` stay the JSON string the model wrote
    (:meth:`AIMLAPI.get_tool_calls_from_response` parses it, partial JSON included).

    Example:
        >>> [b.block_type for b in assistant_blocks("hi", "hm", [], always_text=False)]
        ['thinking', 'text']
    """
    blocks: list[ContentBlock] = []
    if reasoning:
        blocks.append(ThinkingBlock(content=reasoning, num_tokens=reasoning_tokens))
    if text or always_text:
        blocks.append(TextBlock(text=text))
    for call in tool_calls:
        function = call.get("function") or {}
        blocks.append(
            ToolCallBlock(
                tool_call_id=call.get("id"),
                tool_name=function.get("name") or "",
                tool_kwargs=function.get("arguments") or "",
            )
        )
    return blocks


def logprobs_from_wire(logprobs: Mapping[str, Any] | None) -> list[list[LogProb]] | None:
    """A choice's ``logprobs.content`` as LlamaIndex log-probs (one list of top tokens a token).

    Example:
        >>> logprobs_from_wire({"content": [{"token": "Hi", "logprob": -0.1, "bytes": [72, 105],
        ...     "top_logprobs": [{"token": "Hi", "logprob": -0.1, "bytes": [72, 105]}]}]})
        [[LogProb(token='Hi', logprob=-0.1, bytes=[72, 105])]]
    """
    content = (logprobs or {}).get("content")
    if not content:
        return None
    out: list[list[LogProb]] = []
    for token in content:
        top = token.get("top_logprobs") or [token]
        out.append(
            [
                LogProb(
                    token=t.get("token") or "",
                    logprob=t.get("logprob") or 0.0,
                    bytes=t.get("bytes") or [],
                )
                for t in top
            ]
        )
    return out


def chat_response_from_reply(
    reply: ChatReply, *, audio_format: str | None = None, responses: bool = False
) -> ChatResponse:
    """A non-streamed :class:`ChatReply` as a :class:`ChatResponse`.

    ``raw`` is the completion as it came over the wire (a dict); ``additional_kwargs`` holds
    :func:`usage_kwargs`, plus ``reasoning_content``, ``finish_reason`` and ``refusal`` when the
    reply has them, and :func:`item_kwargs` (``responses``: the reply came from
    ``/v1/responses``). A spoken answer becomes an ``AudioBlock`` (``audio_format``: what
    ``audio.format`` asked for, else ``"mp3"``) and its id ``reference_audio_id``.

    Example:
        >>> from aimlapi_core.replies import chat_reply_from
        >>> reply = chat_reply_from({"choices": [{"message": {"role": "assistant",
        ...     "content": "Hi"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 3,
        ...     "completion_tokens": 1, "total_tokens": 4}}, {"x-inference-id": "inf-9"})
        >>> r = chat_response_from_reply(reply)
        >>> r.message.content, r.additional_kwargs["total_tokens"], r.raw["usage"]["total_tokens"]
        ('Hi', 4, 4)
    """
    completion = reply.completion
    raw = completion.model_dump(exclude_unset=True, mode="json")
    usage = reply.usage
    kwargs = usage_kwargs(usage, reply.cost, reply.inference_id)
    choice = completion.choices[0] if completion.choices else None
    if choice is None:
        message = ChatMessage(role=MessageRole.ASSISTANT, blocks=[])
        return ChatResponse(message=message, raw=raw, additional_kwargs=kwargs)

    wire_message = choice.message
    reasoning = wire_message.reasoning_text
    calls = [call.model_dump(exclude_none=True) for call in wire_message.tool_calls or ()]
    for index, call in enumerate(calls):
        call.setdefault("id", synthetic_call_id(index))
    custom = [c for c in calls if c.get("type") == "custom"]
    if custom:
        calls = [c for c in calls if c.get("type") != "custom"]
    top = {"citations": completion.citations, "search_results": completion.search_results}
    kwargs.update(
        item_kwargs(
            wire_message.annotations or (),
            wire_message.output_items or (),
            custom,
            top,
            responses=responses,
        )
    )
    blocks = assistant_blocks(
        wire_message.text,
        reasoning,
        calls,
        always_text=False,
        reasoning_tokens=usage.reasoning_tokens if usage else None,
    )
    message_kwargs: dict[str, Any] = {"tool_calls": calls} if calls else {}
    audio = (wire_message.model_extra or {}).get("audio")
    if isinstance(audio, Mapping) and audio.get("data"):
        # A spoken answer (modalities=["audio"]): kept as OpenAI's adapter keeps it, the id
        # in reference_audio_id so the next turn can refer to it instead of resending it.
        blocks.append(AudioBlock(audio=audio["data"], format=audio_format or "mp3"))
        if audio.get("id"):
            message_kwargs["reference_audio_id"] = audio["id"]
    if reasoning:
        kwargs["reasoning_content"] = reasoning
    if choice.finish_reason:
        kwargs["finish_reason"] = choice.finish_reason
    if wire_message.refusal:
        kwargs["refusal"] = wire_message.refusal
    return ChatResponse(
        message=ChatMessage(
            role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=message_kwargs
        ),
        raw=raw,
        logprobs=logprobs_from_wire(choice.logprobs),
        additional_kwargs=kwargs,
    )
