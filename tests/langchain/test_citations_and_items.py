"""Citations, custom tool calls and built-in tool items reach the user as ``ChatOpenAI`` shows
them (issue #17 item 9), side by side on the same local server.

The exchanges come from the wire corpus: every Responses reply that has an annotation, a
custom tool call or a built-in tool item, and every chat completion with annotations; each is
served to ``ChatOpenAI`` and to ``ChatAIMLAPI`` (Responses mode, chat completions mode),
invoked and streamed, sync and async. Perplexity-style top-level ``citations`` /
``search_results`` are not in the corpus: those replies are authored in the documented shape.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage

from langchain_aimlapi import ChatAIMLAPI
from tests.support.corpus import by_id, corpus_reply, exchanges, require_corpus
from tests.support.replay_server import ReplayServer, Scripted, sse

pytestmark = [
    pytest.mark.usefixtures("corpus_required"),
    pytest.mark.filterwarnings("ignore::aimlapi_core.shaping.AIMLAPIParameterWarning"),
]

CHAT_ITEMS = ("message", "function_call", "custom_tool_call", "reasoning")
CUSTOM = "langchain-openai/test_custom_tool.yaml.gz#0"


@pytest.fixture
def corpus_required() -> None:
    require_corpus()


def _events(body: str) -> list[dict[str, Any]]:
    return [
        json.loads(line[5:])
        for line in body.splitlines()
        if line.startswith("data:") and line[5:].strip() not in ("", "[DONE]")
    ]


def _final_response(x: dict[str, Any]) -> dict[str, Any]:
    """The Response object of an exchange: the body, or a stream's terminal snapshot."""
    body = x["response"]["body"]
    if not x["response"]["content_type"].startswith("text/event-stream"):
        return dict(json.loads(body))
    for event in _events(body):
        if event.get("type") in ("response.completed", "response.incomplete"):
            return dict(event["response"])
    return {}


def _has_items(response: dict[str, Any]) -> bool:
    for item in response.get("output") or ():
        if item.get("type") not in CHAT_ITEMS:
            return True
        if item.get("type") == "custom_tool_call":
            return True
        for part in item.get("content") or ():
            if isinstance(part, dict) and part.get("annotations"):
                return True
    return False


def _responses_cases() -> list[Any]:
    return [
        pytest.param(x["id"], id=x["id"])
        for x in exchanges("responses")
        if x["response"]["status"] == 200 and _has_items(_final_response(x))
    ]


RESPONSES_CASES = _responses_cases()


def _chat_annotations(x: dict[str, Any]) -> list[Any]:
    """The annotations a recorded chat completion carries (message, or every delta's)."""
    body = x["response"]["body"]
    if x["response"]["content_type"].startswith("text/event-stream"):
        return [
            a
            for e in _events(body)
            for c in e.get("choices") or ()
            for a in (c.get("delta") or {}).get("annotations") or ()
        ]
    choices = json.loads(body).get("choices") or [{}]
    return list((choices[0].get("message") or {}).get("annotations") or ())


CHAT_CASES = [
    pytest.param(x["id"], id=x["id"])
    for x in exchanges("chat.completions")
    if x["response"]["status"] == 200 and _chat_annotations(x)
]


def _streamed(exchange_id: str) -> bool:
    return bool(by_id()[exchange_id]["response"]["content_type"].startswith("text/event-stream"))


def _join(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


async def _ask(llm: Any, mode: str, prompt: Any = "hi") -> AIMessage:
    if mode == "invoke":
        return llm.invoke(prompt)  # type: ignore[no-any-return]
    if mode == "ainvoke":
        return await llm.ainvoke(prompt)  # type: ignore[no-any-return]
    if mode == "stream":
        return _join(list(llm.stream(prompt)))
    return _join([c async for c in llm.astream(prompt)])


def _blocks(message: AIMessage) -> list[dict[str, Any]]:
    return (
        [b for b in message.content if isinstance(b, dict)]
        if isinstance(message.content, list)
        else []
    )


def _annotations(message: AIMessage) -> list[Any]:
    return [
        a for b in _blocks(message) if b.get("type") == "text" for a in b.get("annotations") or ()
    ]


def _item_blocks(message: AIMessage) -> list[tuple[Any, Any]]:
    return [
        (b["type"], b.get("id"))
        for b in _blocks(message)
        if b.get("type") not in ("text", "refusal", "reasoning", "function_call")
    ]


def _no_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _no_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_no_nulls(v) for v in value]
    return value


def _calls(message: AIMessage) -> list[tuple[Any, Any, Any]]:
    return [(c["name"], c["args"], c["id"]) for c in message.tool_calls]


def _expected_annotations(response: dict[str, Any]) -> list[Any]:
    out = []
    for item in response.get("output") or ():
        if item.get("type") != "message":
            continue
        for part in item.get("content") or ():
            for note in part.get("annotations") or ():
                note = dict(note)
                if "index" in note:  # as ChatOpenAI keeps it (LangChain merges by "index")
                    note["file_index"] = note.pop("index")
                out.append(note)
    return out


