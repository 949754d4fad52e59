"""Structured output and ``bind_tools(response_format=...)`` next to ``ChatOpenAI``: every schema
form it accepts, the same request bodies on the same local server, the same parsed answers,
and refusals raised with their text."""

from __future__ import annotations

import enum
import json
from typing import Any, Literal

import pytest
from langchain_core.exceptions import ModelRefusalError
from langchain_core.tools import tool
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from langchain_aimlapi import ChatAIMLAPI
from langchain_aimlapi._structured import strict_json_schema
from langchain_aimlapi.errors import AIMLAPIRefusalError
from tests.support.fake_model import fake_responder
from tests.support.replay_server import ReplayServer, Scripted, sse

langchain_openai = pytest.importorskip("langchain_openai")

KEY = "sk-structured-secret"


class Joke(BaseModel):
    """Joke to tell user."""

    setup: str = Field(description="question to set up a joke")
    punchline: str = Field(description="answer to resolve the joke")


class JokeDict(TypedDict):
    """Joke to tell user."""

    setup: str
    punchline: str


JOKE_JSON_SCHEMA: dict[str, Any] = {
    "title": "joke",
    "description": "Joke to tell user.",
    "type": "object",
    "properties": {"setup": {"type": "string"}, "punchline": {"type": "string"}},
    "required": ["setup", "punchline"],
}
OPENAI_TOOL = {
    "type": "function",
    "function": {
        "name": "joke",
        "description": "Joke to tell user.",
        "parameters": JOKE_JSON_SCHEMA,
    },
}
OPENAI_JSON_SCHEMA = {"name": "joke", "schema": JOKE_JSON_SCHEMA, "strict": False}
OPENAI_RESPONSE_FORMAT = {"type": "json_schema", "json_schema": OPENAI_JSON_SCHEMA}

FORMS: dict[str, Any] = {
    "pydantic": Joke,
    "typeddict": JokeDict,
    "json_schema": JOKE_JSON_SCHEMA,
    "openai_tool": OPENAI_TOOL,
    "openai_json_schema": OPENAI_JSON_SCHEMA,
    "openai_response_format": OPENAI_RESPONSE_FORMAT,
}
COMPARED = ("response_format", "tools", "tool_choice", "parallel_tool_calls")


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def _pair(server: ReplayServer, **kwargs: Any) -> tuple[Any, Any]:
    common = {"model": "gpt-4o-mini", "api_key": KEY, "base_url": server.base_url, **kwargs}
    return ChatAIMLAPI(**common), langchain_openai.ChatOpenAI(**common)


def _normal(value: Any) -> Any:
    return value.model_dump() if isinstance(value, BaseModel) else value


def _run_theirs(theirs: Any, call: Any) -> tuple[bool, Any]:
    try:
        return True, call(theirs)
    except Exception as exc:  # a form ChatOpenAI does not take
        return False, exc


@pytest.mark.parametrize("include_raw", [False, True])
@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
@pytest.mark.parametrize("form", list(FORMS))
def test_every_schema_form_like_chat_openai(form: str, method: str, include_raw: bool) -> None:
    schema = FORMS[form]

    def call(llm: Any) -> Any:
        runnable = llm.with_structured_output(schema, method=method, include_raw=include_raw)
        return runnable.invoke("Tell me a joke about cats.")

    with ReplayServer(fake_responder) as server:
        ours, theirs = _pair(server)
        mine = call(ours)
        theirs_ok, their = _run_theirs(theirs, call)
        bodies = [r.body for r in server.requests]
    parsed = mine["parsed"] if include_raw else mine
    assert _normal(parsed)["setup"] and _normal(parsed)["punchline"]
    if include_raw:
        assert mine["parsing_error"] is None and mine["raw"].content is not None
    their_parsed = their["parsed"] if include_raw and theirs_ok else their
    if not theirs_ok or not _normal(their_parsed):
        return  # ChatOpenAI refuses (or empties) this combination; ours takes it anyway
    assert _normal(parsed) == _normal(their_parsed)
    ours_body, theirs_body = bodies
    assert {k: ours_body.get(k) for k in COMPARED} == {k: theirs_body.get(k) for k in COMPARED}


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Address(BaseModel):
    street: str
    city: str | None = None


class Person(BaseModel):
    """A person with nested, optional, list, enum and literal fields."""

    name: str = Field(description="full name")
    age: int | None = None
    home: Address
    work: Address | None = None
    previous: list[Address] = Field(default_factory=list)
    colour: Colour = Colour.RED
    kind: Literal["a", "b"] = "a"
    tags: dict[str, int] = Field(default_factory=dict)


@pytest.mark.parametrize("schema", [Joke, Person, Address])
def test_pydantic_json_schema_is_sent_strict_as_chat_openai_sends_it(
    schema: type[BaseModel],
) -> None:
    with ReplayServer(fake_responder) as server:
        for llm in _pair(server):
            runnable = llm.with_structured_output(schema, method="json_schema", include_raw=True)
            runnable.invoke("Describe someone.")
        ours_body, theirs_body = (r.body for r in server.requests)
    assert ours_body["response_format"] == theirs_body["response_format"]
    sent = ours_body["response_format"]["json_schema"]
    assert sent["strict"] is True and sent["schema"]["additionalProperties"] is False
    assert json.dumps(ours_body["response_format"]) == json.dumps(theirs_body["response_format"])


def test_strict_json_schema_leaves_its_input_alone() -> None:
    original = Person.model_json_schema()
    before = json.dumps(original)
    strict_json_schema(original)
    assert json.dumps(original) == before


