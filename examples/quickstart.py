"""Quickstart: one chat call, one stream, usage and cost, with LangChain and AI/ML API.

    python examples/quickstart.py

Live with ``AIMLAPI_API_KEY`` set; without it, replays ``cassettes/examples/quickstart.yaml``.
"""

from __future__ import annotations

from _offline import live_or_replay

from langchain_aimlapi import ChatAIMLAPI

MODEL = "gpt-4o-mini"


def main() -> None:
    with live_or_replay("quickstart") as connection:
        llm = ChatAIMLAPI(model=MODEL, temperature=0, max_tokens=200, **connection)

        reply = llm.invoke("In one sentence, what is AI/ML API?")
        print(f"\n{MODEL} says: {reply.content}")
        usage = reply.usage_metadata or {}
        print(
            f"usage: {usage.get('input_tokens')} in, {usage.get('output_tokens')} out, "
            f"{usage.get('total_tokens')} total"
        )
        print(f"cost: {reply.response_metadata.get('cost')}")
        print(f"inference id: {reply.response_metadata.get('inference_id')}")

        print("\nstreaming: ", end="")
        last = None
        for chunk in llm.stream("Count from 1 to 5, separated by commas."):
            print(chunk.content, end="", flush=True)
            last = chunk if last is None else last + chunk
        assert last is not None
        print(f"\nstream usage: {last.usage_metadata}")
        print(f"stream cost: {last.response_metadata.get('cost')}")


if __name__ == "__main__":
    main()
