"""Request shaping to model capabilities: renames, drops with one warning, roles, validation."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from aimlapi_core.models import EndpointSpec, ModelCapabilities, get_capabilities
from aimlapi_core.shaping import (
    AIMLAPIParameterWarning,
    UnsupportedRequestError,
    reset_parameter_warnings,
    shape_chat_request,
    shape_responses_request,
)

O3 = "openai/o3-2025-04-16"
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]


@pytest.fixture(autouse=True)
def _fresh_warnings() -> Iterator[None]:
    reset_parameter_warnings()
    yield
    reset_parameter_warnings()


def _caps(model_id: str) -> ModelCapabilities:
    caps = get_capabilities(model_id)
    assert caps is not None, model_id
    return caps


# o1-mini's roles (neither system nor developer) on a schema that takes images.
FOLDING_VISION = replace(
    _caps("gpt-4o"),
    model_id="test/folding-vision",
    chat=replace(_caps("gpt-4o").spec(), roles=frozenset({"user", "assistant"})),
)


def _shape(
    body: dict[str, Any], caps: ModelCapabilities | None
) -> tuple[dict[str, Any], list[warnings.WarningMessage]]:
    """Shape a deep-copied body, check the input was not touched, return the result and warnings."""
    before = copy.deepcopy(body)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = shape_chat_request(body, caps)
    assert body == before, "the input body was mutated"
    assert out is not body
    return out, [w for w in caught if issubclass(w.category, AIMLAPIParameterWarning)]


# --- o3: a reasoning model ------------------------------------------------------------------


def _o3_body() -> dict[str, Any]:
    return {
        "model": O3,
        "messages": [
            {"role": "system", "content": "Be terse."},
            {"role": "user", "content": "Weather in Oslo?"},
        ],
        "max_tokens": 800,
        "temperature": 0.2,
        "top_p": 0.9,
        "stop": ["\n\n"],
        "parallel_tool_calls": False,
        "reasoning_effort": "high",
        "tools": TOOLS,
        "tool_choice": "auto",
        "stream": True,
        "stream_options": {"include_usage": True},
    }


def test_o3_renames_drops_and_keeps() -> None:
    body = _o3_body()
    out, caught = _shape(body, _caps(O3))
    assert out["max_completion_tokens"] == 800
    assert "max_tokens" not in out
    for name in ("temperature", "top_p", "stop", "parallel_tool_calls"):
        assert name not in out, name
    assert out["reasoning_effort"] == "high"
    assert out["tools"] == TOOLS and out["tool_choice"] == "auto"
    assert out["stream"] is True and out["stream_options"] == {"include_usage": True}
    assert out["messages"] == body["messages"]  # o3 takes system and developer
    assert len(caught) == 2  # one per rule: the rename, the drop
    rename, drop = sorted(caught, key=lambda w: "does not accept" in str(w.message))
    assert "max_tokens sent as max_completion_tokens" in str(rename.message)
    message = str(drop.message)
    assert O3 in message
    for name in ("parallel_tool_calls", "stop", "temperature", "top_p"):
        assert name in message
    assert "filterwarnings" in message and "AIMLAPIParameterWarning" in message


def test_warnings_are_emitted_once_per_rule_and_model() -> None:
    caps = _caps(O3)
    _, first = _shape(_o3_body(), caps)
    _, second = _shape(_o3_body(), caps)
    assert len(first) == 2 and second == []
    # Another set of dropped names is news: it warns once too.
    _, third = _shape({"model": O3, "messages": [], "top_p": 0.5}, caps)
    _, fourth = _shape({"model": O3, "messages": [], "top_p": 0.5}, caps)
    assert len(third) == 1 and fourth == []
    assert "top_p" in str(third[0].message)


def test_o3_drops_even_temperature_one() -> None:
    # o3's schema has no temperature at all: even 1 would not validate.
    out, caught = _shape({"model": O3, "messages": [], "temperature": 1}, _caps(O3))
    assert "temperature" not in out
    assert len(caught) == 1


def test_o3_both_token_limits_keep_max_completion_tokens() -> None:
    body = {"model": O3, "messages": [], "max_tokens": 100, "max_completion_tokens": 300}
    out, _ = _shape(body, _caps(O3))
    assert out["max_completion_tokens"] == 300
    assert "max_tokens" not in out


def test_explicit_nulls_are_dropped_without_warning() -> None:
    body: dict[str, Any] = {"model": O3, "messages": [], "top_p": None, "stop": None}
    out, caught = _shape(body, _caps(O3))
    assert "top_p" not in out and "stop" not in out
    assert caught == []


def test_reasoning_effort_kept_where_the_schema_has_it_and_dropped_where_not() -> None:
    out, caught = _shape({"model": O3, "messages": [], "reasoning_effort": "low"}, _caps(O3))
    assert out["reasoning_effort"] == "low" and caught == []
    body = {"model": "gpt-4o", "messages": [], "reasoning_effort": "low"}
    out, caught = _shape(body, _caps("gpt-4o"))
    assert "reasoning_effort" not in out
    assert len(caught) == 1 and "reasoning_effort" in str(caught[0].message)


def test_tools_and_response_format_are_refused_by_name_not_dropped() -> None:
    # o1-mini's schema has neither tools nor response_format: our error, before sending.
    body = {"model": "o1-mini", "messages": [{"role": "user", "content": "hi"}]}
    with pytest.raises(UnsupportedRequestError, match="'o1-mini' cannot call tools"):
        shape_chat_request({**body, "tools": TOOLS, "tool_choice": "auto"}, _caps("o1-mini"))
    with pytest.raises(UnsupportedRequestError, match="'o1-mini' takes no response_format"):
        shape_chat_request({**body, "response_format": {"type": "json_object"}}, _caps("o1-mini"))


def test_n_dropped_only_when_one() -> None:
    caps = _caps("claude-opus-4-20250514")  # its chat schema has no `n`
    assert caps.spec().accepts("n") is False
    out, caught = _shape({"model": caps.model_id, "messages": [], "n": 1}, caps)
    assert "n" not in out and len(caught) == 1
    out, _ = _shape({"model": caps.model_id, "messages": [], "n": 3}, caps)
    assert out["n"] == 3


def test_schema_with_temperature_keeps_it_on_a_reasoning_model() -> None:
    caps = _caps("claude-opus-4-20250514")  # reasoning (extended thinking) and takes temperature
    assert caps.reasoning and "temperature" in caps.chat_params
    out, caught = _shape(
        {"model": caps.model_id, "messages": [], "temperature": 0.3, "max_tokens": 50}, caps
    )
    assert out["temperature"] == 0.3
    assert out["max_tokens"] == 50  # its token limit is max_tokens: no rename
    assert caught == []


def test_max_completion_tokens_renamed_for_a_max_tokens_only_schema() -> None:
    caps = _caps("MiniMax-Text-01")  # schema: max_tokens, no max_completion_tokens
    out, caught = _shape({"model": caps.model_id, "messages": [], "max_completion_tokens": 9}, caps)
    assert out["max_tokens"] == 9 and "max_completion_tokens" not in out
    assert len(caught) == 1 and "max_completion_tokens sent as max_tokens" in str(caught[0].message)


def test_reasoning_model_without_a_chat_schema_drops_temperature_only() -> None:
    caps = replace(
        _caps(O3), model_id="acme/reasoner", chat=EndpointSpec(refused=frozenset({"temperature"}))
    )
    body = {"model": "acme/reasoner", "messages": [], "temperature": 0.7, "top_p": 0.5}
    out, caught = _shape(body, caps)
    assert "temperature" not in out
    assert out["top_p"] == 0.5  # unknown schema: not known to be unsupported
    assert len(caught) == 1


# --- roles ----------------------------------------------------------------------------------


def test_o1_mini_merges_system_into_first_user_message() -> None:
    body = {
        "model": "o1-mini",
        "messages": [
            {"role": "system", "content": "You are a poet."},
            {"role": "user", "content": "Write about rain."},
            {"role": "assistant", "content": "Drip."},
            {"role": "user", "content": "More."},
        ],
        "max_tokens": 200,
    }
    out, caught = _shape(body, _caps("o1-mini"))
    assert out["messages"] == [
        {"role": "user", "content": "You are a poet.\n\nWrite about rain."},
        {"role": "assistant", "content": "Drip."},
        {"role": "user", "content": "More."},
    ]
    assert out["max_completion_tokens"] == 200 and "max_tokens" not in out
    assert len(caught) == 2  # the token-limit rename and the folded instructions
    assert any("neither 'system' nor 'developer'" in str(w.message) for w in caught)


def test_o1_mini_refuses_images() -> None:
    image = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
    body = {"model": "o1-mini", "messages": [{"role": "user", "content": [image]}]}
    with pytest.raises(UnsupportedRequestError, match="takes no images"):
        shape_chat_request(body, _caps("o1-mini"))


def test_fold_merges_into_list_of_parts() -> None:
    image = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
    body = {
        "model": "o1-mini",
        "messages": [
            {"role": "system", "content": [{"type": "text", "text": "Rule one."}]},
            {"role": "developer", "content": "Rule two."},
            {"role": "user", "content": [{"type": "text", "text": "Describe."}, image]},
        ],
    }
    out, _ = _shape(body, FOLDING_VISION)
    assert out["messages"] == [
        {
            "role": "user",
            "content": [{"type": "text", "text": "Rule one.\n\nRule two.\n\nDescribe."}, image],
        }
    ]


def test_fold_merges_into_parts_starting_with_an_image() -> None:
    image = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
    body = {
        "model": "o1-mini",
        "messages": [
            {"role": "system", "content": "Rule."},
            {"role": "user", "content": [image, {"type": "text", "text": "What is it?"}]},
        ],
    }
    out, _ = _shape(body, FOLDING_VISION)
    assert out["messages"][0]["content"] == [
        {"type": "text", "text": "Rule."},
        image,
        {"type": "text", "text": "What is it?"},
    ]


def test_o1_mini_system_without_a_following_user_message_becomes_one() -> None:
    body = {
        "model": "o1-mini",
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello"},
            {"role": "system", "content": "Now answer in French."},
        ],
    }
    out, _ = _shape(body, _caps("o1-mini"))
    assert out["messages"][-1] == {"role": "user", "content": "Now answer in French."}
    assert [m["role"] for m in out["messages"]] == ["user", "assistant", "user"]


def test_developer_only_model_gets_developer_role() -> None:
    caps = replace(
        _caps("gpt-4o"),
        model_id="test/developer-only",
        chat=replace(
            _caps("gpt-4o").spec(), roles=frozenset({"user", "assistant", "developer", "tool"})
        ),
    )
    assert caps.takes_developer_role and not caps.takes_system_role
    body = {
        "model": "test/developer-only",
        "messages": [
            {"role": "system", "content": "Be kind.", "name": "policy"},
            {"role": "user", "content": "Hi"},
        ],
    }
    out, _ = _shape(body, caps)
    assert out["messages"] == [
        {"role": "developer", "content": "Be kind.", "name": "policy"},
        {"role": "user", "content": "Hi"},
    ]


def test_system_only_model_gets_system_role() -> None:
    caps = _caps("MiniMax-Text-01")  # roles: user, system, tool, assistant
    body = {
        "model": "MiniMax-Text-01",
        "messages": [
            {"role": "developer", "content": "Be kind."},
            {"role": "user", "content": "Hi"},
        ],
    }
    out, _ = _shape(body, caps)
    assert out["messages"][0] == {"role": "system", "content": "Be kind."}


def test_claude_native_schema_keeps_openai_shape_and_roles() -> None:
    # The Claude spec files document Anthropic's native shape on /v1/chat/completions; AI/ML
    # API's function-calling guide calls them OpenAI-style: that shape stays, the system role too.
    caps = _caps("claude-opus-4-20250514")
    assert "chat.completions: anthropic_native_schema" in caps.disagreements
    assert caps.roles is None and caps.tools
    body = {
        "model": caps.model_id,
        "tools": TOOLS,
        "messages": [{"role": "system", "content": "x"}, {"role": "user", "content": "y"}],
    }
    out, caught = _shape(body, caps)
    assert out == body and caught == []


def test_unknown_roles_leave_messages_alone() -> None:
    caps = _caps("claude-opus-4-20250514")
    body = {
        "model": caps.model_id,
        "messages": [{"role": "developer", "content": "x"}, {"role": "user", "content": "y"}],
    }
    out, _ = _shape(body, caps)
    assert out["messages"] == body["messages"]


# --- bodies that must pass unchanged --------------------------------------------------------


def test_gpt_4o_body_unchanged() -> None:
    body = {
        "model": "gpt-4o",
        "messages": [
            {"role": "system", "content": "Be terse."},
            {"role": "developer", "content": "Use metric units."},
            {"role": "user", "content": "Weather?"},
        ],
        "max_tokens": 256,
        "temperature": 0.2,
        "top_p": 0.9,
        "stop": ["END"],
        "n": 2,
        "seed": 7,
        "presence_penalty": 0.1,
        "frequency_penalty": 0.1,
        "logit_bias": {"50256": -100},
        "logprobs": True,
        "top_logprobs": 3,
        "parallel_tool_calls": True,
        "tools": TOOLS,
        "tool_choice": "auto",
        "response_format": {"type": "json_object"},
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    out, caught = _shape(body, _caps("gpt-4o"))
    assert out == body
    assert caught == []


def test_unknown_model_unchanged() -> None:
    body: dict[str, Any] = {
        "model": "acme/not-yet-documented",
        "messages": [{"role": "system", "content": "x"}],
        "max_tokens": 5,
        "temperature": 0.1,
        "whatever": {"a": 1},
    }
    assert get_capabilities(body["model"]) is None
    out, caught = _shape(body, None)
    assert out == body and caught == []


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("max_tokens", 0),
        ("max_tokens", -1),
        ("max_completion_tokens", 0),
        ("max_tokens", "100"),
        ("max_tokens", True),
    ],
)
def test_bad_token_limit_raises(key: str, value: Any) -> None:
    body = {"model": O3, "messages": [], key: value}
    for caps in (_caps(O3), None):
        with pytest.raises(ValueError, match=f"{key} must be a positive number"):
            shape_chat_request(body, caps)


def test_non_string_reasoning_effort_raises() -> None:
    with pytest.raises(ValueError, match="reasoning_effort must be a string"):
        shape_chat_request({"model": O3, "messages": [], "reasoning_effort": 2}, _caps(O3))


# --- /v1/responses --------------------------------------------------------------------------


def _shape_responses(
    body: dict[str, Any], caps: ModelCapabilities | None
) -> tuple[dict[str, Any], list[warnings.WarningMessage]]:
    before = copy.deepcopy(body)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = shape_responses_request(body, caps)
    assert body == before, "the input body was mutated"
    return out, [w for w in caught if issubclass(w.category, AIMLAPIParameterWarning)]


def test_responses_o3() -> None:
    body = {
        "model": O3,
        "input": "Hi",
        "max_tokens": 64,
        "temperature": 0.5,
        "top_p": 0.5,
        "reasoning_effort": "medium",
        "tools": TOOLS,
    }
    out, caught = _shape_responses(body, _caps(O3))
    assert out == {
        "model": O3,
        "input": "Hi",
        "max_output_tokens": 64,
        "reasoning": {"effort": "medium"},
        "tools": [{**TOOLS[0], "strict": False}],  # o3's Responses schema requires strict
    }
    assert len(caught) == 1
    assert "temperature" in str(caught[0].message) and "top_p" in str(caught[0].message)


def test_responses_keeps_explicit_max_output_tokens_and_reasoning() -> None:
    body = {
        "model": O3,
        "input": "Hi",
        "max_tokens": 10,
        "max_output_tokens": 20,
        "reasoning_effort": "low",
        "reasoning": {"effort": "high", "summary": "auto"},
    }
    out, _ = _shape_responses(body, _caps(O3))
    assert out["max_output_tokens"] == 20 and "max_tokens" not in out
    assert out["reasoning"] == {"effort": "high", "summary": "auto"}


def test_responses_gpt_4o_keeps_temperature_and_drops_reasoning() -> None:
    body = {"model": "gpt-4o", "input": "Hi", "temperature": 0.3, "reasoning": {"effort": "low"}}
    out, caught = _shape_responses(body, _caps("gpt-4o"))
    assert out["temperature"] == 0.3
    assert "reasoning" not in out
    assert len(caught) == 1 and "reasoning" in str(caught[0].message)


def test_responses_unknown_model_unchanged_but_validated() -> None:
    # Only the endpoint's renames apply: /v1/responses has no max_tokens for any model.
    body = {"model": "acme/x", "input": "Hi", "max_tokens": 10}
    out, _ = _shape_responses(body, None)
    assert out == {"model": "acme/x", "input": "Hi", "max_output_tokens": 10}
    with pytest.raises(ValueError, match="max_output_tokens"):
        shape_responses_request({"model": "acme/x", "max_output_tokens": 0}, None)
