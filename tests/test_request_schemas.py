"""Every request body both adapters build validates against the model's own published schema.

For every (model, endpoint) in ``aimlapi_core/data/model_capabilities.json`` this builds the
body of each typical call (text, stream, tools auto and forced, structured output, reasoning
effort, a multi-turn conversation with a tool result, an image) through ``ChatAIMLAPI`` and
``AIMLAPI`` (chat completions) and through ``ChatAIMLAPI(use_responses_api=True)`` and
``AIMLAPIResponses`` (``/v1/responses``). Bodies are captured by an ``httpx.MockTransport``
(nothing leaves the process) and validated with ``jsonschema`` against the request schemas AI/ML
API publishes for that model and endpoint (``tests/data/aimlapi-docs/text-models.json.gz``,
OpenAPI's ``nullable`` mapped to JSON Schema). A body is valid when one of the spec files
documenting the model accepts it.

A call may also be refused before sending (``UnsupportedRequestError``: tools to a model without
tools, an image to a model without vision, structured output where the model takes neither a
format nor tools); such a refusal is checked against the data and counted, never sent.
"""

from __future__ import annotations

import gzip
import json
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from llama_index.core.base.llms.types import ChatMessage, ImageBlock, MessageRole, TextBlock
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from aimlapi_core.models import CHAT_COMPLETIONS, RESPONSES, capabilities_for, known_model_ids
from aimlapi_core.shaping import UnsupportedRequestError
from langchain_aimlapi import ChatAIMLAPI
from llama_index_aimlapi import AIMLAPI, AIMLAPIResponses

DOCS = Path(__file__).resolve().parent / "data" / "aimlapi-docs"
PATHS = {
    "/v1/chat/completions": CHAT_COMPLETIONS,
    "/chat/completions": CHAT_COMPLETIONS,
    "/openai/deployments/{model}": CHAT_COMPLETIONS,
    "/v1/responses": RESPONSES,
    "/responses": RESPONSES,
}
CALLS = (
    "text",
    "stream",
    "tools_auto",
    "tools_forced",
    "structured",
    "reasoning",
    "tool_result",
    "image",
)

# (model id, endpoint, call, class) -> why the body may not validate. Keep it short.
_CLAUDE_NATIVE = (
    "the spec file documents Anthropic's native shape on /v1/chat/completions, but AI/ML API's "
    "function-calling guide calls the model with OpenAI-shaped tools and the system role: we "
    "keep the OpenAI shape (recorded as `anthropic_native_schema` in the data)"
)
_DEEPSEEK_TOOLS = (
    "deepseek-chat's spec leaves out tools (and the tool role), which the model takes: recorded "
    "as an override in the data"
)


def _exception(model_id: str, call: str, body: dict[str, Any]) -> str | None:
    caps = capabilities_for(model_id)
    if any("anthropic_native_schema" in d for d in caps.disagreements):
        return _CLAUDE_NATIVE
    if any("override" in d for d in caps.disagreements) and (
        "tools" in body or any(m.get("role") == "tool" for m in body.get("messages") or ())
    ):
        return _DEEPSEEK_TOOLS
    return None


# -- schemas ------------------------------------------------------------------------------------


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 -> JSON Schema: ``nullable: true`` becomes "or null"."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") is True:
        return {"anyOf": [out, {"type": "null"}]}
    return out


@cache
def _specs() -> dict[str, Any]:
    with gzip.open(DOCS / "text-models.json.gz", "rt", encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@cache
def _validator(schema_hash: str) -> jsonschema.protocols.Validator:
    schema = _json_schema(_specs()["schemas"][schema_hash])
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    return cls(schema)


@cache
def _schemas_by_model() -> dict[tuple[str, str], tuple[str, ...]]:
    found: dict[tuple[str, str], set[str]] = {}
    for op in _specs()["operations"]:
        endpoint = PATHS.get(op["path"])
        if endpoint is None or not op.get("request"):
            continue
        for model_id in op["model_ids"]:
            found.setdefault((model_id, endpoint), set()).add(op["request"])
    return {k: tuple(sorted(v)) for k, v in found.items()}


def _errors(model_id: str, endpoint: str, body: dict[str, Any]) -> list[str]:
    """Empty when one of the model's schemas accepts ``body``; else each schema's first error."""
    errors: list[str] = []
    for schema_hash in _schemas_by_model()[(model_id, endpoint)]:
        error = jsonschema.exceptions.best_match(_validator(schema_hash).iter_errors(body))
        if error is None:
            return []
        errors.append(f"{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}")
    return errors


# -- capturing bodies ---------------------------------------------------------------------------


class _Captured(Exception):
    pass


class _Recorder:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        return httpx.Response(400, json={"message": "captured", "statusCode": 400})

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handle))


