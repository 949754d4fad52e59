"""``AIMLAPILLM`` as users of ``langchain_openai.OpenAI`` use it: streams without trailing empty
chunks, several prompts sent concurrently (bounded), token usage kept when streaming."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from langchain_aimlapi import AIMLAPILLM
from tests.support.fake_model import fake_responder
from tests.support.replay_server import ReceivedRequest, ReplayServer, Scripted

HOLD = 0.4  # seconds each request is held open, so that concurrent ones overlap


class Overlap:
    """A responder that holds each request open and records how many were open at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open = 0
        self.peak = 0

    def __call__(self, request: ReceivedRequest) -> Scripted:
        with self.lock:
            self.open += 1
            self.peak = max(self.peak, self.open)
        time.sleep(HOLD)
        with self.lock:
            self.open -= 1
        return fake_responder(request)


PROMPTS = ["Hello", "What is 2 + 2?", "Tell me a joke", "What is 3 times 4?", "Hi there"]


@pytest.mark.parametrize("streaming", [False, True])
def test_generate_sends_prompts_concurrently_within_batch_size(streaming: bool) -> None:
    overlap = Overlap()
    with ReplayServer(overlap) as server:
        llm = AIMLAPILLM(api_key="k", base_url=server.base_url, batch_size=3, streaming=streaming)
        result = llm.generate(PROMPTS)
        # One request per prompt; on a loaded machine a connection may drop before its reply
        # and be retried (a CI run saw 6), which is the retry policy, not what is tested here.
        assert len(PROMPTS) <= len(server.requests) <= len(PROMPTS) + 1
    # Serial sending would never have two open at once; the bound is never exceeded.
    assert 2 <= overlap.peak <= 3
    texts = [g[0].text for g in result.generations]
    assert texts[0].startswith("Hello") and "4" in texts[1] and "12" in texts[3]  # in order


async def test_agenerate_sends_prompts_concurrently_within_batch_size() -> None:
    overlap = Overlap()
    with ReplayServer(overlap) as server:
        llm = AIMLAPILLM(api_key="k", base_url=server.base_url, batch_size=2)
        result = await llm.agenerate(PROMPTS)
    assert overlap.peak == 2
    texts = [g[0].text for g in result.generations]
    assert texts[0].startswith("Hello") and "4" in texts[1] and "12" in texts[3]  # in order


@pytest.mark.parametrize("prompt", ["Hello", "Tell me a joke", "What is 2 + 2?"])
async def test_stream_yields_no_trailing_empty_chunks(prompt: str) -> None:
    with ReplayServer(fake_responder) as server:
        llm = AIMLAPILLM(api_key="k", base_url=server.base_url)
        text = llm.invoke(prompt)
        chunks = list(llm.stream(prompt))
        achunks = [c async for c in llm.astream(prompt)]
        raw = list(llm._stream(prompt))
    for streamed in (chunks, achunks):
        assert streamed and all(streamed), streamed  # no "" anywhere, least of all at the end
        assert "".join(streamed) == text
    last = raw[-1].generation_info or {}
    assert last["finish_reason"] == "stop" and last["usage"]["total_tokens"] > 0
    assert all(c.text for c in raw)


def test_streaming_keeps_token_usage_in_llm_output() -> None:
    with ReplayServer(fake_responder) as server:
        plain = AIMLAPILLM(api_key="k", base_url=server.base_url)
        streaming = plain.model_copy(update={"streaming": True})
        usage: list[Any] = [
            llm.generate(["Hello", "What is 2 + 2?"]).llm_output["token_usage"]  # type: ignore[index]
            for llm in (plain, streaming)
        ]
    assert usage[0] == usage[1] and usage[1]["total_tokens"] > 0
