"""AIMLAPILLM: LangChain's text LLM over chat completions (no standard suite exists for LLMs
in langchain-tests 1.1, so these tests cover the same ground)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.load import dumpd, load
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import PromptTemplate

from aimlapi_core import AuthenticationError
from aimlapi_core.shaping import AIMLAPIParameterWarning, reset_parameter_warnings
from langchain_aimlapi import AIMLAPILLM, AimlapiLLM
from tests.support.fake_model import fake_responder
from tests.support.replay_server import ReplayServer, Scripted

KEY = "sk-llm-secret-42"


@pytest.fixture
def llm(replay_server: ReplayServer) -> AIMLAPILLM:
    replay_server.responder = fake_responder
    return AIMLAPILLM(model="gpt-4o-mini", api_key=KEY, base_url=replay_server.base_url)


def test_invoke_sends_one_user_message(llm: AIMLAPILLM, replay_server: ReplayServer) -> None:
    text = llm.invoke("Hello")
    assert isinstance(text, str) and text
    body = replay_server.requests[-1].body
    assert body["messages"] == [{"role": "user", "content": "Hello"}]
    assert replay_server.requests[-1].path == "/v1/chat/completions"


def test_generate_several_prompts(llm: AIMLAPILLM, replay_server: ReplayServer) -> None:
    result = llm.generate(["Hello", "What is 2 + 2?"], stop=["\n\n"])
    assert len(result.generations) == 2 and all(len(g) == 1 for g in result.generations)
    info = result.generations[1][0].generation_info
    assert info is not None
    assert info["finish_reason"] in ("stop", "length")
    assert set(info["usage"]) >= {"input_tokens", "output_tokens", "total_tokens"}
    assert info["cost"]["usd_spent"] > 0 and info["inference_id"]
    usage = result.llm_output["token_usage"]  # type: ignore[index]
    per_prompt = [g[0].generation_info["usage"] for g in result.generations]  # type: ignore[index]
    assert usage["total_tokens"] == sum(u["total_tokens"] for u in per_prompt)
    assert all(r.body["stop"] == ["\n\n"] for r in replay_server.requests)


async def test_async_and_stream_agree(llm: AIMLAPILLM) -> None:
    text = await llm.ainvoke("Hello")
    streamed = "".join(llm.stream("Hello"))
    astreamed = "".join([c async for c in llm.astream("Hello")])
    assert text == streamed == astreamed
    assert llm.batch(["Hello", "Hello"]) == [text, text]
    assert await llm.abatch(["Hello"]) == [text]


def test_stream_final_chunk_has_usage_and_cost(llm: AIMLAPILLM) -> None:
    streaming = llm.model_copy(update={"streaming": True})
    gen = streaming.generate(["Hello"]).generations[0][0]
    assert gen.generation_info is not None
    assert gen.generation_info["finish_reason"] == "stop"
    assert gen.generation_info["usage"]["total_tokens"] > 0
    assert gen.generation_info["cost"]["credits_used"] > 0


def test_reasoning_model_shaping(replay_server: ReplayServer) -> None:
    replay_server.responder = fake_responder
    llm = AIMLAPILLM(
        model="openai/o3-2025-04-16", max_tokens=64, api_key=KEY, base_url=replay_server.base_url
    )
    reset_parameter_warnings()  # the rename warns once per model and process
    with pytest.warns(AIMLAPIParameterWarning, match="max_tokens sent as max_completion_tokens"):
        gen = llm.generate(["What is 3^3?"]).generations[0][0]
    body = replay_server.requests[-1].body
    assert body["max_completion_tokens"] == 64 and "max_tokens" not in body
    assert gen.generation_info["usage"]["reasoning_tokens"] > 0  # type: ignore[index]


def test_typed_errors(replay_server: ReplayServer) -> None:
    replay_server.enqueue(Scripted(status=401, body=b'{"message": "bad key", "statusCode": 401}'))
    llm = AIMLAPILLM(api_key=KEY, base_url=replay_server.base_url, max_retries=0)
    with pytest.raises(AuthenticationError, match="bad key"):
        llm.invoke("hi")


def test_identity_and_secrets() -> None:
    assert AimlapiLLM is AIMLAPILLM
    llm = AIMLAPILLM(model="gpt-4o-mini", api_key=KEY, temperature=0.1)
    assert llm._llm_type == "aimlapi"
    ls = llm._get_ls_params(stop=["x"])
    assert (
        ls["ls_provider"] == "aimlapi" and ls["ls_model_type"] == "llm" and ls["ls_stop"] == ["x"]
    )
    assert llm.lc_secrets == {"api_key": "AIMLAPI_API_KEY"}
    serialised = dumpd(llm)
    for text in (repr(llm), str(llm), json.dumps(serialised)):
        assert KEY not in text
    loaded = load(
        serialised,
        valid_namespaces=["langchain_aimlapi"],
        allowed_objects=[AIMLAPILLM],
        secrets_map={"AIMLAPI_API_KEY": "sk-restored"},
    )
    assert isinstance(loaded, AIMLAPILLM) and loaded.temperature == 0.1
    assert loaded.api_key is not None and loaded.api_key.get_secret_value() == "sk-restored"


@pytest.mark.vcr
def test_lcel_chain_from_cassette(
    api_settings: dict[str, Any], replay_server: ReplayServer
) -> None:
    replay_server.responder = fake_responder
    prompt = PromptTemplate.from_template("What is {a} + {b}?")
    chain = (
        prompt | AIMLAPILLM(model="gpt-4o-mini", temperature=0, **api_settings) | StrOutputParser()
    )
    answer = chain.invoke({"a": 2, "b": 2})
    assert "4" in answer
