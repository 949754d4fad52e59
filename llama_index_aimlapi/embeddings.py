"""``AIMLAPIEmbedding``: AI/ML API embedding models as a LlamaIndex ``BaseEmbedding``.

LlamaIndex cuts texts into batches of ``embed_batch_size`` and calls
:meth:`AIMLAPIEmbedding._get_text_embeddings` once per batch; each batch is one request
through the core (:mod:`aimlapi_core.embeddings`: retries, typed errors, base64 decoding,
vectors in input order), split further only if its texts exceed the core's byte budget.

Example:
    >>> from llama_index_aimlapi import AIMLAPIEmbedding
    >>> emb = AIMLAPIEmbedding(model="text-embedding-3-small", dimensions=256, api_key="sk-...")
    >>> emb.model_name, emb.embed_batch_size, "sk-..." in repr(emb)
    ('text-embedding-3-small', 128, False)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from llama_index.core.bridge.pydantic import Field, SecretStr
from llama_index.core.callbacks import CallbackManager

from aimlapi_core.embeddings import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_EMBEDDING_MODEL,
    aembed,
    embed,
    embeddings_body,
)
from aimlapi_core.settings import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_KEEPALIVE_CONNECTIONS,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    Settings,
)

from ._arguments import check_arguments
from ._connection import AIMLAPIConnection

if TYPE_CHECKING:
    import httpx

__all__ = ["AIMLAPIEmbedding"]


class AIMLAPIEmbedding(AIMLAPIConnection, BaseEmbedding):
    """AI/ML API embeddings for LlamaIndex indexes, retrievers and query engines.

    The key comes from ``api_key=``, else ``AIMLAPI_API_KEY``, else ``AIML_API_KEY``, at the
    first request; it never appears in ``repr``, ``to_dict`` or instrumentation payloads.
    Unlike ``llama_index.embeddings.openai.OpenAIEmbedding``, texts are sent as they are
    (newlines kept) and retries happen once, in the core.

    Args:
        model: embedding model id (``text-embedding-3-small`` by default,
            ``text-embedding-3-large``, ``text-embedding-ada-002`` or any other listed).
        embed_batch_size: texts per request (LlamaIndex batches by it; at most 2048).
        dimensions: vector length, for ``text-embedding-3-*`` (a ``ValueError`` for
            ``text-embedding-ada-002``, which has a fixed size).
        encoding_format: ``"base64"`` to receive a quarter of the bytes; floats either way.
        additional_kwargs: other request parameters (``user``, a provider's own ones).
        api_key / api_base / timeout / max_retries / default_headers / client_request_id /
            max_connections / max_keepalive_connections: the connection, as for ``AIMLAPI``.
        http_client / async_http_client: your own ``httpx`` clients (proxies, transports).

    Every argument of llama-index ``OpenAIEmbedding`` works with the same meaning or fails at
    construction naming it (:class:`~llama_index_aimlapi.UnsupportedArgumentError`:
    ``api_version``, ``reuse_client=False``, a ``mode`` other than text search), as does any
    argument this class has no setting for.

    Example:
        >>> from llama_index_aimlapi import AIMLAPIEmbedding
        >>> AIMLAPIEmbedding(model="text-embedding-ada-002", dimensions=256)
        Traceback (most recent call last):
        ...
        ValueError: 'text-embedding-ada-002' always returns 1536 dimensions and takes no \
`dimensions`: leave dimensions out, or use text-embedding-3-small / text-embedding-3-large.

        Then ``Settings.embed_model = AIMLAPIEmbedding()`` or
        ``VectorStoreIndex.from_documents(docs, embed_model=AIMLAPIEmbedding())``.
    """

    dimensions: int | None = Field(
        default=None, gt=0, description="Vector length (text-embedding-3-* models)."
    )
    encoding_format: Literal["float", "base64"] | None = Field(
        default=None, description="Wire format of the vectors; None: the API's default."
    )
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Extra parameters for every request body."
    )

    def __init__(
        self,
        model: str = DEFAULT_EMBEDDING_MODEL,
        embed_batch_size: int = DEFAULT_BATCH_SIZE,
        dimensions: int | None = None,
        encoding_format: Literal["float", "base64"] | None = None,
        additional_kwargs: dict[str, Any] | None = None,
        api_key: str | SecretStr | None = None,
        api_base: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: dict[str, str] | None = None,
        client_request_id: str | None = None,
        max_connections: int | None = DEFAULT_MAX_CONNECTIONS,
        max_keepalive_connections: int | None = DEFAULT_MAX_KEEPALIVE_CONNECTIONS,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        callback_manager: CallbackManager | None = None,
        num_workers: int | None = None,
        **kwargs: Any,
    ) -> None:
        model = kwargs.pop("model_name", model)
        kwargs = check_arguments(type(self), kwargs)
        # A dimensions the model cannot take fails here, not at the first embedding.
        embeddings_body(
            model,
            [],
            dimensions=dimensions,
            encoding_format=encoding_format,
            extra_body=additional_kwargs,
        )
        # Passed as one dict: the base's synthesised __init__ (for type checkers) names only
        # its own fields.
        fields: dict[str, Any] = {
            "model_name": model,
            "embed_batch_size": embed_batch_size,
            "dimensions": dimensions,
            "encoding_format": encoding_format,
            "additional_kwargs": additional_kwargs or {},
            "api_key": api_key or None,
            "api_base": Settings(base_url=api_base or None).url,
            "timeout": timeout,
            "max_retries": max_retries,
            "default_headers": default_headers,
            "client_request_id": client_request_id,
            "max_connections": max_connections,
            "max_keepalive_connections": max_keepalive_connections,
            "callback_manager": callback_manager,
            "num_workers": num_workers,
        }
        super().__init__(**fields, **kwargs)
        self._use_http_clients(http_client, async_http_client)

    @classmethod
    def class_name(cls) -> str:
        """Name used by LlamaIndex serialisation: the class's own name, as for ``AIMLAPI``."""
        return "AIMLAPIEmbedding"

    # -- embeddings --------------------------------------------------------------------------

    def _options(self) -> dict[str, Any]:
        return {
            "model": self.model_name,
            "dimensions": self.dimensions,
            "encoding_format": self.encoding_format,
            "batch_size": self.embed_batch_size,
            "extra_body": self.additional_kwargs or None,
        }

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        """One request per ``embed_batch_size`` texts, vectors in input order."""
        return embed(self._client(), texts, **self._options()).vectors

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        """Async :meth:`_get_text_embeddings` (batches concurrently, in the core's bound)."""
        return (await aembed(self._aclient(), texts, **self._options())).vectors

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._get_text_embeddings([text])[0]

    async def _aget_text_embedding(self, text: str) -> Embedding:
        return (await self._aget_text_embeddings([text]))[0]

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._get_text_embeddings([query])[0]

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return (await self._aget_text_embeddings([query]))[0]