class Weather(BaseModel):
    """Weather in a city."""

    city: str
    celsius: float


def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


IMAGE = "https://example.com/cat.png"
CALL_ID = "call_1"


def _lc_messages(call: str) -> list[BaseMessage]:
    if call == "image":
        return [
            HumanMessage(
                content=[
                    {"type": "text", "text": "What is this?"},
                    {"type": "image_url", "image_url": {"url": IMAGE}},
                ]
            )
        ]
    if call == "tool_result":
        return [
            SystemMessage("Be brief."),
            HumanMessage("Weather in Oslo?"),
            AIMessage(
                "", tool_calls=[{"name": "get_weather", "args": {"city": "Oslo"}, "id": CALL_ID}]
            ),
            ToolMessage("sunny", tool_call_id=CALL_ID),
        ]
    return [SystemMessage("Be brief."), HumanMessage("Weather in Oslo?")]


def _langchain_call(model_id: str, call: str, responses: bool, http: httpx.Client) -> None:
    llm = ChatAIMLAPI(
        model=model_id,
        api_key="sk-test",
        max_retries=0,
        http_client=http,
        use_responses_api=responses,
        max_tokens=64,
        temperature=0.2,
        reasoning_effort="low" if call == "reasoning" else None,
    )
    messages = _lc_messages(call)
    if call == "stream":
        for _ in llm.stream(messages):
            pass
    elif call in ("tools_auto", "tool_result"):
        llm.bind_tools([get_weather]).invoke(messages)
    elif call == "tools_forced":
        llm.bind_tools([get_weather], tool_choice="get_weather").invoke(messages)
    elif call == "structured":
        llm.with_structured_output(Weather).invoke(messages)
    else:
        llm.invoke(messages)


def _llama_messages(call: str) -> list[ChatMessage]:
    if call == "image":
        return [
            ChatMessage(
                role=MessageRole.USER,
                blocks=[TextBlock(text="What is this?"), ImageBlock(url=IMAGE)],
            )
        ]
    system = ChatMessage(role=MessageRole.SYSTEM, content="Be brief.")
    user = ChatMessage(role=MessageRole.USER, content="Weather in Oslo?")
    if call == "tool_result":
        call_wire = {
            "id": CALL_ID,
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
        }
        return [
            system,
            user,
            ChatMessage(
                role=MessageRole.ASSISTANT,
                content=None,
                additional_kwargs={"tool_calls": [call_wire]},
            ),
            ChatMessage(
                role=MessageRole.TOOL, content="sunny", additional_kwargs={"tool_call_id": CALL_ID}
            ),
        ]
    return [system, user]


def _llama_call(model_id: str, call: str, responses: bool, http: httpx.Client) -> None:
    common: dict[str, Any] = {
        "model": model_id,
        "api_key": "sk-test",
        "max_retries": 0,
        "http_client": http,
        "max_tokens": 64,
        "temperature": 0.2,
    }
    llm: AIMLAPI
    if responses:
        llm = AIMLAPIResponses(
            **common, reasoning_options={"effort": "low"} if call == "reasoning" else None
        )
    else:
        llm = AIMLAPI(**common, reasoning_effort="low" if call == "reasoning" else None)
    messages = _llama_messages(call)
    tool = FunctionTool.from_defaults(fn=get_weather)
    if call == "stream":
        for _ in llm.stream_chat(messages):
            pass
    elif call == "tools_auto":
        llm.chat_with_tools([tool], chat_history=messages)
    elif call == "tools_forced":
        llm.chat_with_tools([tool], chat_history=messages, tool_choice="get_weather")
    elif call == "tool_result":
        llm.chat_with_tools([tool], chat_history=messages)
    elif call == "structured":
        llm.structured_predict(Weather, PromptTemplate("Weather in {city}?"), city="Oslo")
    else:
        llm.chat(messages)


