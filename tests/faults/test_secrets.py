"""The API key appears nowhere but in the ``Authorization`` header of a request.

One test per place a key could leak: ``repr``/``str``, log records (every logger, DEBUG
included, through retries, errors and streams), exception messages and their chains,
serialised models (LangChain ``dumpd``/``dumps``, ``model_dump``, LlamaIndex ``to_dict``/
``to_json``), what tracing hooks are handed (LangChain callbacks, LlamaIndex
instrumentation events), cassettes (those in ``cassettes/`` and a fresh recording), and
the benchmark's output. Each test first checks that the key really was sent, so the search
is for a secret the code held, not for one it never had. (Pickling keeps the key on
purpose, so that a pickled model still works; it is not checked here.)
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.load import dumpd, dumps
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from llama_index_instrumentation import get_dispatcher  # what llama_index.core re-exports
from pydantic import Field, SecretStr

from aimlapi_core import (
    AIMLAPIError,
    APIConnectionError,
    AsyncClient,
    Client,
    InvalidAPIKeyError,
    InvalidHeaderError,
    MissingAPIKeyError,
    Settings,
)
from langchain_aimlapi import AIMLAPILLM, AIMLAPIEmbeddings, ChatAIMLAPI
from llama_index_aimlapi import AIMLAPIEmbedding, AIMLAPIResponses
from tests.faults.helpers import (
    CHAT,
    HI,
    KEY,
    LLAMA,
    LLM,
    build_chat,
    build_llama,
    build_llm,
    close_clients,
    ok_reply,
    stream_chunks,
)
from tests.support.cassettes import use_cassette
from tests.support.fault_server import FaultServer, Reply

ROOT = Path(__file__).resolve().parents[2]
# The key, and pieces of it long enough to identify it (a leak may be clipped or split).
NEEDLES = (KEY, KEY[3:], KEY[-16:])


def assert_clean(text: str, where: str) -> None:
    for needle in NEEDLES:
        assert needle not in text, f"the API key leaked into {where}: {text[:300]!r}"


def assert_key_was_sent(server: FaultServer) -> None:
    assert server.requests, "no request reached the server"
    for request in server.requests:
        assert request.headers["authorization"] == f"Bearer {KEY}"


def _models(base_url: str) -> list[Any]:
    return [build_chat(base_url), build_llm(base_url), build_llama(base_url)]


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer(max_requests=100, lifetime=30) as srv:
        yield srv


def _faults(streamed: bool) -> list[Reply]:
    """A mix that exercises every path: a retry, a success, an auth error, a broken body."""
    return [
        Reply(status=500, body=b'{"message": "boom"}', headers={"retry-after-ms": "0"}),
        ok_reply(streamed, "inf-ok"),
        Reply(status=401, body=b'{"message": "This request requires a valid API key."}'),
        Reply(
            body=stream_chunks() if streamed else b'{"choices": [',
            content_type="text/event-stream" if streamed else "application/json",
            reset_after=2 if streamed else None,
        ),
    ]


async def _exercise(subject: Any, llm: Any, streamed: bool) -> list[BaseException]:
    """Four calls (retried success, success... see _faults): sync then async; the errors."""
    errors: list[BaseException] = []
    for mode in ("sync", "async"):
        for _ in range(3):
            try:
                await subject.run(llm, mode, streamed)
            except AIMLAPIError as exc:
                errors.append(exc)
    return errors


# --------------------------------------------------------------------------- repr, str


async def test_repr_and_str(server: FaultServer) -> None:
    server.enqueue(ok_reply(False, "inf-1"), ok_reply(False, "inf-2"))
    chat, llm, llama = _models(server.base_url)
    try:
        chat.invoke("hi")
        llama.chat(HI)
        assert_key_was_sent(server)
        objects: list[Any] = [chat, llm, llama, chat.client, llama._client()]
        objects += [chat.async_client, llama._aclient(), chat.client.settings, chat.api_key]
        for obj in objects:
            for text in (repr(obj), str(obj), f"{obj}", f"{obj!r}", format(obj, "")):
                assert_clean(text, f"repr/str of {type(obj).__name__}")
    finally:
        for model in (chat, llm, llama):
            await close_clients(model)


# --------------------------------------------------------------------------- logs


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("subject", [CHAT, LLAMA, LLM], ids=lambda s: s.name)
async def test_log_records_at_debug(
    server: FaultServer, caplog: pytest.LogCaptureFixture, subject: Any, streamed: bool
) -> None:
    caplog.set_level(logging.DEBUG)  # the root: httpx, httpcore, aimlapi_core, frameworks
    server.enqueue(*_faults(streamed), *_faults(streamed))
    llm = subject.build(server.base_url, max_retries=1)
    try:
        errors = await _exercise(subject, llm, streamed)
    finally:
        await close_clients(llm)
    assert_key_was_sent(server)
    assert len(errors) == 4  # the 401 and the broken body, sync and async
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG]
    assert {r.name.split(".")[0] for r in debug} >= {"httpcore", "aimlapi_core"}
    assert any("Retrying" in r.getMessage() for r in caplog.records)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(exc_info)s"))
    for record in caplog.records:
        assert_clean(handler.format(record), f"log record of {record.name}")
        assert_clean(repr(record.args) + repr(record.__dict__), f"log record of {record.name}")


# --------------------------------------------------------------------------- exceptions


def _full_text(error: BaseException) -> str:
    """Everything an error would show: message, repr, attributes, and the whole chain."""
    parts = [str(error), repr(error), repr(vars(error))]
    parts += traceback.format_exception(error)
    cause = error.__cause__ or error.__context__
    while cause is not None:
        parts += [str(cause), repr(cause), repr(getattr(cause, "__dict__", {}))]
        cause = cause.__cause__ or cause.__context__
    return "\n".join(parts)


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("subject", [CHAT, LLAMA, LLM], ids=lambda s: s.name)
async def test_exception_messages(server: FaultServer, subject: Any, streamed: bool) -> None:
    server.enqueue(
        Reply(status=403, body=b'{"message": "out of credits", "requestId": "r-1"}'),
        Reply(reset_before_headers=True),
        ok_reply(streamed, "inf-slow", first_byte_delay=2.0),
        *_faults(streamed)[2:],
    )
    llm = subject.build(server.base_url, max_retries=0, timeout=0.3)
    errors: list[BaseException] = []
    try:
        for _ in range(5):
            with pytest.raises(AIMLAPIError) as info:
                await subject.run(llm, "sync", streamed)
            errors.append(info.value)
    finally:
        await close_clients(llm)
    assert_key_was_sent(server)
    kinds = {type(e).__name__ for e in errors}
    assert len(kinds) == 5, kinds  # 403, connection, timeout, 401, broken body
    for error in errors:
        assert_clean(_full_text(error), f"{type(error).__name__}")


def test_construction_and_missing_key_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AIMLAPI_API_KEY", "AIML_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    attempts = [
        lambda: build_chat("ftp://x/v1"),
        lambda: build_chat("http://127.0.0.1:9/v1", temperature="hot"),
        lambda: build_chat("http://127.0.0.1:9/v1", model_kwargs={"temperature": 1}),
        lambda: build_chat("http://127.0.0.1:9/v1", timeout=-1),
        lambda: build_llm("http://127.0.0.1:9/v1", max_tokens=0),
        lambda: build_llama("ftp://x/v1"),
        lambda: build_llama("http://127.0.0.1:9/v1", temperature=9),
        lambda: Settings(api_key=SecretStr(KEY), max_retries=-1),
        lambda: Settings(api_key=SecretStr(KEY), client_request_id="bad id"),
    ]
    for attempt in attempts:
        with pytest.raises((ValueError, TypeError)) as info:
            attempt()
        assert_clean(_full_text(info.value), "a construction error")
    with pytest.raises(MissingAPIKeyError) as missing:
        Client(Settings(base_url="http://127.0.0.1:9/v1")).chat_completion({"messages": []})
    assert_clean(_full_text(missing.value), "MissingAPIKeyError")


# --------------------------------------------------------------------------- serialised


async def test_serialised_models(server: FaultServer) -> None:
    server.enqueue(ok_reply(False, "inf-1"), ok_reply(False, "inf-2"), ok_reply(False, "inf-3"))
    chat, llm, llama = _models(server.base_url)
    try:
        chat.invoke("hi")
        llm.invoke("hi")
        llama.chat(HI)  # clients exist: their state must not leak into a dump either
        assert_key_was_sent(server)
        texts = {
            "dumpd(ChatAIMLAPI)": json.dumps(dumpd(chat)),
            "dumps(ChatAIMLAPI)": dumps(chat, pretty=True),
            "dumpd(AIMLAPILLM)": json.dumps(dumpd(llm)),
            "ChatAIMLAPI.model_dump": repr(chat.model_dump()),
            "ChatAIMLAPI.model_dump_json": chat.model_dump_json(),
            "AIMLAPILLM.model_dump_json": llm.model_dump_json(),
            "AIMLAPI.model_dump": repr(llama.model_dump()),
            "AIMLAPI.model_dump_json": llama.model_dump_json(),
            "AIMLAPI.to_dict": repr(llama.to_dict()),
            "AIMLAPI.to_json": llama.to_json(),
            "ChatAIMLAPI identifying params": repr(chat._identifying_params),
            "ChatAIMLAPI LangSmith params": repr(chat._get_ls_params()),
            "AIMLAPI.metadata": repr(llama.metadata),
        }
    finally:
        for model in (chat, llm, llama):
            await close_clients(model)
    # dumpd keeps a reference to the variable instead of the value
    assert json.loads(texts["dumpd(ChatAIMLAPI)"])["kwargs"]["api_key"]["id"] == ["AIMLAPI_API_KEY"]
    for where, text in texts.items():
        assert_clean(text, where)


class _Recorder(BaseCallbackHandler):
    """Keeps the repr of everything LangChain hands to a tracer."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        self.seen.append(repr((serialized, messages, kwargs)))

    def on_llm_start(self, serialized: Any, prompts: Any, **kwargs: Any) -> None:
        self.seen.append(repr((serialized, prompts, kwargs)))

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.seen.append(repr((response, kwargs)))

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self.seen.append(repr((error, kwargs)))


