"""The deterministic fake model (``tests/support/fake_model.py``): wire format and behaviour.

Requests are fed to the responder directly as :class:`ReceivedRequest` objects and the reply
bytes are parsed as a real client would (JSON, or SSE events); one test goes through the
loopback replay server.
"""

from __future__ import annotations

import functools
import json
import re
from enum import Enum
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from pydantic import BaseModel, Field

from aimlapi_core.models import _listing_endpoint, capabilities_for, known_model_ids
from tests.support.fake_model import (
    CREATED,
    ORIGIN,
    count_tokens,
    fake_chat_completion,
    fake_responder,
    split_tokens,
)
from tests.support.replay_server import ReceivedRequest, ReplayServer, Scripted

PATH = "/v1/chat/completions"
MODEL = "openai/gpt-4o-mini"


# --------------------------------------------------------------------------- helpers


def user(text: Any) -> dict[str, Any]:
    return {"role": "user", "content": text}


def tool(name: str, properties: dict[str, Any], required: list[str] | None = None) -> dict:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": f"The {name} tool.",
            "parameters": {
                "type": "object",
                "properties": properties,
                "required": list(properties) if required is None else required,
            },
        },
    }


INT = {"type": "integer"}
STR = {"type": "string"}
MAGIC = tool(
    "magic_function",
    {"input": {"type": "integer", "exclusiveMinimum": -1000, "exclusiveMaximum": 1000}},
)
ADD = tool("add", {"a": INT, "b": INT})
MULTIPLY = tool("multiply", {"a": INT, "b": INT})
WEATHER = tool("get_weather", {"location": STR})


def ask(messages: list[dict[str, Any]] | str, **body: Any) -> Scripted:
    if isinstance(messages, str):
        messages = [user(messages)]
    return fake_chat_completion(
        ReceivedRequest("POST", PATH, {}, {"model": MODEL, "messages": messages, **body})
    )


def as_json(reply: Scripted) -> dict[str, Any]:
    assert reply.status == 200
    assert reply.content_type == "application/json"
    assert isinstance(reply.body, bytes)
    return json.loads(reply.body)


def message(reply: Scripted, index: int = 0) -> dict[str, Any]:
    return as_json(reply)["choices"][index]["message"]


def calls(reply: Scripted) -> list[tuple[str, dict[str, Any]]]:
    tool_calls = message(reply).get("tool_calls") or []
    return [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in tool_calls]


def events(reply: Scripted) -> list[dict[str, Any]]:
    """The SSE payloads, after checking OpenAI's framing: one ``data:`` event per chunk."""
    assert reply.status == 200
    assert reply.content_type == "text/event-stream"
    assert isinstance(reply.body, list)
    assert reply.body[-1] == b"data: [DONE]\n\n"
    out = []
    for chunk in reply.body[:-1]:
        assert chunk.startswith(b"data: ") and chunk.endswith(b"\n\n")
        assert chunk.count(b"\n\n") == 1
        out.append(json.loads(chunk[len(b"data: ") : -2]))
    return out


def streamed(
    messages: list[dict[str, Any]] | str, **body: Any
) -> tuple[list[dict[str, Any]], Scripted]:
    reply = ask(messages, stream=True, **body)
    return events(reply), reply


def choice_events(evs: list[dict[str, Any]], index: int = 0) -> list[dict[str, Any]]:
    return [c for e in evs for c in e["choices"] if c["index"] == index]


def streamed_text(evs: list[dict[str, Any]], key: str = "content", index: int = 0) -> str:
    return "".join(c["delta"].get(key) or "" for c in choice_events(evs, index))


