"""LangChain's standard integration suite for ``ChatAIMLAPI``, offline on cassettes.

Offline, each test replays ``cassettes/test_chat_standard_integration/<Class>.<test>.yaml``.
Those were recorded against the loopback replay server answering as the repository's
deterministic fake model (``tests/support/fake_model.py``, OpenAI's exact wire format; the
cassettes say ``x-cassette-origin: authored fake-model``). With ``AIMLAPI_API_KEY`` set,
``pytest --record-mode=rewrite`` re-records them against the live API.

The vcr configuration is ours (``tests/conftest.py``), not ``base_vcr_config()``, whose
``record_mode`` would override the command line's ``--record-mode``.

Capability flags: every one that ``ChatOpenAI``'s own standard tests set to true is true here
(tool calling, tool choice, structured output, JSON mode, image inputs and URLs, image tool
messages, Anthropic-style inputs, usage metadata with cache-read and reasoning details, streaming
usage), except:

* PDF and audio inputs: AI/ML API documents no file or ``input_audio`` content parts for its chat
  completions models (``../shared/aimlapi-docs``: vision covers images only), so we do not claim
  them.
"""

from __future__ import annotations

import atexit
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_aimlapi import ChatAIMLAPI
from tests.conftest import LIVE_BASE_URL, LIVE_KEY, OFFLINE_KEY, is_live
from tests.support.fake_model import fake_responder
from tests.support.replay_server import ReplayServer

_server: ReplayServer | None = None


def _base_url() -> str:
    """The live API, or a module-wide replay server used only when a cassette is recorded."""
    global _server
    if is_live():
        return LIVE_BASE_URL
    if _server is None:
        _server = ReplayServer(responder=fake_responder).__enter__()
        atexit.register(_server.__exit__, None, None, None)
    return _server.base_url


def _connection() -> dict[str, Any]:
    return {"api_key": LIVE_KEY or OFFLINE_KEY, "base_url": _base_url()}


@pytest.mark.vcr
class TestChatAIMLAPIIntegration(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[ChatAIMLAPI]:
        return ChatAIMLAPI

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "gpt-4o-mini", "temperature": 0, **_connection()}

    @property
    def enable_vcr_tests(self) -> bool:
        return True

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def supports_image_tool_message(self) -> bool:
        return True

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True

    @property
    def supports_model_override(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str:
        # Unprefixed: AI/ML API echoes ids without the vendor prefix in the reply's ``model``,
        # and the standard test looks for the requested id inside it.
        return "gpt-4o"

    @property
    def supported_usage_metadata_details(self) -> dict[str, list[Any]]:
        details: list[Any] = ["reasoning_output", "cache_read_input"]
        return {"invoke": details, "stream": details}

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        llm = ChatAIMLAPI(model="gpt-4o-mini", **_connection())
        # Prompt caching starts at 1,024 tokens; the second call reads the cached prefix.
        long_system = "You are a careful assistant. " * 400
        messages = [SystemMessage(long_system), HumanMessage("Say hello.")]
        llm.invoke(messages)
        if stream:
            full = None
            for chunk in llm.stream(messages):
                full = chunk if full is None else full + chunk
            assert full is not None
            return full  # type: ignore[return-value]
        return llm.invoke(messages)  # type: ignore[return-value]

    def invoke_with_reasoning_output(self, *, stream: bool = False) -> AIMessage:
        llm = ChatAIMLAPI(model="openai/o3-2025-04-16", reasoning_effort="low", **_connection())
        prompt = "What is 3^3? Think it through."
        if stream:
            full = None
            for chunk in llm.stream(prompt):
                full = chunk if full is None else full + chunk
            assert full is not None
            return full  # type: ignore[return-value]
        return llm.invoke(prompt)  # type: ignore[return-value]