class _Events(BaseEventHandler):
    seen: list[str] = Field(default_factory=list)

    @classmethod
    def class_name(cls) -> str:
        return "SecretsEventRecorder"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        self.seen.append(repr(event.model_dump()) + repr(event))


async def test_what_tracing_hooks_are_given(server: FaultServer) -> None:
    server.enqueue(ok_reply(False, "inf-1"), ok_reply(True, "inf-2"), ok_reply(False, "inf-3"))
    server.enqueue(Reply(status=400, body=b'{"message": "bad"}'), ok_reply(True, "inf-5"))
    recorder, events = _Recorder(), _Events()
    dispatcher = get_dispatcher()  # the root: every span and event of LlamaIndex
    dispatcher.add_event_handler(events)
    chat, llm, llama = _models(server.base_url)
    try:
        chat.invoke("hi", config={"callbacks": [recorder]})
        list(chat.stream("hi", config={"callbacks": [recorder]}))
        llm.invoke("hi", config={"callbacks": [recorder]})
        with pytest.raises(AIMLAPIError):
            chat.invoke("hi", config={"callbacks": [recorder]})
        list(llama.stream_chat(HI))
    finally:
        dispatcher.event_handlers.remove(events)
        for model in (chat, llm, llama):
            await close_clients(model)
    assert_key_was_sent(server)
    assert len(recorder.seen) >= 8 and events.seen
    for text in recorder.seen:
        assert_clean(text, "a LangChain callback")
    for text in events.seen:
        assert_clean(text, "a LlamaIndex instrumentation event")


