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
    Choice,
    FunctionCall,
    ToolCall,
    reasoning_text_of,
    text_of_content,
)
from .responses import FunctionCallItem, Response

__all__ = [
    "AssistantMessage",
    "ChatCompletion",
    "Choice",
    "FunctionCall",
    "FunctionCallItem",
    "Response",
    "ToolCall",
    "WireModel",
    "reasoning_text_of",
    "text_of_content",
]
