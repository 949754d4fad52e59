"""``AIMLAPIEmbeddings``: AI/ML API embedding models as LangChain ``Embeddings``.

Batching, base64 decoding, retries and typed errors live in the core
(:mod:`aimlapi_core.embeddings`); this class holds the parameters and maps errors to
LangChain's standard ones.

Example:
    >>> from langchain_aimlapi import AIMLAPIEmbeddings
    >>> emb = AIMLAPIEmbeddings(model="text-embedding-3-large", dimensions=256, api_key="sk-...")
    >>> emb.model, emb.dimensions, emb.chunk_size
    ('text-embedding-3-large', 256, 128)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Literal

from langchain_core.embeddings import Embeddings
from pydantic import ConfigDict, Field, model_validator

from aimlapi_core.embeddings import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_EMBEDDING_MODEL,
    DEFAULT_MAX_BATCH_BYTES,
    DEFAULT_MAX_CONCURRENCY,
    MAX_BATCH_SIZE,
    EmbeddingsReply,
    EmbeddingsSender,
    aembed,
    check_texts,
    embed,
    embeddings_body,
    plan_batches,
)

from ._model_kwargs import ModelKwargsMixin
from ._openai_compat import EMBEDDINGS_NAMES, ClientOptions, Refuse, Rename
from .errors import maps_errors

__all__ = ["AIMLAPIEmbeddings", "AimlapiEmbeddings"]


class AIMLAPIEmbeddings(ModelKwargsMixin, ClientOptions, Embeddings):
    """AI/ML API embeddings (``POST /v1/embeddings``) for LangChain vector stores and retrievers.

    A drop-in for ``OpenAIEmbeddings`` where the names overlap (``model``, ``dimensions``,
    ``chunk_size``, ``max_retries``, ``request_timeout``, ``model_kwargs``, ``default_headers``,
    ``http_client``), with no ``openai`` SDK or ``tiktoken`` underneath: texts go as text, in
    batches of ``chunk_size`` texts and at most ``max_batch_bytes`` bytes, one request each;
    ``aembed_documents`` sends up to ``max_concurrency`` batches at once. Vectors come back in
    input order. ``dimensions`` is for ``text-embedding-3-*`` (and models AI/ML API does not
    document); asking ``text-embedding-ada-002`` for it is a ``ValueError`` at construction.

    Setup:
        ``pip install "aimlapi-integrations[langchain]"`` and set ``AIMLAPI_API_KEY``.

    Example:
        .. code-block:: python

            from langchain_core.vectorstores import InMemoryVectorStore
            from langchain_aimlapi import AIMLAPIEmbeddings

            embeddings = AIMLAPIEmbeddings(model="text-embedding-3-small")
            store = InMemoryVectorStore.from_texts(["Paris is in France"], embeddings)
            store.similarity_search("Where is Paris?", k=1)
    """

    model_config = ConfigDict(
        populate_by_name=True,
        arbitrary_types_allowed=True,
        extra="forbid",
        protected_namespaces=(),
    )

    model: str = DEFAULT_EMBEDDING_MODEL
    """Embedding model id: ``text-embedding-3-small`` (default), ``text-embedding-3-large``,
    ``text-embedding-ada-002`` or any other AI/ML API lists."""
    dimensions: int | None = Field(default=None, ge=1)
    """Length of the vectors (``text-embedding-3-*`` only); ``None``: the model's own size."""
    chunk_size: int = Field(default=DEFAULT_BATCH_SIZE, ge=1, le=MAX_BATCH_SIZE)
    """Most texts per request."""
    max_batch_bytes: int = Field(default=DEFAULT_MAX_BATCH_BYTES, ge=1)
    """Most UTF-8 bytes of text per request (a longer text is sent alone)."""
    max_concurrency: int = Field(default=DEFAULT_MAX_CONCURRENCY, ge=1)
    """Most requests in flight at once in the async methods."""
    encoding_format: Literal["float", "base64"] | None = None
    """Wire format of the vectors (``base64`` is a quarter of the bytes); floats either way.
    ``None`` sends nothing, so the API's default (floats) applies."""
    show_progress_bar: bool = False
    """Show a ``tqdm`` progress bar over the batches of ``embed_documents`` (needs ``tqdm``)."""

    _openai_names: ClassVar[Mapping[str, Rename | Refuse]] = EMBEDDINGS_NAMES

    @model_validator(mode="after")
    def _check_progress_bar(self) -> AIMLAPIEmbeddings:
        if self.show_progress_bar:
            try:
                import tqdm.auto  # type: ignore[import-untyped,unused-ignore]  # noqa: F401
            except ImportError as exc:
                raise ImportError(
                    "show_progress_bar=True needs tqdm: pip install tqdm (or leave it False)."
                ) from exc
        return self

    @model_validator(mode="after")
    def _check_request(self) -> AIMLAPIEmbeddings:
        # A dimensions the model cannot take fails here, not at the first embed call.
        embeddings_body(
            self.model,
            [],
            dimensions=self.dimensions,
            encoding_format=self.encoding_format,
            extra_body=self.model_kwargs,
        )
        return self

    def _options(self, chunk_size: int | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        params = {**self.model_kwargs, **kwargs}
        return {
            "model": params.pop("model", self.model),
            "dimensions": params.pop("dimensions", self.dimensions),
            "encoding_format": params.pop("encoding_format", self.encoding_format),
            "batch_size": chunk_size or self.chunk_size,
            "max_batch_bytes": self.max_batch_bytes,
            "extra_body": params or None,
        }

    @maps_errors
    def embed_documents(
        self, texts: list[str], chunk_size: int | None = None, **kwargs: Any
    ) -> list[list[float]]:
        """Embed ``texts``: one vector each, in order (one request per batch).

        Args:
            texts: the texts (a ``TypeError`` names the first that is not a ``str``).
            chunk_size: texts per request for this call (else :attr:`chunk_size`).
            kwargs: request parameters for this call (``dimensions``, ``user`` ...).
        """
        options = self._options(chunk_size, kwargs)
        if not self.show_progress_bar:
            return embed(self.client, texts, **options).vectors
        from tqdm.auto import tqdm  # type: ignore[import-untyped,unused-ignore]

        total = len(plan_batches(check_texts(texts), options["batch_size"], self.max_batch_bytes))
        with tqdm(total=total, unit="batch", desc="Embedding") as bar:
            counting = _Progress(self.client, bar.update)
            return embed(counting, texts, **options).vectors

    @maps_errors
    async def aembed_documents(
        self, texts: list[str], chunk_size: int | None = None, **kwargs: Any
    ) -> list[list[float]]:
        """Async :meth:`embed_documents`: batches go concurrently (:attr:`max_concurrency`)."""
        options = self._options(chunk_size, kwargs)
        result = await aembed(
            self.async_client, texts, max_concurrency=self.max_concurrency, **options
        )
        return result.vectors

    @maps_errors
    def embed_query(self, text: str, **kwargs: Any) -> list[float]:
        """Embed one query text."""
        return self.embed_documents([_query(text)], **kwargs)[0]

    @maps_errors
    async def aembed_query(self, text: str, **kwargs: Any) -> list[float]:
        """Async :meth:`embed_query`."""
        return (await self.aembed_documents([_query(text)], **kwargs))[0]


AimlapiEmbeddings = AIMLAPIEmbeddings
"""Alias for users of the older ``langchain-aimlapi`` package (same keywords: ``model``,
``api_key``/``aimlapi_api_key``, ``base_url``/``aimlapi_api_base``, ``timeout``, ...)."""


class _Progress:
    """A sync core client that reports each finished embeddings request (progress bar)."""

    def __init__(self, client: EmbeddingsSender, advance: Callable[[int], object]) -> None:
        self._client = client
        self._advance = advance

    def create_embeddings(self, body: Mapping[str, Any], **kwargs: Any) -> EmbeddingsReply:
        reply = self._client.create_embeddings(body, **kwargs)
        self._advance(1)
        return reply


def _query(text: Any) -> str:
    if not isinstance(text, str):
        raise TypeError(
            f"embed_query takes one str, got {type(text).__name__}: "
            "use embed_documents for several texts."
        )
    return text
