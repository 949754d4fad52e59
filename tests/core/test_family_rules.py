"""Family rules for ids the data does not know, the capability question, and the warnings."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from aimlapi_core.models import (
    CHAT_COMPLETIONS,
    RESPONSES,
    capabilities_for,
    get_capabilities,
    known_model_ids,
)
from aimlapi_core.shaping import (
    AIMLAPIParameterWarning,
    reset_parameter_warnings,
    shape_chat_request,
    shape_responses_request,
    with_stream_usage,
)

REASONING_IDS = ["o3", "o4-mini", "gpt-5", "gpt-5-mini", "openai/o3", "openai/o3-2099-01-01"]


@pytest.fixture(autouse=True)
def _fresh_warnings() -> Iterator[None]:
    reset_parameter_warnings()
    yield
    reset_parameter_warnings()


@pytest.mark.parametrize("model_id", REASONING_IDS)
def test_reasoning_families_get_reasoning_shaping(model_id: str) -> None:
    assert model_id not in known_model_ids()
    caps = get_capabilities(model_id)
    assert caps is not None and caps.source == "family" and caps.reasoning
    body = {
        "model": model_id,
        "messages": [{"role": "user", "content": "hi"}],
        "temperature": 0.2,
        "top_p": 0.5,
        "max_tokens": 50,
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = shape_chat_request(body, caps)
    assert out == {
        "model": model_id,
        "messages": [{"role": "user", "content": "hi"}],
        "max_completion_tokens": 50,
    }
    texts = [str(w.message) for w in caught if w.category is AIMLAPIParameterWarning]
    assert len(texts) == 2
    assert any("max_tokens sent as max_completion_tokens" in t for t in texts)
    assert any("temperature, top_p" in t for t in texts)


def test_family_rule_borrows_the_documented_sibling() -> None:
    documented = get_capabilities("openai/o3-2025-04-16")
    assert documented is not None
    for model_id in ("o3", "openai/o3", "openai/o3-2099-01-01", "OpenAI/O3-20990101"):
        caps = get_capabilities(model_id)
        assert caps is not None
        assert caps.model_id == model_id  # the id as written goes on the wire
        assert caps.chat == documented.chat and caps.responses == documented.responses
    mini = get_capabilities("gpt-5-mini")
    assert mini is not None and mini.chat == get_capabilities("openai/gpt-5-mini-2025-08-07").chat  # type: ignore[union-attr]


def test_undocumented_reasoning_family_still_gets_the_rules() -> None:
    caps = get_capabilities("openai/gpt-5.9-preview")
    assert caps is not None and caps.source == "family" and caps.chat is not None
    assert caps.chat.params is None  # the schema is not known ...
    assert not caps.may_send("temperature") and caps.may_send("tools")  # ... the family is
    assert caps.spec().token_limit == "max_completion_tokens"
    assert caps.spec(RESPONSES).reasoning_param == "reasoning"


@pytest.mark.parametrize(
    "model_id", ["gpt-5-chat", "openai/gpt-5-chat-2099-01-01", "gpt-4o-2099-01-01"]
)
def test_non_reasoning_families_follow_their_schema(model_id: str) -> None:
    caps = get_capabilities(model_id)
    assert caps is not None and caps.source == "family"
    assert not caps.reasoning and caps.may_send("temperature")


@pytest.mark.parametrize("model_id", ["acme/brand-new", "llama-99-super"])
def test_unknown_ids_are_sent_as_written(model_id: str) -> None:
    assert get_capabilities(model_id) is None
    caps = capabilities_for(model_id)
    assert caps.source == "unknown"
    body = {"model": model_id, "messages": [], "temperature": 0.2, "max_tokens": 5}
    assert shape_chat_request(body, caps) == body


# --- the one capability question --------------------------------------------------------------


def test_may_send_answers_for_known_family_and_unknown_ids() -> None:
    assert capabilities_for("gpt-4o").may_send("temperature")
    assert not capabilities_for("openai/o3-2025-04-16").may_send("temperature")
    assert not capabilities_for("o3").may_send("parallel_tool_calls")
    assert capabilities_for("acme/x").may_send("parallel_tool_calls")
    assert capabilities_for("openai/o3-2025-04-16").may_send("reasoning", RESPONSES)
    assert not capabilities_for("gpt-4o").may_send("reasoning", RESPONSES)


def test_boolean_flags_are_read_from_the_parameter_lists() -> None:
    for model_id in sorted(known_model_ids()):
        caps = capabilities_for(model_id)
        if caps.chat is None:
            continue
        params = caps.chat_params
        assert caps.temperature == ("temperature" in params), model_id
        assert caps.tools == ("tools" in params), model_id
        assert caps.stream_options == ("stream_options" in params), model_id
        assert caps.max_tokens == ("max_tokens" in params), model_id
        assert caps.parallel_tool_calls == ("parallel_tool_calls" in params), model_id


def test_stream_usage_default_lives_in_one_place() -> None:
    caps = get_capabilities("gpt-4o")
    assert with_stream_usage({}, caps, True) == {"stream_options": {"include_usage": True}}
    assert with_stream_usage({"stream_options": {"x": 1}}, caps, False) == {}
    no_options = next(
        c
        for c in map(capabilities_for, sorted(known_model_ids()))
        if c.chat and not c.stream_options
    )
    assert with_stream_usage({}, no_options, True) == {}


# --- the schema-driven rules ------------------------------------------------------------------


def _shape(body: dict[str, Any]) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return shape_chat_request(body, get_capabilities(body["model"]))


def _reasoning_object_model() -> str:
    for model_id in sorted(known_model_ids()):
        spec = capabilities_for(model_id).chat
        if spec is not None and spec.reasoning_param == "reasoning":
            return model_id
    raise AssertionError("no model takes reasoning: {effort} on chat completions")


def test_reasoning_effort_mapped_to_reasoning_object_where_that_is_the_form() -> None:
    model_id = _reasoning_object_model()
    out = _shape({"model": model_id, "messages": [], "reasoning_effort": "high"})
    assert out["reasoning"] == {"effort": "high"} and "reasoning_effort" not in out


def test_reasoning_object_passes_where_the_schema_has_it_and_maps_where_not() -> None:
    model_id = _reasoning_object_model()
    given = {"effort": "low"}
    assert _shape({"model": model_id, "messages": [], "reasoning": given})["reasoning"] == given
    out = _shape({"model": "openai/o3-2025-04-16", "messages": [], "reasoning": given})
    assert out["reasoning_effort"] == "low" and "reasoning" not in out


@pytest.mark.parametrize(
    ("style", "expected"),
    [("nullable", {"content": None}), ("optional", {}), ("required", {"content": ""})],
)
def test_assistant_content_follows_the_schema(style: str, expected: dict[str, Any]) -> None:
    model_id = next(
        m
        for m in sorted(known_model_ids())
        if (c := capabilities_for(m).chat) is not None and c.assistant_content == style and c.roles
    )
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    out = _shape(
        {
            "model": model_id,
            "messages": [{"role": "assistant", "content": None, "tool_calls": [call]}],
        }
    )
    assert out["messages"][0] == {"role": "assistant", "tool_calls": [call], **expected}


def test_json_object_only_models_use_json_mode() -> None:
    only = [
        m
        for m in sorted(known_model_ids())
        if (c := capabilities_for(m).chat) is not None
        and c.response_formats == frozenset({"text", "json_object"})
    ]
    assert len(only) == 2
    for model_id in only:
        assert capabilities_for(model_id).structured_output_method() == "json_mode"
    assert capabilities_for("gpt-4o").structured_output_method() == "json_schema"


def test_string_only_tool_choice_forces_with_required() -> None:
    model_id = next(
        m
        for m in sorted(known_model_ids())
        if (c := capabilities_for(m).chat) is not None
        and c.tool_choice
        and "function" not in c.tool_choice
    )
    tool = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
    out = _shape(
        {
            "model": model_id,
            "messages": [],
            "tools": [tool],
            "tool_choice": {"type": "function", "function": {"name": "f"}},
        }
    )
    assert out["tool_choice"] == "required"


def test_responses_strict_only_where_required_and_user_value_kept() -> None:
    tool = {"type": "function", "name": "f", "parameters": {"type": "object"}}
    body = {"model": "openai/o3-2025-04-16", "input": "x", "tools": [tool]}
    caps = get_capabilities(body["model"])
    assert shape_responses_request(body, caps)["tools"] == [{**tool, "strict": False}]
    given = {**body, "tools": [{**tool, "strict": True}]}
    assert shape_responses_request(given, caps)["tools"] == [{**tool, "strict": True}]


# --- warnings ---------------------------------------------------------------------------------


def test_warning_points_at_the_callers_line() -> None:
    body = {"model": "openai/o3-2025-04-16", "messages": [], "temperature": 0.5}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        shape_chat_request(body, get_capabilities(body["model"]))
    assert len(caught) == 1
    assert caught[0].filename == __file__


def test_one_warning_per_rule_and_model() -> None:
    caps = get_capabilities("openai/o3-2025-04-16")
    body = {"model": "openai/o3-2025-04-16", "messages": [], "temperature": 0.5, "max_tokens": 9}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            shape_chat_request(body, caps)
        shape_chat_request({**body, "model": "o3"}, get_capabilities("o3"))
    assert len(caught) == 4  # two rules, two model names


def test_chat_completions_endpoint_name() -> None:
    assert capabilities_for("gpt-4o").spec(CHAT_COMPLETIONS) is capabilities_for("gpt-4o").chat
