"""A LangGraph ReAct agent runs a two-tool-round loop through ChatAIMLAPI, from a cassette."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool

from langchain_aimlapi import ChatAIMLAPI
from tests.support.fake_model import fake_responder
from tests.support.replay_server import ReplayServer


@tool
def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@pytest.mark.vcr
# LangGraph 1.x points create_react_agent to langchain.agents.create_agent, which lives in the
# separate `langchain` package this project does not depend on; either takes our model.
@pytest.mark.filterwarnings("ignore::langgraph.warnings.LangGraphDeprecatedSinceV10")
def test_react_agent_two_tool_rounds(
    api_settings: dict[str, Any], replay_server: ReplayServer
) -> None:
    from langgraph.prebuilt import create_react_agent

    replay_server.responder = fake_responder
    llm = ChatAIMLAPI(model="gpt-4o-mini", temperature=0, **api_settings)
    agent = create_react_agent(llm, [multiply, add])
    result = agent.invoke(
        {
            "messages": [
                (
                    "user",
                    "First multiply 3 by 12 with the multiply tool, "
                    "then add 5 to that result with the add tool.",
                )
            ]
        }
    )
    messages = result["messages"]
    tool_messages = [m for m in messages if isinstance(m, ToolMessage)]
    assert [m.name for m in tool_messages] == ["multiply", "add"]
    assert [m.content for m in tool_messages] == ["36", "41"]
    calls = [c for m in messages if isinstance(m, AIMessage) for c in m.tool_calls]
    assert [(c["name"], c["args"]) for c in calls] == [
        ("multiply", {"a": 3, "b": 12}),
        ("add", {"a": 36, "b": 5}),
    ]
    final = messages[-1]
    assert isinstance(final, AIMessage) and not final.tool_calls
    assert "41" in str(final.content)
    assert final.usage_metadata is not None and final.usage_metadata["total_tokens"] > 0
