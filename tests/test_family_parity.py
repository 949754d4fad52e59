"""Family rules and model data seen from the user's side, next to the anchors.

The same user program runs against ``ChatOpenAI`` / llama-index ``OpenAI`` and ours on the same
local fake-model server; we compare what went over the wire. Also: LlamaIndex metadata from
AI/ML API's own model table, the LangChain profile from the data, and our own error for a model
without tools.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.tools import FunctionTool

from aimlapi_core.models import (
    capabilities_for,
    register_models_listing,
    reset_registered_capabilities,
)
from aimlapi_core.shaping import (
    AIMLAPIParameterWarning,
    UnsupportedRequestError,
    reset_parameter_warnings,
)
from langchain_aimlapi import AIMLAPILLM, ChatAIMLAPI
from langchain_aimlapi._profile import profile_for
from llama_index_aimlapi import AIMLAPI, AIMLAPIResponses
from llama_index_aimlapi.base import DEFAULT_CONTEXT_WINDOW
from tests.support.fake_model import fake_responder
from tests.support.replay_server import ReplayServer

FAMILY_IDS = ["o3", "o4-mini", "gpt-5", "gpt-5-mini", "openai/o3", "openai/o3-2099-01-01"]
DATABASE = Path(__file__).resolve().parent / "data" / "aimlapi-docs" / "model-database.md.gz"


@pytest.fixture(scope="module")
def server() -> Iterator[ReplayServer]:
    with ReplayServer(responder=fake_responder) as s:
        yield s


@pytest.fixture(autouse=True)
def _fresh_warnings() -> Iterator[None]:
    reset_parameter_warnings()
    yield
    reset_parameter_warnings()


def _run(kind: str, model: str, base_url: str) -> None:
    if kind == "ChatAIMLAPI":
        ChatAIMLAPI(model=model, api_key="k", base_url=base_url, temperature=0.2, max_tokens=50)\
            .invoke("hi")  # fmt: skip
    elif kind == "AIMLAPILLM":
        AIMLAPILLM(model=model, api_key="k", base_url=base_url, temperature=0.2, max_tokens=50)\
            .invoke("hi")  # fmt: skip
    else:
        llm = AIMLAPI(model=model, api_key="k", api_base=base_url, temperature=0.2, max_tokens=50)
        llm.chat([ChatMessage(role="user", content="hi")])


@pytest.mark.parametrize("kind", ["ChatAIMLAPI", "AIMLAPILLM", "AIMLAPI"])
@pytest.mark.parametrize("model", FAMILY_IDS)
def test_reasoning_family_ids_are_shaped_with_one_warning_at_the_users_line(
    server: ReplayServer, kind: str, model: str
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _run(kind, model, server.base_url)
    sent = server.requests[-1].body
    assert sent["model"] == model
    assert sent["max_completion_tokens"] == 50
    assert "max_tokens" not in sent and "temperature" not in sent
    ours = [w for w in caught if w.category is AIMLAPIParameterWarning]
    assert {Path(w.filename).name for w in ours} == {Path(__file__).name}
    texts = " ".join(str(w.message) for w in ours)
    assert "max_tokens sent as max_completion_tokens" in texts
    assert "temperature" in texts


@pytest.mark.parametrize("model", ["o3", "gpt-5-mini"])
def test_same_token_limit_as_chat_openai(server: ReplayServer, model: str) -> None:
    from langchain_openai import ChatOpenAI

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AIMLAPIParameterWarning)
        ChatOpenAI(model=model, api_key="k", base_url=server.base_url, max_tokens=50)\
            .invoke([HumanMessage("hi")])  # type: ignore[arg-type]  # fmt: skip
        theirs = server.requests[-1].body
        ChatAIMLAPI(model=model, api_key="k", base_url=server.base_url, max_tokens=50)\
            .invoke([HumanMessage("hi")])  # fmt: skip
        ours = server.requests[-1].body
    assert ours["max_completion_tokens"] == theirs["max_completion_tokens"] == 50
    assert ours["messages"] == [
        {"role": m["role"], "content": m["content"]} for m in theirs["messages"]
    ]
    assert "max_tokens" not in ours and "max_tokens" not in theirs


@pytest.mark.parametrize("model", ["o3", "gpt-5-mini"])
def test_same_token_limit_as_llama_index_openai(server: ReplayServer, model: str) -> None:
    from llama_index.llms.openai import OpenAI

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AIMLAPIParameterWarning)
        OpenAI(model=model, api_key="k", api_base=server.base_url, max_tokens=50).chat(
            [ChatMessage(role="user", content="hi")]
        )
        theirs = server.requests[-1].body
        AIMLAPI(model=model, api_key="k", api_base=server.base_url, max_tokens=50).chat(
            [ChatMessage(role="user", content="hi")]
        )
        ours = server.requests[-1].body
    assert ours["max_completion_tokens"] == theirs["max_completion_tokens"] == 50
    assert ours["messages"] == theirs["messages"]
    # llama-index OpenAI sends temperature=1.0 to o-series; o3's schema has no temperature.
    assert "temperature" not in ours


# --- LlamaIndex metadata --------------------------------------------------------------------


def _database_windows() -> dict[str, int]:
    """Text model id -> context, read straight from AI/ML API's model table."""
    text = gzip.decompress(DATABASE.read_bytes()).decode()
    section = text[text.index("### Text Models") : text.index("## Image Models")]
    rows = re.findall(r"<tr><td>(.*?)</td><td>.*?</td><td>([\d,]*)</td>", section)
    out: dict[str, int] = {}
    for cell, context in rows:
        for name in re.split(r"<br>|\s+or\b", cell):  # "deepseek-chat or<br>deepseek/deepseek-chat"
            if context and re.sub(r"<[^>]+>", "", name).strip():
                out[re.sub(r"<[^>]+>", "", name).strip()] = int(context.replace(",", ""))
    return out