CLASSES: dict[str, tuple[str, bool, Callable[[str, str, bool, httpx.Client], None]]] = {
    "ChatAIMLAPI": (CHAT_COMPLETIONS, False, _langchain_call),
    "AIMLAPI": (CHAT_COMPLETIONS, False, _llama_call),
    "ChatAIMLAPI(use_responses_api=True)": (RESPONSES, True, _langchain_call),
    "AIMLAPIResponses": (RESPONSES, True, _llama_call),
}


def _refusal_is_right(model_id: str, endpoint: str, call: str, error: Exception) -> bool:
    """A refusal names something the model's data really lacks."""
    spec = capabilities_for(model_id).spec(endpoint)
    text = str(error)
    if "cannot call function tools" in text:
        return spec.tool_types is not None and "function" not in spec.tool_types
    if "input items on /v1/responses" in text:
        return call == "tool_result" and "function_call" not in (spec.input_types or ())
    if "cannot call tools" in text:
        return spec.accepts("tools") is False and call in (
            "tools_auto",
            "tools_forced",
            "tool_result",
            "structured",
        )
    if "takes no images" in text:
        return spec.vision is False and call == "image"
    if "takes no response_format" in text or "takes no text" in text:
        return call == "structured" and not spec.may_send("tools")
    return False


def _cases() -> Iterator[tuple[str, str, str]]:
    for model_id in sorted(known_model_ids()):
        caps = capabilities_for(model_id)
        for name, (endpoint, _, _) in CLASSES.items():
            if endpoint in caps.endpoints:
                for call in CALLS:
                    yield model_id, name, call


def test_every_body_validates_against_the_models_schema() -> None:
    counts: Counter[str] = Counter()
    invalid: list[str] = []
    excepted: Counter[str] = Counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for model_id, name, call in _cases():
            endpoint, responses, run = CLASSES[name]
            recorder = _Recorder()
            with recorder.client() as http:
                try:
                    run(model_id, call, responses, http)
                except UnsupportedRequestError as exc:
                    assert _refusal_is_right(model_id, endpoint, call, exc), (
                        f"{name} {model_id} {call}: refused wrongly: {exc}"
                    )
                    counts["refused"] += 1
                    continue
                except Exception:  # the 400 the recorder answers with, as each class maps it
                    pass
            assert recorder.bodies, f"{name} {model_id} {call}: nothing was sent"
            for body in recorder.bodies:
                counts["bodies"] += 1
                errors = _errors(model_id, endpoint, body)
                if not errors:
                    counts["valid"] += 1
                    continue
                reason = _exception(model_id, call, body)
                if reason is not None:
                    excepted[reason[:40]] += 1
                    continue
                invalid.append(f"{name} {model_id} {call}: {errors[0]}")
    print(
        f"\n{counts['bodies']} bodies: {counts['valid']} valid, {sum(excepted.values())} in the "
        f"reasoned exceptions {dict(excepted)}, {len(invalid)} invalid; "
        f"{counts['refused']} calls refused before sending"
    )
    assert counts["bodies"] > 5000
    assert not invalid, f"{len(invalid)} invalid bodies:\n" + "\n".join(invalid[:40])


@pytest.mark.parametrize(
    ("body", "ok"),
    [
        ({"model": "openai/o3-2025-04-16", "messages": [{"role": "user", "content": "hi"}]}, True),
        (
            {
                "model": "openai/o3-2025-04-16",
                "messages": [{"role": "user", "content": "hi"}],
                "temperature": 0.2,
            },
            True,  # extra keys are allowed by this schema; o3 has no `temperature` property
        ),
        (
            {"model": "openai/o3-2025-04-16", "messages": [{"role": "wizard", "content": "x"}]},
            False,
        ),
        ({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}, False),
    ],
)
def test_the_validator_itself_rejects_what_it_should(body: dict[str, Any], ok: bool) -> None:
    assert (not _errors("openai/o3-2025-04-16", CHAT_COMPLETIONS, body)) is ok
