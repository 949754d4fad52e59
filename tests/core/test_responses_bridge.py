"""Chat-shaped calls on ``/v1/responses``: request translation, and every corpus response read
back as a chat completion, streamed and not, with the same answer both ways."""

from __future__ import annotations

import json
import random
import warnings
from typing import Any

import httpx
import pytest

from aimlapi_core import (
    Client,
    ResponseFailedError,
    ResponsesStreamAccumulator,
    Settings,
    StreamDelta,
    StreamError,
)
from aimlapi_core.responses_bridge import (
    ResponsesDeltaTranslator,
    chat_completion_from_response,
    chat_reply_from_responses,
    input_items_from_messages,
    responses_request_from_chat,
)
from aimlapi_core.shaping import AIMLAPIParameterWarning, reset_parameter_warnings
from aimlapi_core.wire.chat import ChatCompletion
from aimlapi_core.wire.responses import Response
from tests.core.test_conformance import RESP_JSON, RESP_SSE
from tests.support.wire_expect import naive_payloads, synth_responses_events

# --------------------------------------------------------------------------- request


def test_messages_become_input_items_in_order() -> None:
    items = input_items_from_messages(
        [
            {"role": "system", "content": "Be brief."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is this?"},
                    {"type": "image_url", "image_url": {"url": "https://x/cat.png"}},
                    {"type": "file", "file": {"filename": "a.pdf", "file_data": "data:..."}},
                ],
            },
            {
                "role": "assistant",
                "content": "Let me check.",
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                    {"id": "c2", "type": "function", "function": {"name": "g", "arguments": ""}},
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "1"},
            {"role": "tool", "tool_call_id": "c2", "content": [{"type": "text", "text": "2"}]},
            {"type": "item_reference", "id": "rs_1"},
        ]
    )
    assert items == [
        {"type": "message", "role": "system", "content": "Be brief."},
        {
            "type": "message",
            "role": "user",
            "content": [
                {"type": "input_text", "text": "What is this?"},
                {"type": "input_image", "image_url": "https://x/cat.png", "detail": "auto"},
                {"type": "input_file", "filename": "a.pdf", "file_data": "data:..."},
            ],
        },
        {"type": "message", "role": "assistant", "content": "Let me check."},
        {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
        {"type": "function_call", "call_id": "c2", "name": "g", "arguments": ""},
        {"type": "function_call_output", "call_id": "c1", "output": "1"},
        {"type": "function_call_output", "call_id": "c2", "output": "2"},
        {"type": "item_reference", "id": "rs_1"},
    ]


@pytest.mark.parametrize(
    ("message", "fix"),
    [
        ({"role": "tool", "content": "1"}, "tool_call_id"),
        ({"role": "function", "name": "f", "content": "1"}, "use system, developer, user"),
    ],
)
def test_messages_responses_cannot_take_say_what_to_do(message: dict[str, Any], fix: str) -> None:
    with pytest.raises(ValueError, match=fix):
        input_items_from_messages([message])


def test_request_translation_of_every_chat_parameter() -> None:
    body = {
        "model": "openai/gpt-4.1-2025-04-14",
        "messages": [{"role": "user", "content": "Hi"}],
        "max_completion_tokens": 100,
        "reasoning_effort": "low",
        "reasoning": {"summary": "auto"},
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "Joke", "schema": {"type": "object"}, "strict": True},
        },
        "tools": [
            {"type": "function", "function": {"name": "add", "parameters": {"type": "object"}}},
            {"type": "web_search_preview"},
        ],
        "tool_choice": {"type": "function", "function": {"name": "add"}},
        "parallel_tool_calls": False,
        "previous_response_id": "resp_0",
        "store": True,
        "include": ["reasoning.encrypted_content"],
        "stream": True,
        "stream_options": {"include_usage": True},
        "temperature": 0.2,
        "n": 1,
    }
    out = responses_request_from_chat(body)
    assert out == {
        "model": "openai/gpt-4.1-2025-04-14",
        "input": [{"type": "message", "role": "user", "content": "Hi"}],
        "max_output_tokens": 100,
        "reasoning": {"effort": "low", "summary": "auto"},
        "text": {
            "format": {
                "type": "json_schema",
                "name": "Joke",
                "schema": {"type": "object"},
                "strict": True,
            }
        },
        "tools": [
            {"type": "function", "name": "add", "parameters": {"type": "object"}},
            {"type": "web_search_preview"},
        ],
        "tool_choice": {"type": "function", "name": "add"},
        "parallel_tool_calls": False,
        "previous_response_id": "resp_0",
        "store": True,
        "include": ["reasoning.encrypted_content"],
        "stream": True,
        "temperature": 0.2,
    }
    assert body["messages"] == [{"role": "user", "content": "Hi"}]  # input untouched


