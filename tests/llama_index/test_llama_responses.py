"""``AIMLAPIResponses``: LlamaIndex on ``POST /v1/responses``, sync and async, streamed and not.

Text, tool rounds (a ``FunctionAgent``), structured output, reasoning summaries, usage with
cached and reasoning tokens, ``incomplete`` responses and conversations continued by response
id replay cassettes (``cassettes/test_llama_responses/``, recorded from the fake model's
Responses face or live). A ``failed`` response cannot be asked of the live API, so that test
scripts the recorded shape on the loopback replay server.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from llama_index.core.agent.workflow import AgentStream, FunctionAgent, ToolCallResult
from llama_index.core.base.llms.types import ChatMessage, ThinkingBlock
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from aimlapi_core import ResponseFailedError
from aimlapi_core.models import get_capabilities, known_model_ids
from llama_index_aimlapi import AIMLAPI, AIMLAPIResponses
from tests.support.fake_model import fake_responder
from tests.support.fake_responses import failed_reply
from tests.support.replay_server import ReplayServer


@pytest.fixture
def make(api_settings: dict[str, str], replay_server: ReplayServer) -> Any:
    replay_server.responder = fake_responder

    def build(model: str = "gpt-4o-mini", **fields: Any) -> AIMLAPIResponses:
        return AIMLAPIResponses(
            model=model,
            api_key=api_settings["api_key"],
            api_base=api_settings["base_url"],
            **fields,
        )

    return build


def _sent(vcr: Any, index: int = -1) -> dict[str, Any]:
    request = vcr.requests[index]
    assert request.path == "/v1/responses"
    body: dict[str, Any] = json.loads(request.body)
    return body


def user(text: str) -> list[ChatMessage]:
    return [ChatMessage(role="user", content=text)]


# --------------------------------------------------------------------------- text


@pytest.mark.vcr
def test_chat_and_stream_chat_agree(vcr: Any, make: Any) -> None:
    llm = make(instructions="Answer in one sentence.")
    direct = llm.chat(user("What is the capital of France?"))
    streamed = list(llm.stream_chat(user("What is the capital of France?")))
    assert "Paris" in (direct.message.content or "")
    assert streamed[-1].message.content == direct.message.content
    assert "".join(r.delta or "" for r in streamed) == direct.message.content
    assert direct.raw is not None and direct.raw["id"].startswith("resp_")
    assert direct.raw["status"] == "completed"
    assert streamed[-1].raw is not None and streamed[-1].raw["id"].startswith("resp_")
    for response in (direct, streamed[-1]):
        assert response.additional_kwargs["total_tokens"] > 0
        assert response.additional_kwargs["cost"]["credits_used"] > 0
        assert response.additional_kwargs["finish_reason"] == "stop"
    body = _sent(vcr, 0)
    assert body["instructions"] == "Answer in one sentence."
    assert body["input"] == [
        {"type": "message", "role": "user", "content": "What is the capital of France?"}
    ]


@pytest.mark.vcr
async def test_achat_astream_and_acomplete(make: Any) -> None:
    llm = make()
    direct = await llm.achat(user("Tell me a joke about owls"))
    chunks = [r async for r in await llm.astream_chat(user("Tell me a joke about owls"))]
    assert chunks[-1].message.content == direct.message.content
    completion = await llm.acomplete("Tell me a joke about owls")
    assert completion.text == direct.message.content


@pytest.mark.vcr
def test_track_previous_responses_sends_only_new_turns(vcr: Any, make: Any) -> None:
    llm = make(track_previous_responses=True)
    history = user("What is the capital of France?")
    first = llm.chat(history)
    assert llm.previous_response_id == first.raw["id"]
    history += [first.message, ChatMessage(role="user", content="What is the capital of Italy?")]
    second = llm.chat(history)
    body = _sent(vcr)
    assert body["previous_response_id"] == first.raw["id"]
    assert body["store"] is True
    assert body["input"] == [
        {"type": "message", "role": "user", "content": "What is the capital of Italy?"}
    ]
    assert "Rome" in (second.message.content or "")
    assert llm.previous_response_id == second.raw["id"]


# --------------------------------------------------------------------------- tools, structure


def add(a: int, b: int) -> int:
    """Add two integers and return the sum."""
    return a + b


def multiply(a: int, b: int) -> int:
    """Multiply two integers and return the product."""
    return a * b


@pytest.mark.vcr
@pytest.mark.parametrize("streaming", [False, True], ids=["chat", "stream"])
async def test_function_agent_two_tool_rounds(vcr: Any, make: Any, streaming: bool) -> None:
    tools = [FunctionTool.from_defaults(add), FunctionTool.from_defaults(multiply)]
    agent = FunctionAgent(tools=tools, llm=make(), streaming=streaming)
    handler = agent.run(user_msg="What is (2 + 3) * 4? Use the tools.")
    results: list[ToolCallResult] = []
    deltas: list[str] = []
    async for event in handler.stream_events():
        if isinstance(event, ToolCallResult):
            results.append(event)
        elif isinstance(event, AgentStream):
            deltas.append(event.delta)
    answer = await handler
    assert [(r.tool_name, r.tool_kwargs, r.tool_output.raw_output) for r in results] == [
        ("add", {"a": 2, "b": 3}, 5),
        ("multiply", {"a": 5, "b": 4}, 20),
    ]
    assert "20" in str(answer.response.content)
    if streaming:
        assert "20" in "".join(deltas)
    items = _sent(vcr)["input"]
    kinds = [i["type"] for i in items]
    assert kinds.count("function_call") == 2 and kinds.count("function_call_output") == 2
    outputs = [i for i in items if i["type"] == "function_call_output"]
    calls = [i for i in items if i["type"] == "function_call"]
    assert [o["call_id"] for o in outputs] == [c["call_id"] for c in calls]
    assert [o["output"] for o in outputs] == ["5", "20"]


class City(BaseModel):
    """A city and its country."""

    name: str
    country: str


@pytest.mark.vcr
async def test_structured_predict_sync_and_async_use_text_format(vcr: Any, make: Any) -> None:
    llm = make()
    prompt = PromptTemplate("Name the capital of {country} as a city and its country.")
    city = llm.structured_predict(City, prompt, country="France")
    again = await llm.astructured_predict(City, prompt, country="France")
    assert isinstance(city, City) and city == again and city.name
    fmt = _sent(vcr)["text"]["format"]
    assert (fmt["type"], fmt["name"], fmt["strict"]) == ("json_schema", "City", True)


@pytest.mark.vcr
def test_structured_llm_by_tool_call(vcr: Any, make: Any) -> None:
    llm = make(is_function_calling_model=True)
    program_llm = llm.as_structured_llm(City)
    response = program_llm.complete("Name the capital of France as a city and its country.")
    assert isinstance(response.raw, City)


# --------------------------------------------------------------------------- reasoning, usage


@pytest.mark.vcr
@pytest.mark.parametrize("stream", [False, True], ids=["chat", "stream"])
def test_reasoning_summary_becomes_a_thinking_block(vcr: Any, make: Any, stream: bool) -> None:
    llm = make("openai/o3-2025-04-16", reasoning_options={"effort": "low", "summary": "auto"})
    messages = user("What is 17 times 3? Think it through.")
    response = list(llm.stream_chat(messages))[-1] if stream else llm.chat(messages)
    thinking = [b for b in response.message.blocks if isinstance(b, ThinkingBlock)]
    assert len(thinking) == 1 and thinking[0].content
    assert thinking[0].num_tokens == response.additional_kwargs["reasoning_tokens"] > 0
    assert response.additional_kwargs["reasoning_content"] == thinking[0].content
    body = _sent(vcr)
    assert body["reasoning"] == {"effort": "low", "summary": "auto"}
    assert "temperature" not in body


@pytest.mark.vcr
def test_cached_input_tokens_are_reported(make: Any) -> None:
    llm = make()
    messages = [
        ChatMessage(role="system", content="You are a careful assistant. " * 400),
        ChatMessage(role="user", content="Say hello."),
    ]
    response = llm.chat(messages)
    assert response.additional_kwargs["cached_tokens"] > 0
    assert response.additional_kwargs["prompt_tokens"] > response.additional_kwargs["cached_tokens"]


# --------------------------------------------------------------------------- incomplete, failed


@pytest.mark.vcr
@pytest.mark.parametrize("stream", [False, True], ids=["chat", "stream"])
async def test_incomplete_keeps_the_partial_text(vcr: Any, make: Any, stream: bool) -> None:
    llm = make(max_output_tokens=16)
    messages = user("Write a short story about a lighthouse keeper.")
    if stream:
        response = [r async for r in await llm.astream_chat(messages)][-1]
    else:
        response = await llm.achat(messages)
    assert response.message.content  # partial, but kept
    assert response.additional_kwargs["finish_reason"] == "length"
    assert response.raw is not None and response.raw["status"] == "incomplete"
    assert response.raw["incomplete_details"] == {"reason": "max_output_tokens"}
    assert _sent(vcr)["max_output_tokens"] == 16


@pytest.mark.parametrize("stream", [False, True], ids=["chat", "stream"])
async def test_failed_raises(stream: bool) -> None:
    reply = failed_reply(stream=stream)
    with ReplayServer() as server:
        server.enqueue(reply)
        server.enqueue(reply)
        llm = AIMLAPIResponses(api_key="k", api_base=server.base_url)
        seen: list[Any] = []
        with pytest.raises(ResponseFailedError, match="failed to generate"):
            if stream:
                seen.extend(llm.stream_chat(user("Tell a story")))
            else:
                llm.chat(user("Tell a story"))
        with pytest.raises(ResponseFailedError) as err:
            if stream:
                seen.extend([r async for r in await llm.astream_chat(user("Tell a story"))])
            else:
                await llm.achat(user("Tell a story"))
    assert err.value.code == "server_error"
    assert not any(r.additional_kwargs.get("finish_reason") for r in seen)


# --------------------------------------------------------------------------- model choice


# Models AI/ML API serves only on /v1/responses, from the capability data at test time.
RESPONSES_ONLY = sorted(
    model
    for model in known_model_ids()
    if (caps := get_capabilities(model)) is not None and caps.serves_responses_only
)


def test_capability_data_lists_responses_only_models() -> None:
    assert "openai/gpt-5-pro" in RESPONSES_ONLY
    assert any("codex" in model for model in RESPONSES_ONLY)


def _add(a: int, b: int) -> int:
    """Add two integers and return the sum."""
    return a + b


async def _session(llm: AIMLAPI) -> list[Any]:
    """Chat, stream, tools and async, as a user would; what each call gave back."""
    question = user("What is 2 + 2?")
    tools = [FunctionTool.from_defaults(_add)]
    chat = llm.chat(question)
    *_, streamed = llm.stream_chat(question)
    achat = await llm.achat(question)
    astreamed = [r async for r in await llm.astream_chat(question)][-1]
    called = llm.chat_with_tools(tools, user_msg="What is 2 plus 3?")
    *_, stream_called = llm.stream_chat_with_tools(tools, user_msg="What is 2 plus 3?")
    calls = [
        [(c.tool_name, c.tool_kwargs) for c in llm.get_tool_calls_from_response(r)]
        for r in (called, stream_called)
    ]
    texts = [r.message.content for r in (chat, streamed, achat, astreamed)]
    return [texts, calls, chat.additional_kwargs.get("total_tokens")]


@pytest.mark.parametrize("model", RESPONSES_ONLY)
async def test_aimlapi_goes_to_responses_by_itself(
    model: str, caplog: pytest.LogCaptureFixture
) -> None:
    """``AIMLAPI`` on a model served only on ``/v1/responses`` sends what
    ``AIMLAPIResponses`` sends, there, with no warning, and gives the same answers."""
    with ReplayServer(fake_responder) as server, caplog.at_level(logging.WARNING):
        ours = AIMLAPI(model=model, api_key="k", api_base=server.base_url)
        reference = AIMLAPIResponses(model=model, api_key="k", api_base=server.base_url)
        assert ours._uses_responses_api()
        mine = await _session(ours)
        count = len(server.requests)
        theirs = await _session(reference)
        sent = server.requests
        await ours.aclose()
        await reference.aclose()
    assert {r.path for r in sent} == {"/v1/responses"}
    assert [r.body for r in sent[:count]] == [r.body for r in sent[count:]]
    assert mine == theirs
    texts, calls, tokens = mine
    assert all(text == "2 + 2 = 4." for text in texts), texts
    assert calls == [[("_add", {"a": 2, "b": 3})]] * 2 and tokens
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_chat_models_stay_on_chat_completions() -> None:
    with ReplayServer(fake_responder) as server:
        llm = AIMLAPI(model="gpt-4o-mini", api_key="k", api_base=server.base_url)
        llm.chat(user("Hello"))
        llm.close()
    assert [r.path for r in server.requests] == ["/v1/chat/completions"]


def test_built_in_tools_come_first_and_key_stays_hidden() -> None:
    llm = AIMLAPIResponses(
        model="openai/gpt-4o",
        api_key="sk-hidden-responses",
        built_in_tools=[{"type": "web_search_preview"}],
        include=["reasoning.encrypted_content"],
    )
    tool = FunctionTool.from_defaults(add)
    kwargs = llm._prepare_chat_with_tools([tool], user_msg="What is 2 plus 3?")
    body = llm._chat_body(kwargs.pop("messages"), stream=False, **kwargs)
    assert [t["type"] for t in body["tools"]] == ["web_search_preview", "function"]
    assert body["tools"][1]["name"] == "add"
    assert body["include"] == ["reasoning.encrypted_content"]
    assert "sk-hidden-responses" not in repr(llm) + str(llm.to_dict())
