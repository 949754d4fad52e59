"""Citations and tool items reach ``ChatResponse.additional_kwargs`` as llama-index
``OpenAIResponses`` keeps them (issue #18 item 6), side by side on the same local server.

Generated over the wire corpus: every Responses reply with an annotation, a custom tool call or
a built-in tool item (``AIMLAPIResponses`` beside ``OpenAIResponses``), every chat completion
with annotations (``AIMLAPI`` beside ``OpenAI``, which drops them); chat and stream_chat, sync
and async. Perplexity-style top-level sources are authored in the documented shape.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage, ChatResponse

from llama_index_aimlapi import AIMLAPI, AIMLAPIResponses
from tests.langchain.test_citations_and_items import (
    CITATIONS,
    CUSTOM,
    RESPONSES_CASES,
    SEARCH_RESULTS,
    _chat_annotations,
    _final_response,
    _perplexity_reply,
    _streamed,
)
from tests.support.corpus import by_id, corpus_reply, exchanges, require_corpus
from tests.support.replay_server import ReplayServer

openai_llms = pytest.importorskip("llama_index.llms.openai")

pytestmark = [
    pytest.mark.usefixtures("corpus_required"),
    pytest.mark.filterwarnings("ignore::aimlapi_core.shaping.AIMLAPIParameterWarning"),
]

QUESTION = [ChatMessage(role="user", content="hi")]
CHAT_CASES = [
    pytest.param(x["id"], id=x["id"])
    for x in exchanges("chat.completions")
    if x["response"]["status"] == 200 and _chat_annotations(x)
]


@pytest.fixture
def corpus_required() -> None:
    require_corpus()


async def _close(llm: Any) -> None:
    if isinstance(llm, AIMLAPI):
        await llm.aclose()
        return
    client = getattr(llm, "_client", None)  # the anchor's sync openai SDK client
    if client is not None and hasattr(client, "close"):
        client.close()
    aclient = getattr(llm, "_aclient", None)  # and its async one, whose sockets are in our loop
    if aclient is not None and hasattr(aclient, "close"):
        await aclient.close()


async def _ask(llm: Any, mode: str) -> ChatResponse:
    if mode == "chat":
        return llm.chat(QUESTION)  # type: ignore[no-any-return]
    if mode == "achat":
        return await llm.achat(QUESTION)  # type: ignore[no-any-return]
    if mode == "stream_chat":
        responses = list(llm.stream_chat(QUESTION))
    else:
        responses = [r async for r in await llm.astream_chat(QUESTION)]
    return responses[-1]  # type: ignore[no-any-return]


def _dump(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    return dump(mode="json", exclude_none=True) if callable(dump) else value


def _expected(response: dict[str, Any]) -> tuple[list[Any], list[Any], list[Any]]:
    """Annotations, built-in items (ids) and custom calls a recorded response carries."""
    notes = [
        note
        for item in response.get("output") or ()
        if item.get("type") == "message"
        for part in item.get("content") or ()
        for note in part.get("annotations") or ()
    ]
    built_in = [
        (i["type"], i.get("id"))
        for i in response.get("output") or ()
        if i.get("type") not in ("message", "function_call", "reasoning", "custom_tool_call")
    ]
    custom = [
        (i["call_id"], i["name"], i["input"])
        for i in response.get("output") or ()
        if i.get("type") == "custom_tool_call"
    ]
    return notes, built_in, custom


def _mode(exchange_id: str, sync: bool) -> str:
    streamed = _streamed(exchange_id)
    return (
        ("stream_chat" if streamed else "chat")
        if sync
        else ("astream_chat" if streamed else "achat")
    )


@pytest.mark.parametrize("exchange_id", RESPONSES_CASES)
@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
async def test_responses_items_kept_as_openai_responses_keeps_them(
    exchange_id: str, sync: bool
) -> None:
    mode = _mode(exchange_id, sync)
    notes, built_in, custom = _expected(_final_response(by_id()[exchange_id]))
    with ReplayServer() as server:
        base = {"model": "gpt-4o-mini", "api_key": "k", "api_base": server.base_url}
        ours_llm = AIMLAPIResponses(**base)
        theirs_llm = openai_llms.OpenAIResponses(max_retries=0, **base)
        server.enqueue(corpus_reply(exchange_id), corpus_reply(exchange_id))
        ours = await _ask(ours_llm, mode)
        with warnings.catch_warnings():
            # The anchor's SDK models warn on items newer than they are (not ours to fix).
            warnings.filterwarnings("ignore", "Pydantic serializer warnings", UserWarning)
            theirs = await _ask(theirs_llm, mode)
            their_notes = [_dump(a) for a in theirs.additional_kwargs.get("annotations") or ()]
            their_items = [_dump(i) for i in theirs.additional_kwargs["built_in_tool_calls"]]
        await _close(ours_llm)
        await _close(theirs_llm)
    kwargs = ours.additional_kwargs
    # Against the recorded bytes: every citation, built-in item and custom call.
    assert kwargs.get("annotations", []) == notes
    items = [(i["type"], i.get("id")) for i in kwargs["built_in_tool_calls"]]
    assert sorted(items, key=str) == sorted(built_in, key=str)
    assert [
        (c["call_id"], c["name"], c["input"]) for c in kwargs.get("custom_tool_calls", [])
    ] == custom
    # Against OpenAIResponses: the same text; its annotations (the last text part's when not
    # streamed) and its built-in items are among ours.
    assert (ours.message.content or "") == (theirs.message.content or "")
    assert all(note in kwargs.get("annotations", []) for note in their_notes)
    if "stream" not in mode:  # (streamed, the anchor keeps completion events, not items)
        their_ids = {i.get("id") for i in their_items}
        assert their_ids <= {i.get("id") for i in kwargs["built_in_tool_calls"]}


@pytest.mark.parametrize("exchange_id", CHAT_CASES)
@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
async def test_chat_annotations_are_kept(exchange_id: str, sync: bool) -> None:
    mode = _mode(exchange_id, sync)
    expected = _chat_annotations(by_id()[exchange_id])
    with ReplayServer() as server:
        base = {"model": "gpt-4o-mini", "api_key": "k", "api_base": server.base_url}
        ours_llm, theirs_llm = AIMLAPI(**base), openai_llms.OpenAI(max_retries=0, **base)
        server.enqueue(corpus_reply(exchange_id), corpus_reply(exchange_id))
        ours = await _ask(ours_llm, mode)
        theirs = await _ask(theirs_llm, mode)
        await _close(ours_llm)
        await _close(theirs_llm)
    assert expected
    assert ours.message.content == theirs.message.content
    # llama-index OpenAI drops chat-completions annotations; ours keeps them as
    # OpenAIResponses keeps Responses ones, and leaves built_in_tool_calls to Responses.
    assert "annotations" not in theirs.additional_kwargs
    assert ours.additional_kwargs["annotations"] == expected
    assert "built_in_tool_calls" not in ours.additional_kwargs


@pytest.mark.parametrize("mode", ["chat", "achat", "stream_chat", "astream_chat"])
async def test_perplexity_citations_are_kept(mode: str) -> None:
    streamed = "stream" in mode
    with ReplayServer() as server:
        base = {"model": "perplexity/sonar", "api_key": "k", "api_base": server.base_url}
        ours_llm = AIMLAPI(**base)
        theirs_llm = openai_llms.OpenAI(max_retries=0, **{**base, "model": "gpt-4o-mini"})
        server.enqueue(_perplexity_reply(streamed), _perplexity_reply(streamed))
        ours = await _ask(ours_llm, mode)
        theirs = await _ask(theirs_llm, mode)
        await _close(ours_llm)
        await _close(theirs_llm)
    assert ours.message.content == theirs.message.content == "Paris [1]."
    assert "citations" not in theirs.additional_kwargs  # the anchor drops them
    assert ours.additional_kwargs["citations"] == CITATIONS
    assert ours.additional_kwargs["search_results"] == SEARCH_RESULTS


def test_custom_tool_call_is_not_a_function_call() -> None:
    with ReplayServer() as server:
        llm = AIMLAPIResponses(model="gpt-4o-mini", api_key="k", api_base=server.base_url)
        server.enqueue(corpus_reply(CUSTOM))
        response = llm.chat(QUESTION)
        llm.close()
    item = json.loads(by_id()[CUSTOM]["response"]["body"])["output"][1]
    assert response.additional_kwargs["custom_tool_calls"] == [
        {"type": "custom_tool_call", "call_id": item["call_id"], "name": item["name"],
         "input": item["input"]}
    ]  # fmt: skip
    # No function tool was called: an agent does not try to run "execute_code" as one.
    assert llm.get_tool_calls_from_response(response, error_on_no_tool_call=False) == []