# --------------------------------------------------------------------------- cassettes


def test_no_cassette_holds_a_key_or_an_authorization_header() -> None:
    files = sorted((ROOT / "cassettes").rglob("*.yaml"))
    assert len(files) > 50, "the cassettes were not found"
    keys = {"sk-offline-test-key-not-real", "sk-offline-secret", "sk-bench-not-a-real-key", KEY}
    live = os.environ.get("AIMLAPI_API_KEY") or os.environ.get("AIML_API_KEY")
    if live:
        keys.add(live)
    for path in files:
        text = path.read_text()
        lowered = text.lower()
        assert "authorization" not in lowered and "bearer " not in lowered, path
        assert not any(key in text for key in keys), path


async def test_a_fresh_recording_is_scrubbed(server: FaultServer, tmp_path: Path) -> None:
    server.enqueue(ok_reply(False, "inf-1"), ok_reply(True, "inf-2"), ok_reply(False, "inf-3"))
    cassette = tmp_path / "fresh.yaml"
    chat, llama = build_chat(server.base_url), build_llama(server.base_url)
    try:
        with use_cassette(str(cassette), record_mode="once"):
            chat.invoke("hi")
            list(chat.stream("hi"))
            await llama.achat(HI)
    finally:
        await close_clients(chat)
        await close_clients(llama)
    assert_key_was_sent(server)
    text = cassette.read_text()
    assert text.count("uri: https://api.aimlapi.com/v1/chat/completions") == 3
    assert "authorization" not in text.lower() and "bearer" not in text.lower()
    assert_clean(text, "a fresh cassette")


