"""The API key appears in no repr, error, log line or cassette of the media code; result
downloads never carry it; error bodies in a 200 still raise unless they are a job's status."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from langchain_core.tools import ToolException

from aimlapi_core import APIStatusError, Client, Settings
from aimlapi_core.errors import GenerationFailedError, GenerationTimeoutError
from aimlapi_core.media import PollPolicy, generate_image, generate_video, text_to_speech
from langchain_aimlapi import (
    AIMLAPIAudioParser,
    AimlapiImageModel,
    AIMLAPIImageTool,
    AIMLAPISpeechToTextTool,
    AIMLAPITextToSpeechTool,
    AimlapiVideoModel,
    AIMLAPIVideoTool,
)
from llama_index_aimlapi import AIMLAPIAudioReader, AIMLAPIMediaToolSpec
from tests.support.fake_media import FakeMedia
from tests.support.replay_server import ReplayServer

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-media-secret-0123456789abcdef"
MEDIA_CASSETTES = [
    *sorted((ROOT / "cassettes").glob("test_*_media/*.yaml")),
    ROOT / "cassettes/examples/langgraph_media_agent.yaml",
    ROOT / "cassettes/examples/llamaindex_media_agent.yaml",
]


def test_reprs_hold_no_key() -> None:
    lc = {"api_key": KEY}
    objects: list[object] = [
        AIMLAPIImageTool(**lc),
        AIMLAPIVideoTool(**lc),
        AIMLAPITextToSpeechTool(**lc),
        AIMLAPISpeechToTextTool(**lc),
        AimlapiImageModel(**lc),
        AimlapiVideoModel(**lc),
        AIMLAPIAudioParser(**lc),
        AIMLAPIMediaToolSpec(api_key=KEY),
        AIMLAPIAudioReader(api_key=KEY),
    ]
    for obj in objects:
        assert KEY not in repr(obj) and KEY not in str(obj)
        dump = getattr(obj, "model_dump", None)
        if dump is not None:
            assert KEY not in str(dump())


@pytest.mark.parametrize("path", MEDIA_CASSETTES, ids=lambda p: p.name)
def test_cassettes_hold_no_key(path: Path) -> None:
    text = path.read_text()
    assert "sk-offline" not in text and KEY not in text
    assert "authorization" not in text.lower() and "bearer " not in text.lower()


def test_there_are_media_cassettes() -> None:
    assert len(MEDIA_CASSETTES) > 30


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer(responder=FakeMedia()) as srv:
        yield srv


def test_errors_and_logs_hold_no_key(
    server: ReplayServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with Client(Settings(api_key=KEY, base_url=server.base_url)) as client:
        failed: list[Exception] = []
        try:
            generate_video(client, "forbidden", policy=PollPolicy(timeout=5, interval=0.01))
        except GenerationFailedError as err:
            failed.append(err)
        try:
            generate_video(client, "endless", policy=PollPolicy(timeout=0.05, interval=0.01))
        except GenerationTimeoutError as err:
            failed.append(err)
        try:  # a 400 from the API itself (an unchecked body without a prompt)
            client.post("/images/generations", {"model": "x"})
        except APIStatusError as err:
            failed.append(err)
        image = generate_image(client, "a tree", model="flux/schnell", output="bytes")
        speech = text_to_speech(client, "Hi there.", model="deepgram/aura")
    assert len(failed) == 3
    for err in failed:
        assert KEY not in str(err) and KEY not in repr(err) and KEY not in (err.body or "")  # type: ignore[attr-defined]
    for obj in (image, speech, *image.images):
        assert KEY not in repr(obj) and KEY not in str(obj)
    assert KEY not in caplog.text
    # The key went to the API; never to a result download.
    for request in server.requests:
        expected = request.path.startswith("/v1/files/")
        assert ("authorization" not in request.headers) == expected, request.path
        if not expected:
            assert request.headers["authorization"] == f"Bearer {KEY}"


def test_tool_refuses_an_over_long_prompt_before_any_request(server: ReplayServer) -> None:
    tool = AIMLAPIImageTool(model="dall-e-3", api_key=KEY, base_url=server.base_url)
    with pytest.raises(ToolException, match="prompt is 4001 characters long"):
        tool.invoke({"prompt": "x" * 4001})
    assert server.requests == []


def test_a_200_error_envelope_still_raises() -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"status": "error", "error": {"message": "upstream down"}})

    client = Client(
        Settings(api_key=KEY, max_retries=0),
        http_client=httpx.Client(transport=httpx.MockTransport(reply)),
    )
    with pytest.raises(APIStatusError, match="upstream down"):
        client.post("/chat/completions", {"model": "m", "messages": []})
