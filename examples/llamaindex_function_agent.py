"""A LlamaIndex FunctionAgent on AIMLAPI chaining two tools: a price lookup, then a product.

    python examples/llamaindex_function_agent.py

Live with ``AIMLAPI_API_KEY`` set; without it, replays
``cassettes/examples/llamaindex_function_agent.yaml``.
"""

from __future__ import annotations

import asyncio

from _offline import live_or_replay
from llama_index.core.agent.workflow import FunctionAgent, ToolCallResult
from llama_index.core.tools import FunctionTool

from llama_index_aimlapi import AIMLAPI

MODEL = "gpt-4o-mini"
QUESTION = "What do 3 notebooks cost? Look up the price of a 'notebook', then take 3 times that."


def get_price(product: str) -> float:
    """The unit price of a product in our shop, in euros."""
    return {"notebook": 2.5, "pen": 1.2}.get(product.lower(), 10.0)


def multiply(a: float, b: float) -> float:
    """Multiply two numbers and return the product."""
    return a * b


async def main() -> None:
    with live_or_replay("llamaindex_function_agent") as connection:
        llm = AIMLAPI(
            model=MODEL,
            temperature=0,
            api_key=connection["api_key"],
            api_base=connection["base_url"],
        )
        agent = FunctionAgent(
            tools=[FunctionTool.from_defaults(get_price), FunctionTool.from_defaults(multiply)],
            llm=llm,
            system_prompt="You are a shop assistant. Use the tools for prices and arithmetic.",
        )

        print(f"\nuser: {QUESTION}")
        handler = agent.run(user_msg=QUESTION)
        async for event in handler.stream_events():  # one event per step of the agent loop
            if isinstance(event, ToolCallResult):
                print(f"tool {event.tool_name}({event.tool_kwargs}) -> {event.tool_output}")
        result = await handler
        print(f"answer: {result}")


if __name__ == "__main__":
    asyncio.run(main())
