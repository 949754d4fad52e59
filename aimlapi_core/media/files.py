"""Files in and out of media jobs: read an upload, encode it as multipart, fetch a result URL.

Result files (images, videos, audio) are served from AI/ML API's CDN by URL; they are fetched
with the client's connection pool but **without** its ``Authorization`` header, so the key never
goes to another host. ``data:`` URLs are decoded locally.

Example:
    >>> body, content_type = multipart({"model": "whisper-base", "punctuate": True},
    ...                                {"audio": Upload("a.wav", b"RIFF", "audio/wav")})
    >>> content_type.startswith("multipart/form-data; boundary=aimlapi-")
    True
    >>> b'name="punctuate"\\r\\n\\r\\ntrue' in body
    True
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import mimetypes
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..errors import AIMLAPIError, APIConnectionError

if TYPE_CHECKING:
    from ..client import AsyncClient, Client

__all__ = [
    "AudioSource",
    "Upload",
    "adownload",
    "download",
    "multipart",
    "read_upload",
    "save_in",
    "write_file",
]

AudioSource = bytes | str | os.PathLike[str] | IO[bytes]


@dataclass(frozen=True, slots=True)
class Upload:
    """One file to upload.

    Example:
        >>> Upload("a.mp3", b"ID3", "audio/mpeg").filename
        'a.mp3'
    """

    filename: str
    content: bytes
    content_type: str

    def __repr__(self) -> str:  # never the whole file in a traceback
        return f"Upload({self.filename!r}, <{len(self.content)} bytes>, {self.content_type!r})"


def read_upload(
    source: AudioSource, *, filename: str | None = None, content_type: str | None = None
) -> Upload:
    """Bytes, a path or an open binary file → :class:`Upload` (type guessed from the name).

    Example:
        >>> read_upload(b"RIFF....WAVE", filename="call.wav").content_type
        'audio/wav'
        >>> read_upload(3)
        Traceback (most recent call last):
        ...
        TypeError: audio must be bytes, a file path or a binary file opened with 'rb', got int.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        content, name = bytes(source), filename or "audio"
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"No audio file at {str(path)!r}.")
        content, name = path.read_bytes(), filename or path.name
    elif hasattr(source, "read"):
        data = source.read()
        if not isinstance(data, bytes):
            raise TypeError("audio file must be opened in binary mode ('rb').")
        content = data
        name = filename or Path(str(getattr(source, "name", "audio"))).name
    else:
        raise TypeError(
            "audio must be bytes, a file path or a binary file opened with 'rb', "
            f"got {type(source).__name__}."
        )
    if not content:
        raise ValueError(f"The audio {name!r} is empty: there is nothing to transcribe.")
    guessed = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if guessed == "audio/x-wav":
        guessed = "audio/wav"
    return Upload(name, content, guessed)


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _quote(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "")


def multipart(fields: Mapping[str, Any], files: Mapping[str, Upload]) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body and its content type.

    The boundary is a hash of the parts, not random: the same upload gives the same bytes (a
    recorded request replays), and a hash cannot occur in the content it was made from.
    """
    digest = hashlib.sha256()
    for name, value in fields.items():
        digest.update(f"{name}={_form_value(value)}\n".encode())
    for name, upload in files.items():
        digest.update(f"{name}:{upload.filename}:".encode() + upload.content)
    boundary = "aimlapi-" + digest.hexdigest()[:32]
    parts: list[bytes] = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote(name)}"\r\n\r\n'
        parts.append(head.encode() + _form_value(value).encode() + b"\r\n")
    for name, upload in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote(name)}"; '
                f'filename="{_quote(upload.filename)}"\r\n'
                f"Content-Type: {upload.content_type}\r\n\r\n"
            ).encode()
            + upload.content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _data_url(url: str) -> tuple[bytes, str | None] | None:
    if not url.startswith("data:"):
        return None
    head, _, payload = url.partition(",")
    content_type = head[5:].split(";")[0] or None
    try:
        data = base64.b64decode(payload) if ";base64" in head else payload.encode()
    except (binascii.Error, ValueError) as exc:
        raise AIMLAPIError(f"The result's data: URL is not valid base64: {exc}") from exc
    return data, content_type


def _check_url(url: Any) -> str:
    if not isinstance(url, str) or not url.startswith(("https://", "http://", "data:")):
        raise AIMLAPIError(f"The result has no downloadable URL (got {url!r}).")
    return url


def _fetched(status: int, content: bytes, url: str, content_type: str | None) -> bytes:
    if status >= 400:
        raise AIMLAPIError(
            f"Downloading the result from {url} answered {status}: the file may have expired "
            "(results are kept for a limited time); generate it again.",
            status_code=status,
            body=content[:500].decode("utf-8", errors="replace"),
        )
    return content


def download(client: Client, url: str, *, timeout: float | None = None) -> tuple[bytes, str | None]:
    """Fetch a result file: ``(bytes, content type)``; no ``Authorization`` header is sent."""
    import httpx

    inline = _data_url(_check_url(url))
    if inline is not None:
        return inline
    try:
        response = client.http_client.get(url, timeout=timeout or httpx.USE_CLIENT_DEFAULT)
    except httpx.HTTPError as exc:
        raise APIConnectionError(f"Could not download {url}: {type(exc).__name__}: {exc}") from exc
    content_type = response.headers.get("content-type")
    return _fetched(response.status_code, response.content, url, content_type), content_type


async def adownload(
    client: AsyncClient, url: str, *, timeout: float | None = None
) -> tuple[bytes, str | None]:
    """The async :func:`download`."""
    import httpx

    inline = _data_url(_check_url(url))
    if inline is not None:
        return inline
    try:
        response = await client.http_client.get(url, timeout=timeout or httpx.USE_CLIENT_DEFAULT)
    except httpx.HTTPError as exc:
        raise APIConnectionError(f"Could not download {url}: {type(exc).__name__}: {exc}") from exc
    content_type = response.headers.get("content-type")
    return _fetched(response.status_code, response.content, url, content_type), content_type


def write_file(data: bytes, path: str | os.PathLike[str]) -> Path:
    """Write ``data`` to ``path`` (parent folders created) and return the path.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as d:
        ...     write_file(b"ID3", Path(d) / "out" / "a.mp3").stat().st_size
        3
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def save_in(
    directory: str | os.PathLike[str], data: bytes, content_type: str | None, stem: str
) -> Path:
    """Write ``data`` into ``directory`` as ``<stem>.<extension of content_type>`` (what the
    framework tools do with ``output_dir``); the stem is made safe for a file name.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as d:
        ...     save_in(d, b"RIFF", "audio/wav", "speech/g 1").name
        'speech-g-1.wav'
    """
    ext = _EXTENSIONS.get(content_type or "") or mimetypes.guess_extension(content_type or "")
    safe = "".join(c if c.isalnum() or c in "._-" else "-" for c in stem).strip(".-") or "file"
    return write_file(data, Path(directory) / f"{safe}{ext or '.bin'}")


_EXTENSIONS = {
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "video/mp4": ".mp4",
}
