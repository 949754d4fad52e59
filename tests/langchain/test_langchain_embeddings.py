"""``AIMLAPIEmbeddings`` behaviour beyond the standard suite: batching (one request per batch,
on cassettes), order, per-call options, a vector store that retrieves by meaning, secrecy of the
key, bad input, typed errors, and parity with ``langchain_openai.OpenAIEmbeddings``.

Cassettes were recorded against the loopback replay server answering as the fake model, whose
vectors are hashed sets of words (``tests/support/fake_model.py``).
"""

from __future__ import annotations

import asyncio
import json
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import ModelNotFoundError, ModelRateLimitError
from langchain_core.vectorstores import InMemoryVectorStore

import aimlapi_core
from langchain_aimlapi import AIMLAPIEmbeddings
from tests.conftest import CASSETTES, OFFLINE_KEY, is_live
from tests.support.fake_model import fake_responder, fake_vector
from tests.support.replay_server import ReplayServer

MODEL = "text-embedding-3-small"
TEXTS = [f"Line {i}: a note about subject {i % 4}." for i in range(7)]
KEY = "sk-lc-embed-SECRET-42"


@pytest.fixture
def embeddings(api_settings: dict[str, str], replay_server: ReplayServer) -> AIMLAPIEmbeddings:
    """On ``api_settings``: the fake model while recording, the live API with a key."""
    replay_server.responder = fake_responder
    return AIMLAPIEmbeddings(model=MODEL, **api_settings)


def request_bodies(vcr: Any) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in vcr.requests]


# --------------------------------------------------------------------------- on cassettes


@pytest.mark.vcr
def test_one_request_per_chunk(embeddings: AIMLAPIEmbeddings, vcr: Any) -> None:
    vectors = embeddings.embed_documents(TEXTS, chunk_size=3)
    assert [b["input"] for b in request_bodies(vcr)] == [TEXTS[0:3], TEXTS[3:6], TEXTS[6:]]
    assert len(vectors) == len(TEXTS) and len({len(v) for v in vectors}) == 1
    if not is_live():
        assert vectors == [fake_vector(t) for t in TEXTS]


@pytest.mark.vcr
async def test_async_chunks_are_concurrent_and_in_order(
    embeddings: AIMLAPIEmbeddings, vcr: Any
) -> None:
    embeddings.chunk_size = 2
    vectors = await embeddings.aembed_documents(TEXTS)
    sent = sorted(tuple(b["input"]) for b in request_bodies(vcr))
    assert sent == sorted(tuple(TEXTS[i : i + 2]) for i in range(0, len(TEXTS), 2))
    assert len(vectors) == len(TEXTS)
    if not is_live():
        assert vectors == [fake_vector(t) for t in TEXTS]


@pytest.mark.vcr
def test_call_options_and_model_kwargs(embeddings: AIMLAPIEmbeddings, vcr: Any) -> None:
    emb = embeddings.model_copy(update={"dimensions": 64, "model_kwargs": {"user": "u-1"}})
    short = emb.embed_query("capital of France")
    shorter = emb.embed_documents(["capital of France"], dimensions=16)
    b64 = emb.model_copy(update={"encoding_format": "base64"}).embed_query("capital of France")
    assert (len(short), len(shorter[0]), len(b64)) == (64, 16, 64)
    bodies = request_bodies(vcr)
    assert [b["dimensions"] for b in bodies] == [64, 16, 64]
    assert all(b["user"] == "u-1" for b in bodies)
    assert [b.get("encoding_format") for b in bodies] == [None, None, "base64"]
    if not is_live():
        assert short == b64 == fake_vector("capital of France", 64)


@pytest.mark.vcr
def test_vector_store_retrieves_the_right_text(embeddings: AIMLAPIEmbeddings, vcr: Any) -> None:
    store = InMemoryVectorStore.from_texts(
        [
            "Paris is the capital of France. The Eiffel Tower was finished in 1889.",
            "Berlin is the capital of Germany. The Berlin Wall fell in 1989.",
            "Rome is the capital of Italy. The Colosseum opened in the year 80.",
        ],
        embeddings,
    )
    for question, city in [
        ("Which city is the capital of Germany?", "Berlin"),
        ("When was the Eiffel Tower finished?", "Paris"),
        ("What is the capital of Italy?", "Rome"),
    ]:
        (doc,) = store.similarity_search(question, k=1)
        assert doc.page_content.startswith(city), question
    assert [len(b["input"]) for b in request_bodies(vcr)] == [3, 1, 1, 1]


def test_cassettes_hold_no_key() -> None:
    folder = CASSETTES / Path(__file__).stem
    texts = [p.read_text() for p in folder.glob("*.yaml")]
    assert texts, f"no cassettes in {folder}"
    assert not any(OFFLINE_KEY in t or "authorization" in t.lower() for t in texts)


# --------------------------------------------------------------------------- local checks


def test_key_is_secret() -> None:
    emb = AIMLAPIEmbeddings(api_key=KEY)
    for text in (repr(emb), str(emb), json.dumps(emb.model_dump(mode="json"))):
        assert KEY not in text
    assert emb.api_key is not None and emb.api_key.get_secret_value() == KEY


