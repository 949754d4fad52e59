"""``AIMLAPIMediaToolSpec``: AI/ML API's image, video and speech models as LlamaIndex tools.

A ``BaseToolSpec`` with four functions, each sync and async (``to_tool_list()`` pairs them, so
``FunctionAgent`` awaits the async ones): ``generate_image``, ``generate_video``,
``text_to_speech`` and ``speech_to_text``. The agent sees one argument per function; the models
and their own parameters are fixed when the spec is built (``image_kwargs``...), checked against
each model's schema then. A tool's ``raw_output`` is a :class:`MediaAnswer`: the text the agent
reads, plus the core's result (URLs, bytes, ``cost``, ``inference_id``).

Example:
    >>> from llama_index_aimlapi import AIMLAPIMediaToolSpec
    >>> spec = AIMLAPIMediaToolSpec(api_key="sk-test", image_model="flux/schnell")
    >>> [t.metadata.name for t in spec.to_tool_list()]
    ['generate_image', 'generate_video', 'text_to_speech', 'speech_to_text']
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from llama_index.core.bridge.pydantic import ConfigDict, Field, model_validator
from llama_index.core.tools.tool_spec.base import SPEC_FUNCTION_TYPE, BaseToolSpec

from aimlapi_core.media import images, speech, transcription, video
from aimlapi_core.media.files import save_in
from aimlapi_core.media.jobs import JobProgress, PollPolicy
from aimlapi_core.media.specs import request_body

from ._connection import AIMLAPIConnection

__all__ = ["AIMLAPIMediaToolSpec", "MediaAnswer"]


@dataclass
class MediaAnswer:
    """What a media tool returns: ``text`` for the agent (``str(answer)``), the core's
    ``result`` (with ``cost`` and ``inference_id``) and any files saved.

    Example:
        >>> str(MediaAnswer("https://cdn.example/1.png", result=None))
        'https://cdn.example/1.png'
    """

    text: str
    result: Any = field(repr=False)
    paths: list[str] = field(default_factory=list)

    @property
    def cost(self) -> dict[str, float | None] | None:
        """AI/ML API's cost of the generation (credits and USD), as chat replies report it."""
        cost = getattr(self.result, "cost", None)
        return cost.as_dict() if cost is not None else None

    def __str__(self) -> str:
        return self.text


