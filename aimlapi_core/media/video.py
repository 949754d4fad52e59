"""Video generation: submit to ``POST /v2/video/generations``, then poll
``GET /v2/video/generations?generation_id=…`` until the video is ready.

The ``/v2`` URL is the client's base URL with its ``/v1`` replaced. Polling follows
:mod:`aimlapi_core.media.jobs`: backoff under an overall deadline, a progress callback,
cancellation, a typed error with the provider's reason when the job fails, a typed timeout
carrying the generation id when it is still running at the deadline. Cost is the finished job's
``meta.usage`` (else the submission's).

Example:
    >>> import httpx
    >>> from aimlapi_core import Client, Settings
    >>> replies = iter([{"id": "g-1", "status": "queued"}, {"id": "g-1", "status": "completed",
    ...     "video": {"url": "https://cdn.example/g-1.mp4"},
    ...     "meta": {"usage": {"credits_used": 9}}}])
    >>> seen = []
    >>> def reply(request):
    ...     seen.append(f"{request.method} {request.url.path}?{request.url.query.decode()}")
    ...     return httpx.Response(200, json=next(replies))
    >>> client = Client(Settings(api_key="k"), http_client=httpx.Client(
    ...     transport=httpx.MockTransport(reply)))
    >>> result = generate_video(client, "waves at dawn", model="google/veo3", duration=8,
    ...                         sleep=lambda s: None)
    >>> result.url, result.cost.credits_used, seen
    ('https://cdn.example/g-1.mp4', 9, ['POST /v2/video/generations?', \
'GET /v2/video/generations?generation_id=g-1'])
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..errors import AIMLAPIError, MediaParameterError
from ..usage import Cost
from .files import adownload, download, write_file
from .jobs import CancelSignal, PollPolicy, ProgressCallback, await_job, require, wait_for_job
from .specs import request_body

if TYPE_CHECKING:
    from ..client import APIResponse, AsyncClient, Client

__all__ = [
    "DEFAULT_VIDEO_MODEL",
    "VideoResult",
    "agenerate_video",
    "asubmit_video",
    "generate_video",
    "submit_video",
    "video_url",
]

DEFAULT_VIDEO_MODEL = "google/veo3"
DEFAULT_VIDEO_POLICY = PollPolicy(timeout=900.0, interval=5.0, max_interval=30.0, backoff=1.5)


def video_url(base_url: str) -> str:
    """The video endpoint for a client's base URL (``/v2`` beside ``/v1``).

    Example:
        >>> video_url("https://api.aimlapi.com/v1")
        'https://api.aimlapi.com/v2/video/generations'
    """
    root = base_url.rstrip("/")
    if root.endswith("/v1"):
        root = root[: -len("/v1")]
    return root + "/v2/video/generations"


@dataclass(slots=True)
class VideoResult:
    """A finished video; ``data`` holds its bytes with ``output="bytes"``.

    ``str(result)`` is the URL (what an agent sees).

    Example:
        >>> str(VideoResult("g-1", "google/veo3", "completed", "https://c/v.mp4", None, None,
        ...                 None, None, {}))
        'https://c/v.mp4'
    """

    generation_id: str
    model: str
    status: str
    url: str
    data: bytes | None
    content_type: str | None
    cost: Cost | None
    inference_id: str | None
    raw: dict[str, Any] = field(repr=False)

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the video's bytes (generate with ``output="bytes"``) to ``path``."""
        if self.data is None:
            raise ValueError("Generate with output='bytes' to get the video's bytes.")
        return write_file(self.data, path)

    def __str__(self) -> str:
        return self.url


def _video_link(data: Mapping[str, Any]) -> str | None:
    video = data.get("video")
    if isinstance(video, list) and video:
        video = video[0]
    if isinstance(video, Mapping):
        url = video.get("url")
        return str(url) if url else None
    return str(video) if isinstance(video, str) and video else None


def _generation_id(reply: APIResponse) -> str:
    gid = reply.data.get("id") or reply.data.get("generation_id")
    if not isinstance(gid, str) or not gid:
        raise AIMLAPIError(
            f"The video submission was accepted without a generation id: {str(reply.data)[:300]}",
            status_code=reply.status_code,
            request_id=reply.inference_id,
            inference_id=reply.inference_id,
            body=str(reply.data)[:4000],
        )
    return gid


