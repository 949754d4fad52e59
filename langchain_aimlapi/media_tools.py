"""AI/ML API's image, video and speech models as LangChain tools an agent can call.

Four ``BaseTool`` s, sync and async, each with an argument schema the model sees:

* :class:`AIMLAPIImageTool` (``generate_image``): a prompt → image URL(s);
* :class:`AIMLAPIVideoTool` (``generate_video``): a prompt → a video URL, polling under a
  deadline (``max_wait``), with an optional progress callback and cancel event;
* :class:`AIMLAPITextToSpeechTool` (``text_to_speech``): text → an audio file;
* :class:`AIMLAPISpeechToTextTool` (``speech_to_text``): an audio file path or URL → its text.

The model-specific parameters (``size``, ``duration``, ``voice``...) are fixed by the developer
in ``model_kwargs`` and checked against the model's schema when the tool is built, so an agent
never discovers a bad setting after a long wait. Each tool answers the agent with text and
keeps the rest as the message's ``artifact`` (``response_format="content_and_artifact"``):
URLs, saved paths, the audio bytes when no ``output_dir`` is set, and AI/ML API's ``cost`` and
``inference_id``, as chat models report them. A generation the provider refuses (content
policy) or a bad argument from the agent raises ``ToolException``, which the agent can be
given back with ``handle_tool_error=True``.

Example:
    >>> from langchain_aimlapi import AIMLAPIImageTool
    >>> tool = AIMLAPIImageTool(model="dall-e-3", model_kwargs={"size": "1024x1024"},
    ...                         api_key="sk-test")
    >>> tool.name, sorted(tool.args)
    ('generate_image', ['prompt'])
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, Literal

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.tools import BaseTool, ToolException
from pydantic import BaseModel, ConfigDict, Field, model_validator

from aimlapi_core.errors import GenerationFailedError, MediaParameterError
from aimlapi_core.media import images, speech, transcription, video
from aimlapi_core.media.files import save_in
from aimlapi_core.media.jobs import JobProgress, PollPolicy
from aimlapi_core.media.specs import Job, request_body

from ._connection import AIMLAPIConnection
from .errors import langchain_errors

__all__ = [
    "AIMLAPIImageTool",
    "AIMLAPISpeechToTextTool",
    "AIMLAPITextToSpeechTool",
    "AIMLAPIVideoTool",
    "ImageToolInput",
    "SpeechToTextInput",
    "TextToSpeechInput",
    "VideoToolInput",
]


class ImageToolInput(BaseModel):
    """What the agent passes to ``generate_image``."""

    prompt: str = Field(
        description="A detailed description of the image: subject, setting, style, lighting."
    )


class VideoToolInput(BaseModel):
    """What the agent passes to ``generate_video``."""

    prompt: str = Field(
        description="A description of the clip: subject, action, camera movement, style."
    )


class TextToSpeechInput(BaseModel):
    """What the agent passes to ``text_to_speech``."""

    text: str = Field(description="The exact text to read aloud.")


class SpeechToTextInput(BaseModel):
    """What the agent passes to ``speech_to_text``."""

    audio: str = Field(description="A local audio file path, or an http(s) URL of the audio.")


class _MediaTool(AIMLAPIConnection, BaseTool):
    """What the four tools share: connection, model, its fixed parameters, error mapping."""

    # Errors never echo the input: it holds the API key.
    model_config = ConfigDict(
        populate_by_name=True, arbitrary_types_allowed=True, hide_input_in_errors=True
    )

    model: str
    """The AI/ML API model id."""

    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """The model's own parameters, sent with every call (checked against its schema)."""

    validate_params: bool = True
    """Check ``model_kwargs`` against the model's schema (``False`` for a model newer than
    this package's data)."""

    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"

    _job: ClassVar[Job] = "image"

    def _sample_params(self) -> dict[str, Any]:
        """A stand-in for what the agent passes (its prompt or text)."""
        return {"prompt": "a red fox"}

    @model_validator(mode="after")
    def _check_model_kwargs(self) -> _MediaTool:
        # The developer's settings are checked now, not after the first generation fails.
        params = {**self._sample_params(), **self.model_kwargs}
        request_body(self._job, self.model, params, validate=self.validate_params)
        return self

    @staticmethod
    def _agent_error(error: Exception) -> ToolException:
        return ToolException(str(error))


