"""No name ``langchain-openai`` declares lands silently in a request body.

The cases are generated from the installed anchors' own ``model_fields`` (names and aliases) of
``ChatOpenAI``, ``langchain_openai.OpenAI`` and ``OpenAIEmbeddings``: each name is either ours
(field or alias), renamed to ours, or refused at construction by name with what to use instead.
A name a future ``langchain-openai`` adds fails here until it is given one of those fates.
Then the names that work are shown working next to ``ChatOpenAI`` on the same local server.
"""

from __future__ import annotations

import json
import sys
import types
import warnings
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import pytest
from langchain_core.load import dumpd, dumps
from pydantic import BaseModel, TypeAdapter, ValidationError

import aimlapi_core
from langchain_aimlapi import AIMLAPILLM, AIMLAPIEmbeddings, AimlapiEmbeddings, ChatAIMLAPI
from langchain_aimlapi._openai_compat import (
    CHAT_NAMES,
    EMBEDDINGS_NAMES,
    LLM_NAMES,
    Refuse,
    Rename,
    UnsupportedParameterError,
)
from tests.support.fake_model import fake_responder
from tests.support.replay_server import ReceivedRequest, ReplayServer, Scripted

langchain_openai = pytest.importorskip("langchain_openai")

KEY = "sk-anchor-names-secret-4242"
PAIRS: list[tuple[type[BaseModel], type[BaseModel], Any]] = [
    (langchain_openai.ChatOpenAI, ChatAIMLAPI, CHAT_NAMES),
    (langchain_openai.OpenAI, AIMLAPILLM, LLM_NAMES),
    (langchain_openai.OpenAIEmbeddings, AIMLAPIEmbeddings, EMBEDDINGS_NAMES),
]
_CANDIDATES: list[Any] = [
    "http://127.0.0.1:9/v1",
    "sk-sample-secret-value",
    True,
    7,
    2.5,
    {"k": "v"},
    ["x"],
    "x",
]


def _names(cls: type[BaseModel]) -> Iterator[tuple[str, Any]]:
    for name, field in cls.model_fields.items():
        yield name, field
        if field.alias and field.alias != name:
            yield field.alias, field


def _cases() -> list[Any]:
    return [
        pytest.param(anchor, ours, table, name, field, id=f"{ours.__name__}-{name}")
        for anchor, ours, table in PAIRS
        for name, field in _names(anchor)
    ]


def _declared(cls: type[BaseModel]) -> set[str]:
    return set(cls.model_fields) | {f.alias for f in cls.model_fields.values() if f.alias}


def _sample(field: Any, harmless: tuple[Any, ...] = (None,)) -> Any:
    """A value the anchor's own field accepts, and not one that means "off"."""
    try:
        adapter: TypeAdapter[Any] | None = TypeAdapter(field.annotation)
    except Exception:  # an arbitrary type (a cache, callbacks): any value will do
        adapter = None
    for value in _CANDIDATES:
        if any(value is h or value == h for h in harmless) or value == field.default:
            continue
        try:
            if adapter is not None:
                adapter.validate_python(value)
        except (ValidationError, TypeError):
            continue
        return value
    return object()


