"""The core's media jobs on cassettes: images, video, speech, transcription, sync and async.

Recorded from the fake media endpoints (``tests/support/fake_media.py``) on loopback; each test
checks the bytes that came back and the requests that went out (paths, bodies, no key).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from aimlapi_core import AsyncClient, Client, Cost
from aimlapi_core.errors import GenerationFailedError
from aimlapi_core.media import (
    agenerate_image,
    agenerate_video,
    atext_to_speech,
    atranscribe,
    generate_image,
    generate_video,
    text_to_speech,
    transcribe,
)
from tests.conftest import OFFLINE_KEY
from tests.media.helpers import FAST
from tests.support.cassette_seeds import small_png
from tests.support.fake_media import speech_wav

PNG = small_png()


def _paths(vcr: Any) -> list[str]:
    return [f"{r.method} {r.path}" for r in vcr.requests]


def _no_key_anywhere(vcr: Any, *objects: object) -> None:
    for request in vcr.requests:
        assert "authorization" not in {k.lower() for k in request.headers} or (
            "/v1/files/" not in request.path
        ), "a result download carried the API key"
        assert OFFLINE_KEY not in str(request.body)
    for obj in objects:
        assert OFFLINE_KEY not in repr(obj) and OFFLINE_KEY not in str(obj)


# --------------------------------------------------------------------------- images


@pytest.mark.vcr
def test_image_urls_and_cost(client: Client, vcr: Any) -> None:
    result = generate_image(client, "a lighthouse at dusk", model="dall-e-3", size="1024x1024")
    assert len(result.urls) == 1 and result.urls[0].endswith(".png")
    assert result.cost == Cost(credits_used=42000, usd_spent=0.021)
    assert result.inference_id
    assert _paths(vcr) == ["POST /v1/images/generations"]
    sent = json.loads(vcr.requests[0].body)
    assert sent == {"model": "dall-e-3", "prompt": "a lighthouse at dusk", "size": "1024x1024"}
    assert str(result) == result.urls[0]
    _no_key_anywhere(vcr, result)


@pytest.mark.vcr
def test_image_bytes_downloaded_without_the_key(client: Client, vcr: Any, tmp_path: Path) -> None:
    result = generate_image(
        client, "two red apples", model="flux/schnell", num_images=2, output="bytes"
    )
    assert result.data == [PNG, PNG]
    assert [i.content_type for i in result.images] == ["image/png", "image/png"]
    assert _paths(vcr)[0] == "POST /v1/images/generations"
    assert [p.split("/")[-1].endswith(".png") for p in _paths(vcr)[1:]] == [True, True]
    for download in vcr.requests[1:]:
        assert not any(k.lower() == "authorization" for k in download.headers)
    written = result.images[0].write(tmp_path / "apple.png")
    assert written.read_bytes() == PNG


@pytest.mark.vcr
async def test_image_b64_async(aclient: AsyncClient, vcr: Any) -> None:
    result = await agenerate_image(
        aclient, "a blue square", model="dall-e-3", response_format="b64_json", output="bytes"
    )
    assert result.urls == [] and result.data == [PNG]
    assert base64.b64decode(result.images[0].b64_json or "") == PNG
    assert _paths(vcr) == ["POST /v1/images/generations"]  # nothing to download


# --------------------------------------------------------------------------- video


@pytest.mark.vcr
def test_video_submit_poll_complete(client: Client, vcr: Any) -> None:
    seen: list[str] = []
    result = generate_video(
        client,
        "a paper boat on a river",
        model="google/veo3",
        duration=8,
        aspect_ratio="16:9",
        policy=FAST,
        on_progress=lambda p: seen.append(p.status),
    )
    assert seen == ["queued", "generating", "completed"]
    assert result.status == "completed" and result.url.endswith(".mp4")
    assert result.cost == Cost(credits_used=600000, usd_spent=0.3)
    gid = result.generation_id
    assert _paths(vcr) == [
        "POST /v2/video/generations",
        "GET /v2/video/generations",
        "GET /v2/video/generations",
    ]
    assert [r.query for r in vcr.requests[1:]] == [[("generation_id", gid)]] * 2
    assert json.loads(vcr.requests[0].body)["duration"] == 8
    assert str(result) == result.url
    _no_key_anywhere(vcr, result)


@pytest.mark.vcr
async def test_video_async_bytes(aclient: AsyncClient, vcr: Any) -> None:
    result = await agenerate_video(
        aclient, "a spinning top", model="google/veo3", output="bytes", policy=FAST
    )
    assert result.data is not None and result.data[4:8] == b"ftyp"
    assert result.content_type == "video/mp4"
    assert _paths(vcr)[-1].startswith("GET /v1/files/video-")


@pytest.mark.vcr
def test_video_failure_carries_the_providers_reason(client: Client, vcr: Any) -> None:
    with pytest.raises(GenerationFailedError) as caught:
        generate_video(client, "something forbidden", model="google/veo3", policy=FAST)
    err = caught.value
    assert (
        err.reason == "ContentPolicyError: The prompt was flagged by the provider's safety system."
    )
    assert err.generation_id and err.generation_id in str(err)
    assert err.status == "error"
    assert OFFLINE_KEY not in str(err) and OFFLINE_KEY not in (err.body or "")


# --------------------------------------------------------------------------- speech


@pytest.mark.vcr
def test_speech_as_audio_bytes(client: Client, vcr: Any, tmp_path: Path) -> None:
    result = text_to_speech(client, "Good morning, Lisbon.", model="openai/tts-1", voice="nova")
    assert result.audio == speech_wav("Good morning, Lisbon.")
    assert result.content_type == "audio/wav" and result.url is None
    assert result.cost == Cost(credits_used=315, usd_spent=0.0001575)
    assert result.write(tmp_path / "hi.wav").read_bytes()[:4] == b"RIFF"
    assert _paths(vcr) == ["POST /v1/tts"]
    assert json.loads(vcr.requests[0].body) == {
        "model": "openai/tts-1",
        "text": "Good morning, Lisbon.",
        "voice": "nova",
    }
    assert "bytes>" in repr(result)  # no audio dump in a repr


@pytest.mark.vcr
async def test_speech_json_url_reply_async(aclient: AsyncClient, vcr: Any) -> None:
    result = await atext_to_speech(aclient, "One two three.", model="deepgram/aura-2")
    assert result.audio == speech_wav("One two three.")
    assert result.url and result.url.endswith(".wav")
    assert result.cost == Cost(credits_used=210, usd_spent=0.000105)
    assert _paths(vcr)[0] == "POST /v1/tts" and _paths(vcr)[1].startswith("GET /v1/files/tts-")
    assert not any(k.lower() == "authorization" for k in vcr.requests[1].headers)


# --------------------------------------------------------------------------- transcription


@pytest.mark.vcr
def test_transcribe_upload(client: Client, vcr: Any, tmp_path: Path) -> None:
    path = tmp_path / "greeting.wav"
    path.write_bytes(speech_wav("Welcome to the weekly sync."))
    result = transcribe(client, path, policy=FAST)
    assert result.text == "Welcome to the weekly sync."
    assert result.cost == Cost(credits_used=1260, usd_spent=0.00063)
    assert _paths(vcr)[0] == "POST /v1/stt/create"
    assert _paths(vcr)[1:] == [f"GET /v1/stt/{result.generation_id}"] * 2
    upload = vcr.requests[0]
    assert upload.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="greeting.wav"' in upload.body  # gpt-4o-*-transcribe: file
    assert b'name="model"\r\n\r\nopenai/gpt-4o-mini-transcribe' in upload.body
    assert str(result) == result.text
    _no_key_anywhere(vcr, result)


@pytest.mark.vcr
async def test_transcribe_deepgram_shape_async(aclient: AsyncClient, vcr: Any) -> None:
    wav = speech_wav("Order number 42 is ready.")
    result = await atranscribe(aclient, wav, model="nova-3", filename="order.wav", policy=FAST)
    assert result.text == "Order number 42 is ready."
    assert result.raw["output"]["results"]["channels"][0]["alternatives"][0]["confidence"] == 0.98
    assert b'name="audio"; filename="order.wav"' in vcr.requests[0].body  # Deepgram: audio


@pytest.mark.vcr
def test_transcribe_url_round_trip(client: Client, vcr: Any) -> None:
    """Speech made by one model, transcribed by another from its URL: the text survives."""
    speech = text_to_speech(client, "The train leaves at noon.", model="deepgram/aura")
    assert speech.url
    result = transcribe(client, url=speech.url, model="aai/universal", policy=FAST)
    assert result.text == "The train leaves at noon."
    assert json.loads(vcr.requests[2].body) == {"model": "aai/universal", "url": speech.url}


@pytest.mark.vcr
def test_transcribe_undecodable_audio_fails_with_reason(client: Client, vcr: Any) -> None:
    with pytest.raises(GenerationFailedError) as caught:
        transcribe(client, b"not audio at all", filename="x.mp3", policy=FAST)
    assert caught.value.reason == "AudioDecodeError: The audio could not be decoded."
