"""LangChain: the four media tools, the older package's image and video models, the audio
parser; on cassettes recorded from the fake media endpoints, sync and async.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.documents.base import Blob
from langchain_core.messages import ToolMessage
from langchain_core.tools import ToolException
from langchain_core.utils.function_calling import convert_to_openai_tool

from aimlapi_core.errors import GenerationTimeoutError, MediaParameterError
from langchain_aimlapi import (
    AIMLAPIAudioParser,
    AimlapiImageModel,
    AIMLAPIImageTool,
    AIMLAPISpeechToTextTool,
    AIMLAPITextToSpeechTool,
    AimlapiVideoModel,
    AIMLAPIVideoTool,
)
from tests.conftest import OFFLINE_KEY
from tests.support.cassette_seeds import small_png
from tests.support.fake_media import FakeMedia, speech_wav
from tests.support.replay_server import ReplayServer


@pytest.fixture
def conn(api_settings: dict[str, str], fake_media: FakeMedia) -> dict[str, Any]:
    """Connection fields for any of the classes under test."""
    return {"api_key": api_settings["api_key"], "base_url": api_settings["base_url"]}


FAST_VIDEO = {"poll_interval": 0.01, "max_wait": 30}


def call(tool: Any, args: dict[str, Any], call_id: str = "call_1") -> ToolMessage:
    """Invoke a tool the way an agent does (a tool call), so the artifact comes back."""
    message = tool.invoke({"name": tool.name, "args": args, "id": call_id, "type": "tool_call"})
    assert isinstance(message, ToolMessage)
    return message


async def acall(tool: Any, args: dict[str, Any], call_id: str = "call_1") -> ToolMessage:
    message = await tool.ainvoke(
        {"name": tool.name, "args": args, "id": call_id, "type": "tool_call"}
    )
    assert isinstance(message, ToolMessage)
    return message


def _no_key(*objects: object) -> None:
    for obj in objects:
        assert OFFLINE_KEY not in repr(obj) and OFFLINE_KEY not in str(obj)


# --------------------------------------------------------------------------- schemas


def test_tools_show_the_model_one_argument_each() -> None:
    tools = [
        AIMLAPIImageTool(api_key="k"),
        AIMLAPIVideoTool(api_key="k"),
        AIMLAPITextToSpeechTool(api_key="k"),
        AIMLAPISpeechToTextTool(api_key="k"),
    ]
    schemas = {t["function"]["name"]: t["function"] for t in map(convert_to_openai_tool, tools)}
    assert {name: f["parameters"]["required"] for name, f in schemas.items()} == {
        "generate_image": ["prompt"],
        "generate_video": ["prompt"],
        "text_to_speech": ["text"],
        "speech_to_text": ["audio"],
    }
    assert all(f["description"] for f in schemas.values())
    _no_key(*tools)


def test_bad_model_kwargs_refused_at_construction(replay_server: ReplayServer) -> None:
    base = {"api_key": OFFLINE_KEY, "base_url": replay_server.base_url}
    cases = [
        (AIMLAPIImageTool, {"model": "dall-e-3", "model_kwargs": {"size": "10x10"}}, "size"),
        (AIMLAPIVideoTool, {"model": "google/veo3", "model_kwargs": {"fps": 60}}, "fps"),
        (
            AIMLAPITextToSpeechTool,
            {"model": "openai/tts-1", "model_kwargs": {"voice": "x"}},
            "voice",
        ),
        (
            AIMLAPISpeechToTextTool,
            {"model": "nova-3", "model_kwargs": {"diarize": "yes"}},
            "diarize",
        ),
        (AimlapiImageModel, {"model": "dall-e-3", "n": 4}, "n"),
        (AimlapiVideoModel, {"model": "google/veo3", "model_kwargs": {"duration": 5}}, "duration"),
        (AIMLAPIAudioParser, {"model": "nova-3", "model_kwargs": {"lang": "en"}}, "lang"),
    ]
    for cls, fields, name in cases:
        with pytest.raises(ValueError, match=name) as caught:
            cls(**base, **fields)
        assert OFFLINE_KEY[:8] not in str(caught.value)  # not even the input echoed
    assert replay_server.requests == []


# --------------------------------------------------------------------------- tools


@pytest.mark.vcr
def test_image_tool_returns_url_and_cost_artifact(conn: dict[str, Any], vcr: Any) -> None:
    tool = AIMLAPIImageTool(model="dall-e-3", model_kwargs={"size": "1024x1792"}, **conn)
    message = call(tool, {"prompt": "a tall lighthouse"})
    url = message.content
    assert isinstance(url, str) and url.endswith(".png")
    assert message.artifact["urls"] == [url]
    assert message.artifact["cost"] == {"credits_used": 42000, "usd_spent": 0.021}
    assert message.artifact["inference_id"]
    assert json.loads(vcr.requests[0].body) == {
        "model": "dall-e-3",
        "prompt": "a tall lighthouse",
        "size": "1024x1792",
    }
    _no_key(message, tool)


@pytest.mark.vcr
async def test_image_tool_async_saves_files(conn: dict[str, Any], vcr: Any, tmp_path: Path) -> None:
    tool = AIMLAPIImageTool(model="flux/schnell", output_dir=str(tmp_path), **conn)
    message = await acall(tool, {"prompt": "a green hill"})
    (path,) = message.artifact["paths"]
    assert message.content == path and Path(path).read_bytes() == small_png()
    assert Path(path).parent == tmp_path and path.endswith(".png")


@pytest.mark.vcr
def test_video_tool_waits_and_reports_progress(conn: dict[str, Any], vcr: Any) -> None:
    seen: list[str] = []
    tool = AIMLAPIVideoTool(
        model="google/veo3",
        model_kwargs={"duration": 6},
        on_progress=lambda p: seen.append(p.status),
        **FAST_VIDEO,
        **conn,
    )
    message = call(tool, {"prompt": "a kite over a beach"})
    assert isinstance(message.content, str) and message.content.endswith(".mp4")
    assert message.artifact["generation_id"] and message.artifact["cost"]["credits_used"] == 600000
    assert seen == ["queued", "generating", "completed"]


@pytest.mark.vcr
async def test_video_tool_refusal_is_a_tool_error_the_agent_can_read(
    conn: dict[str, Any], vcr: Any
) -> None:
    tool = AIMLAPIVideoTool(model="google/veo3", **FAST_VIDEO, **conn)
    with pytest.raises(ToolException, match="flagged by the provider's safety system"):
        await tool.ainvoke({"prompt": "a forbidden scene"})
    tool.handle_tool_error = True
    message = await acall(tool, {"prompt": "a forbidden scene"}, "call_2")
    assert message.status == "error"
    assert "ContentPolicyError" in str(message.content)


@pytest.mark.vcr
def test_text_to_speech_tool_writes_the_audio(
    conn: dict[str, Any], vcr: Any, tmp_path: Path
) -> None:
    tool = AIMLAPITextToSpeechTool(
        model="openai/tts-1", model_kwargs={"voice": "alloy"}, output_dir=str(tmp_path), **conn
    )
    message = call(tool, {"text": "Dinner is at eight."})
    path = Path(str(message.content))
    assert path.read_bytes() == speech_wav("Dinner is at eight.") and path.suffix == ".wav"
    assert message.artifact["audio"] is None and message.artifact["cost"]["credits_used"] == 285


@pytest.mark.vcr
async def test_text_to_speech_tool_async_keeps_bytes_in_the_artifact(
    conn: dict[str, Any], vcr: Any
) -> None:
    tool = AIMLAPITextToSpeechTool(model="deepgram/aura-2", **conn)
    message = await acall(tool, {"text": "See you soon."})
    assert message.artifact["audio"] == speech_wav("See you soon.")
    assert "audio/wav audio from deepgram/aura-2" in str(message.content)


@pytest.mark.vcr
def test_speech_to_text_tool_from_a_path(conn: dict[str, Any], vcr: Any, tmp_path: Path) -> None:
    path = tmp_path / "memo.wav"
    path.write_bytes(speech_wav("Buy milk and eggs."))
    tool = AIMLAPISpeechToTextTool(model="nova-3", poll_interval=0.01, **conn)
    message = call(tool, {"audio": str(path)})
    assert message.content == "Buy milk and eggs."
    assert message.artifact["cost"] == {"credits_used": 1260, "usd_spent": 0.00063}


@pytest.mark.vcr
async def test_speech_to_text_tool_async_from_a_url(conn: dict[str, Any], vcr: Any) -> None:
    speech = AIMLAPITextToSpeechTool(model="deepgram/aura", **conn)
    spoken = await acall(speech, {"text": "Meeting moved to Friday."})
    tool = AIMLAPISpeechToTextTool(model="aai/universal", poll_interval=0.01, **conn)
    message = await acall(tool, {"audio": spoken.artifact["url"]}, "call_2")
    assert message.content == "Meeting moved to Friday."


def test_speech_to_text_tool_missing_file(conn: dict[str, Any]) -> None:
    tool = AIMLAPISpeechToTextTool(**conn)
    with pytest.raises(ToolException, match="No audio file at"):
        tool.invoke({"audio": "/no/such/file.mp3"})


# --------------------------------------------------------------------------- older call shape


@pytest.mark.vcr
def test_image_model_invoke_and_generate_images(conn: dict[str, Any], vcr: Any) -> None:
    img = AimlapiImageModel(model="dall-e-3", size="1024x1024", **conn)
    url = img.invoke("A serene mountain lake at sunset")
    assert url.endswith(".png")
    b64 = img.generate_images("A small square", response_format="b64_json")
    assert len(b64) == 1 and b64[0].startswith("iVBORw0KGgo")
    result = img.generate(["A red kite"])
    info = result.generations[0][0].generation_info or {}
    assert info["cost"] == {"credits_used": 42000, "usd_spent": 0.021} and len(info["urls"]) == 1
    bodies = [json.loads(r.body) for r in vcr.requests if r.method == "POST"]
    assert bodies[1] == {
        "model": "dall-e-3",
        "prompt": "A small square",
        "size": "1024x1024",
        "response_format": "b64_json",
    }


@pytest.mark.vcr
async def test_image_model_async(conn: dict[str, Any], vcr: Any) -> None:
    img = AimlapiImageModel(model="flux/schnell", model_kwargs={"num_images": 2}, **conn)
    urls = await img.agenerate_images("Two boats")
    assert len(urls) == 2 and len(set(urls)) == 2
    assert (await img.ainvoke("One boat")).endswith(".png")


@pytest.mark.vcr
def test_video_model_invoke_and_generate_videos(conn: dict[str, Any], vcr: Any) -> None:
    vid = AimlapiVideoModel(model="google/veo3", provider="google", poll_interval=0.01, **conn)
    assert vid.invoke("A timelapse of city lights").endswith(".mp4")
    (url,) = vid.generate_videos("A paper plane", poll_interval=0.01, timeout=30)
    assert url.endswith(".mp4")
    with pytest.raises(ValueError, match="n must be 1"):
        vid.generate_videos("x", n=2)


@pytest.mark.vcr
async def test_video_model_async_deadline(conn: dict[str, Any], vcr: Any) -> None:
    vid = AimlapiVideoModel(model="google/veo3", poll_interval=0.01, max_wait=0.05, **conn)
    with pytest.raises(GenerationTimeoutError) as caught:
        await vid.ainvoke("an endless staircase")
    assert caught.value.generation_id and caught.value.last_status == "generating"


def test_stop_words_are_refused(conn: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="stop sequences do not apply"):
        AimlapiImageModel(**conn).invoke("x", stop=["."])


# --------------------------------------------------------------------------- parser


@pytest.mark.vcr
def test_audio_parser_makes_documents(conn: dict[str, Any], vcr: Any, tmp_path: Path) -> None:
    path = tmp_path / "call.wav"
    path.write_bytes(speech_wav("Thanks for calling, how can I help?"))
    parser = AIMLAPIAudioParser(model="openai/gpt-4o-transcribe", poll_interval=0.01, **conn)
    (doc,) = parser.parse(Blob.from_path(path))
    assert doc.page_content == "Thanks for calling, how can I help?"
    assert doc.metadata["source"] == str(path)
    assert doc.metadata["model"] == "openai/gpt-4o-transcribe"
    assert doc.metadata["cost"] == {"credits_used": 1260, "usd_spent": 0.00063}
    assert b'filename="call.wav"\r\nContent-Type: audio/wav' in vcr.requests[0].body


@pytest.mark.vcr
async def test_audio_parser_async(conn: dict[str, Any], vcr: Any) -> None:
    parser = AIMLAPIAudioParser(model="nova-3", poll_interval=0.01, **conn)
    blob = Blob.from_data(speech_wav("Async parsing works."), path="note.wav")
    docs = [d async for d in parser.alazy_parse(blob)]
    assert [d.page_content for d in docs] == ["Async parsing works."]


def test_parser_media_parameter_error_is_a_value_error() -> None:
    assert issubclass(MediaParameterError, ValueError)