def _build(cls: type[BaseModel], **kwargs: Any) -> Any:
    params = {"api_key": KEY, **kwargs} if "api_key" not in kwargs else kwargs
    if "openai_api_key" in params or "aimlapi_api_key" in params:
        params.pop("api_key", None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a name moved to model_kwargs warns: that is a failure
        return cls(**params)


@pytest.mark.parametrize(("anchor", "ours", "table", "name", "field"), _cases())
def test_every_anchor_name_works_or_is_refused_by_name(
    anchor: type[BaseModel], ours: type[BaseModel], table: Any, name: str, field: Any
) -> None:
    del anchor
    if name in _declared(ours):
        return  # ours, same name (its meaning is tested where the feature is)
    assert name in table, f"{ours.__name__} has no rule for langchain-openai's {name!r}"
    rule = table[name]
    if isinstance(rule, Refuse):
        value = _sample(field, rule.harmless)
        with pytest.raises(UnsupportedParameterError) as info:
            _build(ours, **{name: value})
        message = str(info.value)
        assert message.startswith(f"{name}=") and rule.hint in message
        assert KEY not in message
        for harmless in rule.harmless:  # "off" values mean what we do: accepted, dropped
            assert _build(ours, **{name: harmless}).model_kwargs == {}
    else:
        assert isinstance(rule, Rename) and rule.target in ours.model_fields
        value = "http://127.0.0.1:9/v1" if rule.target in ("base_url", "proxy") else None
        value = value or ({"X-A": "1"} if rule.target == "default_headers" else KEY)
        model = _build(ours, **{name: value})
        got = getattr(model, rule.target)
        shown = got.get_secret_value() if hasattr(got, "get_secret_value") else got
        assert shown == value and model.model_kwargs == {}


@pytest.mark.parametrize(("anchor", "ours", "table", "name", "field"), _cases())
def test_model_kwargs_never_holds_a_declared_name(
    anchor: type[BaseModel], ours: type[BaseModel], table: Any, name: str, field: Any
) -> None:
    del anchor, table
    with pytest.raises((UnsupportedParameterError, ValidationError, ValueError)) as info:
        _build(ours, model_kwargs={name: _sample(field)})
    assert name in str(info.value)


@pytest.mark.parametrize("key", ["x_api_key", "secret", "Authorization", "client_secret"])
def test_model_kwargs_never_holds_a_secret(key: str) -> None:
    for cls in (ChatAIMLAPI, AIMLAPILLM, AIMLAPIEmbeddings):
        with pytest.raises(UnsupportedParameterError, match="credential") as info:
            cls(api_key="k", model_kwargs={key: KEY})
        assert KEY not in str(info.value)


def test_unknown_keys_still_reach_the_body_through_model_kwargs() -> None:
    with ReplayServer(fake_responder) as server:
        ChatAIMLAPI(api_key="k", base_url=server.base_url, model_kwargs={"top_k": 3}).invoke("Hi")
        assert server.requests[-1].body["top_k"] == 3


def test_accepted_anchor_names_stay_out_of_the_body() -> None:
    """Every accepted anchor name, set at once: none of them is a body key."""
    accepted: dict[str, Any] = {}
    for name, field in _names(langchain_openai.ChatOpenAI):
        rule = CHAT_NAMES.get(name)
        if name in _declared(ChatAIMLAPI) or rule is None:
            continue
        accepted[name] = None if isinstance(rule, Refuse) else field.default
    with ReplayServer(fake_responder) as server:
        llm = ChatAIMLAPI(api_key=KEY, base_url=server.base_url, **accepted)
        llm.invoke("Hi")
        list(llm.stream("Hi"))
        bodies = [r.body for r in server.requests]
    anchor_names = {n for n, _ in _names(langchain_openai.ChatOpenAI)} - _declared(ChatAIMLAPI)
    for body in bodies:
        assert not anchor_names & set(body)
        assert KEY not in json.dumps(body)


# --------------------------------------------------------------------------- side by side


def _pair(server: ReplayServer, **kwargs: Any) -> tuple[Any, Any]:
    common = {"model": "gpt-4o-mini", "openai_api_key": KEY, "max_retries": 0, **kwargs}
    common.setdefault("openai_api_base", server.base_url)
    return ChatAIMLAPI(**common), langchain_openai.ChatOpenAI(**common)


def test_openai_api_key_and_base_reach_the_server_and_nothing_else() -> None:
    with ReplayServer(fake_responder) as server:
        ours, theirs = _pair(server)
        assert ours.invoke("Hello").content == theirs.invoke("Hello").content
        assert [r.headers["authorization"] for r in server.requests] == [f"Bearer {KEY}"] * 2
        ours_body = server.requests[0].body
    for text in (
        json.dumps(ours_body),
        repr(ours),
        str(ours),
        dumps(ours),
        json.dumps(dumpd(ours)),
    ):
        assert KEY not in text
    assert ours.model_kwargs == {}


def test_default_query_is_sent_as_query_parameters() -> None:
    with ReplayServer(fake_responder) as server:
        for llm in _pair(server, default_query={"tenant": "acme"}):
            llm.invoke("Hello")
            list(llm.stream("Hello"))
        paths = [r.path for r in server.requests]
    assert paths == ["/v1/chat/completions?tenant=acme"] * 4
    with ReplayServer(fake_responder) as server:
        emb = AIMLAPIEmbeddings(api_key="k", base_url=server.base_url, default_query={"a": "1"})
        emb.embed_query("x")
        assert server.requests[-1].path == "/v1/embeddings?a=1"


async def test_default_query_on_the_async_path_too() -> None:
    with ReplayServer(fake_responder) as server:
        ours, _ = _pair(server, default_query={"tenant": "acme"})
        await ours.ainvoke("Hello")
        assert server.requests[-1].path == "/v1/chat/completions?tenant=acme"


def test_openai_proxy_carries_the_requests() -> None:
    """The replay server plays the HTTP proxy: it sees the absolute URL of the real host."""

    def as_origin(request: ReceivedRequest) -> Scripted:
        return fake_responder(replace(request, path=urlsplit(request.path).path))

    with ReplayServer(as_origin) as proxy:
        proxy_url = proxy.base_url.removesuffix("/v1")
        for llm in _pair(
            proxy, openai_api_base="http://api.example.test/v1", openai_proxy=proxy_url
        ):
            llm.invoke("Hello")
        paths = [r.path for r in proxy.requests]
    assert paths == ["http://api.example.test/v1/chat/completions"] * 2


def test_disabled_params_drop_what_the_class_adds() -> None:
    from pydantic import BaseModel as Schema

    class Joke(Schema):
        setup: str
        punchline: str

    with ReplayServer(fake_responder) as server:
        for llm in _pair(server, disabled_params={"parallel_tool_calls": None}):
            llm.with_structured_output(Joke, method="function_calling").invoke("a joke about cats")
        ours_body, theirs_body = (r.body for r in server.requests)
    assert "parallel_tool_calls" not in ours_body and "parallel_tool_calls" not in theirs_body
    with ReplayServer(fake_responder) as server:
        ours, _ = _pair(server, disabled_params={"stream_options": None})
        list(ours.stream("Hello"))
        list(ours.stream("Hello", stream_options={"include_usage": True}))  # asked: still sent
        assert "stream_options" not in server.requests[0].body
        assert server.requests[1].body["stream_options"] == {"include_usage": True}


def test_include_response_headers_like_chat_openai() -> None:
    with ReplayServer(fake_responder) as server:
        ours, theirs = _pair(server, include_response_headers=True)
        a, b = ours.invoke("Hello"), theirs.invoke("Hello")
        first_ours = next(iter(ours.stream("Hello")))
        first_theirs = next(iter(theirs.stream("Hello")))
        plain = _pair(server)[0].invoke("Hello")
    for mine, their in ((a, b), (first_ours, first_theirs)):
        mine_h, their_h = mine.response_metadata["headers"], their.response_metadata["headers"]
        assert set(mine_h) == set(their_h) and "x-inference-id" in mine_h
    assert "headers" not in plain.response_metadata  # only when asked


@pytest.mark.parametrize(("name", "value"), [("service_tier", "flex"), ("verbosity", "low")])
def test_service_tier_and_verbosity_pass_where_the_model_takes_them(name: str, value: str) -> None:
    with ReplayServer(fake_responder) as server:
        ours, theirs = _pair(server, model="vendor/unlisted-model", **{name: value})
        ours.invoke("Hello")
        theirs.invoke("Hello")
        assert [r.body[name] for r in server.requests] == [value, value]
    # A model whose AI/ML API schema is known not to take it: refused before any request.
    with pytest.raises(UnsupportedParameterError, match=name):
        ChatAIMLAPI(api_key="k", model="MiniMax-Text-01", **{name: value})


def test_truncation_goes_to_responses_like_chat_openai() -> None:
    llm = ChatAIMLAPI(api_key="k", truncation="auto")
    assert llm._uses_responses_api({}) is True


def test_show_progress_bar_shows_one_step_per_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    steps: list[int] = []

    class FakeBar:
        def __init__(self, total: int, **kwargs: Any) -> None:
            steps.append(-total)

        def __enter__(self) -> FakeBar:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def update(self, n: int) -> None:
            steps.append(n)

    tqdm = types.ModuleType("tqdm")
    auto = types.ModuleType("tqdm.auto")
    auto.tqdm = FakeBar  # type: ignore[attr-defined]
    tqdm.auto = auto  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tqdm", tqdm)
    monkeypatch.setitem(sys.modules, "tqdm.auto", auto)
    with ReplayServer(fake_responder) as server:
        emb = AIMLAPIEmbeddings(
            api_key="k", base_url=server.base_url, chunk_size=2, show_progress_bar=True
        )
        vectors = emb.embed_documents(["a b", "c d", "e f"])
        assert len(vectors) == 3 and len(server.requests) == 2
    assert steps == [-2, 1, 1]


def test_show_progress_bar_without_tqdm_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with pytest.raises(ImportError, match="pip install tqdm"):
        AIMLAPIEmbeddings(api_key="k", show_progress_bar=True)


# --------------------------------------------------------------------------- extra_headers


def test_per_call_extra_headers_are_headers_not_body() -> None:
    with ReplayServer(fake_responder) as server:
        for llm in _pair(server):
            llm.invoke("Hello", extra_headers={"X-Trace": "t-1"})
            llm.bind(extra_headers={"X-Trace": "t-2"}).invoke("Hello")
            list(llm.stream("Hello", extra_headers={"X-Trace": "t-3"}))
        requests = server.requests
    assert [r.headers.get("x-trace") for r in requests] == ["t-1", "t-2", "t-3"] * 2
    assert not any("extra_headers" in r.body for r in requests)


async def test_extra_headers_on_every_path_of_the_three_classes() -> None:
    with ReplayServer(fake_responder) as server:
        chat = ChatAIMLAPI(api_key="k", base_url=server.base_url)
        llm = AIMLAPILLM(api_key="k", base_url=server.base_url)
        h = {"extra_headers": {"X-Trace": "t"}}
        await chat.ainvoke("Hello", **h)
        _ = [c async for c in chat.astream("Hello", **h)]
        chat.model_copy(update={"use_responses_api": True}).invoke("Hello", **h)
        llm.invoke("Hello", **h)
        list(llm.stream("Hello", **h))
        await llm.ainvoke("Hello", **h)
        assert all(r.headers.get("x-trace") == "t" for r in server.requests)
        assert not any("extra_headers" in (r.body or {}) for r in server.requests)
        assert len(server.requests) == 6


def test_extra_query_per_call_is_refused_by_name() -> None:
    with pytest.raises(UnsupportedParameterError, match="default_query"):
        ChatAIMLAPI(api_key="k", base_url="http://127.0.0.1:9/v1").invoke(
            "Hello", extra_query={"a": "1"}
        )


# --------------------------------------------------------------------------- 429 details


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [({"retry-after": "3"}, 3.0), ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5)],
)
def test_rate_limit_error_carries_retry_after_and_headers(
    headers: dict[str, str], seconds: float
) -> None:
    body = json.dumps({"message": "slow down", "statusCode": 429}).encode()
    with ReplayServer(lambda request: Scripted(status=429, body=body, headers=headers)) as server:
        ours, theirs = _pair(server)
        with pytest.raises(aimlapi_core.RateLimitError) as mine:
            list(ours.stream("Hello"))
        with pytest.raises(Exception) as their:
            theirs.invoke("Hello")
    assert mine.value.retry_after == seconds
    their_headers = their.value.response.headers  # type: ignore[attr-defined]
    for name, value in headers.items():
        assert mine.value.headers[name] == their_headers[name] == value
    assert "authorization" not in {k.lower() for k in mine.value.headers}


# --------------------------------------------------------------------------- older package


def test_older_langchain_aimlapi_embeddings_name_and_call_shape() -> None:
    assert AimlapiEmbeddings is AIMLAPIEmbeddings
    texts = ["Paris is in France.", "Rome is in Italy."]
    with ReplayServer(fake_responder) as server:
        # The keywords the older package's AimlapiEmbeddings took.
        old = AimlapiEmbeddings(
            model="text-embedding-3-small",
            aimlapi_api_key=KEY,
            aimlapi_api_base=server.base_url,
            timeout=30,
            max_retries=1,
            chunk_size=1000,
            default_headers={"X-Title": "app"},
            model_kwargs={"user": "u-1"},
        )
        new = AIMLAPIEmbeddings(
            model="text-embedding-3-small", api_key=KEY, base_url=server.base_url
        )
        assert old.embed_documents(texts) == new.embed_documents(texts)
        assert old.embed_query("France") == new.embed_query("France")
        sent = server.requests[0]
    assert sent.headers["authorization"] == f"Bearer {KEY}" and sent.headers["x-title"] == "app"
    assert sent.body["user"] == "u-1"
