"""Token counting out of the box: tiktoken where its encoding loads (here: a monkeypatched
loader, since this machine cannot download encodings), else the documented estimate; never
``transformers``. Counts next to ``ChatOpenAI`` with the same encoding."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    trim_messages,
)

from langchain_aimlapi import AIMLAPILLM, ChatAIMLAPI
from langchain_aimlapi._tokens import encoding_for, estimate_tokens

CONVERSATION: list[BaseMessage] = [
    SystemMessage("You are a careful assistant."),
    HumanMessage("What is 6 times 7? Use the multiply tool.", name="ann"),
    AIMessage(
        "",
        tool_calls=[{"name": "multiply", "args": {"a": 6, "b": 7}, "id": "call_1"}],
    ),
    ToolMessage("42", tool_call_id="call_1"),
    AIMessage("6 times 7 is 42."),
    HumanMessage([{"type": "text", "text": "And 7 times 8?"}]),
]


@pytest.fixture(autouse=True)
def _fresh_encodings() -> Iterator[None]:
    encoding_for.cache_clear()
    yield
    encoding_for.cache_clear()


@pytest.fixture
def no_transformers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "transformers", None)  # importing it would fail


@pytest.fixture
def byte_encoding(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A real tiktoken ``Encoding`` (one token per byte) served by tiktoken's own loaders."""
    tiktoken = pytest.importorskip("tiktoken")
    encoding = tiktoken.Encoding(
        name="bytes-test",
        pat_str=r"\S+|\s+",
        mergeable_ranks={bytes([i]): i for i in range(256)},
        special_tokens={},
    )
    asked: list[str] = []

    def by_model(name: str) -> Any:
        asked.append(name)
        return encoding

    monkeypatch.setattr(tiktoken, "encoding_for_model", by_model)
    monkeypatch.setattr(tiktoken, "get_encoding", lambda name: encoding)
    encoding.asked = asked
    return encoding


def test_tiktoken_path_counts_like_chat_openai(no_transformers: None, byte_encoding: Any) -> None:
    from langchain_openai import ChatOpenAI

    ours = ChatAIMLAPI(model="openai/gpt-4o-mini", api_key="k")
    theirs = ChatOpenAI(model="gpt-4o-mini", api_key="k")  # type: ignore[arg-type]
    text = "Hello, world! Tokenisation is fun."
    assert ours.get_num_tokens(text) == theirs.get_num_tokens(text) == len(text.encode())
    assert ours.get_token_ids(text) == theirs.get_token_ids(text)
    assert ours.get_num_tokens_from_messages(CONVERSATION) == theirs.get_num_tokens_from_messages(
        CONVERSATION
    )
    assert "gpt-4o-mini" in byte_encoding.asked  # the vendor prefix is not part of the name


def test_tiktoken_model_name_picks_the_encoding(byte_encoding: Any) -> None:
    llm = AIMLAPILLM(model="vendor/some-model", tiktoken_model_name="gpt-4", api_key="k")
    assert llm.get_num_tokens("abc") == 3
    assert byte_encoding.asked == ["gpt-4"]


def test_estimate_when_tiktoken_is_missing(
    monkeypatch: pytest.MonkeyPatch, no_transformers: None
) -> None:
    monkeypatch.setitem(sys.modules, "tiktoken", None)
    for llm in (ChatAIMLAPI(api_key="k"), AIMLAPILLM(api_key="k")):
        text = "The quick brown fox jumps over the lazy dog, 1234 times."
        assert llm.get_num_tokens(text) == estimate_tokens(text) == 14
        assert llm.get_num_tokens_from_messages(CONVERSATION) > sum(
            estimate_tokens(str(m.content)) for m in CONVERSATION
        )


def test_estimate_when_the_encoding_cannot_be_loaded(
    monkeypatch: pytest.MonkeyPatch, no_transformers: None
) -> None:
    """tiktoken installed, its encoding file not downloadable (this machine is offline)."""
    tiktoken = pytest.importorskip("tiktoken")

    def offline(*args: Any) -> Any:
        raise ConnectionError("no route to openaipublic.blob.core.windows.net")

    monkeypatch.setattr(tiktoken, "encoding_for_model", offline)
    monkeypatch.setattr(tiktoken, "get_encoding", offline)
    llm = ChatAIMLAPI(api_key="k")
    assert llm.get_num_tokens("Hello there, friend.") == estimate_tokens("Hello there, friend.")


def test_trim_messages_with_the_model_as_counter(no_transformers: None) -> None:
    llm = ChatAIMLAPI(api_key="k")
    full = llm.get_num_tokens_from_messages(CONVERSATION)
    trimmed = trim_messages(
        CONVERSATION,
        max_tokens=full // 2,
        token_counter=llm,
        strategy="last",
        include_system=True,
        start_on="human",
    )
    assert trimmed[0] == CONVERSATION[0] and trimmed[-1] == CONVERSATION[-1]
    assert len(trimmed) < len(CONVERSATION)
    assert llm.get_num_tokens_from_messages(trimmed) <= full // 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", 0), ("hi", 1), ("internationalisation", 4), ("3.14159", 4), ("日本語", 3)],
)
def test_estimate_rules(text: str, expected: int) -> None:
    assert estimate_tokens(text) == expected