@pytest.mark.parametrize(
    "model",
    [
        "openai/o3-2025-04-16",
        "anthropic/claude-sonnet-4",
        "google/gemini-2.5-flash",
        "gryphe/mythomax-l2-13b",  # a 4k window: a 128k default would overflow it
        "deepseek/deepseek-chat",
        "gpt-3.5-turbo",
    ],
)
def test_context_window_from_the_model_table(model: str) -> None:
    windows = _database_windows()
    assert len(windows) >= 260
    assert AIMLAPI(model=model).metadata.context_window == windows[model]


def test_every_documented_window_reaches_the_metadata() -> None:
    windows = _database_windows()
    documented = {m: w for m, w in windows.items() if capabilities_for(m).source == "data"}
    assert len(documented) >= 250
    wrong = {
        m: (AIMLAPI(model=m).metadata.context_window, w)
        for m, w in documented.items()
        if AIMLAPI(model=m).metadata.context_window != w
    }
    assert not wrong


def test_metadata_defaults_for_unknown_ids() -> None:
    meta = AIMLAPI(model="acme/brand-new").metadata
    assert meta.context_window == DEFAULT_CONTEXT_WINDOW
    assert meta.num_output == 256 and meta.is_function_calling_model and meta.is_chat_model
    assert AIMLAPI(model="acme/brand-new", max_tokens=99).metadata.num_output == 99


def test_num_output_from_the_documented_output_limit() -> None:
    assert AIMLAPI(model="openai/gpt-4o").metadata.num_output == 16384  # outputMax of the doc


@pytest.mark.parametrize(
    ("model", "tools"),
    [("deepseek/deepseek-chat", True), ("gpt-4o", True), ("o3", True), ("o1-mini", False)],
)
def test_function_calling_from_the_data(model: str, tools: bool) -> None:
    assert AIMLAPI(model=model).metadata.is_function_calling_model is tools


def test_a_model_without_tools_gets_our_error_not_a_request(server: ReplayServer) -> None:
    before = len(server.requests)
    tool = FunctionTool.from_defaults(fn=lambda city: city, name="weather")
    llm = AIMLAPI(model="o1-mini", api_key="k", api_base=server.base_url)
    with pytest.raises(UnsupportedRequestError, match="'o1-mini' cannot call tools"):
        llm.chat_with_tools([tool], user_msg="weather in Oslo?")
    chat = ChatAIMLAPI(model="o1-mini", api_key="k", base_url=server.base_url)
    with pytest.raises(ValueError, match="'o1-mini' cannot call tools"):
        chat.bind_tools([lambda_tool]).invoke("weather in Oslo?")
    assert len(server.requests) == before


def lambda_tool(city: str) -> str:
    """Weather in a city."""
    return city


def test_deepseek_chat_calls_tools_through_a_function_agent(server: ReplayServer) -> None:
    tool = FunctionTool.from_defaults(fn=lambda_tool, name="weather")
    llm = AIMLAPI(model="deepseek/deepseek-chat", api_key="k", api_base=server.base_url)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AIMLAPIParameterWarning)
        response = llm.chat_with_tools([tool], user_msg="Use weather for Oslo")
    assert server.requests[-1].body["tools"][0]["function"]["name"] == "weather"
    assert llm.get_tool_calls_from_response(response, error_on_no_tool_call=False) is not None


