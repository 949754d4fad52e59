"""Every constructor argument of llama-index ``OpenAI``, ``OpenAIResponses`` and
``OpenAIEmbedding`` works on ours with the same meaning, or construction fails naming it.

The argument list is read from the installed anchors at test time (their ``model_fields`` and
``__init__`` signatures), so a new llama-index argument fails here until it has a sample
value below and ours honours or refuses it. For each argument:

* ours is built with the sample: it raises :class:`UnsupportedArgumentError` (or pydantic's
  ``ValidationError``) naming the argument, or it keeps it as a setting (a field, or an
  ``__init__`` parameter), readable under the same name where the anchor has a field;
* where both take it, both make one call to the same loopback server (the fake model) with and
  without the sample, and what the sample changes in the request body is the same for both.
"""

from __future__ import annotations

import base64
import inspect
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from llama_index.core.callbacks import CallbackManager
from llama_index.core.llms import AudioBlock, ChatMessage
from llama_index.core.prompts import PromptTemplate
from llama_index.core.rate_limiter import TokenBucketRateLimiter
from llama_index.core.storage.kvstore import SimpleKVStore
from llama_index.core.types import BaseOutputParser, PydanticProgramMode
from llama_support import completion
from pydantic import ValidationError

from llama_index_aimlapi import (
    AIMLAPI,
    AIMLAPIEmbedding,
    AIMLAPIResponses,
    UnsupportedArgumentError,
)
from tests.support.fake_model import fake_responder
from tests.support.replay_server import ReceivedRequest, ReplayServer, Scripted

openai_llms = pytest.importorskip("llama_index.llms.openai")
openai_embeddings = pytest.importorskip("llama_index.embeddings.openai")


class _Parser(BaseOutputParser):
    def parse(self, output: str) -> Any:
        return output


SERVER = "{server}"  # a sample that is the test server's URL

# A non-default value per anchor argument (any of the three anchors).
SAMPLES: dict[str, Any] = {
    "model": "gpt-4o",
    "temperature": 0.5,
    "max_tokens": 33,
    "max_output_tokens": 33,
    "logprobs": True,
    "top_logprobs": 2,
    "additional_kwargs": {"service_tier": "auto"},
    "max_retries": 1,
    "timeout": 30.0,
    "reuse_client": False,
    "api_key": "sk-another-offline-key",
    "api_base": SERVER,
    "api_version": "2024-06-01",
    "callback_manager": CallbackManager([]),
    "default_headers": {"X-Trace": "t1"},
    "http_client": httpx.Client,
    "async_http_client": httpx.AsyncClient,
    "openai_client": object(),
    "async_openai_client": object(),
    "system_prompt": "Be brief.",
    "messages_to_prompt": lambda messages: "\n".join(str(m) for m in messages),
    "completion_to_prompt": lambda prompt: f"Q: {prompt}",
    "pydantic_program_mode": PydanticProgramMode.LLM,
    "output_parser": _Parser(),
    "query_wrapper_prompt": PromptTemplate("{query_str}!"),
    "rate_limiter": TokenBucketRateLimiter(requests_per_minute=600),
    "strict": True,
    "reasoning_effort": "low",
    "modalities": ["text", "audio"],
    "audio_config": {"voice": "alloy", "format": "wav"},
    # OpenAIResponses
    "reasoning_options": {"effort": "low"},
    "include": ["reasoning.encrypted_content"],
    "instructions": "Answer in French.",
    "track_previous_responses": True,
    "store": True,
    "built_in_tools": [{"type": "web_search_preview"}],
    "truncation": "auto",
    "user": "user-42",
    "call_metadata": {"order": "17"},
    "top_p": 0.5,
    "previous_response_id": "resp_previous",
    "context_window": 1000,
    # OpenAIEmbedding
    "embed_batch_size": 3,
    "dimensions": 64,
    "model_name": "text-embedding-3-large",
    "num_workers": 2,
    "embeddings_cache": SimpleKVStore,  # a class: a fresh store per use
    "mode": "similarity",
}
# Each kind's base settings; some arguments mean something only for reasoning models.
BASE = {"chat": "gpt-4o-mini", "responses": "gpt-4o-mini", "embed": "text-embedding-3-small"}
REASONING = {"reasoning_effort": "o3-mini", "reasoning_options": "o3-mini"}
EMBED_SAMPLES = {"model": "text-embedding-3-large", "additional_kwargs": {"user": "user-42"}}

