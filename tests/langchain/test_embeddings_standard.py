"""LangChain's standard embeddings suites for ``AIMLAPIEmbeddings``.

The integration suite replays ``cassettes/test_embeddings_standard/<Class>.<test>.yaml``,
recorded against the loopback replay server answering as the repository's deterministic fake
model (``tests/support/fake_model.py``: OpenAI's embeddings format; the cassettes say
``x-cassette-origin: authored fake-model``). With ``AIMLAPI_API_KEY`` set,
``pytest --record-mode=rewrite`` re-records them against the live API.
"""

from __future__ import annotations

import atexit
from typing import Any

import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

from langchain_aimlapi import AIMLAPIEmbeddings
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


class TestAIMLAPIEmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[AIMLAPIEmbeddings]:
        return AIMLAPIEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "text-embedding-3-small", "api_key": "sk-unit-test"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"AIMLAPI_API_KEY": "sk-from-env", "AIMLAPI_BASE_URL": "https://example.test/v1"},
            {"model": "text-embedding-3-large"},
            {"api_key": "sk-from-env", "base_url": "https://example.test/v1"},
        )


@pytest.mark.vcr
class TestAIMLAPIEmbeddingsIntegration(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[AIMLAPIEmbeddings]:
        return AIMLAPIEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {
            "model": "text-embedding-3-small",
            "api_key": LIVE_KEY or OFFLINE_KEY,
            "base_url": _base_url(),
        }