# --- LangChain profile ----------------------------------------------------------------------


@pytest.mark.parametrize("model", ["gpt-4o", "openai/o3-2025-04-16", "o1-mini", "o3", "gpt-5-mini"])
def test_profile_reads_the_data(model: str) -> None:
    caps = capabilities_for(model)
    profile: Any = profile_for(model)
    assert profile is not None
    assert profile["image_inputs"] is caps.vision
    assert profile["tool_calling"] is caps.tools
    assert profile["reasoning_output"] is caps.reasoning
    assert profile.get("max_input_tokens") == caps.context_window


def test_vision_read_from_the_schema_image_part() -> None:
    assert capabilities_for("google/gemini-2.5-flash").vision
    assert profile_for("google/gemini-2.5-flash")["image_inputs"] is True  # type: ignore[index]
    assert not capabilities_for("o1-mini").vision


# --- warnings on every way of calling -------------------------------------------------------

M = [ChatMessage(role="user", content="hi")]


def _chat(base_url: str, **kw: Any) -> ChatAIMLAPI:
    return ChatAIMLAPI(model="o3", api_key="k", base_url=base_url, temperature=0.2, **kw)


def _llama(base_url: str) -> AIMLAPI:
    return AIMLAPI(model="o3", api_key="k", api_base=base_url, temperature=0.2, max_tokens=50)


async def _drain_llama_astream(llm: AIMLAPI) -> None:
    async for _ in await llm.astream_chat(M):  # the user's line: where the warning must point
        pass


async def _drain_chat_astream(llm: ChatAIMLAPI) -> None:
    async for _ in llm.astream("hi"):  # the user's line
        pass


# Each way a user calls the three classes (and the Responses classes): streamed, async, batch,
# complete. The warning's frame must be this file whatever path the call takes inside.
CALL_PATHS: dict[str, Callable[[str], object]] = {
    "ChatAIMLAPI.stream": lambda b: list(_chat(b, max_tokens=50).stream("hi")),
    "ChatAIMLAPI.ainvoke": lambda b: asyncio.run(_chat(b, max_tokens=50).ainvoke("hi")),
    "ChatAIMLAPI.astream": lambda b: asyncio.run(_drain_chat_astream(_chat(b, max_tokens=50))),
    "ChatAIMLAPI.batch": lambda b: _chat(b, max_tokens=50).batch(["hi", "ho"]),
    "ChatAIMLAPI.abatch": lambda b: asyncio.run(_chat(b, max_tokens=50).abatch(["hi", "ho"])),
    "ChatAIMLAPI.bind_tools.batch": lambda b: (
        _chat(b, max_tokens=50)
        .bind_tools([lambda_tool])
        .batch(["weather in Oslo?", "weather in Rome?"])
    ),
    "AIMLAPILLM.batch": lambda b: AIMLAPILLM(
        model="o3", api_key="k", base_url=b, temperature=0.2, max_tokens=50
    ).batch(["hi", "ho"]),
    "AIMLAPILLM.stream": lambda b: list(
        AIMLAPILLM(model="o3", api_key="k", base_url=b, temperature=0.2, max_tokens=50).stream("hi")
    ),
    "AIMLAPILLM.ainvoke": lambda b: asyncio.run(
        AIMLAPILLM(model="o3", api_key="k", base_url=b, temperature=0.2, max_tokens=50).ainvoke("x")
    ),
    "AIMLAPI.complete": lambda b: _llama(b).complete("hi"),
    "AIMLAPI.stream_chat": lambda b: list(_llama(b).stream_chat(M)),
    "AIMLAPI.achat": lambda b: asyncio.run(_llama(b).achat(M)),
    "AIMLAPI.astream_chat": lambda b: asyncio.run(_drain_llama_astream(_llama(b))),
    "ChatAIMLAPI(use_responses_api=True)": lambda b: _chat(b, use_responses_api=True).invoke("hi"),
    "AIMLAPIResponses.chat": lambda b: AIMLAPIResponses(
        model="o3", api_key="k", api_base=b, temperature=0.2
    ).chat(M),
}


