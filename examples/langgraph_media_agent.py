"""A LangGraph agent that writes a caption and generates the picture with AIMLAPIImageTool.

    python examples/langgraph_media_agent.py

The chat model (ChatAIMLAPI) decides to call ``generate_image``; the tool calls AI/ML API's
image model and hands back the URL, with the generation's cost in the tool message's artifact.
Live with ``AIMLAPI_API_KEY`` set; without it, replays
``cassettes/examples/langgraph_media_agent.yaml``.
"""

from __future__ import annotations

import warnings

from _offline import live_or_replay
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langgraph.prebuilt import create_react_agent
from langgraph.warnings import LangGraphDeprecatedSinceV10

from langchain_aimlapi import AIMLAPIImageTool, ChatAIMLAPI

MODEL = "gpt-4o-mini"
IMAGE_MODEL = "flux/schnell"
REQUEST = (
    'Write a one-line caption for a poster of "a lighthouse at dusk, watercolor", '
    "then draw the image with the tool."
)


def show(message: BaseMessage) -> None:
    """Print one step of the agent loop: the tool call, the image, the caption."""
    if isinstance(message, ToolMessage):
        print(f"  {message.name} -> {message.content}")
        if isinstance(message.artifact, dict):
            print(f"  image cost: {message.artifact['cost']}")
    elif isinstance(message, AIMessage) and message.tool_calls:
        for call in message.tool_calls:
            print(f"model calls {call['name']}({call['args']})")
    elif isinstance(message, AIMessage):
        print(f"answer: {message.content}")


def main() -> None:
    with live_or_replay("langgraph_media_agent") as connection:
        llm = ChatAIMLAPI(model=MODEL, temperature=0, **connection)
        draw = AIMLAPIImageTool(
            model=IMAGE_MODEL, model_kwargs={"image_size": "landscape_4_3"}, **connection
        )
        warnings.filterwarnings("ignore", category=LangGraphDeprecatedSinceV10)
        agent = create_react_agent(llm, [draw])

        print(f"\nuser: {REQUEST}")
        for update in agent.stream({"messages": [("user", REQUEST)]}, stream_mode="updates"):
            for node in update.values():
                for message in node["messages"]:
                    show(message)


if __name__ == "__main__":
    main()