def _result(
    model: str, gid: str, submitted: APIResponse, done: APIResponse, data: bytes | None = None
) -> VideoResult:
    url = require(_video_link(done.data), "video URL", done.data, gid)
    return VideoResult(
        generation_id=gid,
        model=model,
        status=str(done.data.get("status", "completed")),
        url=url,
        data=data,
        content_type=None,
        cost=done.cost or submitted.cost,
        inference_id=done.inference_id or submitted.inference_id,
        raw=done.data,
    )


def _body(prompt: str, model: str, output: str, validate: bool, params: Mapping[str, Any]) -> Any:
    if not isinstance(prompt, str) or not prompt.strip():
        raise MediaParameterError(
            f"prompt must be a non-empty string, got {prompt!r}.", parameter="prompt", model=model
        )
    if output not in ("url", "bytes"):
        raise ValueError(f"output must be 'url' or 'bytes', got {output!r}.")
    return request_body("video", model, {"prompt": prompt, **params}, validate=validate)


def submit_video(
    client: Client,
    prompt: str,
    model: str = DEFAULT_VIDEO_MODEL,
    *,
    validate: bool = True,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
    **params: Any,
) -> APIResponse:
    """Only submit the job (checked first); its reply's ``data["id"]`` is the generation id."""
    body = _body(prompt, model, "url", validate, params)
    return client.post(video_url(client.settings.url), body, headers=headers, timeout=timeout)


async def asubmit_video(
    client: AsyncClient,
    prompt: str,
    model: str = DEFAULT_VIDEO_MODEL,
    *,
    validate: bool = True,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
    **params: Any,
) -> APIResponse:
    """The async :func:`submit_video`."""
    body = _body(prompt, model, "url", validate, params)
    url = video_url(client.settings.url)
    return await client.post(url, body, headers=headers, timeout=timeout)


def generate_video(
    client: Client,
    prompt: str,
    model: str = DEFAULT_VIDEO_MODEL,
    *,
    output: Literal["url", "bytes"] = "url",
    policy: PollPolicy | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelSignal | None = None,
    validate: bool = True,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] | None = None,
    **params: Any,
) -> VideoResult:
    """Generate a video and wait for it (see the module docs); ``params`` are the model's own
    (``duration``, ``aspect_ratio``, ``image_url``...), checked before the request.
    ``clock``/``sleep`` replace the real ones (tests, custom schedulers)."""
    body = _body(prompt, model, output, validate, params)
    url = video_url(client.settings.url)
    submitted = client.post(url, body, headers=headers, timeout=timeout)
    gid = _generation_id(submitted)
    pending: list[APIResponse] = [submitted]

    def fetch() -> APIResponse:
        if pending:  # the submission's own status counts as the first look
            return pending.pop()
        return client.get(url, params={"generation_id": gid}, headers=headers, timeout=timeout)

    done = wait_for_job(
        fetch,
        gid,
        policy=policy or DEFAULT_VIDEO_POLICY,
        on_progress=on_progress,
        cancel=cancel,
        clock=clock,
        sleep=sleep,
    )
    result = _result(model, gid, submitted, done)
    if output == "bytes":
        result.data, result.content_type = download(client, result.url, timeout=timeout)
    return result


async def agenerate_video(
    client: AsyncClient,
    prompt: str,
    model: str = DEFAULT_VIDEO_MODEL,
    *,
    output: Literal["url", "bytes"] = "url",
    policy: PollPolicy | None = None,
    on_progress: ProgressCallback | None = None,
    validate: bool = True,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] | None = None,
    **params: Any,
) -> VideoResult:
    """The async :func:`generate_video`: cancel the task to stop waiting."""
    import asyncio

    body = _body(prompt, model, output, validate, params)
    url = video_url(client.settings.url)
    submitted = await client.post(url, body, headers=headers, timeout=timeout)
    gid = _generation_id(submitted)
    pending: list[APIResponse] = [submitted]

    async def fetch() -> APIResponse:
        if pending:
            return pending.pop()
        return await client.get(
            url, params={"generation_id": gid}, headers=headers, timeout=timeout
        )

    done = await await_job(
        fetch,
        gid,
        policy=policy or DEFAULT_VIDEO_POLICY,
        on_progress=on_progress,
        clock=clock,
        sleep=sleep or asyncio.sleep,
    )
    result = _result(model, gid, submitted, done)
    if output == "bytes":
        result.data, result.content_type = await adownload(client, result.url, timeout=timeout)
    return result