def streamed_calls(evs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    acc: dict[int, dict[str, Any]] = {}
    for c in choice_events(evs):
        for d in c["delta"].get("tool_calls") or []:
            slot = acc.setdefault(d["index"], {"id": None, "name": None, "arguments": ""})
            if "id" in d:
                assert slot["id"] is None, "id sent twice for one call"
                slot["id"], slot["name"] = d["id"], d["function"]["name"]
            slot["arguments"] += d["function"].get("arguments", "")
    return [acc[i] for i in sorted(acc)]


class Joke(BaseModel):
    """Joke to tell user."""

    setup: str = Field(description="question to set up a joke")
    punchline: str = Field(description="answer to resolve the joke")


def json_schema_format(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    return {"type": "json_schema", "json_schema": {"name": model.__name__, "schema": schema}}


# --------------------------------------------------------------------------- plain replies


def test_greeting_in_openai_shape_with_aimlapi_cost() -> None:
    reply = ask("Hello")
    body = as_json(reply)
    assert list(body)[:4] == ["id", "object", "created", "model"]
    assert body["object"] == "chat.completion"
    assert re.fullmatch(r"chatcmpl-[A-Za-z0-9]{29}", body["id"])
    assert body["created"] == CREATED
    assert body["model"] == "gpt-4o-mini"  # vendor prefix stripped
    assert body["system_fingerprint"].startswith("fp_")
    [choice] = body["choices"]
    assert choice["index"] == 0 and choice["finish_reason"] == "stop"
    assert choice["logprobs"] is None
    msg = choice["message"]
    assert msg["role"] == "assistant" and msg["refusal"] is None
    assert msg["content"] == "Hello! How can I help you today?"
    assert "tool_calls" not in msg and "reasoning_content" not in msg

    usage = body["usage"]
    assert usage["completion_tokens"] == count_tokens(msg["content"])
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["prompt_tokens_details"] == {"cached_tokens": 0, "audio_tokens": 0}
    assert usage["completion_tokens_details"]["reasoning_tokens"] == 0

    cost = body["meta"]["usage"]
    assert cost["credits_used"] > 0
    assert cost["usd_spent"] == pytest.approx(cost["credits_used"] * 0.0000005)
    assert reply.headers["x-aimlapi-credits-used"] == str(cost["credits_used"])
    assert float(reply.headers["x-aimlapi-usd-spent"]) == pytest.approx(cost["usd_spent"])
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}",
        reply.headers["x-inference-id"],
    )
    assert reply.origin == ORIGIN == "authored fake-model"


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("how are you", "doing well"),
        ("Write me 2 haikus. Only include the haikus.", "\n\n"),
        ("Tell me a joke about cats.", "mouse"),
        ("Write a story about a cat.", "Once upon a time"),
        ("What is 3 + 4?", "= 7"),
        ("What is the capital of France?", "Paris"),
    ],
)
def test_plain_text_answers_the_prompt(prompt: str, expected: str) -> None:
    assert expected in message(ask(prompt))["content"]


def test_conversation_answers_the_last_user_message() -> None:
    messages = [user("hello"), {"role": "assistant", "content": "hello"}, user("how are you")]
    assert "doing well" in message(ask(messages))["content"]


def test_stop_sequence_cuts_before_it() -> None:
    reply = ask("hi", stop=["you"])
    assert message(reply)["content"] == "Hello! How can I help "
    assert as_json(reply)["choices"][0]["finish_reason"] == "stop"
    assert message(ask("hi", stop="How"))["content"] == "Hello! "


@pytest.mark.parametrize("param", ["max_tokens", "max_completion_tokens"])
def test_small_token_limit_truncates_with_length(param: str) -> None:
    full = message(ask("Write a story about a cat."))["content"]
    reply = ask("Write a story about a cat.", **{param: 5})
    body = as_json(reply)
    assert body["choices"][0]["finish_reason"] == "length"
    text = body["choices"][0]["message"]["content"]
    assert count_tokens(text) == 5 and full.startswith(text) and text != full
    assert body["usage"]["completion_tokens"] == 5
    assert as_json(ask("Hello", max_tokens=100))["choices"][0]["finish_reason"] == "stop"


def test_n_gives_n_choices() -> None:
    body = as_json(ask("Hello", n=3))
    assert [c["index"] for c in body["choices"]] == [0, 1, 2]
    assert {c["message"]["content"] for c in body["choices"]} == {
        "Hello! How can I help you today?"
    }
    single = as_json(ask("Hello"))["usage"]["completion_tokens"]
    assert body["usage"]["completion_tokens"] == 3 * single


