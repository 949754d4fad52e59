"""A deterministic fake of AI/ML API's media endpoints, in the reply shapes of its schemas.

Plug it into the replay server (``ReplayServer(responder=FakeMedia())``), or reach it through
:func:`tests.support.fake_model.fake_responder`, which routes media paths here. What it does:

* ``POST /v1/images/generations``: ``n``/``num_images`` images (default 1), each a ``url`` under
  ``/v1/files/`` on the server itself, or ``b64_json`` when ``response_format: "b64_json"``;
  ``meta.usage`` with credits and dollars. A prompt is required (400 in AI/ML API's error shape).
* ``POST /v2/video/generations`` → ``{"id", "status": "queued"}``; ``GET
  /v2/video/generations?generation_id=`` → ``generating``, then ``completed`` with
  ``video.url`` and ``meta.usage``. A prompt with "forbidden" ends in status ``error`` with the
  provider's reason; a prompt with "endless" stays ``generating`` forever. An unknown id is 404.
* ``POST /v1/tts`` → a WAV file that carries its text (``openai/*`` models answer the audio
  bytes; others answer ``{"audio": <url>}`` JSON, as AI/ML API does for both shapes).
* ``POST /v1/stt/create`` (a multipart upload, or JSON with ``url``) → ``{"generation_id"}``;
  ``GET /v1/stt/{id}`` → ``generating``, then ``completed`` with the text read back from a WAV
  this fake made (Deepgram ``nova*`` models: in Deepgram's ``results.channels`` shape; others:
  ``{"text"}``). Audio it did not make ends in status ``error`` ("could not decode").
* ``GET /v1/files/<name>``: the files above.

State (jobs, polls, files) lives in the instance; one instance per test keeps recordings
reproducible. The same request gets the same bytes.

Example:
    >>> fake = FakeMedia()
    >>> wav = speech_wav("Hello there")
    >>> fake.transcript_of(wav.decode("latin-1"))
    'Hello there'
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .cassette_seeds import small_png
from .replay_server import ReceivedRequest, Scripted

__all__ = ["MEDIA_PATHS", "ORIGIN", "FakeMedia", "is_media_path", "speech_wav"]

ORIGIN = "authored fake-media"
_USD_PER_CREDIT = 0.0000005
_TIMESTAMP = "2025-06-15T15:06:40.000Z"
MEDIA_PATHS = (
    "/v1/images/generations",
    "/v2/video/generations",
    "/v1/tts",
    "/v1/stt/",
    "/v1/files/",
)
_MARK = re.compile(r"<<say:(.*?)>>", re.S)


def is_media_path(path: str) -> bool:
    """True for the paths this fake answers."""
    return path.split("?", 1)[0].startswith(MEDIA_PATHS)


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _uuid(h: str) -> str:
    return f"{h[0:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def speech_wav(text: str, seconds: float = 0.25, rate: int = 8000) -> bytes:
    """A valid mono 8-bit WAV of a quiet tone whose ``LIST`` chunk says ``text`` (what the
    fake transcription reads back)."""
    n = int(seconds * rate)
    samples = bytes(128 + int(20 * ((i // 8) % 2 * 2 - 1)) for i in range(n))
    note = f"<<say:{text}>>".encode()
    if len(note) % 2:
        note += b"\x00"
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate, 1, 8)
    chunks = (
        b"fmt " + struct.pack("<I", len(fmt)) + fmt
        + b"LIST" + struct.pack("<I", len(note) + 4) + b"INFO" + note
        + b"data" + struct.pack("<I", len(samples)) + samples
    )  # fmt: skip
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def _mp4(seed: str) -> bytes:
    box = b"ftypisom" + b"\x00\x00\x02\x00" + b"isomiso2avc1mp41"
    return struct.pack(">I", len(box) + 4) + box + b"\x00\x00\x00\x08free" + seed.encode()


class FakeMedia:
    """The fake; call it with a request (a replay-server responder)."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.videos: dict[str, dict[str, Any]] = {}
        self.transcripts: dict[str, dict[str, Any]] = {}

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _json(data: Any, seed: str, status: int = 200, credits: int | None = None) -> Scripted:
        headers = {"x-inference-id": _uuid(_digest("inference", seed))}
        if credits is not None:
            headers["x-aimlapi-credits-used"] = str(credits)
            headers["x-aimlapi-usd-spent"] = str(round(credits * _USD_PER_CREDIT, 8))
        return Scripted(
            status=status, body=json.dumps(data).encode(), headers=headers, origin=ORIGIN
        )

    def _error(self, status: int, message: str, path: str) -> Scripted:
        seed = _digest(status, message, path)
        body = {
            "message": message,
            "path": path,
            "requestId": _uuid(seed),
            "statusCode": status,
            "timestamp": _TIMESTAMP,
        }
        return self._json(body, seed, status)

    @staticmethod
    def _meta(credits: int) -> dict[str, Any]:
        return {
            "usage": {"credits_used": credits, "usd_spent": round(credits * _USD_PER_CREDIT, 8)}
        }

    @staticmethod
    def _base(request: ReceivedRequest) -> str:
        return f"http://{request.headers.get('host', '127.0.0.1')}/v1/files/"

    def _file(self, request: ReceivedRequest, name: str, data: bytes, kind: str) -> str:
        self.files[name] = (data, kind)
        return self._base(request) + name

    @staticmethod
    def transcript_of(text: str) -> str | None:
        """The text a fake WAV carries, found in a (latin-1 or utf-8 decoded) body."""
        found = _MARK.search(text)
        if found is None:
            return None
        raw = found.group(1)
        try:  # a body decoded as latin-1 carries the UTF-8 bytes of the text
            return raw.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return raw

    # ------------------------------------------------------------------ endpoints

    def __call__(self, request: ReceivedRequest) -> Scripted:
        split = urlsplit(request.path)
        path = split.path.rstrip("/")
        query = parse_qs(split.query)
        body = request.body
        if request.method == "GET" and path.startswith("/v1/files/"):
            return self.file(path.rsplit("/", 1)[1], request.path)
        if request.method == "POST" and path == "/v1/images/generations":
            return self.image(request, body)
        if path == "/v2/video/generations":
            if request.method == "POST":
                return self.video_submit(body, request.path)
            return self.video_poll(request, (query.get("generation_id") or [""])[0])
        if request.method == "POST" and path == "/v1/tts":
            return self.tts(request, body)
        if request.method == "POST" and path == "/v1/stt/create":
            return self.stt_create(request, body)
        if request.method == "GET" and path.startswith("/v1/stt/"):
            return self.stt_poll(path.rsplit("/", 1)[1], request.path)
        return self._error(404, f"Cannot {request.method} {path}", request.path)

    def file(self, name: str, path: str) -> Scripted:
        if name not in self.files:
            return self._error(404, "File not found or expired", path)
        data, kind = self.files[name]
        return Scripted(body=data, content_type=kind, origin=ORIGIN)

    def image(self, request: ReceivedRequest, body: Any) -> Scripted:
        if not isinstance(body, dict) or not isinstance(body.get("prompt"), str):
            return self._error(400, "prompt must be a string", request.path)
        seed = _digest("image", body)
        count = int(body.get("n") or body.get("num_images") or 1)
        png = small_png()
        items = []
        for i in range(count):
            if body.get("response_format") == "b64_json":
                items.append({"b64_json": base64.b64encode(png).decode(), "url": None})
            else:
                url = self._file(request, f"img-{seed[:12]}-{i}.png", png, "image/png")
                items.append({"url": url, "b64_json": None})
        credits = 42000 * count
        return self._json({"data": items, "meta": self._meta(credits)}, seed)

    def video_submit(self, body: Any, path: str) -> Scripted:
        if not isinstance(body, dict) or not isinstance(body.get("prompt"), str):
            return self._error(400, "prompt must be a string", path)
        seed = _digest("video", body)
        gid = _uuid(seed)
        self.videos[gid] = {"prompt": body["prompt"], "polls": 0, "seed": seed}
        return self._json({"id": gid, "status": "queued"}, seed)

    def video_poll(self, request: ReceivedRequest, gid: str) -> Scripted:
        job = self.videos.get(gid)
        if job is None:
            return self._error(404, f"Generation {gid} not found", request.path)
        job["polls"] += 1
        seed = _digest("video-poll", gid, job["polls"])
        prompt = job["prompt"].lower()
        reply: dict[str, Any] = {"id": gid, "status": "generating", "error": None, "video": None}
        if "forbidden" in prompt and job["polls"] >= 2:
            reply["status"] = "error"
            reply["error"] = {
                "name": "ContentPolicyError",
                "message": "The prompt was flagged by the provider's safety system.",
            }
        elif "endless" not in prompt and job["polls"] >= 2:
            name = f"video-{job['seed'][:12]}.mp4"
            url = self._file(request, name, _mp4(job["seed"][:16]), "video/mp4")
            reply.update(status="completed", video={"url": url}, meta=self._meta(600000))
        return self._json(reply, seed)

    def tts(self, request: ReceivedRequest, body: Any) -> Scripted:
        if not isinstance(body, dict):
            return self._error(400, "Body must be a JSON object", request.path)
        text = body.get("text", body.get("script"))
        if not isinstance(text, str) or not text:
            return self._error(400, "text must be a non-empty string", request.path)
        seed = _digest("tts", body)
        wav = speech_wav(text)
        credits = 15 * len(text)
        model = str(body.get("model", ""))
        if model.startswith("openai/"):
            headers = {
                "x-inference-id": _uuid(_digest("inference", seed)),
                "x-aimlapi-credits-used": str(credits),
                "x-aimlapi-usd-spent": str(round(credits * _USD_PER_CREDIT, 8)),
            }
            return Scripted(body=wav, content_type="audio/wav", headers=headers, origin=ORIGIN)
        url = self._file(request, f"tts-{seed[:12]}.wav", wav, "audio/wav")
        return self._json({"audio": url, "meta": self._meta(credits)}, seed)

    def _form(self, request: ReceivedRequest, body: Any) -> tuple[dict[str, str], str | None]:
        """Fields and the uploaded file's text (as latin-1/utf-8 decoded) of a multipart body."""
        ctype = request.headers.get("content-type", "")
        match = re.search(r"boundary=([^;]+)", ctype)
        if not match or not isinstance(body, str):
            return {}, None
        fields: dict[str, str] = {}
        upload: str | None = None
        for part in body.split("--" + match.group(1)):
            head, _, content = part.partition("\r\n\r\n")
            name = re.search(r'name="([^"]*)"', head)
            if not name:
                continue
            content = content[:-2] if content.endswith("\r\n") else content
            if "filename=" in head:
                upload = content
            else:
                fields[name.group(1)] = content
        return fields, upload

    def stt_create(self, request: ReceivedRequest, body: Any) -> Scripted:
        if isinstance(body, dict):  # JSON: a URL to fetch
            fields = {k: str(v) for k, v in body.items()}
            url = str(body.get("url", ""))
            stored = self.files.get(url.rsplit("/", 1)[-1])
            audio = stored[0].decode("latin-1") if stored else None
        else:
            fields, audio = self._form(request, body)
        if not fields.get("model"):
            return self._error(400, "model is required", request.path)
        if audio is None and not fields.get("url"):
            return self._error(400, "Provide either url or audio", request.path)
        seed = _digest("stt", fields, audio)
        gid = _uuid(seed)
        text = self.transcript_of(audio) if audio is not None else None
        self.transcripts[gid] = {"model": fields["model"], "text": text, "polls": 0}
        return self._json({"generation_id": gid}, seed)

    def stt_poll(self, gid: str, path: str) -> Scripted:
        job = self.transcripts.get(gid)
        if job is None:
            return self._error(404, f"Generation {gid} not found", path)
        job["polls"] += 1
        seed = _digest("stt-poll", gid, job["polls"])
        reply: dict[str, Any] = {"id": gid, "status": "generating", "error": None}
        if job["polls"] >= 2:
            text = job["text"]
            if text is None:
                reply["status"] = "error"
                reply["error"] = {
                    "name": "AudioDecodeError",
                    "message": "The audio could not be decoded.",
                }
            elif str(job["model"]).startswith("nova"):
                alt = {"transcript": text, "confidence": 0.98, "words": []}
                reply["status"] = "completed"
                reply["output"] = {
                    "metadata": {"request_id": gid, "duration": 0.25, "channels": 1},
                    "results": {"channels": [{"alternatives": [alt]}]},
                }
            else:
                reply["status"] = "completed"
                reply["output"] = {"text": text, "usage": {"type": "duration", "seconds": 1}}
            if text is not None:
                reply["meta"] = self._meta(1260)
        return self._json(reply, seed)
