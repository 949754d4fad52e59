"""LangChain's standard unit suite for ``ChatAIMLAPI``."""

from __future__ import annotations

from typing import Any

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

    def test_serdes(self, model: ChatAIMLAPI, snapshot: Any) -> None:  # type: ignore[override]
        """The standard test, but loading with our class allow-listed.

        langchain-tests 1.1.9 calls ``load(..., allowed_objects="all")``, and since
        langchain-core 1.x ``"all"`` means "classes in langchain-core's own serialisation
        mapping": no third-party integration can pass it. We assert the same things (snapshot,
        and a round trip equal to the original) with ``allowed_objects=[ChatAIMLAPI]``.
        """
        import os
        from unittest import mock

        from langchain_core.load import dumpd, load

        env_params, _, _ = self.init_from_env_params
        with mock.patch.dict(os.environ, env_params):
            serialised = dumpd(model)
            assert serialised == snapshot(name="serialized")
            assert "sk-unit-test" not in str(serialised)
            loaded = load(
                serialised,
                valid_namespaces=model.get_lc_namespace()[:1],
                allowed_objects=[ChatAIMLAPI],
                secrets_from_env=True,
            )
            assert loaded.dict() == model.dict()
            assert loaded.api_key is not None
            assert loaded.api_key.get_secret_value() == "sk-from-env"
