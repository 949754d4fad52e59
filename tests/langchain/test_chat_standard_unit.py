"""LangChain's standard unit suite for ``ChatAIMLAPI``."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_tests.unit_tests import ChatModelUnitTests

from langchain_aimlapi import ChatAIMLAPI


class TestChatAIMLAPIUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatAIMLAPI]:
        return ChatAIMLAPI

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "openai/gpt-4o-mini", "api_key": "sk-unit-test"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"AIMLAPI_API_KEY": "sk-from-env", "AIMLAPI_BASE_URL": "https://example.test/v1"},
            {"model": "openai/gpt-4o-mini"},
            {"api_key": "sk-from-env", "base_url": "https://example.test/v1"},
        )

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_model_override(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str:
        return "openai/gpt-4.1-mini-2025-04-14"

    @pytest.mark.xfail(
        reason=(
            "langchain-tests 1.1.9 loads with allowed_objects='all', which since langchain-core "
            "1.x admits only classes in langchain-core's own mapping, so no third-party "
            "integration can pass; test_serdes_round_trip below asserts the same with our class "
            "allow-listed."
        ),
        strict=True,
        raises=ValueError,
    )
    def test_serdes(self, model: Any, snapshot: Any) -> None:
        super().test_serdes(model, snapshot)


def test_serdes_round_trip(snapshot: Any) -> None:
    """dumpd → load gives an equal model, with the key only as a reference to AIMLAPI_API_KEY."""
    import os
    from unittest import mock

    from langchain_core.load import dumpd, load

    model = ChatAIMLAPI(model="openai/gpt-4o-mini", api_key="sk-unit-test", temperature=0)
    with mock.patch.dict(os.environ, {"AIMLAPI_API_KEY": "sk-from-env"}):
        serialised = dumpd(model)
        assert "sk-unit-test" not in str(serialised)
        assert serialised["kwargs"]["api_key"] == {
            "lc": 1,
            "type": "secret",
            "id": ["AIMLAPI_API_KEY"],
        }
        assert serialised == snapshot(name="serialized")
        loaded = load(
            serialised,
            valid_namespaces=["langchain_aimlapi"],
            allowed_objects=[ChatAIMLAPI],
            secrets_from_env=True,
        )
    assert loaded.dict() == model.dict()
    assert loaded.api_key is not None and loaded.api_key.get_secret_value() == "sk-from-env"
