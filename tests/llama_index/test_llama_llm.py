"""``AIMLAPI``'s LLM methods end to end: chat, complete, their streamed and async forms.

Each test replays its cassette (recorded against the replay server's fake model, or live with
``AIMLAPI_API_KEY`` and ``--record-mode=rewrite``). What holds for a real model is asserted:
text arrives, streamed deltas add up to the final message, usage/cost/inference id are in
``additional_kwargs`` and ``raw`` is the wire dict.
"""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core import PromptTemplate
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    ImageBlock,
    TextBlock,
    ThinkingBlock,
)
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_support import (
    LIVE,
    REASONING_MODEL,
    LLMFactory,
)

from aimlapi_core.shaping import AIMLAPIParameterWarning, reset_parameter_warnings
from llama_index_aimlapi import AIMLAPI

HELLO = [ChatMessage(role="user", content="Hello")]


def assert_usage(kwargs: dict[str, Any]) -> None:
    """OpenAI's three token counts, AI/ML API's cost and inference id."""
    assert kwargs["prompt_tokens"] > 0
    assert kwargs["completion_tokens"] > 0
    assert kwargs["total_tokens"] == kwargs["prompt_tokens"] + kwargs["completion_tokens"]
    assert isinstance(kwargs.get("cached_tokens", 0), int)
    assert set(kwargs["cost"]) == {"credits_used", "usd_spent"}
    assert kwargs["cost"]["credits_used"] > 0
    assert isinstance(kwargs["inference_id"], str) and kwargs["inference_id"]


def assert_stream(responses: list[ChatResponse] | list[CompletionResponse]) -> str:
    """Deltas concatenate to the final text; the last response carries the usage."""
    assert len(responses) > 2
    last = responses[-1]
    text = last.message.content if isinstance(last, ChatResponse) else last.text
    assert text
    assert "".join(r.delta or "" for r in responses) == text
    assert_usage(last.additional_kwargs)
    return str(text)


@pytest.mark.vcr
def test_chat(llm_factory: LLMFactory) -> None:
    response = llm_factory().chat(HELLO)
    assert response.message.role == "assistant"
    assert response.message.content
    assert isinstance(response.raw, dict) and response.raw["choices"][0]["message"]["content"]
    assert response.raw["usage"]["total_tokens"] == response.additional_kwargs["total_tokens"]
    assert_usage(response.additional_kwargs)
    assert response.additional_kwargs["finish_reason"] == "stop"


@pytest.mark.vcr
async def test_achat(llm_factory: LLMFactory) -> None:
    response = await llm_factory().achat(HELLO)
    assert response.message.content
    assert_usage(response.additional_kwargs)


@pytest.mark.vcr
def test_stream_chat(llm_factory: LLMFactory) -> None:
    responses = list(llm_factory().stream_chat(HELLO))
    assert_stream(responses)
    assert all(isinstance(r.raw, dict) for r in responses)  # each chunk's wire dict
    assert responses[-1].raw["choices"] == []  # usage arrives in a final choice-less chunk


@pytest.mark.vcr
async def test_astream_chat(llm_factory: LLMFactory) -> None:
    responses = [r async for r in await llm_factory().astream_chat(HELLO)]
    assert_stream(responses)


@pytest.mark.vcr
def test_complete(llm_factory: LLMFactory) -> None:
    response = llm_factory().complete("Hello")
    assert response.text
    assert isinstance(response.raw, dict)
    assert_usage(response.additional_kwargs)


@pytest.mark.vcr
async def test_acomplete(llm_factory: LLMFactory) -> None:
    response = await llm_factory().acomplete("Hello")
    assert response.text
    assert_usage(response.additional_kwargs)


@pytest.mark.vcr
def test_stream_complete(llm_factory: LLMFactory) -> None:
    assert_stream(list(llm_factory().stream_complete("Hello")))


@pytest.mark.vcr
async def test_astream_complete(llm_factory: LLMFactory) -> None:
    assert_stream([r async for r in await llm_factory().astream_complete("Hello")])


@pytest.mark.vcr
def test_predict_and_token_counting_callbacks(llm_factory: LLMFactory) -> None:
    """LlamaIndex's own token counter reads our raw dict; predict() goes through chat."""
    counter = TokenCountingHandler()
    llm = llm_factory(callback_manager=CallbackManager([counter]))
    answer = llm.predict(PromptTemplate("Hello"))
    assert answer
    assert counter.prompt_llm_token_count > 0
    assert counter.completion_llm_token_count > 0


@pytest.mark.vcr
def test_client_reused_across_calls(llm_factory: LLMFactory) -> None:
    """One core client (one connection pool) per instance, created at the first call."""
    llm = llm_factory()
    assert llm._clients._sync is None
    llm.complete("Hello")
    first = llm._clients._sync
    llm.complete("Hello")
    assert llm._clients._sync is first is not None


@pytest.mark.vcr
def test_reasoning_model(llm_factory: LLMFactory) -> None:
    """o3: max_tokens goes as max_completion_tokens; reasoning tokens (and text) are kept."""
    llm = llm_factory(REASONING_MODEL, max_tokens=2000, reasoning_effort="low")
    reset_parameter_warnings()  # the rename warns once per model and process
    with pytest.warns(AIMLAPIParameterWarning, match="max_tokens sent as max_completion_tokens"):
        response = llm.chat([ChatMessage(role="user", content="What is 2 + 2?")])
    assert response.message.content
    assert response.additional_kwargs["reasoning_tokens"] > 0
    if not LIVE:  # OpenAI hides o3's reasoning text; the fake model shows it, as DeepSeek does
        thinking = [b for b in response.message.blocks if isinstance(b, ThinkingBlock)]
        assert thinking and thinking[0].content == response.additional_kwargs["reasoning_content"]
        assert thinking[0].num_tokens == response.additional_kwargs["reasoning_tokens"]


@pytest.mark.vcr
def test_reasoning_model_streamed(llm_factory: LLMFactory) -> None:
    llm = llm_factory(REASONING_MODEL, max_tokens=2000, reasoning_effort="low")
    reset_parameter_warnings()  # the rename warns once per model and process
    with pytest.warns(AIMLAPIParameterWarning, match="max_tokens sent as max_completion_tokens"):
        responses = list(llm.stream_chat([ChatMessage(role="user", content="What is 2 + 2?")]))
    last = responses[-1]
    assert last.message.content
    assert last.additional_kwargs["reasoning_tokens"] > 0
    if not LIVE:
        thinking = "".join(r.additional_kwargs.get("thinking_delta", "") for r in responses)
        assert thinking and thinking == last.additional_kwargs["reasoning_content"]
        block = last.message.blocks[0]
        assert isinstance(block, ThinkingBlock) and block.content == thinking


PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082"
)


@pytest.mark.vcr
def test_image_question(llm_factory: LLMFactory) -> None:
    """A user message with text and an image (bytes) is answered."""
    message = ChatMessage(
        role="user",
        blocks=[TextBlock(text="Describe this image."), ImageBlock(image=PNG_1x1)],
    )
    assert llm_factory().chat([message]).message.content


def test_instance_is_an_llm() -> None:
    from llama_index.core.llms.function_calling import FunctionCallingLLM

    assert isinstance(AIMLAPI(api_key="k"), FunctionCallingLLM)
