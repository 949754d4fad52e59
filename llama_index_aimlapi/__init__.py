"""AI/ML API for LlamaIndex: ``AIMLAPI``, a ``FunctionCallingLLM`` on ``aimlapi_core``.

Example:
    >>> from llama_index_aimlapi import AIMLAPI
    >>> llm = AIMLAPI(model="openai/gpt-4o")  # key from AIMLAPI_API_KEY at the first call
    >>> llm.metadata.model_name
    'openai/gpt-4o'
"""

from .base import AIMLAPI, DEFAULT_CONTEXT_WINDOW, DEFAULT_MODEL

__all__ = ["AIMLAPI", "DEFAULT_CONTEXT_WINDOW", "DEFAULT_MODEL"]