class AIMLAPIMediaToolSpec(AIMLAPIConnection, BaseToolSpec):
    """Images, video, speech and transcription for LlamaIndex agents.

    Example:
        .. code-block:: python

            from llama_index.core.agent.workflow import FunctionAgent
            from llama_index_aimlapi import AIMLAPI, AIMLAPIMediaToolSpec

            tools = AIMLAPIMediaToolSpec(image_model="flux/schnell").to_tool_list()
            agent = FunctionAgent(tools=tools, llm=AIMLAPI(model="openai/gpt-4o-mini"))
            await agent.run("Draw a lighthouse at dusk")
    """

    # Errors never echo the input: it holds the API key.
    model_config = ConfigDict(arbitrary_types_allowed=True, hide_input_in_errors=True)

    spec_functions: ClassVar[list[SPEC_FUNCTION_TYPE]] = [  # type: ignore[misc]
        ("generate_image", "agenerate_image"),
        ("generate_video", "agenerate_video"),
        ("text_to_speech", "atext_to_speech"),
        ("speech_to_text", "aspeech_to_text"),
    ]

    image_model: str = Field(default=images.DEFAULT_IMAGE_MODEL, description="Image model id.")
    image_kwargs: dict[str, Any] = Field(default_factory=dict, description="Its parameters.")
    video_model: str = Field(default=video.DEFAULT_VIDEO_MODEL, description="Video model id.")
    video_kwargs: dict[str, Any] = Field(default_factory=dict, description="Its parameters.")
    speech_model: str = Field(default=speech.DEFAULT_SPEECH_MODEL, description="TTS model id.")
    speech_kwargs: dict[str, Any] = Field(default_factory=dict, description="Its parameters.")
    transcription_model: str = Field(
        default=transcription.DEFAULT_TRANSCRIPTION_MODEL, description="Speech-to-text model id."
    )
    transcription_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Its parameters."
    )
    output_dir: str | None = Field(
        default=None, description="Folder for generated files (images, video, audio)."
    )
    max_wait: float = Field(default=900.0, gt=0, description="Seconds to wait for a job.")
    poll_interval: float = Field(
        default=2.0, gt=0, description="Seconds before a job's first status check."
    )
    on_progress: Callable[[JobProgress], object] | None = Field(
        default=None, exclude=True, description="Called with each status of a waiting job."
    )
    cancel_event: threading.Event | None = Field(
        default=None, exclude=True, description="Set it to stop a sync wait."
    )
    validate_params: bool = Field(
        default=True, description="Check the models' parameters against their schemas."
    )

    @model_validator(mode="after")
    def _check_kwargs(self) -> AIMLAPIMediaToolSpec:
        check = self.validate_params
        request_body(
            "image", self.image_model, {"prompt": "p", **self.image_kwargs}, validate=check
        )
        request_body(
            "video", self.video_model, {"prompt": "p", **self.video_kwargs}, validate=check
        )
        text = speech.text_field(self.speech_model)
        request_body("speech", self.speech_model, {text: "p", **self.speech_kwargs}, validate=check)
        request_body(
            "transcription", self.transcription_model, self.transcription_kwargs, validate=check
        )
        return self

    def _policy(self, cap: float) -> PollPolicy:
        return PollPolicy(
            timeout=self.max_wait,
            interval=self.poll_interval,
            max_interval=max(self.poll_interval, cap),
        )

    def _save(self, data: bytes | None, content_type: str | None, stem: str) -> str | None:
        if not self.output_dir or data is None:
            return None
        return str(save_in(self.output_dir, data, content_type, stem))

    def _output(self) -> Any:
        return "bytes" if self.output_dir else "url"

    # ------------------------------------------------------------------ images

    def _image_answer(self, result: images.ImageResult) -> MediaAnswer:
        stem = f"image-{result.inference_id or ''}"
        paths = [
            p
            for i, img in enumerate(result.images)
            if (p := self._save(img.data, img.content_type, f"{stem}-{i}"))
        ]
        return MediaAnswer("\n".join(paths) if paths else str(result), result, paths)

    def generate_image(self, prompt: str) -> MediaAnswer:
        """Generate an image from a detailed text description (subject, setting, style,
        lighting) and return its URL (or saved file path)."""
        result = images.generate_image(
            self._client(),
            prompt,
            self.image_model,
            output=self._output(),
            validate=self.validate_params,
            **self.image_kwargs,
        )
        return self._image_answer(result)

    async def agenerate_image(self, prompt: str) -> MediaAnswer:
        """Generate an image from a detailed text description (subject, setting, style,
        lighting) and return its URL (or saved file path)."""
        result = await images.agenerate_image(
            self._aclient(),
            prompt,
            self.image_model,
            output=self._output(),
            validate=self.validate_params,
            **self.image_kwargs,
        )
        return self._image_answer(result)

    # ------------------------------------------------------------------ video

    def _video_answer(self, result: video.VideoResult) -> MediaAnswer:
        path = self._save(result.data, result.content_type, f"video-{result.generation_id}")
        return MediaAnswer(path or result.url, result, [path] if path else [])

    def generate_video(self, prompt: str) -> MediaAnswer:
        """Generate a short video clip from a text description (subject, action, camera,
        style); takes minutes. Returns the video URL (or saved file path)."""
        result = video.generate_video(
            self._client(),
            prompt,
            self.video_model,
            output=self._output(),
            policy=self._policy(30.0),
            on_progress=self.on_progress,
            cancel=self.cancel_event,
            validate=self.validate_params,
            **self.video_kwargs,
        )
        return self._video_answer(result)

    async def agenerate_video(self, prompt: str) -> MediaAnswer:
        """Generate a short video clip from a text description (subject, action, camera,
        style); takes minutes. Returns the video URL (or saved file path)."""
        result = await video.agenerate_video(
            self._aclient(),
            prompt,
            self.video_model,
            output=self._output(),
            policy=self._policy(30.0),
            on_progress=self.on_progress,
            validate=self.validate_params,
            **self.video_kwargs,
        )
        return self._video_answer(result)

    # ------------------------------------------------------------------ speech

    def _speech_answer(self, result: speech.SpeechResult) -> MediaAnswer:
        stem = f"speech-{result.inference_id or abs(hash(result.audio))}"
        path = self._save(result.audio, result.content_type, stem)
        return MediaAnswer(path or str(result), result, [path] if path else [])

    def text_to_speech(self, text: str) -> MediaAnswer:
        """Read the given text aloud; returns the audio file's path (or a description of
        the audio when no output folder is set)."""
        result = speech.text_to_speech(
            self._client(),
            text,
            self.speech_model,
            validate=self.validate_params,
            **self.speech_kwargs,
        )
        return self._speech_answer(result)

    async def atext_to_speech(self, text: str) -> MediaAnswer:
        """Read the given text aloud; returns the audio file's path (or a description of
        the audio when no output folder is set)."""
        result = await speech.atext_to_speech(
            self._aclient(),
            text,
            self.speech_model,
            validate=self.validate_params,
            **self.speech_kwargs,
        )
        return self._speech_answer(result)

    # ------------------------------------------------------------------ transcription

    @staticmethod
    def _source(audio: str) -> dict[str, Any]:
        if audio.startswith(("https://", "http://")):
            return {"url": audio}
        path = Path(audio).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"No audio file at {audio!r}: pass an existing path or a URL.")
        return {"audio": path}

    def speech_to_text(self, audio: str) -> MediaAnswer:
        """Transcribe the speech in an audio file (a local path or an http(s) URL) and
        return the transcript."""
        result = transcription.transcribe(
            self._client(),
            **self._source(audio),
            model=self.transcription_model,
            policy=self._policy(10.0),
            on_progress=self.on_progress,
            cancel=self.cancel_event,
            validate=self.validate_params,
            **self.transcription_kwargs,
        )
        return MediaAnswer(result.text, result)

    async def aspeech_to_text(self, audio: str) -> MediaAnswer:
        """Transcribe the speech in an audio file (a local path or an http(s) URL) and
        return the transcript."""
        result = await transcription.atranscribe(
            self._aclient(),
            **self._source(audio),
            model=self.transcription_model,
            policy=self._policy(10.0),
            on_progress=self.on_progress,
            validate=self.validate_params,
            **self.transcription_kwargs,
        )
        return MediaAnswer(result.text, result)