def _expected_items(response: dict[str, Any]) -> list[tuple[Any, Any]]:
    return [
        (i["type"], i.get("id"))
        for i in response.get("output") or ()
        if i.get("type") not in ("message", "reasoning", "function_call")
    ]


def _models(server: ReplayServer, **extra: Any) -> tuple[ChatAIMLAPI, Any]:
    from langchain_openai import ChatOpenAI

    ours = ChatAIMLAPI(model="gpt-4o-mini", api_key="k", base_url=server.base_url, **extra)
    theirs = ChatOpenAI(model="gpt-4o-mini", api_key="k", base_url=server.base_url, **extra)  # type: ignore[arg-type]
    return ours, theirs


# --------------------------------------------------------------------------- Responses corpus


def test_the_corpus_has_the_cases() -> None:
    ids = [p.values[0] for p in RESPONSES_CASES]
    assert any("custom_tool" in i for i in ids)
    assert len(ids) >= 20
    assert CHAT_CASES


@pytest.mark.parametrize("exchange_id", RESPONSES_CASES)
@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
async def test_responses_items_as_chat_openai_shows_them(exchange_id: str, sync: bool) -> None:
    streamed = _streamed(exchange_id)
    mode = ("stream" if streamed else "invoke") if sync else ("astream" if streamed else "ainvoke")
    expected = _final_response(by_id()[exchange_id])
    with ReplayServer() as server:
        ours_llm, theirs_llm = _models(server, use_responses_api=True)
        server.enqueue(corpus_reply(exchange_id), corpus_reply(exchange_id))
        ours = await _ask(ours_llm, mode)
        with warnings.catch_warnings():
            # The anchor's SDK models warn on items newer than they are (not ours to fix).
            warnings.filterwarnings("ignore", "Pydantic serializer warnings", UserWarning)
            theirs = await _ask(theirs_llm, mode)
    # Against the recorded bytes: every citation and every tool item, nothing lost.
    assert _annotations(ours) == _expected_annotations(expected)
    if streamed:
        assert sorted(_item_blocks(ours), key=str) == sorted(_expected_items(expected), key=str)
    else:
        assert _item_blocks(ours) == _expected_items(expected)
    # Against ChatOpenAI's Responses mode: the same text, citations, items and tool calls.
    assert ours.text == theirs.text
    assert _annotations(ours) == _annotations(theirs)
    assert _calls(ours) == _calls(theirs)
    theirs_items = _item_blocks(theirs)
    if streamed:  # ChatOpenAI streams an item only on its .done event; ours backfills
        assert set(theirs_items) <= set(_item_blocks(ours))
    else:
        assert _item_blocks(ours) == theirs_items
        same = {b.get("id"): b for b in _blocks(theirs)}
        for block in _blocks(ours):
            if block.get("type") not in ("text", "refusal") and block.get("id") in same:
                # The item itself, as ChatOpenAI shows it (whose SDK models drop some nested
                # nulls by their field types; ours keeps the item's nested fields as sent).
                assert _no_nulls(block) == _no_nulls(same[block["id"]])


# --------------------------------------------------------------------------- chat corpus


@pytest.mark.parametrize("exchange_id", CHAT_CASES)
@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
async def test_chat_annotations_are_kept(exchange_id: str, sync: bool) -> None:
    streamed = _streamed(exchange_id)
    mode = ("stream" if streamed else "invoke") if sync else ("astream" if streamed else "ainvoke")
    expected = _chat_annotations(by_id()[exchange_id])
    with ReplayServer() as server:
        ours_llm, theirs_llm = _models(server)
        server.enqueue(corpus_reply(exchange_id), corpus_reply(exchange_id))
        ours = await _ask(ours_llm, mode)
        theirs = await _ask(theirs_llm, mode)
    assert expected
    assert ours.text == theirs.text
    # ChatOpenAI drops chat-completions annotations; ours keeps them, in order.
    assert "annotations" not in theirs.additional_kwargs
    assert ours.additional_kwargs["annotations"] == expected


# --------------------------------------------------------------------------- citations


CITATIONS = ["https://example.org/a", "https://example.org/b"]
SEARCH_RESULTS = [{"title": "A", "url": "https://example.org/a", "date": "2025-01-01"}]


def _perplexity_reply(stream: bool) -> Scripted:
    top = {"id": "c1", "model": "perplexity/sonar", "object": "chat.completion",
           "citations": CITATIONS, "search_results": SEARCH_RESULTS}  # fmt: skip
    usage = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    if not stream:
        message = {"role": "assistant", "content": "Paris [1]."}
        choice = {"index": 0, "finish_reason": "stop", "message": message}
        body = {**top, "choices": [choice], "usage": usage}
        return Scripted(body=json.dumps(body).encode())
    chunks = [
        {**top, "object": "chat.completion.chunk",
         "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Paris"}}]},
        {**top, "object": "chat.completion.chunk",
         "choices": [{"index": 0, "delta": {"content": " [1]."}, "finish_reason": "stop"}],
         "usage": usage},
    ]  # fmt: skip
    return Scripted(body=sse(chunks), content_type="text/event-stream")


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
async def test_perplexity_citations_reach_response_metadata(mode: str) -> None:
    streamed = "stream" in mode
    with ReplayServer() as server:
        ours_llm, theirs_llm = _models(server)
        server.enqueue(_perplexity_reply(streamed), _perplexity_reply(streamed))
        ours = await _ask(ours_llm, mode)
        theirs = await _ask(theirs_llm, mode)
    assert ours.text == theirs.text == "Paris [1]."
    # ChatOpenAI drops the top-level sources; ours keeps them in response_metadata.
    assert "citations" not in theirs.response_metadata
    assert ours.response_metadata["citations"] == CITATIONS
    assert ours.response_metadata["search_results"] == SEARCH_RESULTS


