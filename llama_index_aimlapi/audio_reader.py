"""``AIMLAPIAudioReader``: audio files → LlamaIndex ``Document`` s by AI/ML API transcription.

Use it alone (``load_data("call.mp3")``) or as a ``SimpleDirectoryReader`` file extractor
(``file_extractor={".mp3": reader, ".wav": reader}``). Each file becomes one ``Document`` whose
text is the transcript; its metadata keep the file name, the model, the job's
``generation_id`` and AI/ML API's ``cost`` and ``inference_id``.

Example:
    >>> from llama_index_aimlapi import AIMLAPIAudioReader
    >>> AIMLAPIAudioReader(model="nova-3", api_key="sk-test").model
    'nova-3'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llama_index.core.bridge.pydantic import ConfigDict, Field, model_validator
from llama_index.core.readers.base import BasePydanticReader
from llama_index.core.schema import Document

from aimlapi_core.media import transcription
from aimlapi_core.media.jobs import PollPolicy
from aimlapi_core.media.specs import request_body
from aimlapi_core.media.transcription import TranscriptionResult

from ._connection import AIMLAPIConnection

__all__ = ["AIMLAPIAudioReader"]


class AIMLAPIAudioReader(AIMLAPIConnection, BasePydanticReader):
    """Transcribe audio files into ``Document`` s with an AI/ML API speech-to-text model.

    Example:
        .. code-block:: python

            from llama_index.core import SimpleDirectoryReader
            from llama_index_aimlapi import AIMLAPIAudioReader

            reader = AIMLAPIAudioReader(model="nova-3")
            docs = SimpleDirectoryReader("calls", file_extractor={".mp3": reader}).load_data()
    """

    # Errors never echo the input: it holds the API key.
    model_config = ConfigDict(hide_input_in_errors=True)

    is_remote: bool = True
    model: str = Field(
        default=transcription.DEFAULT_TRANSCRIPTION_MODEL, description="Speech-to-text model id."
    )
    model_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="The model's own parameters (language, diarize...)."
    )
    max_wait: float = Field(default=600.0, gt=0, description="Seconds to wait per transcript.")
    poll_interval: float = Field(
        default=1.0, gt=0, description="Seconds before the first status check."
    )
    validate_params: bool = Field(default=True, description="Check model_kwargs first.")

    @model_validator(mode="after")
    def _check_params(self) -> AIMLAPIAudioReader:
        request_body("transcription", self.model, self.model_kwargs, validate=self.validate_params)
        return self

    @classmethod
    def class_name(cls) -> str:
        return "AIMLAPIAudioReader"

    def _policy(self) -> PollPolicy:
        return transcription.DEFAULT_TRANSCRIPTION_POLICY.with_waits(
            self.max_wait, self.poll_interval
        )

    def _document(
        self, path: Path, result: TranscriptionResult, extra_info: dict[str, Any] | None
    ) -> Document:
        metadata = {"file_name": path.name, **result.metadata(), **(extra_info or {})}
        return Document(text=result.text, metadata=metadata)

    def load_data(
        self, file: str | Path, extra_info: dict[str, Any] | None = None, **_: Any
    ) -> list[Document]:
        """One ``Document`` with the transcript of ``file`` (``extra_info`` joins its metadata)."""
        path = Path(file)
        result = transcription.transcribe(
            self._client(),
            path,
            model=self.model,
            policy=self._policy(),
            validate=self.validate_params,
            **self.model_kwargs,
        )
        return [self._document(path, result, extra_info)]

    async def aload_data(
        self, file: str | Path, extra_info: dict[str, Any] | None = None, **_: Any
    ) -> list[Document]:
        """The async :meth:`load_data`."""
        path = Path(file)
        result = await transcription.atranscribe(
            self._aclient(),
            path,
            model=self.model,
            policy=self._policy(),
            validate=self.validate_params,
            **self.model_kwargs,
        )
        return [self._document(path, result, extra_info)]