@pytest.mark.parametrize("path", sorted(CALL_PATHS))
def test_shaping_warnings_point_at_the_users_line_on_every_call_path(
    server: ReplayServer, path: str
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        CALL_PATHS[path](server.base_url)
    ours = [w for w in caught if w.category is AIMLAPIParameterWarning]
    assert ours, f"{path}: no shaping warning"
    assert {w.filename for w in ours} == {__file__}, [(w.filename, w.lineno) for w in ours]
    assert "temperature" not in server.requests[-1].body
    assert any("temperature" in str(w.message) for w in ours)


@pytest.mark.parametrize("kind", ["ChatAIMLAPI", "AIMLAPILLM", "AIMLAPI"])
def test_one_warning_per_rule_and_model_through_the_adapters(
    server: ReplayServer, kind: str
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            _run(kind, "o3", server.base_url)
        first = [str(w.message) for w in caught if w.category is AIMLAPIParameterWarning]
        _run(kind, "openai/o3-2099-01-01", server.base_url)  # another model: warned again
    ours = [str(w.message) for w in caught if w.category is AIMLAPIParameterWarning]
    # o3 breaks two rules (the rename, temperature): one warning each, however many calls.
    assert len(first) == 2 and len(set(first)) == 2
    assert len(ours) == 4
    assert all("'openai/o3-2099-01-01'" in t for t in ours[2:])
    rename = [t for t in first if "max_completion_tokens" in t]
    assert len(rename) == 1 and "max_tokens" in rename[0]


# --- LlamaIndex metadata from the catalogue's output limits -----------------------------------

COMPLETE_LIST = DATABASE.parent / "complete-model-list.md"


def _documented_output_limits() -> dict[str, int]:
    """Id -> ``outputMax`` of the text-model items quoted in AI/ML API's catalogue page."""
    text = COMPLETE_LIST.read_text(encoding="utf-8")
    out: dict[str, int] = {}
    for block in re.findall(r"```json\n(.*?)```", text, flags=re.S):
        try:
            item = json.loads(block)
        except json.JSONDecodeError:
            continue
        items = item.get("data", [item]) if isinstance(item, dict) else []
        for it in items:
            output = (it.get("info") or {}).get("outputMax") if isinstance(it, dict) else None
            if isinstance(output, int):
                out[it["id"]] = output
    return out


def test_num_output_matches_the_documented_output_limits() -> None:
    limits = _documented_output_limits()
    assert limits, "complete-model-list.md quotes no outputMax"
    for model, output in limits.items():
        assert AIMLAPI(model=model).metadata.num_output == output, model


def test_metadata_after_a_refresh_comes_from_the_catalogue(server: ReplayServer) -> None:
    """What ``GET /v1/models`` says (contextLength, outputMax) reaches ``AIMLAPI.metadata``."""
    listing = {
        "object": "list",
        "data": [
            {
                "id": "acme/tiny-chat",
                "type": "openai/chat-completions",
                "aliases": [],
                "tags": [],
                "info": {
                    "name": "Tiny",
                    "developer": "Acme",
                    "contextLength": 4096,
                    "outputMax": 512,
                },
            }
        ],
    }
    before = AIMLAPI(model="acme/tiny-chat").metadata
    assert (before.context_window, before.num_output) == (DEFAULT_CONTEXT_WINDOW, 256)
    try:
        assert register_models_listing(listing) == 1
        meta = AIMLAPI(model="acme/tiny-chat").metadata
        assert (meta.context_window, meta.num_output) == (4096, 512)
        assert AIMLAPI(model="acme/tiny-chat", max_tokens=99).metadata.num_output == 99
    finally:
        reset_registered_capabilities()


# --- agents -----------------------------------------------------------------------------------


def test_function_agent_runs_tools_on_deepseek_chat(server: ReplayServer) -> None:
    """``FunctionAgent(llm=AIMLAPI(model="deepseek/deepseek-chat"))``: no "must be a
    FunctionCallingLLM", the tool is called and its result is the answer (#18 item 2)."""
    from llama_index.core.agent.workflow import FunctionAgent

    calls: list[str] = []

    def weather(city: str) -> str:
        """Weather in a city."""
        calls.append(city)
        return f"sunny in {city}"

    async def main() -> str:
        llm = AIMLAPI(model="deepseek/deepseek-chat", api_key="k", api_base=server.base_url)
        agent = FunctionAgent(tools=[weather], llm=llm)
        return str(await agent.run("What is the weather in Oslo? Use weather."))

    before = len(server.requests)
    answer = asyncio.run(main())
    sent = [r.body for r in server.requests[before:]]
    assert calls == ["Oslo"]
    assert "sunny in Oslo" in answer
    assert all(b["model"] == "deepseek/deepseek-chat" and b["tools"] for b in sent)
    assert sent[-1]["messages"][-1]["role"] == "tool"