def test_responses_top_level_citations_reach_response_metadata() -> None:
    body = {"id": "resp_1", "object": "response", "status": "completed", "model": "m",
            "citations": CITATIONS, "output": [{"type": "message", "id": "msg_1",
            "role": "assistant", "content": [{"type": "output_text", "text": "Hi",
            "annotations": []}]}]}  # fmt: skip
    with ReplayServer() as server:
        llm, _ = _models(server, use_responses_api=True)
        server.enqueue(Scripted(body=json.dumps(body).encode()))
        message = llm.invoke("hi")
    assert message.text == "Hi"
    assert message.response_metadata["citations"] == CITATIONS


# --------------------------------------------------------------------------- custom tools


def _execute_code() -> Any:
    from langchain_openai import custom_tool

    @custom_tool
    def execute_code(code: str) -> str:
        """Execute python code."""
        return "27"

    return execute_code


@pytest.mark.parametrize(
    "tool",
    [
        pytest.param(None, id="custom_tool"),
        pytest.param(
            {"type": "custom", "name": "execute_code", "description": "Execute python code."},
            id="dict",
        ),
    ],
)
@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_custom_tool_is_bound_called_and_answered(tool: Any, mode: str) -> None:
    anchor_tool = _execute_code()
    ours_tool = anchor_tool if tool is None else tool
    with ReplayServer() as server:
        ours_llm, theirs_llm = _models(server, use_responses_api=True)
        server.enqueue(corpus_reply(CUSTOM), corpus_reply(CUSTOM))
        ours = await _ask(ours_llm.bind_tools([ours_tool]), mode, "Use the tool to compute 3^3.")
        theirs = await _ask(
            theirs_llm.bind_tools([anchor_tool]), mode, "Use the tool to compute 3^3."
        )
        ours_sent, theirs_sent = (r.body for r in server.requests[-2:])
        # The custom tool goes out as a custom tool, as ChatOpenAI sends it.
        assert (
            ours_sent["tools"]
            == theirs_sent["tools"]
            == [{"type": "custom", "name": "execute_code", "description": "Execute python code."}]
        )
        # Its call is a tool call whose one argument is the input text, as in ChatOpenAI.
        assert _calls(ours) == _calls(theirs)
        assert ours.tool_calls[0]["args"] == {"__arg1": "print(3**3)"}
        assert [b for b in _blocks(ours) if b["type"] == "custom_tool_call"] == [
            b for b in _blocks(theirs) if b["type"] == "custom_tool_call"
        ]
        # The tool's answer goes back as a custom tool output paired with the call.
        call = ours.tool_calls[0]
        output = anchor_tool.invoke(call)  # a ToolMessage with a custom_tool_call_output block
        assert isinstance(output, ToolMessage)
        server.enqueue(corpus_reply(CUSTOM), corpus_reply(CUSTOM))
        history = [HumanMessage("Use the tool to compute 3^3."), ours, output]
        await _ask(ours_llm.bind_tools([ours_tool]), mode, history)
        await _ask(theirs_llm.bind_tools([anchor_tool]), mode, [*history[:1], theirs, output])
        ours_sent, theirs_sent = (r.body for r in server.requests[-2:])

    def custom_items(body: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [
            (i["type"], i.get("call_id"), i.get("name"), i.get("input"), i.get("output"))
            for i in body["input"]
            if str(i.get("type")).startswith("custom_tool_call")
        ]

    assert (
        custom_items(ours_sent)
        == custom_items(theirs_sent)
        == [
            ("custom_tool_call", call["id"], "execute_code", "print(3**3)", None),
            ("custom_tool_call_output", call["id"], None, None, "27"),
        ]
    )


@pytest.mark.parametrize("mode", ["stream", "astream"])
async def test_streamed_custom_tool_call_matches_chat_openai(mode: str) -> None:
    stream_id = "langchain-openai/test_custom_tool.yaml.gz#2"
    assert _streamed(stream_id)
    with ReplayServer() as server:
        ours_llm, theirs_llm = _models(server, use_responses_api=True)
        server.enqueue(corpus_reply(stream_id), corpus_reply(stream_id))
        ours = await _ask(ours_llm.bind_tools([_execute_code()]), mode)
        theirs = await _ask(theirs_llm.bind_tools([_execute_code()]), mode)
    assert ours.tool_calls and _calls(ours) == _calls(theirs)
