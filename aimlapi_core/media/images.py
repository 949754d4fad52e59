"""Image generation: ``POST /v1/images/generations``, results as URLs or decoded bytes.

The parameters are checked against the model's schema before the request
(:mod:`aimlapi_core.media.specs`); the reply's ``data`` items carry a ``url`` or ``b64_json``
(some models answer ``images`` instead, also read). With ``output="bytes"`` every image is
decoded (``b64_json``) or downloaded (``url``, without the API key). Cost comes from
``meta.usage`` or the ``x-aimlapi-*`` headers, as for chat.

Example:
    >>> import httpx
    >>> from aimlapi_core import Client, Settings
    >>> def reply(request):
    ...     return httpx.Response(200, json={"data": [{"url": "https://cdn.example/1.png"}],
    ...                                      "meta": {"usage": {"credits_used": 42000}}})
    >>> client = Client(Settings(api_key="k"), http_client=httpx.Client(
    ...     transport=httpx.MockTransport(reply)))
    >>> result = generate_image(client, "a red fox in snow", model="dall-e-3", size="1024x1024")
    >>> result.urls, result.cost
    (['https://cdn.example/1.png'], Cost(credits_used=42000, usd_spent=None))
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..errors import AIMLAPIError, MediaParameterError
from ..usage import Cost
from .files import adownload, download, write_file
from .specs import request_body

if TYPE_CHECKING:
    from ..client import APIResponse, AsyncClient, Client

__all__ = [
    "DEFAULT_IMAGE_MODEL",
    "GeneratedImage",
    "ImageResult",
    "agenerate_image",
    "generate_image",
    "image_result_from",
]

DEFAULT_IMAGE_MODEL = "dall-e-3"
IMAGES_PATH = "/images/generations"
Output = Literal["url", "bytes"]


@dataclass(slots=True)
class GeneratedImage:
    """One image: its URL and/or base64 payload; ``data`` holds the bytes once fetched.

    Example:
        >>> GeneratedImage(b64_json="iVBORw0K").decoded()[:4]
        b'\\x89PNG'
    """

    url: str | None = None
    b64_json: str | None = None
    revised_prompt: str | None = None
    data: bytes | None = None
    content_type: str | None = None

    def decoded(self) -> bytes | None:
        """The ``b64_json`` payload decoded (``None`` when the image came as a URL)."""
        if not self.b64_json:
            return None
        payload = self.b64_json.split(",", 1)[1] if self.b64_json.startswith("data:") else None
        try:
            return base64.b64decode(payload or self.b64_json)
        except (binascii.Error, ValueError) as exc:
            raise AIMLAPIError(f"The image's b64_json is not valid base64: {exc}") from exc

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the image's bytes (ask for ``output="bytes"``) to ``path``."""
        data = self.data if self.data is not None else self.decoded()
        if data is None:
            raise ValueError(
                "This image has only a URL: generate with output='bytes' to get its bytes."
            )
        return write_file(data, path)

    def __repr__(self) -> str:
        size = f"<{len(self.data)} bytes>" if self.data is not None else None
        return f"GeneratedImage(url={self.url!r}, data={size})"


@dataclass(slots=True)
class ImageResult:
    """What :func:`generate_image` returns.

    ``str(result)`` is what an agent sees: the URLs, one a line.

    Example:
        >>> r = ImageResult("dall-e-3", [GeneratedImage(url="https://c/1.png")], None, None, {})
        >>> str(r)
        'https://c/1.png'
    """

    model: str
    images: list[GeneratedImage]
    cost: Cost | None
    inference_id: str | None
    raw: dict[str, Any] = field(repr=False)

    @property
    def urls(self) -> list[str]:
        """The images' URLs (images that came only as base64 have none)."""
        return [image.url for image in self.images if image.url]

    @property
    def data(self) -> list[bytes]:
        """The images' bytes (generate with ``output="bytes"``)."""
        return [image.data for image in self.images if image.data is not None]

    def __str__(self) -> str:
        if self.urls:
            return "\n".join(self.urls)
        return f"{len(self.images)} image(s) generated as bytes (no URL)."


def image_result_from(reply: APIResponse, model: str) -> ImageResult:
    """A ``POST /v1/images/generations`` reply → :class:`ImageResult`; an answer without a
    single image raises instead of passing for an empty success."""
    data = reply.data
    items = data.get("data")
    if items is None:
        items = data.get("images")
    images = [
        GeneratedImage(
            url=item.get("url"),
            b64_json=item.get("b64_json"),
            revised_prompt=item.get("revised_prompt"),
            content_type=item.get("content_type"),
        )
        for item in items or []
        if isinstance(item, Mapping) and (item.get("url") or item.get("b64_json"))
    ]
    if not images:
        raise AIMLAPIError(
            f"The image reply carries no image (no data[].url or b64_json): {str(data)[:300]}",
            status_code=reply.status_code,
            request_id=reply.inference_id,
            inference_id=reply.inference_id,
            body=str(data)[:4000],
        )
    return ImageResult(model, images, reply.cost, reply.inference_id, data)


def _body(prompt: str, model: str, output: str, validate: bool, params: Mapping[str, Any]) -> Any:
    if not isinstance(prompt, str) or not prompt.strip():
        raise MediaParameterError(
            f"prompt must be a non-empty string, got {prompt!r}.", parameter="prompt", model=model
        )
    if output not in ("url", "bytes"):
        raise ValueError(f"output must be 'url' or 'bytes', got {output!r}.")
    return request_body("image", model, {"prompt": prompt, **params}, validate=validate)


def generate_image(
    client: Client,
    prompt: str,
    model: str = DEFAULT_IMAGE_MODEL,
    *,
    output: Output = "url",
    validate: bool = True,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
    **params: Any,
) -> ImageResult:
    """Generate images from ``prompt`` with ``model``; ``params`` are the model's own
    (``size``, ``n``, ``image_size``, ``seed``...), checked before the request."""
    body = _body(prompt, model, output, validate, params)
    result = image_result_from(
        client.post(IMAGES_PATH, body, headers=headers, timeout=timeout), model
    )
    if output == "bytes":
        for image in result.images:
            image.data = image.decoded()
            if image.data is None and image.url:
                image.data, content_type = download(client, image.url, timeout=timeout)
                image.content_type = image.content_type or content_type
    return result


async def agenerate_image(
    client: AsyncClient,
    prompt: str,
    model: str = DEFAULT_IMAGE_MODEL,
    *,
    output: Output = "url",
    validate: bool = True,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
    **params: Any,
) -> ImageResult:
    """The async :func:`generate_image`."""
    body = _body(prompt, model, output, validate, params)
    reply = await client.post(IMAGES_PATH, body, headers=headers, timeout=timeout)
    result = image_result_from(reply, model)
    if output == "bytes":
        for image in result.images:
            image.data = image.decoded()
            if image.data is None and image.url:
                image.data, content_type = await adownload(client, image.url, timeout=timeout)
                image.content_type = image.content_type or content_type
    return result
