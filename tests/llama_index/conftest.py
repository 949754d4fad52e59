"""Fixtures of the LlamaIndex adapter tests (helpers live in ``llama_support``)."""

from __future__ import annotations

from typing import Any

import pytest
from llama_support import MODEL, LLMFactory

from llama_index_aimlapi import AIMLAPI
from tests.support.fake_model import fake_responder
from tests.support.replay_server import ReplayServer


@pytest.fixture
def llm_factory(api_settings: dict[str, str], replay_server: ReplayServer) -> LLMFactory:
    """``make(model=MODEL, **fields) -> AIMLAPI`` on ``api_settings``.

    Offline the replay server answers with the deterministic fake model (only reached while
    recording: replays come from the cassette); live it is AI/ML API itself.
    """
    replay_server.responder = fake_responder

    def make(model: str = MODEL, **fields: Any) -> AIMLAPI:
        return AIMLAPI(
            model=model,
            api_key=api_settings["api_key"],
            api_base=api_settings["base_url"],
            **fields,
        )

    return make