# --------------------------------------------------------------------------- benchmarks


def test_benchmark_output(tmp_path: Path) -> None:
    """``python -m benchmarks --quick --no-write`` (about 25 s): no key in what it prints.

    The benchmark's models use its own fake key (``benchmarks.contestants.API_KEY``) and the
    children it starts get no ``AIMLAPI_*`` variables; a sentinel key in the parent's
    environment checks that neither that nor the fake key is ever printed or dumped.
    """
    from benchmarks.contestants import API_KEY

    sentinel = "sk-sentinel-env-key-93b1f0c2"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANGCHAIN_", "LANGSMITH_"))}
    env["AIMLAPI_API_KEY"] = env["AIML_API_KEY"] = sentinel
    dump = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--no-write", "--json", str(dump)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "## 4. Concurrency" in done.stdout  # the whole run printed
    for name, text in (
        ("stdout", done.stdout),
        ("stderr", done.stderr),
        ("json", dump.read_text()),
    ):
        for key in (sentinel, API_KEY, sentinel[3:], API_KEY[3:]):
            assert key not in text, f"a key leaked into the benchmark's {name}"


# --------------------------------------------------------------------------- keys as they arrive

EMBEDDING_BODY = json.dumps(
    {
        "object": "list",
        "data": [{"object": "embedding", "index": 0, "embedding": [0.25, -0.5]}],
        "model": "text-embedding-3-small",
        "usage": {"prompt_tokens": 1, "total_tokens": 1},
    }
).encode()


def _embedders(base_url: str, **fields: Any) -> list[Any]:
    return [
        AIMLAPIEmbeddings(model="text-embedding-3-small", base_url=base_url, **fields),
        AIMLAPIEmbedding(model="text-embedding-3-small", api_base=base_url, **fields),
    ]


async def _embed(embedder: Any, mode: str) -> list[float]:
    if isinstance(embedder, AIMLAPIEmbeddings):
        if mode == "sync":
            return embedder.embed_query("hi")
        return await embedder.aembed_query("hi")
    if mode == "sync":
        return list(embedder.get_text_embedding("hi"))
    return list(await embedder.aget_text_embedding("hi"))


# Keys as files, terminals and secret stores hand them over: a line break (LF or CRLF) after,
# spaces and tabs around.
PADDED = [KEY + "\n", KEY + "\r\n", f"  {KEY}\t\n"]
# A character inside the key that no HTTP header can carry; the tail of the key (a needle of
# assert_clean) stays whole, so an echo of the key would be caught.
BROKEN = [KEY[:5] + bad + KEY[5:] for bad in ("\x00", "\r", "\n", "\x1b", "é")]
ENV_VARS = ("AIMLAPI_API_KEY", "AIML_API_KEY")


