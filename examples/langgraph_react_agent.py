"""A LangGraph ReAct agent on ChatAIMLAPI with two tools it must chain: weather, then a conversion.

    python examples/langgraph_react_agent.py

Live with ``AIMLAPI_API_KEY`` set; without it, replays
``cassettes/examples/langgraph_react_agent.yaml``.
"""

from __future__ import annotations

import warnings

from _offline import live_or_replay
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.prebuilt import create_react_agent
from langgraph.warnings import LangGraphDeprecatedSinceV10

from langchain_aimlapi import ChatAIMLAPI

MODEL = "gpt-4o-mini"
QUESTION = "What is the weather in Lisbon? Then convert its temperature to Fahrenheit."


@tool
def get_weather(city: str) -> str:
    """Current weather in a city, temperature in degrees Celsius."""
    celsius, sky = {"Lisbon": (18, "sunny"), "Oslo": (-3, "snowing")}.get(city, (20, "cloudy"))
    return f"{celsius}°C and {sky} in {city}"


@tool
def celsius_to_fahrenheit(celsius: float) -> float:
    """Convert a temperature from degrees Celsius to degrees Fahrenheit."""
    return round(celsius * 9 / 5 + 32, 1)


def show(message: BaseMessage) -> None:
    """Print one step of the agent loop: tool calls, tool results, the answer."""
    if isinstance(message, ToolMessage):
        print(f"  {message.name} -> {message.content}")
    elif isinstance(message, AIMessage) and message.tool_calls:
        for call in message.tool_calls:
            print(f"model calls {call['name']}({call['args']})")
    elif isinstance(message, AIMessage):
        print(f"answer: {message.content}")
        if message.usage_metadata:
            print(f"tokens of the last call: {message.usage_metadata['total_tokens']}")


def main() -> None:
    with live_or_replay("langgraph_react_agent") as connection:
        llm = ChatAIMLAPI(model=MODEL, temperature=0, **connection)
        # LangGraph 1.x still ships create_react_agent but points to its successor,
        # langchain.agents.create_agent (in the separate `langchain` package); either takes llm.
        warnings.filterwarnings("ignore", category=LangGraphDeprecatedSinceV10)
        agent = create_react_agent(llm, [get_weather, celsius_to_fahrenheit])

        print(f"\nuser: {QUESTION}")
        # "updates" yields each node's new messages as the graph runs: model, tools, model...
        for update in agent.stream({"messages": [("user", QUESTION)]}, stream_mode="updates"):
            for node in update.values():
                for message in node["messages"]:
                    show(message)


if __name__ == "__main__":
    main()
