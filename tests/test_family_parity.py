"""Family rules and model data seen from the user's side, next to the anchors.

The same user program runs against ``ChatOpenAI`` / llama-index ``OpenAI`` and ours on the same
local fake-model server; we compare what went over the wire. Also: LlamaIndex metadata from
AI/ML API's own model table, the LangChain profile from the data, and our own error for a model
without tools.
"""

from __future__ import annotations

import gzip
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.tools import FunctionTool

from aimlapi_core.models import capabilities_for
from aimlapi_core.shaping import (
    AIMLAPIParameterWarning,
    UnsupportedRequestError,
    reset_parameter_warnings,
)
from langchain_aimlapi import AIMLAPILLM, ChatAIMLAPI
from langchain_aimlapi._profile import profile_for
from llama_index_aimlapi import AIMLAPI
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