def test_openai_style_names_and_defaults() -> None:
    emb = AIMLAPIEmbeddings(
        api_key="k", request_timeout=5, max_retries=0, chunk_size=10, dimensions=256
    )
    assert (emb.model, emb.timeout, emb.max_retries, emb.chunk_size) == (MODEL, 5, 0, 10)
    assert emb.client.settings.timeout == 5 and emb.client.settings.max_retries == 0


def test_unknown_parameter_moves_to_model_kwargs_with_a_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        emb = AIMLAPIEmbeddings(api_key="k", input_type="query")
    assert emb.model_kwargs == {"input_type": "query"}
    assert any("input_type" in str(w.message) for w in caught)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"model": "text-embedding-ada-002", "dimensions": 256}, "takes no `dimensions`"),
        ({"model": "text-embedding-3-small", "dimensions": 2000}, "at most 1536"),
        ({"dimensions": 0}, "greater than or equal to 1"),
        ({"chunk_size": 0}, "greater than or equal to 1"),
        ({"chunk_size": 5000}, "less than or equal to 2048"),
        ({"encoding_format": "int8"}, "'float' or 'base64'"),
        ({"model_kwargs": {"input": ["x"]}}, "cannot set 'input'"),
    ],
)
def test_bad_parameters_fail_at_construction(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AIMLAPIEmbeddings(api_key="k", **fields)


class MockAPI:
    def __init__(self, status: int = 200, body: dict[str, Any] | None = None) -> None:
        self.status, self.body = status, body
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content)
        self.requests.append(sent)
        if self.body is not None:
            return httpx.Response(self.status, json=self.body)
        items = [{"index": i, "embedding": [float(len(t))]} for i, t in enumerate(sent["input"])]
        return httpx.Response(200, json={"data": items[::-1], "model": sent["model"]})

    def embeddings(self, **fields: Any) -> AIMLAPIEmbeddings:
        return AIMLAPIEmbeddings(
            api_key=KEY,
            max_retries=0,
            http_client=httpx.Client(transport=httpx.MockTransport(self)),
            http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(self)),
            **fields,
        )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda e: e.embed_documents("a single string"), "wrap it in a list"),
        (lambda e: e.embed_documents(["ok", None]), r"texts\[1\] is NoneType"),
        (lambda e: e.embed_query(["a", "b"]), "embed_query takes one str"),
        (lambda e: asyncio.run(e.aembed_documents([b"bytes"])), r"texts\[0\] is bytes"),
    ],
)
def test_bad_input_is_a_type_error_before_any_request(call: Any, message: str) -> None:
    api = MockAPI()
    with pytest.raises(TypeError, match=message):
        call(api.embeddings())
    assert api.requests == []


async def test_order_and_empty_input() -> None:
    api = MockAPI()
    emb = api.embeddings(chunk_size=2)
    texts = ["a", "bb", "ccc", "dddd", "eeeee"]
    assert emb.embed_documents(texts) == [[1.0], [2.0], [3.0], [4.0], [5.0]]
    assert await emb.aembed_documents(texts) == [[1.0], [2.0], [3.0], [4.0], [5.0]]
    assert emb.embed_documents([]) == [] and await emb.aembed_documents([]) == []
    assert len(api.requests) == 6  # 3 + 3 batches, none for the empty lists


def test_errors_are_core_and_langchain_errors() -> None:
    api = MockAPI(404, {"message": "Model not found", "statusCode": 404, "requestId": "r-1"})
    with pytest.raises(aimlapi_core.NotFoundError, match="Model not found") as info:
        api.embeddings(model="nope").embed_query("x")
    assert isinstance(info.value, ModelNotFoundError) and info.value.request_id == "r-1"
    assert KEY not in str(info.value)
    limited = MockAPI(429, {"message": "slow down", "statusCode": 429})
    with pytest.raises(ModelRateLimitError):
        asyncio.run(limited.embeddings().aembed_documents(["x"]))


# --------------------------------------------------------------------------- parity


def test_same_vectors_as_langchain_openai() -> None:
    """Next to ``OpenAIEmbeddings`` on the same fake server (no cassette: loopback only)."""
    openai_embeddings = pytest.importorskip("langchain_openai")
    texts = ["Paris is in France.", "Berlin is in Germany.", "Rome is in Italy."]
    with ReplayServer(fake_responder) as server:
        ours = AIMLAPIEmbeddings(model=MODEL, api_key="k", base_url=server.base_url, chunk_size=2)
        # No tiktoken: its encodings would be downloaded; the raw texts go over the wire.
        theirs = openai_embeddings.OpenAIEmbeddings(
            model=MODEL,
            api_key="k",
            base_url=server.base_url,
            chunk_size=2,
            max_retries=0,
            check_embedding_ctx_length=False,
        )
        assert ours.embed_documents(texts) == theirs.embed_documents(texts)
        assert ours.embed_query("France") == theirs.embed_query("France")
        ours_inputs = [r.body["input"] for r in server.requests if "encoding_format" not in r.body]
        theirs_inputs = [r.body["input"] for r in server.requests if "encoding_format" in r.body]
    assert ours_inputs == theirs_inputs == [texts[:2], texts[2:], ["France"]]