# Arguments the issue named (and their neighbours): each must visibly change the request.
CHANGE_THE_WIRE = {
    *(("chat", n) for n in ("logprobs", "modalities", "audio_config", "reasoning_effort")),
    *(("chat", n) for n in ("max_tokens", "temperature", "additional_kwargs")),
    *(("responses", n) for n in ("user", "truncation", "call_metadata", "top_p")),
    *(("responses", n) for n in ("max_output_tokens", "reasoning_options", "built_in_tools")),
    *(("embed", n) for n in ("dimensions", "additional_kwargs", "model")),
}

PAIRS: dict[str, tuple[type[Any], type[Any]]] = {
    "chat": (openai_llms.OpenAI, AIMLAPI),
    "responses": (openai_llms.OpenAIResponses, AIMLAPIResponses),
    "embed": (openai_embeddings.OpenAIEmbedding, AIMLAPIEmbedding),
}


def anchor_arguments(cls: type[Any]) -> list[str]:
    """The anchor's constructor arguments: its fields and its ``__init__``'s named ones."""
    params = inspect.signature(cls.__init__).parameters.values()
    named = {p.name for p in params if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
    return sorted((set(cls.model_fields) | named) - {"self"})


def our_settings(cls: type[Any]) -> set[str]:
    """What ours keeps: fields, properties, and the named parameters of every ``__init__``."""
    out = set(cls.model_fields)
    for klass in cls.__mro__:
        init = vars(klass).get("__init__")
        if init is not None and klass.__module__.startswith("llama_index_aimlapi"):
            out |= set(inspect.signature(init).parameters) - {"self", "kwargs"}
        out |= {n for n, v in vars(klass).items() if isinstance(v, property)}
    return out


CASES = [(kind, name) for kind, (anchor, _) in PAIRS.items() for name in anchor_arguments(anchor)]


def sample(kind: str, name: str, server: str) -> Any:
    value = EMBED_SAMPLES[name] if kind == "embed" and name in EMBED_SAMPLES else SAMPLES[name]
    if value == SERVER:
        return server
    if value in (httpx.Client, httpx.AsyncClient):
        client = value()
        _OPENED.append(client)  # the caller's client: closed by its owner, the test module
        return client
    if value is SimpleKVStore:
        return value()
    return value


def base_kwargs(kind: str, name: str, server: str) -> dict[str, Any]:
    model = REASONING.get(name, BASE[kind])
    kwargs: dict[str, Any] = {"model": model, "api_key": "k", "api_base": server}
    if kind != "embed":
        kwargs["max_retries"] = 0
    return kwargs


_OPENED: list[httpx.Client | httpx.AsyncClient] = []


@pytest.fixture(scope="module")
def server() -> Iterator[ReplayServer]:
    with ReplayServer(fake_responder) as replay:
        yield replay
    for client in _OPENED:
        if isinstance(client, httpx.Client):
            client.close()
    _OPENED.clear()


def test_every_anchor_argument_has_a_sample() -> None:
    """A new argument of the installed anchors shows up here first."""
    missing = [(kind, name) for kind, name in CASES if name not in SAMPLES]
    assert not missing, f"new llama-index arguments: give each a sample and a decision: {missing}"


def _build(cls: type[Any], kwargs: dict[str, Any]) -> Any:
    return cls(**kwargs)


@pytest.mark.parametrize(("kind", "name"), CASES, ids=[f"{k}-{n}" for k, n in CASES])
def test_argument_is_honoured_or_refused_by_name(kind: str, name: str) -> None:
    anchor, ours = PAIRS[kind]
    url = "http://127.0.0.1:9/v1"
    kwargs = {**base_kwargs(kind, name, url), name: sample(kind, name, url)}
    try:
        built = _build(ours, kwargs)
    except UnsupportedArgumentError as exc:
        prefix = f"{ours.__name__} does not take {name}: "
        assert exc.argument == name and str(exc).startswith(prefix), str(exc)
        assert len(str(exc)) > len(prefix) + 30, "say what to do instead"
        return
    except ValidationError as exc:  # pragma: no cover - no sample is invalid today
        assert name in str(exc)
        return
    assert name in our_settings(ours), f"{ours.__name__} swallowed {name}"
    if name in anchor.model_fields and name not in ("api_key", "model"):
        value = getattr(built, name)
        expected = kwargs[name]
        if name in ("http_client", "async_http_client"):
            return
        assert value == expected or value is expected, (name, value, expected)


# -- what each argument changes on the wire, side by side -------------------------------------


def _normalised(body: dict[str, Any]) -> dict[str, Any]:
    """None values out (the SDK sends nulls), one name for the token limit, no ``stream``."""
    out = {k: v for k, v in body.items() if v is not None and k != "stream"}
    if "max_completion_tokens" in out:
        out.setdefault("max_tokens", out.pop("max_completion_tokens"))
    return out


def _call(llm: Any, kind: str) -> None:
    if kind == "embed":
        llm.get_text_embedding("The capital of France is Paris.")
    else:
        llm.chat([ChatMessage(role="user", content="Hello")])


def _close(llm: Any) -> None:
    """Close ours (``close``) or the anchor's openai SDK clients: no socket left open."""
    if isinstance(llm, (AIMLAPI, AIMLAPIEmbedding)):
        llm.close()
        return
    for attr in ("_client", "_aclient"):
        client = getattr(llm, attr, None)
        if client is not None and hasattr(client, "close") and attr == "_client":
            client.close()


def _sent(server: ReplayServer, make: Callable[[], Any], kind: str) -> dict[str, Any]:
    before = len(server.requests)
    llm = make()
    try:
        _call(llm, kind)
    finally:
        _close(llm)
    assert len(server.requests) == before + 1
    body = server.requests[-1].body
    assert isinstance(body, dict)
    return _normalised(body)


def _changes(default: dict[str, Any], changed: dict[str, Any]) -> dict[str, Any]:
    keys = {k for k in default.keys() | changed.keys() if default.get(k) != changed.get(k)}
    return {k: changed.get(k) for k in sorted(keys)}


@pytest.mark.parametrize(("kind", "name"), CASES, ids=[f"{k}-{n}" for k, n in CASES])
def test_argument_changes_the_request_as_the_anchor_does(
    server: ReplayServer, kind: str, name: str
) -> None:
    anchor, ours = PAIRS[kind]
    base = base_kwargs(kind, name, server.base_url)

    def with_sample(cls: type[Any]) -> Any:  # a fresh sample each time (caches, clients)
        return _build(cls, {**base, name: sample(kind, name, server.base_url)})

    try:
        with_sample(ours)
        with_sample(anchor)
    except (UnsupportedArgumentError, TypeError, ValueError):
        pytest.skip(f"{name}: not taken by both (the test above covers ours)")
    theirs_default = _sent(server, lambda: _build(anchor, base), kind)
    theirs_sample = _sent(server, lambda: with_sample(anchor), kind)
    ours_default = _sent(server, lambda: _build(ours, base), kind)
    ours_sample = _sent(server, lambda: with_sample(ours), kind)
    expected = _changes(theirs_default, theirs_sample)
    assert _changes(ours_default, ours_sample) == expected
    if (kind, name) in CHANGE_THE_WIRE:  # the test above cannot pass by both sending nothing
        assert expected, f"{name} no longer changes what {anchor.__name__} sends"


# -- the arguments the issue named ------------------------------------------------------------


def test_reasoning_effort_typo_fails_at_construction_like_openai() -> None:
    for cls in (openai_llms.OpenAI, AIMLAPI):
        with pytest.raises(ValidationError, match="reasoning_effort"):
            cls(model="o3-mini", api_key="k", reasoning_effort="hgih")


def test_max_new_tokens_is_max_tokens_like_openai(server: ReplayServer) -> None:
    base = {"model": "gpt-4o-mini", "api_key": "k", "api_base": server.base_url}
    theirs = openai_llms.OpenAI(max_new_tokens=21, max_retries=0, **base)
    ours = AIMLAPI(max_new_tokens=21, **base)
    assert ours.max_tokens == theirs.max_tokens == 21
    for llm in (theirs, ours):
        _call(llm, "chat")
        _close(llm)
        body = _normalised(server.requests[-1].body)
        assert body["max_tokens"] == 21


def test_max_output_tokens_reads_back_like_openai_responses(server: ReplayServer) -> None:
    base = {"model": "gpt-4o-mini", "api_key": "k", "api_base": server.base_url}
    theirs = openai_llms.OpenAIResponses(max_output_tokens=33, **base)
    ours = AIMLAPIResponses(max_output_tokens=33, **base)
    assert ours.max_output_tokens == theirs.max_output_tokens == 33
    _call(ours, "responses")
    ours.close()
    assert server.requests[-1].body["max_output_tokens"] == 33


def test_logprobs_come_back_like_openai(server: ReplayServer) -> None:
    base = {"model": "gpt-4o-mini", "api_key": "k", "api_base": server.base_url}
    messages = [ChatMessage(role="user", content="Hello")]
    theirs = openai_llms.OpenAI(logprobs=True, top_logprobs=2, max_retries=0, **base)
    ours = AIMLAPI(logprobs=True, top_logprobs=2, **base)
    mine, their = ours.chat(messages), theirs.chat(messages)
    _close(ours)
    _close(theirs)
    assert mine.logprobs and their.logprobs
    assert len(mine.logprobs) == len(their.logprobs)
    assert [[t.token for t in top] for top in mine.logprobs] == [
        [t.token for t in top] for top in their.logprobs
    ]
    assert all(len(top) == 2 for top in mine.logprobs)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"logprobs": True}, "logprobs"),
        ({"top_logprobs": 3}, "top_logprobs"),
        ({"modalities": ["text", "audio"]}, "modalities"),
        ({"audio_config": {"voice": "alloy"}}, "audio_config"),
    ],
)
def test_responses_refuses_chat_only_settings(kwargs: dict[str, Any], argument: str) -> None:
    with pytest.raises(UnsupportedArgumentError, match=argument) as info:
        AIMLAPIResponses(**kwargs)
    assert info.value.argument == argument and "AIMLAPI" in str(info.value)


