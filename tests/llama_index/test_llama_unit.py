"""``AIMLAPI`` without a server: metadata, secrets, keys, request shapes, images, clients, errors.

Requests go to an ``httpx.MockTransport`` (``MockAPI``) passed as ``http_client=`` /
``async_http_client=``, so each test sees the exact body and headers we send.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import pickle
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import (
    AudioBlock,
    ChatMessage,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_support import OFFLINE_KEY, MockAPI, completion, json_response, sse_response

from aimlapi_core import (
    AuthenticationError,
    MissingAPIKeyError,
    PermissionDeniedError,
    ServerError,
)
from aimlapi_core.shaping import AIMLAPIParameterWarning, reset_parameter_warnings
from llama_index_aimlapi import AIMLAPI, DEFAULT_CONTEXT_WINDOW
from llama_index_aimlapi.convert import message_to_wire, messages_to_wire

ROOT = Path(__file__).resolve().parents[2]
HI = [ChatMessage(role="user", content="Hi")]


def ok() -> httpx.Response:
    return json_response(completion("Hello!"))


# --- metadata ------------------------------------------------------------------------------


def test_metadata_known_model() -> None:
    meta = AIMLAPI(model="openai/gpt-4o").metadata
    assert meta.model_name == "openai/gpt-4o"
    assert meta.context_window == 128_000  # from the capabilities table
    assert meta.num_output == 16_384
    assert meta.is_chat_model is True
    assert meta.is_function_calling_model is True
    assert meta.system_role == MessageRole.SYSTEM


def test_metadata_unknown_model_has_defaults_and_never_raises() -> None:
    meta = AIMLAPI(model="some-vendor/model-released-yesterday").metadata
    assert meta.context_window == DEFAULT_CONTEXT_WINDOW == 128_000
    assert meta.num_output == 256
    assert meta.is_function_calling_model is True
    assert AIMLAPI(model="").metadata.context_window == DEFAULT_CONTEXT_WINDOW


def test_metadata_reasoning_models() -> None:
    o3 = AIMLAPI(model="openai/o3-2025-04-16")
    assert o3.capabilities is not None and o3.capabilities.reasoning
    assert o3.metadata.is_function_calling_model is True
    o1_mini = AIMLAPI(model="o1-mini").metadata  # no tools, no system/developer role
    assert o1_mini.is_function_calling_model is False
    assert o1_mini.system_role == MessageRole.USER


def test_metadata_follows_capabilities_for_tools() -> None:
    """A model whose spec has no ``tools`` is not a function-calling model."""
    llm = AIMLAPI(model="NousResearch/Nous-Hermes-2-Mixtral-8x7B-DPO")
    assert llm.metadata.is_function_calling_model is False


def test_metadata_overrides() -> None:
    meta = AIMLAPI(
        model="openai/gpt-4o",
        context_window=32_000,
        is_function_calling_model=False,
        max_tokens=512,
    ).metadata
    assert (meta.context_window, meta.is_function_calling_model, meta.num_output) == (
        32_000,
        False,
        512,
    )


# --- the key -------------------------------------------------------------------------------

SECRET = "sk-very-secret-123"


def test_key_never_shown() -> None:
    llm = AIMLAPI(model="gpt-4o-mini", api_key=SECRET)
    shown = [
        repr(llm),
        str(llm),
        str(llm.model_dump()),
        llm.model_dump_json(),
        str(llm.to_dict()),
        llm.to_json(),
        llm.json(),
        str(llm.dict()),
        repr(llm.api_key),
        str(llm.api_key),
        repr(llm._settings()),
    ]
    for text in shown:
        assert SECRET not in text
    assert "api_key" not in llm.to_dict()
    assert llm.api_key is not None and llm.api_key.get_secret_value() == SECRET


def test_key_is_sent_as_bearer() -> None:
    api = MockAPI(default=ok())
    api.llm(api_key=SECRET).chat(HI)
    assert api.requests[0].headers["authorization"] == f"Bearer {SECRET}"


def test_no_key_is_an_error_at_first_use_not_construction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AIMLAPI_API_KEY", raising=False)
    monkeypatch.delenv("AIML_API_KEY", raising=False)
    api = MockAPI(default=ok())
    llm = api.llm(api_key=None)  # constructing needs no key
    assert llm.metadata.model_name
    with pytest.raises(MissingAPIKeyError) as info:
        llm.chat(HI)
    assert "AIMLAPI_API_KEY" in str(info.value) and "AIML_API_KEY" in str(info.value)
    with pytest.raises(MissingAPIKeyError):
        list(llm.stream_chat(HI))
    with pytest.raises(MissingAPIKeyError):
        llm.complete("Hi")

    async def run_async() -> None:
        with pytest.raises(MissingAPIKeyError):
            await llm.achat(HI)
        with pytest.raises(MissingAPIKeyError):
            [r async for r in await llm.astream_chat(HI)]

    asyncio.run(run_async())
    assert api.requests == []  # nothing was sent


@pytest.mark.parametrize("variable", ["AIMLAPI_API_KEY", "AIML_API_KEY"])
def test_key_from_environment(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    monkeypatch.delenv("AIMLAPI_API_KEY", raising=False)
    monkeypatch.delenv("AIML_API_KEY", raising=False)
    monkeypatch.setenv(variable, "sk-from-env")
    api = MockAPI(default=ok())
    api.llm(api_key=None).chat(HI)
    assert api.requests[0].headers["authorization"] == "Bearer sk-from-env"


def test_base_url_from_environment_and_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIMLAPI_BASE_URL", "http://127.0.0.1:1234/v1/")
    assert AIMLAPI().api_base == "http://127.0.0.1:1234/v1"
    with pytest.raises(ValueError, match="base URL"):
        AIMLAPI(api_base="api.aimlapi.com")


def test_no_key_in_cassettes() -> None:
    """Every recorded cassette of these tests is free of the key and of auth headers."""
    files = sorted(ROOT.glob("cassettes/test_llama_*/*.yaml"))
    assert files, "no cassettes recorded"
    for path in files:
        text = path.read_text()
        assert OFFLINE_KEY not in text, path
        assert "authorization" not in text.lower(), path
        assert "Bearer" not in text, path


# --- request bodies ------------------------------------------------------------------------


def test_default_body_sends_only_what_was_set() -> None:
    api = MockAPI(default=ok())
    api.llm("openai/gpt-4o").chat(HI)
    assert api.bodies[0] == {
        "model": "openai/gpt-4o",
        "messages": [{"role": "user", "content": "Hi"}],
        "stream": False,
    }


def test_fields_additional_kwargs_and_call_kwargs() -> None:
    api = MockAPI(default=ok())
    llm = api.llm(
        "openai/gpt-4o",
        temperature=0.2,
        max_tokens=100,
        additional_kwargs={"seed": 7, "top_p": 0.9},
        default_headers={"X-Team": "search"},
    )
    llm.chat(HI, top_p=0.5, stop=None, user="u-1")
    body = api.bodies[0]
    assert (body["temperature"], body["max_tokens"], body["seed"]) == (0.2, 100, 7)
    assert body["top_p"] == 0.5 and body["user"] == "u-1" and "stop" not in body
    headers = api.requests[0].headers
    assert headers["x-team"] == "search"
    assert headers["user-agent"].startswith("aimlapi-integrations/")


def test_reasoning_model_body_is_shaped() -> None:
    """o3: max_tokens → max_completion_tokens, temperature dropped with one warning."""
    reset_parameter_warnings()
    api = MockAPI(default=ok())
    llm = api.llm("openai/o3-2025-04-16", max_tokens=500, reasoning_effort="high", temperature=0.3)
    with pytest.warns(AIMLAPIParameterWarning) as caught:  # one warning per rule
        llm.chat(HI)
    said = [str(w.message) for w in caught]
    assert any("temperature" in m for m in said) and any("max_completion_tokens" in m for m in said)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        llm.chat(HI)  # warned once per model and set of dropped names
    body = api.bodies[0]
    assert body["max_completion_tokens"] == 500 and "max_tokens" not in body
    assert body["reasoning_effort"] == "high"
    assert "temperature" not in body


def test_system_message_folded_for_a_model_without_system_role() -> None:
    api = MockAPI(default=ok())
    reset_parameter_warnings()
    with pytest.warns(AIMLAPIParameterWarning, match="put in front of the next user message"):
        api.llm("o1-mini").chat([ChatMessage(role="system", content="Be brief."), *HI])
    assert api.bodies[0]["messages"] == [{"role": "user", "content": "Be brief.\n\nHi"}]


def test_stream_options_only_when_streaming_and_accepted() -> None:
    api = MockAPI(default=sse_response([completion_chunk("Hi", finish="stop")]))
    list(api.llm("openai/gpt-4o").stream_chat(HI))
    assert api.bodies[0]["stream"] is True
    assert api.bodies[0]["stream_options"] == {"include_usage": True}
    list(api.llm("anthropic/claude-3.5-sonnet").stream_chat(HI))
    assert "stream_options" not in api.bodies[1]  # its schema has no stream_options
    api.replies.append(ok())
    api.llm("openai/gpt-4o", additional_kwargs={"stream_options": {"include_usage": True}}).chat(HI)
    assert "stream_options" not in api.bodies[2]


def completion_chunk(text: str, finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "c",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": finish}],
    }


# --- messages and images -------------------------------------------------------------------

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082"
)
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"


def image_url_of(block: ImageBlock) -> dict[str, Any]:
    message = ChatMessage(role="user", blocks=[TextBlock(text="What is this?"), block])
    content = message_to_wire(message)["content"]
    assert content[0] == {"type": "text", "text": "What is this?"}
    assert content[1]["type"] == "image_url"
    return content[1]["image_url"]


def test_image_url() -> None:
    url = image_url_of(ImageBlock(url="https://example.com/cat.png", detail="high"))
    assert url == {"url": "https://example.com/cat.png", "detail": "high"}


def test_image_data_url_passes_through() -> None:
    data_url = "data:image/gif;base64," + base64.b64encode(GIF).decode()
    assert image_url_of(ImageBlock(url=data_url))["url"] == data_url


def test_image_bytes() -> None:
    url = image_url_of(ImageBlock(image=PNG))["url"]
    assert url == "data:image/png;base64," + base64.b64encode(PNG).decode()


def test_image_base64_bytes() -> None:
    url = image_url_of(ImageBlock(image=base64.b64encode(GIF)))["url"]
    assert url == "data:image/gif;base64," + base64.b64encode(GIF).decode()


def test_image_path(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(JPEG)
    url = image_url_of(ImageBlock(path=path))["url"]
    assert url == "data:image/jpeg;base64," + base64.b64encode(JPEG).decode()


def test_image_path_without_suffix_is_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "upload"
    path.write_bytes(PNG)
    assert image_url_of(ImageBlock(path=path))["url"].startswith("data:image/png;base64,")


def test_explicit_mimetype_wins() -> None:
    block = ImageBlock(image=PNG, image_mimetype="image/webp")
    assert image_url_of(block)["url"].startswith("data:image/webp;base64,")


def test_image_request_end_to_end() -> None:
    api = MockAPI(default=ok())
    message = ChatMessage(role="user", blocks=[TextBlock(text="Describe"), ImageBlock(image=PNG)])
    api.llm("openai/gpt-4o").chat([message])
    content = api.bodies[0]["messages"][0]["content"]
    assert content[1]["image_url"]["url"].startswith("data:image/png;base64,iVBORw0KGgo")


def test_text_only_roles_get_strings() -> None:
    system = ChatMessage(role="system", blocks=[TextBlock(text="a"), TextBlock(text="b")])
    assert message_to_wire(system) == {"role": "system", "content": "ab"}
    user = ChatMessage(role="user", blocks=[TextBlock(text="a"), TextBlock(text="b")])
    assert message_to_wire(user) == {"role": "user", "content": "ab"}


def test_assistant_history_round_trip() -> None:
    """Reasoning is not sent back; tool calls and the tool reply are."""
    assistant = ChatMessage(
        role="assistant",
        blocks=[
            ThinkingBlock(content="Let me add."),
            TextBlock(text="Adding."),
            ToolCallBlock(tool_call_id="c1", tool_name="add", tool_kwargs='{"a":1,"b":2}'),
        ],
    )
    tool = ChatMessage(role="tool", content="3", additional_kwargs={"tool_call_id": "c1"})
    assert messages_to_wire([assistant, tool]) == [
        {
            "role": "assistant",
            "content": "Adding.",
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "add", "arguments": '{"a":1,"b":2}'},
                }
            ],
        },
        {"role": "tool", "content": "3", "tool_call_id": "c1"},
    ]


def test_chatbot_role_and_legacy_tool_calls() -> None:
    call = {"id": "c9", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    message = ChatMessage(role="chatbot", content="", additional_kwargs={"tool_calls": [call]})
    assert message_to_wire(message) == {"role": "assistant", "content": None, "tool_calls": [call]}


def test_audio_and_document_parts() -> None:
    wav = b"RIFF\x24\x00\x00\x00WAVEfmt "
    pdf = b"%PDF-1.4\n%EOF"
    message = ChatMessage(
        role="user",
        blocks=[
            AudioBlock(audio=wav, format="wav"),
            DocumentBlock(data=pdf, title="a.pdf", document_mimetype="application/pdf"),
        ],
    )
    audio, document = message_to_wire(message)["content"]
    assert audio == {
        "type": "input_audio",
        "input_audio": {"data": base64.b64encode(wav).decode(), "format": "wav"},
    }
    assert document["type"] == "file" and document["file"]["filename"] == "a.pdf"
    assert document["file"]["file_data"].startswith("data:application/pdf;base64,")


# --- replies -------------------------------------------------------------------------------


def test_usage_cost_and_inference_id_from_headers_and_body() -> None:
    body = completion(
        "Hi",
        usage={
            "prompt_tokens": 2000,
            "completion_tokens": 300,
            "total_tokens": 2300,
            "prompt_tokens_details": {"cached_tokens": 1024},
            "completion_tokens_details": {"reasoning_tokens": 256},
        },
        meta={"usage": {"credits_used": 2480, "usd_spent": 0.00124}},
    )
    api = MockAPI(default=json_response(body, x_inference_id="inf-42"))
    response = api.llm().chat(HI)
    assert response.additional_kwargs == {
        "prompt_tokens": 2000,
        "completion_tokens": 300,
        "total_tokens": 2300,
        "cached_tokens": 1024,
        "reasoning_tokens": 256,
        "cost": {"credits_used": 2480, "usd_spent": 0.00124},
        "inference_id": "inf-42",
        "finish_reason": "stop",
    }
    assert response.raw == body


def test_cost_from_headers_when_the_body_has_none() -> None:
    api = MockAPI(
        default=json_response(
            completion("Hi"), x_aimlapi_credits_used="40", x_aimlapi_usd_spent="0.00002"
        )
    )
    assert api.llm().chat(HI).additional_kwargs["cost"] == {
        "credits_used": 40,
        "usd_spent": 0.00002,
    }


def test_logprobs_mapped() -> None:
    body = completion("Hi")
    body["choices"][0]["logprobs"] = {
        "content": [
            {
                "token": "Hi",
                "logprob": -0.01,
                "bytes": [72, 105],
                "top_logprobs": [
                    {"token": "Hi", "logprob": -0.01, "bytes": [72, 105]},
                    {"token": "Hey", "logprob": -4.2, "bytes": [72, 101, 121]},
                ],
            }
        ]
    }
    api = MockAPI(default=json_response(body))
    response = api.llm(additional_kwargs={"logprobs": True, "top_logprobs": 2}).chat(HI)
    assert api.bodies[0]["logprobs"] is True
    assert response.logprobs is not None
    assert [(p.token, p.logprob) for p in response.logprobs[0]] == [("Hi", -0.01), ("Hey", -4.2)]


# --- errors and retries --------------------------------------------------------------------


def aimlapi_error(status: int, message: str) -> httpx.Response:
    return httpx.Response(
        status,
        json={
            "message": message,
            "path": "/v1/chat/completions",
            "requestId": "req-123",
            "statusCode": status,
            "timestamp": "2025-06-15T15:06:40.000Z",
        },
        headers={"retry-after": "0"},
    )


def test_typed_errors_propagate() -> None:
    api = MockAPI(aimlapi_error(401, "Invalid API key"), aimlapi_error(403, "No credits"))
    llm = api.llm(max_retries=0)
    with pytest.raises(AuthenticationError) as info:
        llm.chat(HI)
    assert info.value.request_id == "req-123" and info.value.provider_message == "Invalid API key"
    with pytest.raises(PermissionDeniedError):
        list(llm.stream_chat(HI))


def test_retries_happen_once_in_the_core() -> None:
    """max_retries=1: two attempts in all (no second retry layer on top)."""
    api = MockAPI(default=aimlapi_error(500, "upstream down"))
    with pytest.raises(ServerError):
        api.llm(max_retries=1).chat(HI)
    assert len(api.requests) == 2

    api = MockAPI(aimlapi_error(503, "busy"), ok())
    assert api.llm(max_retries=2).chat(HI).message.content == "Hello!"
    assert len(api.requests) == 2


def test_async_errors_propagate() -> None:
    api = MockAPI(default=aimlapi_error(401, "Invalid API key"))
    llm = api.llm(max_retries=0)

    async def main() -> None:
        with pytest.raises(AuthenticationError):
            await llm.acomplete("Hi")

    asyncio.run(main())


# --- clients -------------------------------------------------------------------------------


def test_sync_client_created_lazily_and_reused() -> None:
    api = MockAPI(default=ok())
    llm = api.llm()
    assert llm._clients._sync is None
    llm.chat(HI)
    client = llm._client()
    llm.chat(HI)
    assert llm._client() is client
    llm.api_key = "sk-other"  # type: ignore[assignment]  # pydantic coerces to SecretStr
    assert llm._client() is not client  # new settings, new client
    llm.close()
    assert llm._clients._sync is None


def test_async_client_per_event_loop() -> None:
    api = MockAPI(default=ok())
    llm = api.llm()
    seen: list[object] = []

    async def call_twice() -> None:
        await llm.achat(HI)
        first = llm._aclient()
        await llm.achat(HI)
        assert llm._aclient() is first
        seen.append(first)

    asyncio.run(call_twice())
    asyncio.run(call_twice())  # a new loop: the first loop's client is not reused
    assert seen[0] is not seen[1]
    assert len(api.requests) == 4


def test_copies_open_their_own_clients() -> None:
    llm = AIMLAPI(api_key=SECRET)
    llm._client()
    clone = copy.deepcopy(llm)
    assert clone._clients._sync is None
    restored = pickle.loads(pickle.dumps(llm))
    assert restored._clients._sync is None
    assert restored.api_key is not None and restored.api_key.get_secret_value() == SECRET
    llm.close()


def test_user_http_client_is_used_and_not_closed() -> None:
    api = MockAPI(default=ok())
    llm = api.llm()
    llm.chat(HI)
    user_client = llm._http_client
    llm.close()
    assert user_client is not None and not user_client.is_closed


def test_body_is_valid_json_for_every_method() -> None:
    """complete() sends the prompt as one user message (no legacy completions route)."""
    api = MockAPI(default=ok())
    api.llm().complete("Paris is the capital of")
    assert api.requests[0].url.path == "/v1/chat/completions"
    assert json.loads(api.requests[0].content)["messages"] == [
        {"role": "user", "content": "Paris is the capital of"}
    ]


async def test_client_request_id_goes_out_on_every_request() -> None:
    api = MockAPI(default=ok())
    llm = api.llm(client_request_id="order-8f21c4")
    llm.chat([ChatMessage(role="user", content="hi")])
    await llm.achat([ChatMessage(role="user", content="hi")])
    assert [r.headers["x-client-request-id"] for r in api.requests] == ["order-8f21c4"] * 2
    assert "order-8f21c4" in repr(llm)  # not a secret: it is for tracing
