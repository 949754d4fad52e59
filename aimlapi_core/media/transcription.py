"""Speech to text: submit to ``POST /v1/stt/create`` (a file upload or a URL), then poll
``GET /v1/stt/{generation_id}`` until the transcript is ready.

A file goes up as ``multipart/form-data`` under the field the model's schema names (``audio``
for Deepgram, AssemblyAI and Whisper, ``file`` for OpenAI's ``gpt-4o-*-transcribe``); a URL goes
as JSON. The transcript is read from whichever shape the provider answers: ``text``
(AssemblyAI, OpenAI) or ``results.channels[].alternatives[0].transcript`` (Deepgram). Polling
follows :mod:`aimlapi_core.media.jobs` (deadline, backoff, progress, cancellation, typed
failure and timeout).

Example:
    >>> import httpx
    >>> from aimlapi_core import Client, Settings
    >>> def reply(request):
    ...     if request.method == "POST":
    ...         return httpx.Response(200, json={"generation_id": "stt-1"})
    ...     return httpx.Response(200, json={"id": "stt-1", "status": "completed",
    ...         "output": {"text": "Hello there.", "usage": {"seconds": 2}}})
    >>> client = Client(Settings(api_key="k"), http_client=httpx.Client(
    ...     transport=httpx.MockTransport(reply)))
    >>> transcribe(client, b"RIFF....WAVE", filename="hi.wav", sleep=lambda s: None).text
    'Hello there.'
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import AIMLAPIError, MediaParameterError
from ..usage import Cost
from .files import AudioSource, Upload, multipart, read_upload
from .jobs import CancelSignal, PollPolicy, ProgressCallback, await_job, require, wait_for_job
from .specs import model_spec, request_body

if TYPE_CHECKING:
    from ..client import APIResponse, AsyncClient, Client

__all__ = [
    "DEFAULT_TRANSCRIPTION_MODEL",
    "TranscriptionResult",
    "atranscribe",
    "transcribe",
    "transcript_text",
]

DEFAULT_TRANSCRIPTION_MODEL = "openai/gpt-4o-mini-transcribe"
DEFAULT_TRANSCRIPTION_POLICY = PollPolicy(timeout=600.0, interval=1.0, max_interval=10.0)
CREATE_PATH = "/stt/create"


@dataclass(slots=True)
class TranscriptionResult:
    """A finished transcription; ``str(result)`` is the text.

    Example:
        >>> str(TranscriptionResult("stt-1", "nova-3", "completed", "Hi.", None, None, {}))
        'Hi.'
    """

    generation_id: str
    model: str
    status: str
    text: str
    cost: Cost | None
    inference_id: str | None
    raw: dict[str, Any] = field(repr=False)

    def __str__(self) -> str:
        return self.text

    def metadata(self) -> dict[str, Any]:
        """What a document made of this transcript records: model, generation id, and the
        cost and inference id where AI/ML API gave them.

        Example:
            >>> TranscriptionResult("stt-1", "nova-3", "completed", "Hi.", None, "i", {}).metadata()
            {'model': 'nova-3', 'generation_id': 'stt-1', 'inference_id': 'i'}
        """
        out: dict[str, Any] = {"model": self.model, "generation_id": self.generation_id}
        if self.cost is not None:
            out["cost"] = self.cost.as_dict()
        if self.inference_id:
            out["inference_id"] = self.inference_id
        return out


def transcript_text(data: Mapping[str, Any]) -> str | None:
    """The transcript in a finished job's reply, whatever the provider's shape (``None`` when
    there is none; ``""`` is a real, silent transcript).

    Example:
        >>> transcript_text({"output": {"results": {"channels": [{"alternatives": [
        ...     {"transcript": "hello world", "confidence": 0.99}]}]}}})
        'hello world'
    """
    for out in (data.get("output"), data.get("result"), data):
        if not isinstance(out, Mapping):
            continue
        if isinstance(out.get("text"), str):
            return str(out["text"])
        results = out.get("results")
        if isinstance(results, Mapping):
            channels = results.get("channels")
            if isinstance(channels, Mapping):
                channels = [channels]
            texts = [
                str(ch["alternatives"][0].get("transcript", ""))
                for ch in channels or []
                if isinstance(ch, Mapping)
                and isinstance(ch.get("alternatives"), list)
                and ch["alternatives"]
                and isinstance(ch["alternatives"][0], Mapping)
            ]
            if texts:
                return "\n".join(texts)
    return None


@dataclass(frozen=True, slots=True)
class _Submission:
    body: dict[str, Any] | bytes
    headers: dict[str, str]


def _file_field(model: str, validate: bool) -> str:
    spec = model_spec("transcription", model)
    if spec is None:
        if validate:  # request_body raises the unknown-model error with suggestions
            request_body("transcription", model, {})
        return "audio"
    fields = spec.file_params
    if not fields:
        raise MediaParameterError(
            f"{model} takes no file upload (its schema has no audio or file field): pass "
            "url=... with the audio's address, or use a model such as "
            f"{DEFAULT_TRANSCRIPTION_MODEL!r} or 'nova-3'.",
            parameter="audio",
            model=model,
        )
    return "audio" if "audio" in fields else fields[0]


def _submission(
    audio: AudioSource | None,
    url: str | None,
    model: str,
    filename: str | None,
    content_type: str | None,
    validate: bool,
    params: Mapping[str, Any],
    headers: Mapping[str, str] | None,
) -> _Submission:
    if isinstance(audio, str) and audio.startswith(("https://", "http://")) and url is None:
        audio, url = None, audio  # a URL given where the audio goes
    if (audio is None) == (url is None):
        raise ValueError("Pass exactly one of audio (bytes, a path or a file) and url.")
    extra = dict(headers or {})
    if audio is None:
        body = request_body("transcription", model, {"url": url, **params}, validate=validate)
        return _Submission(body, extra)
    field_name = _file_field(model, validate)
    upload: Upload = read_upload(audio, filename=filename, content_type=content_type)
    # The schema check sees the upload under its field; the form carries it as a file part.
    fields = request_body("transcription", model, {field_name: upload, **params}, validate=validate)
    fields.pop(field_name)
    content, form_type = multipart(fields, {field_name: upload})
    extra["Content-Type"] = form_type
    return _Submission(content, extra)


def _created(reply: APIResponse) -> tuple[APIResponse, str]:
    gid = reply.data.get("generation_id") or reply.data.get("id")
    if not isinstance(gid, str) or not gid:
        raise AIMLAPIError(
            f"The transcription was accepted without a generation id: {str(reply.data)[:300]}",
            status_code=reply.status_code,
            request_id=reply.inference_id,
            inference_id=reply.inference_id,
            body=str(reply.data)[:4000],
        )
    return reply, gid


def _result(model: str, gid: str, created: APIResponse, done: APIResponse) -> TranscriptionResult:
    text = transcript_text(done.data)
    if text is None:
        require(None, "transcript", done.data, gid)
    return TranscriptionResult(
        generation_id=gid,
        model=model,
        status=str(done.data.get("status", "completed")),
        text=text or "",
        cost=done.cost or created.cost,
        inference_id=done.inference_id or created.inference_id,
        raw=done.data,
    )


def transcribe(
    client: Client,
    audio: AudioSource | None = None,
    *,
    url: str | None = None,
    model: str = DEFAULT_TRANSCRIPTION_MODEL,
    filename: str | None = None,
    content_type: str | None = None,
    policy: PollPolicy | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelSignal | None = None,
    validate: bool = True,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] | None = None,
    **params: Any,
) -> TranscriptionResult:
    """Transcribe ``audio`` (bytes, a path, an open binary file) or the audio at ``url`` and
    wait for the text; ``params`` are the model's own (``language``, ``diarize``...)."""
    sub = _submission(audio, url, model, filename, content_type, validate, params, headers)
    response = client.request("POST", CREATE_PATH, sub.body, headers=sub.headers, timeout=timeout)
    created, gid = _created(response)

    def fetch() -> APIResponse:
        return client.get(f"/stt/{gid}", headers=headers, timeout=timeout)

    done = wait_for_job(
        fetch,
        gid,
        policy=policy or DEFAULT_TRANSCRIPTION_POLICY,
        on_progress=on_progress,
        cancel=cancel,
        clock=clock,
        sleep=sleep,
    )
    return _result(model, gid, created, done)


async def atranscribe(
    client: AsyncClient,
    audio: AudioSource | None = None,
    *,
    url: str | None = None,
    model: str = DEFAULT_TRANSCRIPTION_MODEL,
    filename: str | None = None,
    content_type: str | None = None,
    policy: PollPolicy | None = None,
    on_progress: ProgressCallback | None = None,
    validate: bool = True,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] | None = None,
    **params: Any,
) -> TranscriptionResult:
    """The async :func:`transcribe`: cancel the task to stop waiting."""
    import asyncio

    sub = _submission(audio, url, model, filename, content_type, validate, params, headers)
    response = await client.request(
        "POST", CREATE_PATH, sub.body, headers=sub.headers, timeout=timeout
    )
    created, gid = _created(response)

    async def fetch() -> APIResponse:
        return await client.get(f"/stt/{gid}", headers=headers, timeout=timeout)

    done = await await_job(
        fetch,
        gid,
        policy=policy or DEFAULT_TRANSCRIPTION_POLICY,
        on_progress=on_progress,
        clock=clock,
        sleep=sleep or asyncio.sleep,
    )
    return _result(model, gid, created, done)
