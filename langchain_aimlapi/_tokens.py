"""Token counting without ``transformers``: tiktoken when it can, else a documented estimate.

**tiktoken** (if installed and the encoding is available, i.e. cached locally or
downloadable): the model's own encoding (``tiktoken.encoding_for_model`` on the id without
its vendor prefix, or :attr:`tiktoken_model_name`), else ``o200k_base`` for the GPT-4o/4.1/5
and o-series families and ``cl100k_base`` for the rest, as ``ChatOpenAI`` chooses. For models
of other vendors this is an approximation too.

**Estimate** (no tiktoken, or its encoding cannot be loaded, e.g. offline): one token per
word of up to 6 letters and one more per further 6, one per 1–3 digits, one per punctuation
mark or symbol, one per character of scripts written without spaces (CJK); whitespace is
free. It is meant for budgeting (``trim_messages``), not billing.

Messages are counted as OpenAI's cookbook describes chat formatting: 3 tokens per message,
its role, content and name (+1), tool calls' names and arguments, 3 per ``tool_call_id``,
85 per image, and 3 to prime the reply.

Example:
    >>> estimate_tokens("Hello, world! 12345")
    6
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage

__all__ = ["TokenCounting", "count_message_tokens", "encoding_for", "estimate_tokens"]

_O200K_FAMILIES = ("gpt-4o", "gpt-4.1", "gpt-5", "gpt-6", "chatgpt-4o", "o1", "o3", "o4")
_PIECES = re.compile(r"[^\W\d_]+|\d{1,3}|\S", re.UNICODE)
_NO_SPACES = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
IMAGE_TOKENS = 85


def estimate_tokens(text: str) -> int:
    """The documented estimate (see the module docs) of ``text``'s token count.

    Example:
        >>> estimate_tokens(""), estimate_tokens("tokenization"), estimate_tokens("你好")
        (0, 2, 2)
    """
    count = 0
    for piece in _PIECES.findall(text):
        if piece[0].isalpha():
            wide = len(_NO_SPACES.findall(piece))
            letters = len(piece) - wide
            count += wide + (math.ceil(letters / 6) if letters else 0)
        else:
            count += 1
    return count


@functools.lru_cache(maxsize=32)
def encoding_for(model: str) -> Any | None:
    """The tiktoken encoding for ``model``, or ``None`` when tiktoken is not installed or the
    encoding cannot be loaded (not cached and no network). Remembered per model name."""
    try:
        import tiktoken
    except ImportError:
        return None
    name = model.rsplit("/", 1)[-1]
    try:
        try:
            return tiktoken.encoding_for_model(name)
        except KeyError:
            family = "o200k_base" if name.lower().startswith(_O200K_FAMILIES) else "cl100k_base"
            return tiktoken.get_encoding(family)
    except Exception:  # the encoding file could not be fetched (offline, proxy...)
        return None


def _text_tokens(text: str, encoding: Any | None) -> int:
    if encoding is None:
        return estimate_tokens(text)
    return len(encoding.encode(text, disallowed_special=()))


def count_message_tokens(wire: Sequence[dict[str, Any]], encoding: Any | None) -> int:
    """Tokens of chat-completions ``wire`` messages (see the module docs for the rules)."""
    total = 3  # the reply is primed with the assistant role
    for message in wire:
        total += 3
        for key, value in message.items():
            if key == "tool_call_id":
                total += 3
            elif key == "tool_calls":
                for call in value or ():
                    function = call.get("function") or {}
                    total += _text_tokens(str(function.get("name") or ""), encoding)
                    total += _text_tokens(str(function.get("arguments") or ""), encoding)
            elif isinstance(value, list):
                for part in value:
                    if isinstance(part, str):
                        total += _text_tokens(part, encoding)
                    elif part.get("type") == "text":
                        total += _text_tokens(str(part.get("text", "")), encoding)
                    elif part.get("type") in ("image_url", "input_image"):
                        total += IMAGE_TOKENS
                    else:
                        total += _text_tokens(json.dumps(part, default=str), encoding)
            elif value:
                total += _text_tokens(str(value), encoding)
                if key == "name":
                    total += 1
    return total


class TokenCounting(BaseModel):
    """``get_token_ids``, ``get_num_tokens`` and ``get_num_tokens_from_messages`` that work
    out of the box (tiktoken or the estimate; see :mod:`langchain_aimlapi._tokens`).

    Example:
        >>> from langchain_aimlapi import ChatAIMLAPI
        >>> llm = ChatAIMLAPI(api_key="k")
        >>> llm.get_num_tokens("Hello, world!") > 0
        True
    """

    tiktoken_model_name: str | None = None
    """Model name tiktoken counts tokens for (else the model id, vendor prefix removed)."""

    def _token_encoding(self) -> Any | None:
        model = self.tiktoken_model_name or str(getattr(self, "model_name", "") or "gpt-4o")
        return encoding_for(model)

    def get_token_ids(self, text: str) -> list[int]:
        """Token ids of ``text`` with tiktoken; without it (or offline), ids of the estimate's
        pieces (their count is the estimate; the ids themselves mean nothing)."""
        custom = getattr(self, "custom_get_token_ids", None)
        if custom is not None:
            return list(custom(text))
        encoding = self._token_encoding()
        if encoding is not None:
            return list(encoding.encode(text, disallowed_special=()))
        return list(range(estimate_tokens(text)))

    def get_num_tokens(self, text: str) -> int:
        """Tokens in ``text`` (tiktoken, else the documented estimate)."""
        return len(self.get_token_ids(text))

    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """Tokens of a conversation as sent, per OpenAI's chat formatting (tiktoken, else the
        documented estimate). ``tools`` are counted as their JSON schemas."""
        from langchain_core.utils.function_calling import convert_to_openai_tool

        from ._convert import messages_to_wire

        encoding = self._token_encoding()
        total = count_message_tokens(messages_to_wire(messages), encoding) if messages else 0
        for tool in tools or ():
            total += _text_tokens(json.dumps(convert_to_openai_tool(tool)), encoding)
        return total
