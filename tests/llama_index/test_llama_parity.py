"""``AIMLAPI`` next to ``llama_index.llms.openai.OpenAI`` on the same server.

Both point at the loopback replay server running the fake model (no cassette: nothing leaves
the machine). Their request bodies differ a little (OpenAI's default temperature 0.1), so call
ids and stream chunking, which the fake derives from the body, are not compared. Where the two
should agree (text, single tool calls, OpenAI's three token counts, streamed text) they do;
the one known difference, interleaved parallel calls in a stream, is in
``test_llama_tools.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage, ChatResponse
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.tools import FunctionTool
from llama_support import MODEL

from llama_index_aimlapi import AIMLAPI
from tests.support.fake_model import fake_responder
from tests.support.replay_server import ReplayServer

openai_llms = pytest.importorskip("llama_index.llms.openai")


def add(a: int, b: int) -> int:
    """Add two integers and return the sum."""
    return a + b


TOOLS = [FunctionTool.from_defaults(add)]
TOKENS = ("prompt_tokens", "completion_tokens", "total_tokens")


@pytest.fixture
def pair() -> Iterator[tuple[AIMLAPI, FunctionCallingLLM]]:
    with ReplayServer(fake_responder) as server:
        ours = AIMLAPI(model=MODEL, api_key="k", api_base=server.base_url)
        theirs = openai_llms.OpenAI(
            model=MODEL, api_key="k", api_base=server.base_url, max_retries=0
        )
        yield ours, theirs


def summary(llm: FunctionCallingLLM, response: ChatResponse) -> dict[str, Any]:
    calls = llm.get_tool_calls_from_response(response, error_on_no_tool_call=False)
    return {
        "text": response.message.content or "",
        # ids come from a hash of the request, and the two send different bodies
        "calls": [(bool(c.tool_id), c.tool_name, c.tool_kwargs) for c in calls],
        "tokens": {k: response.additional_kwargs.get(k) for k in TOKENS},
    }


@pytest.mark.parametrize("question", ["Hello", "Tell me a joke about dogs", "What is 2 + 2?"])
def test_chat_agrees(pair: tuple[AIMLAPI, FunctionCallingLLM], question: str) -> None:
    messages = [ChatMessage(role="user", content=question)]
    ours, theirs = pair
    assert summary(ours, ours.chat(messages)) == summary(theirs, theirs.chat(messages))


def test_stream_chat_agrees(pair: tuple[AIMLAPI, FunctionCallingLLM]) -> None:
    messages = [ChatMessage(role="user", content="Tell me a story about a fox")]
    ours, theirs = pair
    our_stream = list(ours.stream_chat(messages))
    their_stream = list(theirs.stream_chat(messages))
    ours_text = "".join(r.delta or "" for r in our_stream)
    assert ours_text == "".join(r.delta or "" for r in their_stream)
    assert ours_text == our_stream[-1].message.content == their_stream[-1].message.content


def test_tool_call_agrees(pair: tuple[AIMLAPI, FunctionCallingLLM]) -> None:
    ours, theirs = pair
    mine = ours.chat_with_tools(TOOLS, user_msg="What is 2 plus 3?")
    their = theirs.chat_with_tools(TOOLS, user_msg="What is 2 plus 3?")
    assert summary(ours, mine)["calls"] == summary(theirs, their)["calls"]
    *_, mine_streamed = ours.stream_chat_with_tools(TOOLS, user_msg="What is 2 plus 3?")
    *_, their_streamed = theirs.stream_chat_with_tools(TOOLS, user_msg="What is 2 plus 3?")
    assert summary(ours, mine_streamed)["calls"] == summary(theirs, their_streamed)["calls"]


def test_predict_and_call_agrees(pair: tuple[AIMLAPI, FunctionCallingLLM]) -> None:
    ours, theirs = pair
    assert (
        ours.predict_and_call(TOOLS, user_msg="What is 2 plus 3?").response
        == theirs.predict_and_call(TOOLS, user_msg="What is 2 plus 3?").response
        == "5"
    )
