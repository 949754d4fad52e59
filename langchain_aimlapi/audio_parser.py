"""``AIMLAPIAudioParser``: audio blobs → LangChain ``Document`` s by AI/ML API transcription.

The counterpart of ``OpenAIWhisperParser``: give it to a ``GenericLoader`` (or call
``parse`` on a ``Blob``) and each audio file becomes one ``Document`` whose text is the
transcript. The metadata keep the ``source``, the model, the job's ``generation_id`` and
AI/ML API's ``cost`` and ``inference_id``. Files go up as they are (no splitting into chunks:
AI/ML API's speech models take whole files).

Example:
    >>> from langchain_aimlapi import AIMLAPIAudioParser
    >>> AIMLAPIAudioParser(model="nova-3", api_key="sk-test").model
    'nova-3'
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from langchain_core.document_loaders import BaseBlobParser
from langchain_core.documents import Document
from langchain_core.documents.base import Blob
from pydantic import ConfigDict, Field, model_validator

from aimlapi_core.media import transcription
from aimlapi_core.media.jobs import PollPolicy
from aimlapi_core.media.specs import request_body
from aimlapi_core.media.transcription import TranscriptionResult

from ._connection import AIMLAPIConnection
from .errors import langchain_errors

__all__ = ["AIMLAPIAudioParser"]


class AIMLAPIAudioParser(AIMLAPIConnection, BaseBlobParser):
    """Transcribe audio blobs into ``Document`` s with an AI/ML API speech-to-text model.

    Example:
        .. code-block:: python

            from langchain_core.document_loaders.blob_loaders import Blob
            from langchain_aimlapi import AIMLAPIAudioParser

            parser = AIMLAPIAudioParser(model="nova-3", model_kwargs={"smart_format": True})
            docs = parser.parse(Blob.from_path("meeting.mp3"))
    """

    # Errors never echo the input: it holds the API key.
    model_config = ConfigDict(
        populate_by_name=True, arbitrary_types_allowed=True, hide_input_in_errors=True
    )

    model: str = transcription.DEFAULT_TRANSCRIPTION_MODEL
    """The speech-to-text model id."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """The model's own parameters (``language``, ``diarize``...), checked at construction."""
    max_wait: float = Field(default=600.0, gt=0)
    """Seconds to wait for one transcript."""
    poll_interval: float = Field(default=1.0, gt=0)
    """Seconds before the first status check (later checks back off to 10 s)."""
    validate_params: bool = True

    @model_validator(mode="after")
    def _check_params(self) -> AIMLAPIAudioParser:
        request_body("transcription", self.model, self.model_kwargs, validate=self.validate_params)
        return self

    def _policy(self) -> PollPolicy:
        return transcription.DEFAULT_TRANSCRIPTION_POLICY.with_waits(
            self.max_wait, self.poll_interval
        )

    @staticmethod
    def _filename(blob: Blob) -> str:
        return Path(str(blob.path or blob.source or "audio")).name

    def _document(self, blob: Blob, result: TranscriptionResult) -> Document:
        metadata = {"source": blob.source, **result.metadata()}
        return Document(page_content=result.text, metadata=metadata)

    def lazy_parse(self, blob: Blob) -> Iterator[Document]:
        """One ``Document`` with the transcript of ``blob``."""
        with langchain_errors():
            result = transcription.transcribe(
                self.client,
                blob.as_bytes(),
                model=self.model,
                filename=self._filename(blob),
                content_type=blob.mimetype,
                policy=self._policy(),
                validate=self.validate_params,
                **self.model_kwargs,
            )
        yield self._document(blob, result)

    async def alazy_parse(self, blob: Blob) -> AsyncIterator[Document]:
        """The async :meth:`lazy_parse` (LangChain's parsers have no async hook: call it
        yourself, ``[d async for d in parser.alazy_parse(blob)]``)."""
        with langchain_errors():
            result = await transcription.atranscribe(
                self.async_client,
                blob.as_bytes(),
                model=self.model,
                filename=self._filename(blob),
                content_type=blob.mimetype,
                policy=self._policy(),
                validate=self.validate_params,
                **self.model_kwargs,
            )
        yield self._document(blob, result)