def _cost(result: Any) -> dict[str, Any]:
    cost = getattr(result, "cost", None)
    return {
        "model": getattr(result, "model", None),
        "cost": cost.as_dict() if cost is not None else None,
        "inference_id": getattr(result, "inference_id", None),
    }


class AIMLAPIImageTool(_MediaTool):
    """Generate images with an AI/ML API image model (``POST /v1/images/generations``).

    The agent gets the image URL(s), or the saved paths when ``output_dir`` is set; the
    artifact holds ``urls``, ``paths``, ``cost`` and ``inference_id``.

    Example:
        .. code-block:: python

            tool = AIMLAPIImageTool(model="flux/schnell", model_kwargs={"image_size": "square"})
            tool.invoke({"prompt": "a watercolor fox"})  # -> 'https://cdn.aimlapi.com/...png'
    """

    name: str = "generate_image"
    description: str = (
        "Generate an image from a text description. Returns the image URL. Use it when the "
        "user asks to draw, paint, illustrate or picture something."
    )
    args_schema: type[BaseModel] = ImageToolInput
    model: str = images.DEFAULT_IMAGE_MODEL
    output_dir: str | None = None
    """Folder to save the images in (then they are downloaded and the agent gets the paths)."""

    _job: ClassVar[Job] = "image"

    def _answer(self, result: images.ImageResult) -> tuple[str, dict[str, Any]]:
        paths = [
            str(
                save_in(
                    self.output_dir,
                    img.data,
                    img.content_type,
                    f"image-{i}-{result.inference_id or ''}",
                )
            )
            for i, img in enumerate(result.images)
            if self.output_dir and img.data is not None
        ]
        text = "\n".join(paths) if paths else str(result)
        return text, {"urls": result.urls, "paths": paths, **_cost(result)}

    def _run(
        self, prompt: str, run_manager: CallbackManagerForToolRun | None = None
    ) -> tuple[str, dict[str, Any]]:
        try:
            with langchain_errors():
                result = images.generate_image(
                    self.client,
                    prompt,
                    self.model,
                    output="bytes" if self.output_dir else "url",
                    validate=self.validate_params,
                    **self.model_kwargs,
                )
        except MediaParameterError as err:
            raise self._agent_error(err) from err
        return self._answer(result)

    async def _arun(
        self, prompt: str, run_manager: AsyncCallbackManagerForToolRun | None = None
    ) -> tuple[str, dict[str, Any]]:
        try:
            with langchain_errors():
                result = await images.agenerate_image(
                    self.async_client,
                    prompt,
                    self.model,
                    output="bytes" if self.output_dir else "url",
                    validate=self.validate_params,
                    **self.model_kwargs,
                )
        except MediaParameterError as err:
            raise self._agent_error(err) from err
        return self._answer(result)


