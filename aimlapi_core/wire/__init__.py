"""Lenient pydantic wire models of both endpoints.

Example:
    >>> from aimlapi_core.wire import ChatCompletion
    >>> ChatCompletion.model_validate({"choices": []}).choices
    []
"""

from ._base import WireModel
from .chat import (
    AssistantMessage,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Choice,
    ChunkChoice,
    ChunkDelta,
    FunctionCall,
    ToolCall,
    reasoning_text_of,
    text_of_content,
)
from .responses import FunctionCallItem, Response, ResponsesRequest, ResponseStreamEvent

__all__ = [
    "AssistantMessage",
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionRequest",
    "Choice",
    "ChunkChoice",
    "ChunkDelta",
    "FunctionCall",
    "FunctionCallItem",
    "Response",
    "ResponseStreamEvent",
    "ResponsesRequest",
    "ToolCall",
    "WireModel",
    "reasoning_text_of",
    "text_of_content",
]
