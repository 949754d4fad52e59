"""LangChain's standard integration suite for ``ChatAIMLAPI(use_responses_api=True)``.

The same suite and capability flags as on chat completions
(``test_chat_standard_integration.py``), every call on ``POST /v1/responses``: messages become
``input`` items, tool results ``function_call_output`` items, structured output ``text.format``,
and the answers come back as the same LangChain messages. ``ChatOpenAI`` runs its suite the same
way for its Responses mode.

Offline each test replays ``cassettes/test_responses_standard_integration/<Class>.<test>.yaml``,
recorded against the loopback replay server answering as the fake model's Responses face
(``tests/support/fake_responses.py``); with ``AIMLAPI_API_KEY`` set,
``pytest --record-mode=rewrite`` re-records them against the live API.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

import tests.langchain.test_chat_standard_integration as chat_suite
from langchain_aimlapi import ChatAIMLAPI

# /v1/responses has no `stop`: the suite's test_stop_sequence succeeds and is told, once per
# call, that the parameter was dropped (the suite forbids overriding that test to catch it).
pytestmark = pytest.mark.filterwarnings(
    "ignore:AI/ML API model .* does not accept stop on /v1/responses"
    ":aimlapi_core.shaping.AIMLAPIParameterWarning"
)


def _stream_or_invoke(llm: ChatAIMLAPI, messages: Any, *, stream: bool) -> AIMessage:
    if not stream:
        return llm.invoke(messages)  # type: ignore[return-value]
    full = None
    for chunk in llm.stream(messages):
        full = chunk if full is None else full + chunk
    assert full is not None
    return full  # type: ignore[return-value]


@pytest.mark.vcr
class TestChatAIMLAPIResponsesIntegration(chat_suite.TestChatAIMLAPIIntegration):
    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {**super().chat_model_params, "use_responses_api": True}

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        llm = ChatAIMLAPI(model="gpt-4o-mini", use_responses_api=True, **chat_suite._connection())
        # Prompt caching starts at 1,024 tokens; the second call reads the cached prefix.
        messages = [SystemMessage("You are a careful assistant. " * 400), HumanMessage("Hi.")]
        llm.invoke(messages)
        return _stream_or_invoke(llm, messages, stream=stream)

    def invoke_with_reasoning_output(self, *, stream: bool = False) -> AIMessage:
        llm = ChatAIMLAPI(
            model="openai/o3-2025-04-16",
            reasoning={"effort": "low", "summary": "auto"},
            use_responses_api=True,
            **chat_suite._connection(),
        )
        message = _stream_or_invoke(llm, "What is 3^3? Think it through.", stream=stream)
        assert any(b["type"] == "reasoning" for b in message.content_blocks)
        return message
