"""Quickstart: one chat call, one stream, usage and cost, with LlamaIndex and AI/ML API.

    python examples/llamaindex_quickstart.py

The LlamaIndex twin of ``examples/quickstart.py`` (LangChain). Live with ``AIMLAPI_API_KEY``
set; without it, replays ``cassettes/examples/llamaindex_quickstart.yaml`` and says so.
"""

from __future__ import annotations

from _offline import live_or_replay
from llama_index.core.llms import ChatMessage

# LlamaIndex's own import path; ``from llama_index_aimlapi import AIMLAPI`` is the same class.
from llama_index.llms.aimlapi import AIMLAPI

MODEL = "gpt-4o-mini"


def main() -> None:
    with live_or_replay("llamaindex_quickstart") as connection:
        llm = AIMLAPI(
            model=MODEL,
            temperature=0,
            max_tokens=200,
            api_key=connection["api_key"],
            api_base=connection["base_url"],
        )

        question = [ChatMessage(role="user", content="In one sentence, what is AI/ML API?")]
        reply = llm.chat(question)
        print(f"\n{MODEL} says: {reply.message.content}")
        info = reply.additional_kwargs
        print(
            f"usage: {info.get('prompt_tokens')} in, {info.get('completion_tokens')} out, "
            f"{info.get('total_tokens')} total"
        )
        print(f"cost: {info.get('cost')}")
        print(f"inference id: {info.get('inference_id')}")

        print("\nstreaming: ", end="")
        count = [ChatMessage(role="user", content="Count from 1 to 5, separated by commas.")]
        last = None
        for last in llm.stream_chat(count):
            print(last.delta or "", end="", flush=True)
        assert last is not None
        tokens = {k: last.additional_kwargs.get(k) for k in ("prompt_tokens", "total_tokens")}
        print(f"\nstream usage: {tokens}")
        print(f"stream cost: {last.additional_kwargs.get('cost')}")
        llm.close()


if __name__ == "__main__":
    main()