def test_json_mode_becomes_text_format_json_object() -> None:
    out = responses_request_from_chat(
        {"model": "m", "messages": [], "response_format": {"type": "json_object"}}
    )
    assert out["text"] == {"format": {"type": "json_object"}}


def test_chat_only_parameters_are_dropped_with_one_warning() -> None:
    reset_parameter_warnings()
    body = {"model": "vendor/x", "messages": [], "stop": ["\n"], "seed": 1, "logprobs": False}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = responses_request_from_chat(body)
    assert "stop" not in out and "seed" not in out and "logprobs" not in out
    messages = [str(w.message) for w in caught if w.category is AIMLAPIParameterWarning]
    assert len(messages) == 1
    assert "seed, stop on /v1/responses" in messages[0]


def test_n_above_one_is_refused() -> None:
    with pytest.raises(ValueError, match="one answer per call"):
        responses_request_from_chat({"model": "m", "messages": [], "n": 2})


# --------------------------------------------------------------------------- reply, corpus


def _direct(x: dict[str, Any]) -> Response:
    return Response.model_validate(json.loads(x["response"]["body"]))


def _calls(completion: ChatCompletion) -> list[tuple[Any, Any, Any]]:
    message = completion.choices[0].message
    return [
        (c.id, c.custom["name"], c.custom["input"])
        if c.type == "custom" and c.custom is not None
        else (c.id, c.function.name, c.function.arguments)
        for c in message.tool_calls or ()
    ]


def _item_calls(response: Response) -> list[tuple[Any, Any, Any]]:
    """Function and custom tool calls of a response, in output order, from its own items."""
    return [
        (
            i.get("call_id"),
            i.get("name"),
            i.get("arguments") if "arguments" in i else i.get("input"),
        )
        for i in response.output
        if i.get("type") in ("function_call", "custom_tool_call")
    ]


@pytest.mark.parametrize("x", RESP_JSON)
def test_every_corpus_response_reads_as_a_chat_completion(x: dict[str, Any]) -> None:
    response = _direct(x)
    completion = chat_completion_from_response(response)
    choice = completion.choices[0]
    assert completion.id == response.id
    assert choice.message.text == response.text
    assert choice.message.reasoning_text == response.reasoning_text
    assert _calls(completion) == _item_calls(response)
    assert (choice.message.annotations or []) == [
        note
        for item in response.output
        if item.get("type") == "message"
        for part in item.get("content") or ()
        for note in part.get("annotations") or ()
    ]
    assert (choice.message.output_items or []) == [
        i for i in response.output if i.get("type") not in ("message", "function_call", "reasoning")
    ]
    assert completion.normalised_usage == response.normalised_usage
    if response.status == "incomplete":
        assert choice.finish_reason == "length"
        assert completion.model_extra is not None
        assert completion.model_extra["incomplete_details"] == response.incomplete_details
    elif _item_calls(response):
        assert choice.finish_reason == "tool_calls"
    else:
        assert choice.finish_reason == "stop"


class _Assembled:
    """A naive reading of translated deltas: what a chat adapter would build from them."""

    def __init__(self) -> None:
        self.text = ""
        self.reasoning = ""
        self.calls: dict[int, list[Any]] = {}
        self.finish: str | None = None
        self.usage: Any = None
        self.chunk: dict[str, Any] = {}
        self.annotations: list[Any] = []
        self.items: list[Any] = []

    def add(self, delta: StreamDelta | None) -> None:
        if delta is None:
            return
        (choice,) = delta.choices
        self.text += choice.content or ""
        self.reasoning += choice.reasoning or ""
        self.annotations += choice.annotations or []
        self.items += choice.output_items or []
        for call in choice.tool_calls:
            slot = self.calls.setdefault(call.index, [None, None, ""])
            slot[0] = slot[0] or call.id
            slot[1] = slot[1] or call.name
            slot[2] += call.arguments
        if choice.finish_reason:
            self.finish = choice.finish_reason
            self.usage = delta.usage
            self.chunk = delta.chunk

    def assert_same_as(self, completion: ChatCompletion) -> None:
        message = completion.choices[0].message
        assert self.text == message.text
        assert self.reasoning == (message.reasoning_text or "")
        assert [tuple(self.calls[i]) for i in sorted(self.calls)] == _calls(completion)
        assert self.finish == completion.choices[0].finish_reason
        assert self.annotations == (message.annotations or [])
        # The items as each finished (a later snapshot may say more: e.g. its sources); an
        # item whose .done never came arrives with the final snapshot, after the others.
        assert sorted((i.get("type"), i.get("id")) for i in self.items) == sorted(
            (i.get("type"), i.get("id")) for i in message.output_items or ()
        )
        assert self.usage == completion.normalised_usage
        assert self.chunk["id"] == completion.id


