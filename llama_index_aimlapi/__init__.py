"""AI/ML API for LlamaIndex: ``AIMLAPI`` and ``AIMLAPIResponses`` (``FunctionCallingLLM`` s on
chat completions and on ``/v1/responses``) and ``AIMLAPIEmbedding``; for agents, images, video
and speech as a tool spec (``AIMLAPIMediaToolSpec``) and audio files as documents
(``AIMLAPIAudioReader``).

Example:
    >>> from llama_index_aimlapi import AIMLAPI
    >>> llm = AIMLAPI(model="openai/gpt-4o")  # key from AIMLAPI_API_KEY at the first call
    >>> llm.metadata.model_name
    'openai/gpt-4o'
"""

from typing import TYPE_CHECKING

from aimlapi_core._lazy import lazy_exports

from .base import AIMLAPI, DEFAULT_CONTEXT_WINDOW, DEFAULT_MODEL

if TYPE_CHECKING:
    from ._arguments import UnsupportedArgumentError
    from .audio_reader import AIMLAPIAudioReader
    from .embeddings import AIMLAPIEmbedding
    from .media_tools import AIMLAPIMediaToolSpec, MediaAnswer
    from .responses import AIMLAPIResponses

__all__ = [
    "AIMLAPI",
    "DEFAULT_CONTEXT_WINDOW",
    "DEFAULT_MODEL",
    "AIMLAPIAudioReader",
    "AIMLAPIEmbedding",
    "AIMLAPIMediaToolSpec",
    "AIMLAPIResponses",
    "MediaAnswer",
    "UnsupportedArgumentError",
]

# Exported name → its module, imported on first access: a user of ``AIMLAPI`` does not pay
# for the others (embeddings pull llama-index's BaseEmbedding and the core's batching). To
# export a new name lazily, add it here, to ``__all__`` and to the ``TYPE_CHECKING`` imports.
_LAZY = {
    "AIMLAPIEmbedding": ".embeddings",
    "AIMLAPIResponses": ".responses",
    "UnsupportedArgumentError": "._arguments",
    "AIMLAPIAudioReader": ".audio_reader",
    "AIMLAPIMediaToolSpec": ".media_tools",
    "MediaAnswer": ".media_tools",
}


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
