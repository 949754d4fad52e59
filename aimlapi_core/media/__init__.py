"""AI/ML API's media models on the core client: images, video, speech and transcription.

One module per job, each sync and async, each checking parameters against the model's schema
before any request (:mod:`.specs`); long jobs (video, transcription) poll under a deadline
(:mod:`.jobs`); files in and out go through :mod:`.files`.

Example:
    >>> from aimlapi_core.media import generate_image, media_models
    >>> "dall-e-3" in media_models("image")
    True
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .files import Upload, write_file
    from .images import (
        DEFAULT_IMAGE_MODEL,
        GeneratedImage,
        ImageResult,
        agenerate_image,
        generate_image,
    )
    from .jobs import JobProgress, PollPolicy, await_job, wait_for_job
    from .specs import ModelSpec, ParamSpec, check_params, media_models, model_spec
    from .speech import DEFAULT_SPEECH_MODEL, SpeechResult, atext_to_speech, text_to_speech
    from .transcription import (
        DEFAULT_TRANSCRIPTION_MODEL,
        TranscriptionResult,
        atranscribe,
        transcribe,
    )
    from .video import (
        DEFAULT_VIDEO_MODEL,
        VideoResult,
        agenerate_video,
        asubmit_video,
        generate_video,
        submit_video,
    )

__all__ = [
    "DEFAULT_IMAGE_MODEL",
    "DEFAULT_SPEECH_MODEL",
    "DEFAULT_TRANSCRIPTION_MODEL",
    "DEFAULT_VIDEO_MODEL",
    "GeneratedImage",
    "ImageResult",
    "JobProgress",
    "ModelSpec",
    "ParamSpec",
    "PollPolicy",
    "SpeechResult",
    "TranscriptionResult",
    "Upload",
    "VideoResult",
    "agenerate_image",
    "agenerate_video",
    "asubmit_video",
    "atext_to_speech",
    "atranscribe",
    "await_job",
    "check_params",
    "generate_image",
    "generate_video",
    "media_models",
    "model_spec",
    "submit_video",
    "text_to_speech",
    "transcribe",
    "wait_for_job",
    "write_file",
]

_LAZY = {
    **dict.fromkeys(("Upload", "write_file"), ".files"),
    **dict.fromkeys(
        (
            "DEFAULT_IMAGE_MODEL",
            "GeneratedImage",
            "ImageResult",
            "agenerate_image",
            "generate_image",
        ),
        ".images",
    ),
    **dict.fromkeys(("JobProgress", "PollPolicy", "await_job", "wait_for_job"), ".jobs"),
    **dict.fromkeys(
        ("DEFAULT_SPEECH_MODEL", "SpeechResult", "atext_to_speech", "text_to_speech"), ".speech"
    ),
    **dict.fromkeys(
        ("ModelSpec", "ParamSpec", "check_params", "media_models", "model_spec"), ".specs"
    ),
    **dict.fromkeys(
        ("DEFAULT_TRANSCRIPTION_MODEL", "TranscriptionResult", "atranscribe", "transcribe"),
        ".transcription",
    ),
    **dict.fromkeys(
        (
            "DEFAULT_VIDEO_MODEL",
            "VideoResult",
            "agenerate_video",
            "asubmit_video",
            "generate_video",
            "submit_video",
        ),
        ".video",
    ),
}

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