def _translate(events: list[dict[str, Any]]) -> tuple[_Assembled, Response]:
    acc, translator, seen = ResponsesStreamAccumulator(), ResponsesDeltaTranslator(), _Assembled()
    for event in events:
        seen.add(translator.add(acc.add(event)))
    return seen, acc.result()


@pytest.mark.parametrize("snapshot", [True, False], ids=["snapshot", "deltas-only"])
@pytest.mark.parametrize("x", RESP_JSON)
def test_translated_stream_agrees_with_the_non_streamed_reply(
    x: dict[str, Any], snapshot: bool
) -> None:
    raw = json.loads(x["response"]["body"])
    events = synth_responses_events(raw, random.Random(x["id"]), snapshot=snapshot)
    seen, _ = _translate(events)
    seen.assert_same_as(chat_completion_from_response(Response.model_validate(raw)))


@pytest.mark.parametrize("x", RESP_SSE)
def test_every_recorded_stream_translates_to_its_own_result(x: dict[str, Any]) -> None:
    events = [payload for _, payload in naive_payloads(x["response"]["body"])]
    seen, result = _translate(events)
    seen.assert_same_as(chat_completion_from_response(result))


def test_done_events_without_deltas_still_deliver_the_text_and_arguments() -> None:
    events = [
        {"type": "response.created", "response": {"id": "resp_9", "model": "m"}},
        {"type": "response.output_text.done", "output_index": 0, "text": "Whole text"},
        {
            "type": "response.output_item.added",
            "output_index": 1,
            "item": {"type": "function_call", "call_id": "c", "name": "f", "arguments": ""},
        },
        {
            "type": "response.output_item.done",
            "output_index": 1,
            "item": {"type": "function_call", "call_id": "c", "name": "f", "arguments": '{"a":1}'},
        },
        {"type": "response.completed", "response": {"id": "resp_9", "status": "completed"}},
    ]
    seen, result = _translate(events)
    assert (seen.text, seen.calls, seen.finish) == (
        "Whole text",
        {0: ["c", "f", '{"a":1}']},
        "tool_calls",
    )
    seen.assert_same_as(chat_completion_from_response(result))


# --------------------------------------------------------------------------- failed


def _client(status_body: dict[str, Any] | bytes, content_type: str) -> Client:
    content = status_body if isinstance(status_body, bytes) else json.dumps(status_body).encode()

    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=content,
            headers={"content-type": content_type, "x-inference-id": "inf-failed"},
        )

    return Client(
        Settings(api_key="sk-test", max_retries=0),
        http_client=httpx.Client(transport=httpx.MockTransport(reply)),
    )


FAILED = {
    "id": "resp_f",
    "status": "failed",
    "output": [],
    "error": {"code": "server_error", "message": "The model produced invalid content."},
}


def test_a_failed_response_raises_with_the_provider_message() -> None:
    with _client(FAILED, "application/json") as client, pytest.raises(ResponseFailedError) as info:
        client.create_response({"model": "m", "input": "hi"})
    err = info.value
    assert err.provider_message == "The model produced invalid content."
    assert err.code == "server_error"
    assert err.inference_id == "inf-failed"
    assert "The response failed: The model produced invalid content." in str(err)


def test_a_failed_stream_raises_the_same_error_type() -> None:
    body = (
        b'data: {"type":"response.created","response":{"id":"resp_f","status":"in_progress"}}\n\n'
        b'data: {"type":"response.output_text.delta","output_index":0,"delta":"Par"}\n\n'
        b"data: " + json.dumps({"type": "response.failed", "response": FAILED}).encode() + b"\n\n"
    )
    with (
        _client(body, "text/event-stream") as client,
        client.stream_response({"model": "m", "input": "hi"}) as stream,
        pytest.raises(ResponseFailedError, match="invalid content"),
    ):
        list(stream)
    assert not stream.completed
    assert issubclass(ResponseFailedError, StreamError)


def test_chat_reply_from_a_failed_reply_raises() -> None:
    from aimlapi_core import ResponsesReply

    reply = ResponsesReply(Response.model_validate(FAILED), "inf-1", None, {})
    with pytest.raises(ResponseFailedError):
        chat_reply_from_responses(reply)