def test_logprobs_per_token_like_openai() -> None:
    body = as_json(ask("Hello", logprobs=True, top_logprobs=2))
    choice = body["choices"][0]
    entries = choice["logprobs"]["content"]
    assert choice["logprobs"]["refusal"] is None
    assert "".join(e["token"] for e in entries) == choice["message"]["content"]
    for e in entries:
        assert e["logprob"] < 0 and e["bytes"] == list(e["token"].encode())
        assert len(e["top_logprobs"]) == 2 and e["top_logprobs"][0]["token"] == e["token"]
    assert (
        as_json(ask("Hello", logprobs=True))["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
        == []
    )


def test_image_input_is_described_and_counted() -> None:
    content = [
        {"type": "text", "text": "Give a concise description of this image."},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
    ]
    body = as_json(ask([user(content)]))
    assert "image" in body["choices"][0]["message"]["content"]
    text_only = as_json(ask("Give a concise description of this image."))
    assert body["usage"]["prompt_tokens"] > text_only["usage"]["prompt_tokens"]


def test_audio_input_counts_audio_tokens() -> None:
    content = [
        {"type": "text", "text": "Describe this audio:"},
        {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
    ]
    body = as_json(ask([user(content)]))
    assert "audio" in body["choices"][0]["message"]["content"]
    details = body["usage"]["prompt_tokens_details"]
    assert 0 < details["audio_tokens"] <= body["usage"]["prompt_tokens"]


def test_long_prompt_reports_cached_tokens() -> None:
    long_prompt = " ".join(f"Fact {i}: the quick brown fox jumps over the dog." for i in range(200))
    usage = as_json(ask(long_prompt + " Summarise."))["usage"]
    assert usage["prompt_tokens"] > 1024
    cached = usage["prompt_tokens_details"]["cached_tokens"]
    assert 1024 <= cached <= usage["prompt_tokens"] and (cached - 1024) % 128 == 0


# --------------------------------------------------------------------------- reasoning


@pytest.mark.parametrize(
    "model",
    ["openai/o3-mini", "o1", "o4-mini", "gpt-5", "deepseek-r1", "deepseek/deepseek-reasoner"],
)
def test_reasoning_models_think(model: str) -> None:
    body = as_json(ask("Hello", model=model))
    msg = body["choices"][0]["message"]
    assert msg["reasoning_content"] and msg["content"] == "Hello! How can I help you today?"
    usage = body["usage"]
    reasoning = usage["completion_tokens_details"]["reasoning_tokens"]
    assert reasoning > 0
    assert usage["completion_tokens"] == reasoning + count_tokens(msg["content"])
    assert body["model"] == model.rsplit("/", 1)[-1]


def test_reasoning_effort_counts_reasoning_tokens_on_any_model() -> None:
    low = as_json(ask("Hello", reasoning_effort="low"))
    high = as_json(ask("Hello", reasoning_effort="high"))
    assert "reasoning_content" not in low["choices"][0]["message"]
    low_tokens = low["usage"]["completion_tokens_details"]["reasoning_tokens"]
    assert 0 < low_tokens < high["usage"]["completion_tokens_details"]["reasoning_tokens"]


def test_reasoning_is_streamed_before_the_content() -> None:
    evs, _ = streamed("Hello", model="o3-mini")
    deltas = [c["delta"] for c in choice_events(evs)]
    kinds = [k for d in deltas for k in ("reasoning_content", "content") if d.get(k)]
    assert kinds.index("content") > kinds.index("reasoning_content")
    assert "reasoning_content" not in kinds[kinds.index("content") :]
    assert (
        streamed_text(evs, "reasoning_content")
        == message(ask("Hello", model="o3-mini"))["reasoning_content"]
    )


# --------------------------------------------------------------------------- tool calls


def test_magic_function_3() -> None:
    reply = ask(
        "What is the value of magic_function(3)? Use the tool.",
        tools=[MAGIC],
        tool_choice="required",
    )
    body = as_json(reply)
    assert body["choices"][0]["finish_reason"] == "tool_calls"
    msg = body["choices"][0]["message"]
    assert msg["content"] is None
    [call] = msg["tool_calls"]
    assert call["type"] == "function" and re.fullmatch(r"call_[A-Za-z0-9]{24}", call["id"])
    assert call["function"] == {"name": "magic_function", "arguments": '{"input":3}'}


def test_named_tool_is_called_without_tool_choice() -> None:
    assert calls(ask("What is the value of magic_function(3)? Use the tool.", tools=[MAGIC])) == [
        ("magic_function", {"input": 3})
    ]


def test_operation_words_pick_the_tool_and_numbers_fill_it() -> None:
    assert calls(ask("What is 3 times 12?", tools=[ADD, MULTIPLY])) == [
        ("multiply", {"a": 3, "b": 12})
    ]
    adder = tool("my_adder_tool", {"a": INT, "b": INT})
    assert calls(ask("What is 3 + 4", tools=[adder], tool_choice="required")) == [
        ("my_adder_tool", {"a": 3, "b": 4})
    ]


def test_tool_without_parameters_gets_empty_arguments() -> None:
    no_args = {
        "type": "function",
        "function": {
            "name": "magic_function_no_args",
            "parameters": {"type": "object", "properties": {}},
        },
    }
    reply = ask(
        "What is the value of magic_function_no_args()? Use the tool.",
        tools=[no_args],
        tool_choice="required",
    )
    assert calls(reply) == [("magic_function_no_args", {})]
    bare = {"type": "function", "function": {"name": "ping"}}
    assert calls(ask("Hi", tools=[bare], tool_choice="required")) == [("ping", {})]


def test_tool_choice_forces_or_forbids() -> None:
    forced = {"type": "function", "function": {"name": "get_weather"}}
    assert [n for n, _ in calls(ask("Hello!", tools=[MAGIC, WEATHER], tool_choice=forced))] == [
        "get_weather"
    ]
    [(name, args)] = calls(ask("Hello!", tools=[MAGIC, WEATHER], tool_choice="required"))
    assert name == "magic_function" and -1000 < args["input"] < 1000
    none = ask("What is the value of magic_function(3)?", tools=[MAGIC], tool_choice="none")
    assert calls(none) == [] and message(none)["content"]


def test_unrelated_message_with_tools_gets_text() -> None:
    reply = ask("Hello", tools=[MAGIC, WEATHER])
    assert calls(reply) == [] and message(reply)["content"] == "Hello! How can I help you today?"


def test_arguments_from_places_styles_quotes_and_names() -> None:
    assert calls(ask("What is the weather in San Francisco, CA?", tools=[WEATHER])) == [
        ("get_weather", {"location": "San Francisco, CA"})
    ]
    greeting = tool("greeting_generator", {"answer_style": STR})
    assert calls(
        ask("Using the tool, generate a Pirate greeting.", tools=[greeting], tool_choice="required")
    ) == [("greeting_generator", {"answer_style": "Pirate"})]
    customer = tool("unicode_customer", {"customer_name": STR, "description": STR})
    reply = ask(
        "Create a customer named '你好啊集团' (Hello Group) - a Chinese technology company",
        tools=[customer],
        tool_choice="required",
    )
    [(_, args)] = calls(reply)
    assert args["customer_name"] == "你好啊集团" and args["description"]
    assert (
        "你好啊集团" in message(reply)["tool_calls"][0]["function"]["arguments"]
    )  # not \\u-escaped
    person = tool("_Person", {"name": STR, "age": INT})
    forced = {"type": "function", "function": {"name": "_Person"}}
    assert calls(ask("Extract: Erick is 27 years old.", tools=[person], tool_choice=forced)) == [
        ("_Person", {"name": "Erick", "age": 27})
    ]


def test_schema_kinds_in_tool_arguments() -> None:
    params = {
        "type": "object",
        "properties": {
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "detailed": {"type": "boolean"},
            "values": {"type": "array", "items": {"type": "number"}},
            "options": {"type": "object", "properties": {"limit": INT}, "required": ["limit"]},
            "note": {"anyOf": [STR, {"type": "null"}], "default": None},
            "page": {"type": "integer", "default": 2},
        },
        "required": ["unit", "detailed", "values", "options"],
    }
    stats = {"type": "function", "function": {"name": "stats", "parameters": params}}
    [(_, args)] = calls(ask("Use stats on 4, 8 and 15.", tools=[stats]))
    assert args["unit"] == "celsius" and args["detailed"] is True
    assert args["values"] == [4, 8, 15]
    assert isinstance(args["options"]["limit"], int)
    assert isinstance(args["note"], str) and args["page"] == 2


def test_parallel_calls_for_several_places_and_several_tools() -> None:
    reply = ask("What's the weather in Paris and London?", tools=[WEATHER])
    assert calls(reply) == [
        ("get_weather", {"location": "Paris"}),
        ("get_weather", {"location": "London"}),
    ]
    ids = [c["id"] for c in message(reply)["tool_calls"]]
    assert len(set(ids)) == 2
    assert calls(ask("What is 2 + 3 and 4 * 5?", tools=[ADD, MULTIPLY])) == [
        ("add", {"a": 2, "b": 3}),
        ("multiply", {"a": 4, "b": 5}),
    ]


def run_tool_loop(question: str, tools: list[dict], impl: dict, **body: Any) -> list[Any]:
    """Play the client: execute each round's calls and send results until a text answer."""
    messages: list[dict[str, Any]] = [user(question)]
    rounds: list[Any] = []
    for _ in range(6):
        reply = ask(messages, tools=tools, **body)
        msg = message(reply)
        if not msg.get("tool_calls"):
            rounds.append(msg["content"])
            return rounds
        rounds.append(calls(reply))
        messages.append({"role": "assistant", "content": None, "tool_calls": msg["tool_calls"]})
        for call in msg["tool_calls"]:
            args = json.loads(call["function"]["arguments"])
            result = impl[call["function"]["name"]](**args)
            messages.append({"role": "tool", "tool_call_id": call["id"], "content": str(result)})
    raise AssertionError(f"no final answer after 6 rounds: {rounds}")


MATH = {"add": lambda a, b: a + b, "multiply": lambda a, b: a * b}


def test_two_round_tool_loop_feeds_the_first_result_into_the_second_call() -> None:
    rounds = run_tool_loop("Add 2 and 3, then multiply the result by 4.", [ADD, MULTIPLY], MATH)
    assert rounds == [
        [("add", {"a": 2, "b": 3})],
        [("multiply", {"a": 5, "b": 4})],
        "The result is 20.",
    ]
    assert run_tool_loop("What is (121 + 2) * 5?", [ADD, MULTIPLY], MATH) == [
        [("add", {"a": 121, "b": 2})],
        [("multiply", {"a": 123, "b": 5})],
        "The result is 615.",
    ]


def test_tool_round_then_answer_using_the_result() -> None:
    weather = {"get_weather": lambda location: f"It's sunny in {location}."}
    assert run_tool_loop("What is the weather in San Francisco, CA?", [WEATHER], weather) == [
        [("get_weather", {"location": "San Francisco, CA"})],
        "The result is It's sunny in San Francisco, CA.",
    ]
    both = run_tool_loop("What's the weather in Paris and London?", [WEATHER], weather)
    assert both[-1] == "The results are It's sunny in Paris and It's sunny in London."


def test_parallel_tool_calls_false_makes_one_call_per_round() -> None:
    weather = {"get_weather": lambda location: f"Rain in {location}"}
    rounds = run_tool_loop(
        "What's the weather in Paris and London?", [WEATHER], weather, parallel_tool_calls=False
    )
    assert rounds[:2] == [
        [("get_weather", {"location": "Paris"})],
        [("get_weather", {"location": "London"})],
    ]


def test_tool_results_in_history_get_a_text_answer() -> None:
    adder = tool("my_adder_tool", {"a": INT, "b": INT})
    history = [
        user("What is 1 + 2"),
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": "abc123",
                    "type": "function",
                    "function": {"name": "my_adder_tool", "arguments": '{"a":1,"b":2}'},
                }
            ],
        },
    ]
    ok = ask(
        [*history, {"role": "tool", "tool_call_id": "abc123", "content": '{"result": 3}'}],
        tools=[adder],
    )
    assert message(ok)["content"] == "The result is 3."
    assert as_json(ok)["choices"][0]["finish_reason"] == "stop"
    error = "Error: Missing required argument 'b'."
    failed = ask(
        [*history, {"role": "tool", "tool_call_id": "abc123", "content": error}], tools=[adder]
    )
    assert error in message(failed)["content"]


