"""Text to speech: ``POST /v1/tts`` → the audio as bytes, writable to a path.

AI/ML API answers either with the audio itself (``audio/wav``, ``audio/mpeg``...) or with JSON
whose ``audio`` is the file's URL; both end as :class:`SpeechResult` with the bytes (a URL is
downloaded without the API key). Parameters are checked against the model's schema first.

Example:
    >>> import httpx
    >>> from aimlapi_core import Client, Settings
    >>> def reply(request):
    ...     return httpx.Response(200, content=b"RIFF0000WAVE", headers={
    ...         "content-type": "audio/wav", "x-aimlapi-credits-used": "630"})
    >>> client = Client(Settings(api_key="k"), http_client=httpx.Client(
    ...     transport=httpx.MockTransport(reply)))
    >>> speech = text_to_speech(client, "Hello!", model="openai/tts-1", voice="nova")
    >>> speech.audio[:4], speech.content_type, speech.cost.credits_used
    (b'RIFF', 'audio/wav', 630)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import AIMLAPIError, MediaParameterError
from ..usage import Cost, cost_from_headers
from .files import adownload, download, write_file
from .specs import model_spec, request_body

if TYPE_CHECKING:
    from ..client import AsyncClient, BytesResponse, Client

__all__ = [
    "DEFAULT_SPEECH_MODEL",
    "SpeechResult",
    "atext_to_speech",
    "text_field",
    "text_to_speech",
]

DEFAULT_SPEECH_MODEL = "openai/tts-1"
TTS_PATH = "/tts"


@dataclass(slots=True)
class SpeechResult:
    """Synthesised speech: ``audio`` bytes, their type, and the file's URL when one was given.

    Example:
        >>> r = SpeechResult(b"ID3", "audio/mpeg", None, "openai/tts-1", None, None, None)
        >>> str(r)
        '3 bytes of audio/mpeg audio from openai/tts-1'
    """

    audio: bytes
    content_type: str | None
    url: str | None
    model: str
    cost: Cost | None
    inference_id: str | None
    raw: dict[str, Any] | None = field(repr=False)

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the audio to ``path`` and return it."""
        return write_file(self.audio, path)

    def __repr__(self) -> str:
        return (
            f"SpeechResult(audio=<{len(self.audio)} bytes>, content_type={self.content_type!r}, "
            f"url={self.url!r}, model={self.model!r}, cost={self.cost!r})"
        )

    def __str__(self) -> str:
        kind = self.content_type or "binary"
        where = f" at {self.url}" if self.url else ""
        return f"{len(self.audio)} bytes of {kind} audio from {self.model}{where}"


def text_field(model: str) -> str:
    """The name the model's schema gives the text to read (``text``; ``script`` for VibeVoice)."""
    spec = model_spec("speech", model)
    if spec is not None and "text" not in spec.params and "script" in spec.params:
        return "script"  # Microsoft VibeVoice reads a script
    return "text"


def _body(text: str, model: str, validate: bool, params: Mapping[str, Any]) -> dict[str, Any]:
    field_name = text_field(model)
    if not isinstance(text, str) or not text.strip():
        raise MediaParameterError(
            f"{field_name} must be a non-empty string, got {text!r}.",
            parameter=field_name,
            model=model,
        )
    return request_body("speech", model, {field_name: text, **params}, validate=validate)


def _is_json(response: BytesResponse) -> bool:
    return str(response.headers.get("content-type", "")).startswith(("application/json", "text/"))


def _audio_link(data: Mapping[str, Any]) -> str | None:
    audio = data.get("audio")
    if isinstance(audio, Mapping):
        audio = audio.get("url")
    if isinstance(audio, str) and audio:
        return audio
    url = data.get("url")
    return str(url) if isinstance(url, str) and url else None


def _from_json(response: BytesResponse, model: str) -> tuple[str, SpeechResult]:
    reply = response.json()
    link = _audio_link(reply.data)
    if link is None:
        raise AIMLAPIError(
            f"The speech reply has neither audio bytes nor an audio URL: {str(reply.data)[:300]}",
            status_code=response.status_code,
            request_id=reply.inference_id,
            inference_id=reply.inference_id,
            body=str(reply.data)[:4000],
        )
    return link, SpeechResult(b"", None, link, model, reply.cost, reply.inference_id, reply.data)


def _from_bytes(response: BytesResponse, model: str) -> SpeechResult:
    inference_id = response.inference_id
    if not response.content:
        raise AIMLAPIError(
            "The speech reply is empty: no audio came back.",
            status_code=response.status_code,
            request_id=inference_id,
            inference_id=inference_id,
        )
    return SpeechResult(
        response.content,
        response.headers.get("content-type"),
        None,
        model,
        cost_from_headers(response.headers),
        inference_id,
        None,
    )


def text_to_speech(
    client: Client,
    text: str,
    model: str = DEFAULT_SPEECH_MODEL,
    *,
    validate: bool = True,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
    **params: Any,
) -> SpeechResult:
    """Read ``text`` aloud with ``model``; ``params`` are the model's own (``voice``,
    ``response_format``, ``speed``...), checked before the request."""
    body = _body(text, model, validate, params)
    response = client.request_bytes("POST", TTS_PATH, body, headers=headers, timeout=timeout)
    if not _is_json(response):
        return _from_bytes(response, model)
    link, result = _from_json(response, model)
    result.audio, result.content_type = download(client, link, timeout=timeout)
    return result


async def atext_to_speech(
    client: AsyncClient,
    text: str,
    model: str = DEFAULT_SPEECH_MODEL,
    *,
    validate: bool = True,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
    **params: Any,
) -> SpeechResult:
    """The async :func:`text_to_speech`."""
    body = _body(text, model, validate, params)
    response = await client.request_bytes("POST", TTS_PATH, body, headers=headers, timeout=timeout)
    if not _is_json(response):
        return _from_bytes(response, model)
    link, result = _from_json(response, model)
    result.audio, result.content_type = await adownload(client, link, timeout=timeout)
    return result
