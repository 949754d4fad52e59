"""A LlamaIndex FunctionAgent with AI/ML API's media tools: it draws a scene and voices it.

    python examples/llamaindex_media_agent.py

``AIMLAPIMediaToolSpec().to_tool_list()`` gives an agent four tools (image, video, speech,
transcription); this one gets two. Each tool's raw output (a ``MediaAnswer``) keeps the
generation's cost and result: the script saves the speech the agent made.
Live with ``AIMLAPI_API_KEY`` set; without it, replays
``cassettes/examples/llamaindex_media_agent.yaml``.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from _offline import live_or_replay
from llama_index.core.agent.workflow import FunctionAgent, ToolCallResult

from llama_index_aimlapi import AIMLAPI, AIMLAPIMediaToolSpec

MODEL = "gpt-4o-mini"
REQUEST = 'Draw an image of "a red tram in Lisbon at sunset", then turn that caption into speech.'
TOOLS = [("generate_image", "agenerate_image"), ("text_to_speech", "atext_to_speech")]


async def main() -> None:
    with live_or_replay("llamaindex_media_agent") as connection:
        keys = {"api_key": connection["api_key"], "api_base": connection["base_url"]}
        media = AIMLAPIMediaToolSpec(
            image_model="flux/schnell",
            speech_model="openai/tts-1",
            speech_kwargs={"voice": "nova"},
            **keys,
        )
        agent = FunctionAgent(
            tools=media.to_tool_list(spec_functions=TOOLS),
            llm=AIMLAPI(model=MODEL, temperature=0, **keys),
            system_prompt="You make pictures and voice-overs with your tools.",
        )

        print(f"\nuser: {REQUEST}")
        handler = agent.run(user_msg=REQUEST)
        with tempfile.TemporaryDirectory() as out:
            async for event in handler.stream_events():
                if isinstance(event, ToolCallResult):
                    answer = event.tool_output.raw_output  # a MediaAnswer
                    print(f"tool {event.tool_name}({event.tool_kwargs}) -> {answer}")
                    print(f"  cost: {answer.cost}")
                    if event.tool_name == "text_to_speech":
                        path = answer.result.write(Path(out) / "caption.wav")
                        print(
                            f"  saved {path.stat().st_size} bytes of {answer.result.content_type}"
                        )
            print(f"answer: {await handler}")


if __name__ == "__main__":
    asyncio.run(main())