class AIMLAPIVideoTool(_MediaTool):
    """Generate a video (``POST /v2/video/generations``, then polls) and wait for it.

    Waits at most ``max_wait`` seconds (then ``GenerationTimeoutError`` with the generation
    id), polling from every ``poll_interval`` seconds with backoff; ``on_progress`` sees each
    status; setting ``cancel_event`` stops a sync wait. A refused generation is a
    ``ToolException`` carrying the provider's reason.

    Example:
        .. code-block:: python

            tool = AIMLAPIVideoTool(model="google/veo3", model_kwargs={"duration": 8})
            tool.invoke({"prompt": "waves rolling onto a beach at dawn"})
    """

    name: str = "generate_video"
    description: str = (
        "Generate a short video clip from a text description; takes minutes. Returns the "
        "video URL. Use it when the user asks for a video, clip or animation."
    )
    args_schema: type[BaseModel] = VideoToolInput
    model: str = video.DEFAULT_VIDEO_MODEL
    output_dir: str | None = None
    """Folder to save the video in (then it is downloaded and the agent gets the path)."""
    max_wait: float = Field(default=900.0, gt=0)
    """Seconds to wait for the video before giving up."""
    poll_interval: float = Field(default=5.0, gt=0)
    """Seconds before the first status check (later checks back off to 30 s)."""
    on_progress: Callable[[JobProgress], object] | None = Field(default=None, exclude=True)
    """Called with each status while waiting."""
    cancel_event: threading.Event | None = Field(default=None, exclude=True)
    """Set it to stop a sync wait (async waits stop when their task is cancelled)."""

    _job: ClassVar[Job] = "video"

    def _policy(self) -> PollPolicy:
        return video.DEFAULT_VIDEO_POLICY.with_waits(self.max_wait, self.poll_interval)

    def _answer(self, result: video.VideoResult) -> tuple[str, dict[str, Any]]:
        path = None
        if self.output_dir and result.data is not None:
            path = str(
                save_in(
                    self.output_dir,
                    result.data,
                    result.content_type,
                    f"video-{result.generation_id}",
                )
            )
        artifact = {
            "url": result.url,
            "path": path,
            "generation_id": result.generation_id,
            **_cost(result),
        }
        return path or result.url, artifact

    def _run(
        self, prompt: str, run_manager: CallbackManagerForToolRun | None = None
    ) -> tuple[str, dict[str, Any]]:
        try:
            with langchain_errors():
                result = video.generate_video(
                    self.client,
                    prompt,
                    self.model,
                    output="bytes" if self.output_dir else "url",
                    policy=self._policy(),
                    on_progress=self.on_progress,
                    cancel=self.cancel_event,
                    validate=self.validate_params,
                    **self.model_kwargs,
                )
        except (MediaParameterError, GenerationFailedError) as err:
            raise self._agent_error(err) from err
        return self._answer(result)

    async def _arun(
        self, prompt: str, run_manager: AsyncCallbackManagerForToolRun | None = None
    ) -> tuple[str, dict[str, Any]]:
        try:
            with langchain_errors():
                result = await video.agenerate_video(
                    self.async_client,
                    prompt,
                    self.model,
                    output="bytes" if self.output_dir else "url",
                    policy=self._policy(),
                    on_progress=self.on_progress,
                    validate=self.validate_params,
                    **self.model_kwargs,
                )
        except (MediaParameterError, GenerationFailedError) as err:
            raise self._agent_error(err) from err
        return self._answer(result)


class AIMLAPITextToSpeechTool(_MediaTool):
    """Read text aloud with an AI/ML API voice model (``POST /v1/tts``).

    With ``output_dir`` the audio is saved there and the agent gets the path; without it the
    agent gets a short description and the bytes are in the artifact (``audio``).

    Example:
        .. code-block:: python

            tool = AIMLAPITextToSpeechTool(model="openai/tts-1", model_kwargs={"voice": "nova"},
                                           output_dir="out")
            tool.invoke({"text": "Your order has shipped."})  # -> 'out/speech-….wav'
    """

    name: str = "text_to_speech"
    description: str = (
        "Convert text to spoken audio. Returns the path of the audio file. Use it when the user "
        "asks to read something aloud, narrate or make a voice-over."
    )
    args_schema: type[BaseModel] = TextToSpeechInput
    model: str = speech.DEFAULT_SPEECH_MODEL
    output_dir: str | None = None
    """Folder to save the audio in."""

    _job: ClassVar[Job] = "speech"

    def _sample_params(self) -> dict[str, Any]:
        return {speech.text_field(self.model): "Hello"}

    def _answer(self, result: speech.SpeechResult) -> tuple[str, dict[str, Any]]:
        path = None
        if self.output_dir:
            stem = f"speech-{result.inference_id or abs(hash(result.audio))}"
            path = str(save_in(self.output_dir, result.audio, result.content_type, stem))
        artifact: dict[str, Any] = {
            "path": path,
            "url": result.url,
            "content_type": result.content_type,
            "audio": None if path else result.audio,
            **_cost(result),
        }
        return path or str(result), artifact

    def _run(
        self, text: str, run_manager: CallbackManagerForToolRun | None = None
    ) -> tuple[str, dict[str, Any]]:
        try:
            with langchain_errors():
                result = speech.text_to_speech(
                    self.client,
                    text,
                    self.model,
                    validate=self.validate_params,
                    **self.model_kwargs,
                )
        except MediaParameterError as err:
            raise self._agent_error(err) from err
        return self._answer(result)

    async def _arun(
        self, text: str, run_manager: AsyncCallbackManagerForToolRun | None = None
    ) -> tuple[str, dict[str, Any]]:
        try:
            with langchain_errors():
                result = await speech.atext_to_speech(
                    self.async_client,
                    text,
                    self.model,
                    validate=self.validate_params,
                    **self.model_kwargs,
                )
        except MediaParameterError as err:
            raise self._agent_error(err) from err
        return self._answer(result)