def test_new_question_after_a_finished_loop_starts_a_new_round() -> None:
    adder = tool("my_adder_tool", {"a": INT, "b": INT})
    few_shot = [
        user("What is 1 + 2"),
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": "x1",
                    "type": "function",
                    "function": {"name": "my_adder_tool", "arguments": '{"a":1,"b":2}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "x1", "content": '{"result": 3}'},
        {"role": "assistant", "content": '{"result": 3}'},
        user("What is 3 + 4"),
    ]
    reply = ask(few_shot, tools=[adder], tool_choice="required")
    assert calls(reply) == [("my_adder_tool", {"a": 3, "b": 4})]


# --------------------------------------------------------------------------- ReAct (LlamaIndex)


def test_react_prompt_gets_react_steps_through_two_rounds() -> None:
    pytest.importorskip("llama_index.core")
    from llama_index.core.agent.react.formatter import ReActChatFormatter
    from llama_index.core.agent.react.output_parser import ReActOutputParser
    from llama_index.core.tools import FunctionTool

    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    def multiply(a: int, b: int) -> int:
        """Multiply two integers."""
        return a * b

    tools = [FunctionTool.from_defaults(add), FunctionTool.from_defaults(multiply)]
    system = ReActChatFormatter.from_defaults().format(tools, [])[0].content
    parser = ReActOutputParser()
    messages = [{"role": "system", "content": system}, user("What is (2 + 3) * 4?")]
    steps = []
    for _ in range(4):
        text = message(ask(messages))["content"]
        step = parser.parse(text)
        steps.append(step)
        if step.is_done:
            break
        result = {"add": add, "multiply": multiply}[step.action](**step.action_input)
        messages += [
            {"role": "assistant", "content": step.get_content()},
            user(f"Observation: {result}"),
        ]
    assert [(s.action, s.action_input) for s in steps[:2]] == [
        ("add", {"a": 2, "b": 3}),
        ("multiply", {"a": 5, "b": 4}),
    ]
    assert steps[2].is_done and steps[2].response == "The result is 20."


# --------------------------------------------------------------------------- structured output


def test_json_schema_joke_validates() -> None:
    reply = ask("Tell me a joke about cats.", response_format=json_schema_format(Joke))
    joke = Joke.model_validate_json(message(reply)["content"])
    assert joke.setup.endswith("?") and "mouse" in joke.punchline
    assert as_json(reply)["choices"][0]["finish_reason"] == "stop"


class Genre(str, Enum):
    ROCK = "rock"
    JAZZ = "jazz"


class Song(BaseModel):
    title: str
    length_seconds: int


class Album(BaseModel):
    name: str
    artist: str
    genre: Genre
    explicit: bool
    songs: list[Song]
    label: str | None = None
    rating: float | None = Field(default=None, ge=0, le=5)


def test_json_schema_with_defs_refs_enums_and_optionals_validates() -> None:
    prompt = "Generate an example album inspired by the movie The Shining."
    reply = ask(prompt, response_format=json_schema_format(Album))
    album = Album.model_validate_json(message(reply)["content"])
    assert album.genre is Genre.ROCK and len(album.songs) >= 1
    assert album.name == "The Shining" and album.label is not None


def test_optional_field_the_prompt_declines_is_null() -> None:
    class MaybeJoke(BaseModel):
        setup: str
        punchline: str | None = None

    fmt = json_schema_format(MaybeJoke)
    declined = ask("Give me the setup to a joke about cats, no punchline.", response_format=fmt)
    assert MaybeJoke.model_validate_json(message(declined)["content"]).punchline is None
    full = ask("Give me a joke about cats, include the punchline.", response_format=fmt)
    assert MaybeJoke.model_validate_json(message(full)["content"]).punchline


def test_json_object_uses_the_keys_the_prompt_names() -> None:
    prompt = (
        "Tell me a joke about cats. Return the result as a JSON with 'setup' and 'punchline' "
        "keys. Return nothing other than JSON."
    )
    content = json.loads(message(ask(prompt, response_format={"type": "json_object"}))["content"])
    assert set(content) == {"setup", "punchline"}
    Joke.model_validate(content)
    schema_prompt = f"Here's a JSON schema to follow:\n{json.dumps(Joke.model_json_schema())}"
    fallback = message(ask(schema_prompt, response_format={"type": "json_object"}))["content"]
    Joke.model_validate_json(fallback)


def test_schema_quoted_in_a_text_prompt_gets_a_json_instance() -> None:
    prompt = (
        "Tell me a joke about dogs.\nHere's a JSON schema to follow:\n"
        f"{json.dumps(Joke.model_json_schema())}\nOutput a valid JSON object."
    )
    Joke.model_validate_json(message(ask(prompt))["content"])


# --------------------------------------------------------------------------- streaming


@pytest.mark.parametrize("include_usage", [True, False])
def test_stream_format_and_usage_chunk_iff_include_usage(include_usage: bool) -> None:
    evs, reply = streamed("Hello", stream_options={"include_usage": include_usage})
    assert len(reply.body) == len(evs) + 1  # one SSE event per chunk, then [DONE]
    for e in evs:
        assert e["object"] == "chat.completion.chunk" and e["created"] == CREATED
        assert e["model"] == "gpt-4o-mini" and e["id"] == evs[0]["id"]
        assert ("usage" in e) is include_usage
    first = evs[0]["choices"][0]
    assert first["delta"] == {"role": "assistant", "content": "", "refusal": None}
    pieces = [c["delta"]["content"] for c in choice_events(evs)[1:-1]]
    assert len(pieces) >= 3 and all(2 <= len(p) <= 6 for p in pieces[:-1])
    finals = [c for c in choice_events(evs) if c["finish_reason"]]
    assert finals == [choice_events(evs)[-1]] and finals[0]["finish_reason"] == "stop"
    assert finals[0]["delta"] == {}

    usage_chunks = [e for e in evs if e.get("usage")]
    plain = as_json(ask("Hello"))
    if include_usage:
        assert usage_chunks == [evs[-1]] and evs[-1]["choices"] == []
        assert evs[-1]["usage"] == plain["usage"]
        assert all(e["usage"] is None for e in evs[:-1])
    else:
        assert usage_chunks == []
    assert evs[-1]["meta"] == plain["meta"]  # AI/ML API's cost rides the last chunk
    assert all("meta" not in e for e in evs[:-1])
    assert "x-inference-id" in reply.headers and "x-aimlapi-credits-used" not in reply.headers


@pytest.mark.parametrize(
    ("prompt", "extra"),
    [
        ("Hello", {}),
        ("Write a story about a cat.", {}),
        ("Write me 2 haikus. Only include the haikus.", {"max_tokens": 12}),
        ("hi", {"stop": ["you"]}),
        ("Tell me a joke about cats.", {"response_format": json_schema_format(Joke)}),
        ("Hello", {"model": "deepseek-r1"}),
    ],
)
def test_streamed_text_equals_non_streamed_text(prompt: str, extra: dict[str, Any]) -> None:
    evs, _ = streamed(prompt, **extra)
    plain = as_json(ask(prompt, **extra))["choices"][0]
    assert streamed_text(evs) == plain["message"]["content"]
    assert choice_events(evs)[-1]["finish_reason"] == plain["finish_reason"]


def test_streamed_logprobs_come_one_token_per_chunk() -> None:
    evs, _ = streamed("Hello", logprobs=True, top_logprobs=1)
    content_chunks = [c for c in choice_events(evs) if c["delta"].get("content")]
    assert len(content_chunks) == len(split_tokens("Hello! How can I help you today?"))
    for c in content_chunks:
        [entry] = c["logprobs"]["content"]
        assert entry["token"] == c["delta"]["content"]


def test_streamed_n_choices() -> None:
    evs, _ = streamed("Hello", n=2)
    assert (
        streamed_text(evs, index=0)
        == streamed_text(evs, index=1)
        == ("Hello! How can I help you today?")
    )


def test_streamed_tool_call_fragments() -> None:
    question = "What is the value of magic_function(3)? Use the tool."
    evs, _ = streamed(question, tools=[MAGIC], tool_choice="required")
    first = evs[0]["choices"][0]["delta"]
    assert first["role"] == "assistant" and first["content"] is None
    assert first["tool_calls"][0]["function"] == {"name": "magic_function", "arguments": ""}
    fragments = [d for c in choice_events(evs) for d in c["delta"].get("tool_calls") or []]
    assert len(fragments) >= 3
    assert all("id" not in d and "name" not in d["function"] for d in fragments[1:])
    [call] = streamed_calls(evs)
    plain = message(ask(question, tools=[MAGIC], tool_choice="required"))["tool_calls"][0]
    assert call["name"] == "magic_function"
    assert call["arguments"] == plain["function"]["arguments"] == '{"input":3}'
    assert choice_events(evs)[-1]["finish_reason"] == "tool_calls"


def test_streamed_parallel_calls_interleave_unless_asked_not_to() -> None:
    question = "What's the weather in Paris and London?"
    evs, _ = streamed(question, tools=[WEATHER])
    order = [d["index"] for c in choice_events(evs) for d in c["delta"].get("tool_calls") or []]
    assert order[:4] == [0, 1, 0, 1]
    got = streamed_calls(evs)
    assert [(c["name"], json.loads(c["arguments"])) for c in got] == calls(
        ask(question, tools=[WEATHER])
    )

    sequential = functools.partial(fake_chat_completion, interleave_tool_calls=False)
    body = {"model": MODEL, "messages": [user(question)], "tools": [WEATHER], "stream": True}
    seq_evs = events(sequential(ReceivedRequest("POST", PATH, {}, body)))
    order = [d["index"] for c in choice_events(seq_evs) for d in c["delta"].get("tool_calls") or []]
    assert order == sorted(order) and order[0] == 0 and order[-1] == 1
    assert streamed_calls(seq_evs) == got


# --------------------------------------------------------------------------- determinism


def test_same_request_same_bytes() -> None:
    for body in (
        {"tools": [WEATHER], "stream": True},
        {"stream": True, "stream_options": {"include_usage": True}},
        {"logprobs": True, "n": 2},
        {},
    ):
        a, b = (
            ask("What's the weather in Paris and London?", **body),
            ask("What's the weather in Paris and London?", **body),
        )
        assert a.body == b.body and a.headers == b.headers
    one, other = as_json(ask("Hello")), as_json(ask("Hey"))
    assert one["id"] != other["id"]


# --------------------------------------------------------------------------- routing and errors


def test_fake_responder_routes_chat_and_404s_the_rest() -> None:
    chat = fake_responder(
        ReceivedRequest("POST", PATH, {}, {"model": MODEL, "messages": [user("Hello")]})
    )
    assert as_json(chat)["object"] == "chat.completion"
    for method, path in [("POST", "/v1/audio/speech"), ("GET", "/v1/nope"), ("GET", PATH)]:
        reply = fake_responder(ReceivedRequest(method, path, {}, None))
        assert reply.status == 404 and reply.origin == ORIGIN
        error = json.loads(reply.body)
        assert set(error) == {"message", "path", "requestId", "statusCode", "timestamp"}
        assert error["statusCode"] == 404 and error["path"] == path
        assert error["message"] == f"Cannot {method} {path}"
        assert "x-inference-id" in reply.headers


@pytest.mark.parametrize(
    "body",
    [
        None,
        "not json",
        {"model": MODEL},
        {"model": MODEL, "messages": []},
        {"messages": [{"role": "user", "content": "hi"}]},
    ],
)
def test_bad_requests_get_a_400_in_aimlapi_shape(body: Any) -> None:
    reply = fake_chat_completion(ReceivedRequest("POST", PATH, {}, body))
    assert reply.status == 400
    assert json.loads(reply.body)["statusCode"] == 400


def test_through_the_replay_server() -> None:
    with ReplayServer(responder=fake_responder) as server:
        request = {
            "model": MODEL,
            "messages": [user("Hello")],
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        with httpx.stream("POST", f"{server.base_url}/chat/completions", json=request) as r:
            assert r.headers["content-type"] == "text/event-stream"
            assert r.headers["x-cassette-origin"] == ORIGIN
            lines = [line for line in r.iter_lines() if line]
        assert lines[-1] == "data: [DONE]"
        payloads = [json.loads(line.removeprefix("data: ")) for line in lines[:-1]]
        text = "".join(c["delta"].get("content") or "" for p in payloads for c in p["choices"])
        assert text == "Hello! How can I help you today?"
        missing = httpx.get(f"{server.base_url}/nope")
        assert missing.status_code == 404 and missing.json()["statusCode"] == 404


def test_the_models_listing_is_the_documented_format_built_from_the_data() -> None:
    """``GET /v1/models`` answers as AI/ML API's catalogue (its OpenAPI schema), one item per
    text id of the packaged table with its documented limits, and only when asked."""
    spec_file = (
        Path(__file__).resolve().parents[1] / "data/aimlapi-docs/openapi-models-endpoint.json"
    )
    spec = json.loads(spec_file.read_text(encoding="utf-8"))
    schema = spec["paths"]["/v1/models"]["get"]["responses"]["200"]["content"]["application/json"]
    reply = fake_responder(ReceivedRequest("GET", "/v1/models", {}, None))
    assert reply.status == 200 and reply.origin == ORIGIN
    listing = json.loads(reply.body)
    jsonschema.validate(listing, schema["schema"])
    items = {item["id"]: item for item in listing["data"]}
    assert set(items) == set(known_model_ids())
    for model_id, item in items.items():
        caps = capabilities_for(model_id)
        assert item["info"].get("contextLength") == caps.context_window
        assert item["info"].get("outputMax") == caps.max_output_tokens
        assert _listing_endpoint(item["type"]) in caps.endpoints
    assert fake_responder(ReceivedRequest("POST", "/v1/models", {}, None)).status == 404
