"""LlamaIndex: the media tool spec (alone and inside a ``FunctionAgent``) and the audio reader,
on cassettes recorded from the fake media endpoints and the fake chat model, sync and async.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from llama_index.core import SimpleDirectoryReader
from llama_index.core.agent.workflow import FunctionAgent, ToolCallResult

from aimlapi_core import Cost
from aimlapi_core.errors import GenerationFailedError
from llama_index_aimlapi import AIMLAPI, AIMLAPIAudioReader, AIMLAPIMediaToolSpec, MediaAnswer
from tests.conftest import OFFLINE_KEY
from tests.support.cassette_seeds import small_png
from tests.support.fake_media import FakeMedia, speech_wav
from tests.support.replay_server import ReplayServer


@pytest.fixture
def conn(api_settings: dict[str, str], fake_media: FakeMedia) -> dict[str, Any]:
    return {"api_key": api_settings["api_key"], "api_base": api_settings["base_url"]}


FAST = {"poll_interval": 0.01, "max_wait": 30}


def _tools(spec: AIMLAPIMediaToolSpec) -> dict[str, Any]:
    return {t.metadata.name: t for t in spec.to_tool_list()}


def test_tool_list_schemas_and_async_pairs() -> None:
    spec = AIMLAPIMediaToolSpec(api_key="sk-test")
    tools = _tools(spec)
    assert list(tools) == ["generate_image", "generate_video", "text_to_speech", "speech_to_text"]
    params = {
        name: list(t.metadata.fn_schema.model_json_schema()["properties"])
        for name, t in tools.items()
    }
    assert params == {
        "generate_image": ["prompt"],
        "generate_video": ["prompt"],
        "text_to_speech": ["text"],
        "speech_to_text": ["audio"],
    }
    for tool in tools.values():
        assert (tool.async_fn is not None and "Returns" in tool.metadata.description) or (
            "return" in tool.metadata.description
        )
    assert "sk-test" not in repr(spec)


def test_bad_kwargs_refused_at_construction(replay_server: ReplayServer) -> None:
    base = {"api_key": OFFLINE_KEY, "api_base": replay_server.base_url}
    for fields, name in [
        ({"image_model": "dall-e-3", "image_kwargs": {"quality": "ultra"}}, "quality"),
        ({"video_kwargs": {"duration": 7}}, "duration"),
        ({"speech_kwargs": {"speed": 10}}, "speed"),
        ({"transcription_kwargs": {"temperature": "hot"}}, "temperature"),
        ({"video_model": "no/such-video"}, "model"),
    ]:
        with pytest.raises(ValueError, match=name) as caught:
            AIMLAPIMediaToolSpec(**base, **fields)
        assert OFFLINE_KEY[:8] not in str(caught.value)  # not even the input echoed
    with pytest.raises(ValueError, match="takes no parameter 'lang'") as caught:
        AIMLAPIAudioReader(**base, model_kwargs={"lang": "en"})
    assert OFFLINE_KEY[:8] not in str(caught.value)
    assert replay_server.requests == []


# --------------------------------------------------------------------------- tools


@pytest.mark.vcr
def test_each_tool_sync(conn: dict[str, Any], vcr: Any, tmp_path: Path) -> None:
    spec = AIMLAPIMediaToolSpec(
        image_model="dall-e-3",
        image_kwargs={"size": "1792x1024"},
        video_model="google/veo3",
        speech_model="openai/tts-1",
        speech_kwargs={"voice": "onyx"},
        transcription_model="nova-3",
        **FAST,
        **conn,
    )
    tools = _tools(spec)
    image = tools["generate_image"].call(prompt="a windmill")
    assert image.content.endswith(".png") and isinstance(image.raw_output, MediaAnswer)
    assert image.raw_output.cost == {"credits_used": 42000, "usd_spent": 0.021}
    clip = tools["generate_video"].call(prompt="a windmill turning")
    assert clip.content.endswith(".mp4") and clip.raw_output.result.generation_id
    spoken = tools["text_to_speech"].call(text="Wind is free.")
    assert spoken.raw_output.result.audio == speech_wav("Wind is free.")
    path = tmp_path / "wind.wav"
    path.write_bytes(spoken.raw_output.result.audio)
    heard = tools["speech_to_text"].call(audio=str(path))
    assert heard.content == "Wind is free."
    assert isinstance(heard.raw_output.result.cost, Cost)
    sent = [json.loads(r.body) for r in vcr.requests if r.method == "POST" and r.body[:1] == b"{"]
    assert sent[0] == {"model": "dall-e-3", "prompt": "a windmill", "size": "1792x1024"}
    assert {"model": "openai/tts-1", "text": "Wind is free.", "voice": "onyx"} in sent


@pytest.mark.vcr
async def test_each_tool_async_with_output_dir(
    conn: dict[str, Any], vcr: Any, tmp_path: Path
) -> None:
    spec = AIMLAPIMediaToolSpec(
        image_model="flux/schnell",
        speech_model="deepgram/aura-2",
        output_dir=str(tmp_path),
        **FAST,
        **conn,
    )
    tools = _tools(spec)
    image = await tools["generate_image"].acall(prompt="a yellow tram")
    assert Path(image.content).read_bytes() == small_png()
    clip = await tools["generate_video"].acall(prompt="a yellow tram passing")
    assert Path(clip.content).suffix == ".mp4" and Path(clip.content).read_bytes()[4:8] == b"ftyp"
    spoken = await tools["text_to_speech"].acall(text="Next stop, Alfama.")
    assert Path(spoken.content).read_bytes() == speech_wav("Next stop, Alfama.")
    heard = await tools["speech_to_text"].acall(audio=spoken.content)
    assert heard.content == "Next stop, Alfama."
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".mp4", ".png", ".wav"]


@pytest.mark.vcr
async def test_failed_video_raises_with_reason(conn: dict[str, Any], vcr: Any) -> None:
    tools = _tools(AIMLAPIMediaToolSpec(**FAST, **conn))
    with pytest.raises(GenerationFailedError, match="ContentPolicyError"):
        await tools["generate_video"].acall(prompt="a forbidden thing")


# llama-index's workflow runtime walks the agent with inspect.getmembers, which touches
# pydantic's deprecated attributes: its warnings, not ours.
@pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince20")
@pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince211")
@pytest.mark.vcr
async def test_function_agent_draws_with_the_tool(conn: dict[str, Any], vcr: Any) -> None:
    spec = AIMLAPIMediaToolSpec(image_model="flux/schnell", **FAST, **conn)
    llm = AIMLAPI(model="gpt-4o-mini", temperature=0, **conn)
    agent = FunctionAgent(tools=spec.to_tool_list(), llm=llm)
    handler = agent.run(user_msg='Draw an image of "a lighthouse at dusk, watercolor".')
    calls = []
    async for event in handler.stream_events():
        if isinstance(event, ToolCallResult):
            calls.append((event.tool_name, event.tool_kwargs, event.tool_output.content))
    answer = str(await handler)
    ((name, kwargs, url),) = calls
    assert name == "generate_image" and kwargs == {"prompt": "a lighthouse at dusk, watercolor"}
    assert url.endswith(".png") and url in answer
    paths = [r.path for r in vcr.requests]
    assert paths == ["/v1/chat/completions", "/v1/images/generations", "/v1/chat/completions"]
    image_body = json.loads(vcr.requests[1].body)
    assert image_body == {"model": "flux/schnell", "prompt": "a lighthouse at dusk, watercolor"}


# --------------------------------------------------------------------------- reader


@pytest.mark.vcr
def test_reader_and_simple_directory_reader(conn: dict[str, Any], vcr: Any, tmp_path: Path) -> None:
    (tmp_path / "a.wav").write_bytes(speech_wav("First recording."))
    (tmp_path / "b.wav").write_bytes(speech_wav("Second recording."))
    reader = AIMLAPIAudioReader(model="nova-3", poll_interval=0.01, **conn)
    (doc,) = reader.load_data(tmp_path / "a.wav", extra_info={"speaker": "Ana"})
    assert doc.text == "First recording."
    assert doc.metadata["speaker"] == "Ana" and doc.metadata["file_name"] == "a.wav"
    assert doc.metadata["cost"] == {"credits_used": 1260, "usd_spent": 0.00063}
    docs = SimpleDirectoryReader(str(tmp_path), file_extractor={".wav": reader}).load_data()
    assert sorted(d.text for d in docs) == ["First recording.", "Second recording."]


@pytest.mark.vcr
async def test_reader_async(conn: dict[str, Any], vcr: Any, tmp_path: Path) -> None:
    path = tmp_path / "c.wav"
    path.write_bytes(speech_wav("Async reading."))
    reader = AIMLAPIAudioReader(model="whisper-base", poll_interval=0.01, **conn)
    (doc,) = await reader.aload_data(path)
    assert doc.text == "Async reading." and doc.metadata["model"] == "whisper-base"