class AIMLAPISpeechToTextTool(_MediaTool):
    """Transcribe an audio file or URL (``POST /v1/stt/create``, then polls).

    Example:
        .. code-block:: python

            tool = AIMLAPISpeechToTextTool(model="nova-3")
            tool.invoke({"audio": "meeting.mp3"})  # -> 'Good morning everyone, ...'
    """

    name: str = "speech_to_text"
    description: str = (
        "Transcribe speech in an audio file (a local path or an http(s) URL) to text. Returns "
        "the transcript."
    )
    args_schema: type[BaseModel] = SpeechToTextInput
    model: str = transcription.DEFAULT_TRANSCRIPTION_MODEL
    max_wait: float = Field(default=600.0, gt=0)
    """Seconds to wait for the transcript before giving up."""
    poll_interval: float = Field(default=1.0, gt=0)
    """Seconds before the first status check (later checks back off to 10 s)."""
    cancel_event: threading.Event | None = Field(default=None, exclude=True)
    """Set it to stop a sync wait."""

    _job: ClassVar[Job] = "transcription"

    def _sample_params(self) -> dict[str, Any]:
        return {}

    def _policy(self) -> PollPolicy:
        return transcription.DEFAULT_TRANSCRIPTION_POLICY.with_waits(
            self.max_wait, self.poll_interval
        )

    @staticmethod
    def _source(audio: str) -> dict[str, Any]:
        if audio.startswith(("https://", "http://")):
            return {"url": audio}
        path = Path(audio).expanduser()
        if not path.is_file():
            raise ToolException(f"No audio file at {audio!r}: pass an existing path or a URL.")
        return {"audio": path}

    def _answer(self, result: transcription.TranscriptionResult) -> tuple[str, dict[str, Any]]:
        return result.text, {"generation_id": result.generation_id, **_cost(result)}

    def _run(
        self, audio: str, run_manager: CallbackManagerForToolRun | None = None
    ) -> tuple[str, dict[str, Any]]:
        try:
            with langchain_errors():
                result = transcription.transcribe(
                    self.client,
                    **self._source(audio),
                    model=self.model,
                    policy=self._policy(),
                    cancel=self.cancel_event,
                    validate=self.validate_params,
                    **self.model_kwargs,
                )
        except (MediaParameterError, GenerationFailedError) as err:
            raise self._agent_error(err) from err
        return self._answer(result)

    async def _arun(
        self, audio: str, run_manager: AsyncCallbackManagerForToolRun | None = None
    ) -> tuple[str, dict[str, Any]]:
        try:
            with langchain_errors():
                result = await transcription.atranscribe(
                    self.async_client,
                    **self._source(audio),
                    model=self.model,
                    policy=self._policy(),
                    validate=self.validate_params,
                    **self.model_kwargs,
                )
        except (MediaParameterError, GenerationFailedError) as err:
            raise self._agent_error(err) from err
        return self._answer(result)