@pytest.fixture
def no_key_in_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("source", ["argument", *ENV_VARS])
@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("subject", [CHAT, LLAMA, LLM], ids=lambda s: s.name)
async def test_a_key_with_surrounding_whitespace_is_stripped_and_works(
    server: FaultServer,
    no_key_in_env: pytest.MonkeyPatch,
    subject: Any,
    streamed: bool,
    source: str,
) -> None:
    for i, padded in enumerate(PADDED):
        server.enqueue(ok_reply(streamed, f"inf-{i}-s"), ok_reply(streamed, f"inf-{i}-a"))
        if source == "argument":
            llm = subject.build(server.base_url, api_key=padded)
        else:
            no_key_in_env.setenv(source, padded)
            llm = subject.build(server.base_url, api_key=None)
        try:
            for mode in ("sync", "async"):
                outcome = await subject.run(llm, mode, streamed)
                assert outcome == subject.expected(f"inf-{i}-{mode[0]}")
        finally:
            await close_clients(llm)
    assert len(server.requests) == 2 * len(PADDED)
    assert_key_was_sent(server)  # exactly "Bearer <key>", nothing around it


@pytest.mark.parametrize("source", ["argument", "AIMLAPI_API_KEY"])
async def test_embeddings_strip_the_key_too(
    server: FaultServer, no_key_in_env: pytest.MonkeyPatch, source: str
) -> None:
    server.responder = lambda request: Reply(body=EMBEDDING_BODY)
    if source == "argument":
        embedders = _embedders(server.base_url, api_key=KEY + "\r\n")
    else:
        no_key_in_env.setenv(source, f" {KEY}\n")
        embedders = _embedders(server.base_url)
    for embedder in embedders:
        for mode in ("sync", "async"):
            assert await _embed(embedder, mode) == [0.25, -0.5]
        await embedder._clients.aclose()
    assert len(server.requests) == 4
    assert_key_was_sent(server)


def _constructors(base_url: str) -> list[tuple[str, Any]]:
    return [
        ("ChatAIMLAPI", lambda key: build_chat(base_url, api_key=key)),
        ("ChatAIMLAPI-alias", lambda key: build_chat(base_url, aimlapi_api_key=key)),
        ("ChatAIMLAPI-SecretStr", lambda key: build_chat(base_url, api_key=SecretStr(key))),
        ("AIMLAPILLM", lambda key: build_llm(base_url, api_key=key)),
        ("AIMLAPI", lambda key: build_llama(base_url, api_key=key)),
        ("AIMLAPIResponses", lambda key: AIMLAPIResponses(api_key=key, api_base=base_url)),
        ("AIMLAPIEmbeddings", lambda key: _embedders(base_url, api_key=key)[0]),
        ("AIMLAPIEmbedding", lambda key: _embedders(base_url, api_key=key)[1]),
        ("Settings", lambda key: Settings(api_key=key, base_url=base_url)),
    ]