def test_unknown_arguments_are_refused_by_name() -> None:
    for cls in (AIMLAPI, AIMLAPIResponses, AIMLAPIEmbedding):
        with pytest.raises(UnsupportedArgumentError, match="top_k") as info:
            cls(top_k=3)
        assert "additional_kwargs={'top_k': ...}" in str(info.value)
    assert AIMLAPI(reuse_client=True, api_version=None, openai_client=None).max_tokens is None
    assert AIMLAPIEmbedding(mode="text_search").model_name == "text-embedding-3-small"


def _spoken(request: ReceivedRequest) -> Scripted:
    """An answer with audio, as OpenAI's audio models give it (no text content)."""
    reply = completion(None)
    reply["choices"][0]["message"]["audio"] = {
        "id": "audio_abc",
        "data": base64.b64encode(b"RIFF0000WAVEfmt ").decode(),
        "expires_at": 1_750_000_000,
        "transcript": "Hello there.",
    }
    return Scripted(body=json.dumps(reply).encode())


def test_spoken_answers_like_openai() -> None:
    """``modalities=["text", "audio"]``: the answer is an ``AudioBlock`` with its id kept in
    ``reference_audio_id``, and the next turn sends it back by id: as llama-index OpenAI."""
    settings = {"modalities": ["text", "audio"], "audio_config": {"voice": "alloy"}}
    with ReplayServer(_spoken) as server:
        base = {"model": "gpt-4o-audio-preview", "api_key": "k", "api_base": server.base_url}
        theirs = openai_llms.OpenAI(max_retries=0, **base, **settings)
        ours = AIMLAPI(**base, **settings)
        question = [ChatMessage(role="user", content="Say hello")]
        mine, their = ours.chat(question), theirs.chat(question)
        for response in (mine, their):
            (block,) = [b for b in response.message.blocks if isinstance(b, AudioBlock)]
            assert block.resolve_audio().read() == b"RIFF0000WAVEfmt "
            assert response.message.additional_kwargs["reference_audio_id"] == "audio_abc"
        for llm, response in ((ours, mine), (theirs, their)):
            llm.chat([*question, response.message, ChatMessage(role="user", content="Again")])
        ours_turn, theirs_turn = (r.body["messages"][1] for r in server.requests[-2:])
        assert ours_turn == theirs_turn == {"role": "assistant", "audio": {"id": "audio_abc"}}
        for llm in (ours, theirs):  # no audio in streams nor in complete(), on both
            with pytest.raises(ValueError, match=r"[Aa]udio"):
                list(llm.stream_chat(question))
            with pytest.raises(ValueError, match=r"[Aa]udio"):
                llm.complete("Say hello")
            _close(llm)
