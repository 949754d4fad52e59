"""AI/ML API for LlamaIndex: ``AIMLAPI`` and ``AIMLAPIResponses``, ``FunctionCallingLLM`` s on
chat completions and on ``/v1/responses``.

Example:
    >>> from llama_index_aimlapi import AIMLAPI
    >>> llm = AIMLAPI(model="openai/gpt-4o")  # key from AIMLAPI_API_KEY at the first call
    >>> llm.metadata.model_name
    'openai/gpt-4o'
"""

from .base import AIMLAPI, DEFAULT_CONTEXT_WINDOW, DEFAULT_MODEL
from .responses import AIMLAPIResponses

__all__ = ["AIMLAPI", "DEFAULT_CONTEXT_WINDOW", "DEFAULT_MODEL", "AIMLAPIResponses"]