@pytest.mark.parametrize("key", BROKEN, ids=lambda k: f"U+{ord(k[5]):04X}")
def test_a_key_with_a_bad_character_inside_is_refused_at_construction(
    server: FaultServer, no_key_in_env: pytest.MonkeyPatch, key: str
) -> None:
    for name, construct in _constructors(server.base_url):
        with pytest.raises(InvalidAPIKeyError) as info:
            construct(key)
        error = info.value
        assert_clean(_full_text(error), f"the refusal of {name}")
        assert isinstance(error, AIMLAPIError) and not isinstance(error, ValueError)
        assert "at position 6 of" in str(error), str(error)  # where, but not what
        assert "API key (api_key)" in str(error)
    assert server.requests == []
    if "\x00" in key:
        return  # no environment can hold a NUL
    # From the environment: LangChain reads it at construction, the rest at the first call.
    no_key_in_env.setenv("AIML_API_KEY", key)
    from_env = [
        lambda: ChatAIMLAPI(model="m", base_url=server.base_url),
        lambda: AIMLAPILLM(model="m", base_url=server.base_url),
        lambda: _embedders(server.base_url)[0],
    ]
    for construct_from_env in from_env:
        with pytest.raises(InvalidAPIKeyError, match="environment variable AIML_API_KEY") as info:
            construct_from_env()
        assert_clean(_full_text(info.value), "a refusal of a key from the environment")
    assert server.requests == []


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_bad_key_from_the_environment_fails_before_any_request(
    server: FaultServer, no_key_in_env: pytest.MonkeyPatch, mode: str, streamed: bool
) -> None:
    no_key_in_env.setenv("AIMLAPI_API_KEY", BROKEN[1])
    llama = build_llama(server.base_url, api_key=None)  # LlamaIndex reads it at the first call
    with pytest.raises(InvalidAPIKeyError) as info:
        await LLAMA.run(llama, mode, streamed)
    assert_clean(_full_text(info.value), "the refusal of AIMLAPI (environment)")
    embedder = AIMLAPIEmbedding(model="text-embedding-3-small", api_base=server.base_url)
    with pytest.raises(InvalidAPIKeyError) as info:
        await _embed(embedder, mode)
    assert_clean(_full_text(info.value), "the refusal of AIMLAPIEmbedding (environment)")
    # A key assigned after construction is checked the same way, at the first call.
    llama = build_llama(server.base_url)
    llama.api_key = BROKEN[0]  # type: ignore[assignment]
    with pytest.raises(InvalidAPIKeyError) as info:
        await LLAMA.run(llama, mode, streamed)
    assert_clean(_full_text(info.value), "the refusal of an assigned key")
    assert server.requests == []


# --------------------------------------------------------------------------- header values

HEADER_SECRET = "team-token-7d1c55e0aa"


def test_a_default_header_value_no_header_can_carry_is_refused_unseen(
    server: FaultServer,
) -> None:
    bad = {"X-Team-Token": HEADER_SECRET + "\n"}
    attempts = [
        lambda: build_chat(server.base_url, default_headers=bad),
        lambda: build_llm(server.base_url, default_headers=bad),
        lambda: build_llama(server.base_url, default_headers=bad),
        lambda: _embedders(server.base_url, api_key=KEY, default_headers=bad)[0],
        lambda: _embedders(server.base_url, api_key=KEY, default_headers=bad)[1],
        lambda: Settings(api_key=KEY, default_headers=bad),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidHeaderError, match="'X-Team-Token'") as info:
            attempt()
        text = _full_text(info.value)
        assert HEADER_SECRET not in text and HEADER_SECRET[5:] not in text, text
        assert_clean(text, "a header refusal")
    assert server.requests == []


@pytest.mark.parametrize("value", [f"Bearer {KEY}\n", f"{HEADER_SECRET}\r\nX-Injected: 1"])
async def test_a_header_value_never_reaches_a_connection_error(
    server: FaultServer, value: str
) -> None:
    # Per-call headers are not checked up front: httpx (h11) refuses them as it writes the
    # request, with the value in its message. Our error and its whole chain must not say it.
    settings = Settings(api_key=KEY, base_url=server.base_url, max_retries=0)
    errors: list[BaseException] = []
    with Client(settings) as client, pytest.raises(APIConnectionError) as info:
        client.chat_completion({"model": "m", "messages": []}, headers={"X-Proxy-Auth": value})
    errors.append(info.value)
    async with AsyncClient(settings) as aclient:
        with pytest.raises(APIConnectionError) as ainfo:
            await aclient.chat_completion(
                {"model": "m", "messages": []}, headers={"X-Proxy-Auth": value}
            )
        errors.append(ainfo.value)
    for error in errors:
        text = _full_text(error)
        assert "Illegal header value (not shown)" in str(error), str(error)
        assert HEADER_SECRET not in text and value.strip() not in text, text
        assert_clean(text, "a connection error")
    assert server.requests == []