def test_default_method_sends_pydantic_strict_for_a_model_that_takes_response_format() -> None:
    with ReplayServer(fake_responder) as server:
        for llm in _pair(server):
            llm.with_structured_output(Joke).invoke("Tell me a joke about cats.")
        ours_body, theirs_body = (r.body for r in server.requests)
    assert ours_body["response_format"] == theirs_body["response_format"]


def test_tools_beside_the_schema_like_chat_openai() -> None:
    with ReplayServer(fake_responder) as server:
        results = [
            llm.with_structured_output(Joke, tools=[add], strict=True, include_raw=True).invoke(
                "Use the add tool to add 2 and 3."
            )
            for llm in _pair(server)
        ]
        ours_body, theirs_body = (r.body for r in server.requests)
    assert {k: ours_body.get(k) for k in COMPARED} == {k: theirs_body.get(k) for k in COMPARED}
    mine, theirs = results
    assert mine["parsed"] is None and theirs["parsed"] is None  # it called the tool instead
    assert [c["name"] for c in mine["raw"].tool_calls] == ["add"]
    assert mine["raw"].tool_calls[0]["args"] == theirs["raw"].tool_calls[0]["args"]


@pytest.mark.parametrize("response_format", [Joke, OPENAI_RESPONSE_FORMAT, JOKE_JSON_SCHEMA])
def test_bind_tools_with_response_format_like_chat_openai(response_format: Any) -> None:
    with ReplayServer(fake_responder) as server:
        answers = [
            llm.bind_tools([add], response_format=response_format).invoke(
                "Tell me a joke about cats."
            )
            for llm in _pair(server)
        ]
        ours_body, theirs_body = (r.body for r in server.requests)
    assert {k: ours_body.get(k) for k in COMPARED} == {k: theirs_body.get(k) for k in COMPARED}
    assert ours_body["tools"][0]["function"]["strict"] is True
    mine, theirs = answers
    assert json.loads(mine.content) == json.loads(theirs.content)
    if response_format is Joke:
        assert mine.additional_kwargs["parsed"] == theirs.additional_kwargs["parsed"]
        assert isinstance(mine.additional_kwargs["parsed"], Joke)


async def test_bind_tools_response_format_on_the_async_and_streamed_paths() -> None:
    with ReplayServer(fake_responder) as server:
        llm = ChatAIMLAPI(model="gpt-4o-mini", api_key=KEY, base_url=server.base_url)
        bound = llm.bind_tools([add], response_format=Joke)
        answer = await bound.ainvoke("Tell me a joke about cats.")
        chunks = [c async for c in bound.astream("Tell me a joke about cats.")]
        streamed = llm.model_copy(update={"streaming": True}).bind_tools(
            [add], response_format=Joke
        )
        assembled = streamed.invoke("Tell me a joke about cats.")
        sent = [r.body["response_format"]["json_schema"]["name"] for r in server.requests]
    assert isinstance(answer.additional_kwargs["parsed"], Joke)
    assert "".join(str(c.content) for c in chunks) == answer.content
    assert assembled.additional_kwargs["parsed"] == answer.additional_kwargs["parsed"]
    assert sent == ["Joke"] * 3


# --------------------------------------------------------------------------- refusals

REFUSAL = "I'm sorry, I can't help with that request."


def _refusal_reply() -> Scripted:
    body = {
        "id": "chatcmpl-refusal",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": None, "refusal": REFUSAL},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14},
    }
    return Scripted(body=json.dumps(body).encode())


def _refusal_stream() -> Scripted:
    base = {"id": "chatcmpl-r", "object": "chat.completion.chunk", "created": 1,
            "model": "gpt-4o-mini"}  # fmt: skip
    pieces = [REFUSAL[:10], REFUSAL[10:25], REFUSAL[25:]]
    chunks = [
        {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "refusal": p}}]}
        for p in pieces
    ]
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    return Scripted(body=sse(chunks), content_type="text/event-stream")


@pytest.mark.parametrize("method", ["json_schema", "json_mode"])
def test_refusal_raises_with_its_text_like_chat_openai(method: str) -> None:
    with ReplayServer(lambda request: _refusal_reply()) as server:
        ours, theirs = _pair(server)
        with pytest.raises(AIMLAPIRefusalError) as mine:
            ours.with_structured_output(Joke, method=method).invoke("Something bad")
        with pytest.raises(ModelRefusalError) as their:
            theirs.with_structured_output(Joke, method=method).invoke("Something bad")
    assert isinstance(mine.value, ModelRefusalError)
    assert REFUSAL in str(mine.value) and REFUSAL in str(their.value)
    assert mine.value.refusal == REFUSAL
    assert mine.value.raw_message is not None


async def test_streamed_refusal_raises_with_the_whole_text() -> None:
    def reply(request: Any) -> Scripted:
        return _refusal_stream() if request.body.get("stream") else _refusal_reply()

    with ReplayServer(reply) as server:
        llm = ChatAIMLAPI(model="gpt-4o-mini", api_key=KEY, base_url=server.base_url)
        structured = llm.with_structured_output(Joke)
        with pytest.raises(AIMLAPIRefusalError) as sync_error:
            list(structured.stream("Something bad"))
        with pytest.raises(AIMLAPIRefusalError) as async_error:
            _ = [c async for c in structured.astream("Something bad")]
        raw = await llm.with_structured_output(Joke, include_raw=True).ainvoke("Something bad")
    assert sync_error.value.refusal == async_error.value.refusal == REFUSAL
    assert isinstance(raw["parsing_error"], AIMLAPIRefusalError) and raw["parsed"] is None
