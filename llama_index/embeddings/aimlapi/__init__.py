"""AI/ML API embeddings at LlamaIndex's own import path, ``llama_index.embeddings.aimlapi``.

The same class as :class:`llama_index_aimlapi.AIMLAPIEmbedding` (re-exported), found where
LlamaIndex's embedding integrations live (``llama_index.embeddings.openai``, ...).

Example:
    >>> from llama_index.embeddings.aimlapi import AIMLAPIEmbedding
    >>> import llama_index_aimlapi
    >>> AIMLAPIEmbedding is llama_index_aimlapi.AIMLAPIEmbedding
    True
    >>> AIMLAPIEmbedding(model="text-embedding-3-small").model_name
    'text-embedding-3-small'
"""

from llama_index_aimlapi.embeddings import AIMLAPIEmbedding

__all__ = ["AIMLAPIEmbedding"]
