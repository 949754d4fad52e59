"""Structured output: JSON-schema ``response_format`` where the model takes it, tools otherwise.

``gpt-4o-mini`` takes ``response_format``; ``anthropic/claude-3.5-sonnet`` takes tools but no
``response_format`` (per AI/ML API's specs), so it goes the tool-calling way.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.prompts import PromptTemplate
from llama_index.core.types import PydanticProgramMode
from llama_support import (
    TOOLS_ONLY_MODEL,
    LLMFactory,
    MockAPI,
    completion,
    json_response,
)
from pydantic import BaseModel, Field, ValidationError

from llama_index_aimlapi import AIMLAPI
from tests.support.replay_server import ReceivedRequest, ReplayServer, Scripted


class Joke(BaseModel):
    """A joke with its setup and punchline."""

    setup: str = Field(description="The question that sets up the joke")
    punchline: str = Field(description="The answer that makes it funny")


PROMPT = PromptTemplate("Tell me a joke about {topic}.")


def assert_joke(joke: object) -> None:
    assert isinstance(joke, Joke)
    assert joke.setup and joke.punchline


@pytest.mark.vcr
def test_structured_predict_json_schema(llm_factory: LLMFactory) -> None:
    assert_joke(llm_factory().structured_predict(Joke, PROMPT, topic="cats"))


@pytest.mark.vcr
async def test_astructured_predict_json_schema(llm_factory: LLMFactory) -> None:
    assert_joke(await llm_factory().astructured_predict(Joke, PROMPT, topic="dogs"))


@pytest.mark.vcr
def test_stream_structured_predict_json_schema(llm_factory: LLMFactory) -> None:
    partials = list(llm_factory().stream_structured_predict(Joke, PROMPT, topic="cats"))
    assert len(partials) > 2
    assert_joke(partials[-1])


@pytest.mark.vcr
async def test_astream_structured_predict_json_schema(llm_factory: LLMFactory) -> None:
    stream = await llm_factory().astream_structured_predict(Joke, PROMPT, topic="cats")
    partials = [p async for p in stream]
    assert_joke(partials[-1])


@pytest.mark.vcr
def test_structured_predict_tool_path(llm_factory: LLMFactory) -> None:
    """A model without response_format answers through a required tool call."""
    llm = llm_factory(TOOLS_ONLY_MODEL)
    assert not llm._uses_json_schema()
    assert_joke(llm.structured_predict(Joke, PROMPT, topic="bears"))


@pytest.mark.vcr
async def test_astructured_predict_tool_path(llm_factory: LLMFactory) -> None:
    assert_joke(await llm_factory(TOOLS_ONLY_MODEL).astructured_predict(Joke, PROMPT, topic="fish"))


@pytest.mark.vcr
def test_stream_structured_predict_tool_path(llm_factory: LLMFactory) -> None:
    partials = list(
        llm_factory(TOOLS_ONLY_MODEL).stream_structured_predict(Joke, PROMPT, topic="bears")
    )
    assert len(partials) > 2
    assert_joke(partials[-1])


@pytest.mark.vcr
async def test_astream_structured_predict_tool_path(llm_factory: LLMFactory) -> None:
    stream = await llm_factory(TOOLS_ONLY_MODEL).astream_structured_predict(
        Joke, PROMPT, topic="bears"
    )
    assert_joke([p async for p in stream][-1])


@pytest.mark.vcr
def test_as_structured_llm(llm_factory: LLMFactory) -> None:
    sllm = llm_factory().as_structured_llm(Joke)
    response = sllm.chat([ChatMessage(role="user", content="Tell me a joke about cats.")])
    assert_joke(response.raw)
    assert Joke.model_validate_json(response.message.content or "") == response.raw


@pytest.mark.vcr
def test_as_structured_llm_streamed(llm_factory: LLMFactory) -> None:
    sllm = llm_factory().as_structured_llm(Joke)
    *_, last = sllm.stream_chat([ChatMessage(role="user", content="Tell me a joke about cats.")])
    assert_joke(last.raw)


# --- request shapes (MockTransport) --------------------------------------------------------

JOKE_JSON = json.dumps({"setup": "Why?", "punchline": "Because."})


def test_json_schema_request() -> None:
    api = MockAPI(default=json_response(completion(JOKE_JSON)))
    llm = api.llm("openai/gpt-4o")
    joke = llm.structured_predict(Joke, PROMPT, llm_kwargs={"tool_choice": "auto"}, topic="x")
    assert joke == Joke(setup="Why?", punchline="Because.")
    body = api.bodies[0]
    assert "tools" not in body and "tool_choice" not in body
    rf = body["response_format"]
    assert rf["type"] == "json_schema"
    assert rf["json_schema"]["name"] == "Joke"
    assert rf["json_schema"]["strict"] is True
    assert rf["json_schema"]["description"] == "A joke with its setup and punchline."
    schema = rf["json_schema"]["schema"]
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["setup", "punchline"]


def test_tool_path_request() -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "Joke", "arguments": JOKE_JSON}}
    api = MockAPI(default=json_response(completion(None, tool_calls=[call])))
    joke = api.llm(TOOLS_ONLY_MODEL).structured_predict(Joke, PROMPT, topic="x")
    assert joke == Joke(setup="Why?", punchline="Because.")
    body = api.bodies[0]
    assert "response_format" not in body
    assert body["tool_choice"] == "required"
    assert body["tools"][0]["function"]["name"] == "Joke"


def test_unknown_model_uses_json_schema() -> None:
    api = MockAPI(default=json_response(completion(JOKE_JSON)))
    api.llm("vendor/brand-new-model").structured_predict(Joke, PROMPT, topic="x")
    assert api.bodies[0]["response_format"]["type"] == "json_schema"


def test_fenced_json_is_accepted() -> None:
    api = MockAPI(default=json_response(completion(f"```json\n{JOKE_JSON}\n```")))
    assert api.llm().structured_predict(Joke, PROMPT, topic="x").punchline == "Because."


def test_invalid_json_is_a_validation_error_naming_the_class() -> None:
    api = MockAPI(default=json_response(completion("I'd rather not.")))
    with pytest.raises(ValidationError) as info:
        api.llm().structured_predict(Joke, PROMPT, topic="x")
    assert info.value.errors()[0]["type"] == "json_invalid"
    notes = "\n".join(getattr(info.value, "__notes__", ()))
    assert "not a valid Joke JSON object" in notes and "I'd rather not." in notes


# --- invalid answers, side by side with llama-index OpenAI -----------------------------------

BAD_JOKE = json.dumps({"setup": "Why?"})  # no punchline


def _bad_answer(request: ReceivedRequest) -> Scripted:
    """Whatever the route (schema or tool), an answer without the required ``punchline``."""
    body = request.body
    tools = body.get("tools") or []
    reply = completion(
        None if tools else BAD_JOKE,
        tool_calls=[
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": tools[0]["function"]["name"], "arguments": BAD_JOKE},
            }
        ]
        if tools
        else None,
    )
    return Scripted(body=json.dumps(reply).encode())


def _pair(base_url: str, mode: PydanticProgramMode) -> tuple[AIMLAPI, Any]:
    openai_llms = pytest.importorskip("llama_index.llms.openai")
    ours = AIMLAPI(model="gpt-4o-mini", api_key="k", api_base=base_url, pydantic_program_mode=mode)
    theirs = openai_llms.OpenAI(
        model="gpt-4o-mini",
        api_key="k",
        api_base=base_url,
        max_retries=0,
        pydantic_program_mode=mode,
    )
    return ours, theirs


async def test_invalid_schema_answer_raises_validation_error_like_openai() -> None:
    """JSON-schema route, the same program against an answer missing a field: both raise
    pydantic's ``ValidationError`` about the same field, sync and async."""
    with ReplayServer(_bad_answer) as server:
        missing = []
        for llm in _pair(server.base_url, PydanticProgramMode.DEFAULT):
            with pytest.raises(ValidationError) as sync_info:
                llm.structured_predict(Joke, PROMPT, topic="x")
            with pytest.raises(ValidationError) as async_info:
                await llm.astructured_predict(Joke, PROMPT, topic="x")
            missing.append([e["loc"] for e in sync_info.value.errors()])
            assert [e["loc"] for e in async_info.value.errors()] == missing[-1]
        assert missing[0] == missing[1] == [("punchline",)]
        assert all("response_format" in r.body for r in server.requests)


def test_invalid_tool_answer_raises_what_openai_raises() -> None:
    """Tool route (LlamaIndex's own program for both): the same exception type, naming the
    missing field."""
    with ReplayServer(_bad_answer) as server:
        raised = []
        for llm in _pair(server.base_url, PydanticProgramMode.FUNCTION):
            with pytest.raises(Exception) as info:
                llm.structured_predict(Joke, PROMPT, topic="x")
            raised.append(info.value)
        assert type(raised[0]) is type(raised[1])
        assert all("punchline" in str(exc) for exc in raised)
        assert all("tools" in r.body for r in server.requests)


def test_program_mode_llm_parses_text() -> None:
    """pydantic_program_mode=LLM keeps LlamaIndex's text-parsing program (no schema sent)."""
    api = MockAPI(default=json_response(completion(JOKE_JSON)))
    llm = api.llm(pydantic_program_mode=PydanticProgramMode.LLM)
    assert llm.structured_predict(Joke, PROMPT, topic="x").setup == "Why?"
    assert "response_format" not in api.bodies[0] and "tools" not in api.bodies[0]
