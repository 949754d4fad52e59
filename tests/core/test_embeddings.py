"""Embeddings in the core: every exchange of the corpus's ``embeddings.jsonl`` replayed
to the real clients, plus batching, order, retries, usage, parameters and the fake model.

Expected vectors come from an independent reading of the recorded bytes (``struct`` over the
base64), not from the code under test. The corpus holds only base64 replies (OpenAI's and
Voyage's clients ask for base64); float replies are checked by re-encoding those same vectors as
a float JSON reply, which must decode to the same numbers.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import math
import struct
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aimlapi_core import (
    AIMLAPIError,
    APIStatusError,
    AsyncClient,
    BadRequestError,
    Client,
    NotFoundError,
    RateLimitError,
    ServerError,
    Settings,
)
from aimlapi_core.embeddings import (
    DEFAULT_EMBEDDING_MODEL,
    EmbeddingsResult,
    aembed,
    embed,
    embeddings_body,
    embeddings_reply_from,
    plan_batches,
)
from aimlapi_core.usage import Cost, Usage
from aimlapi_core.wire.embeddings import decode_base64_floats
from tests.support.corpus import CORPUS_DIR, by_id, corpus_available, exchanges
from tests.support.fake_model import (
    FAKE_EMBEDDING_DIMENSIONS,
    count_tokens,
    fake_responder,
    fake_vector,
)
from tests.support.replay_server import ReplayServer

KEY = "sk-embed-SECRET-0123456789abcdef"
SETTINGS = Settings(api_key=KEY, max_retries=0)
RETRYING = Settings(api_key=KEY, max_retries=2)

NO_CORPUS = pytest.param(
    None, marks=pytest.mark.skip(reason=f"wire corpus not found at {CORPUS_DIR}"), id="no-corpus"
)


def _select(ok: bool) -> list[Any]:
    if not corpus_available():
        return [NO_CORPUS]
    chosen = [
        pytest.param(x, id=x["id"])
        for x in exchanges("embeddings")
        if (x["response"]["status"] == 200) == ok
    ]
    return chosen or [NO_CORPUS]


CORPUS_OK = _select(True)
CORPUS_ERR = _select(False)
QUERY_1536 = "tests/cassettes/test_embeddings/TestOpenAI.test_query.yaml#0"
QUERY_128 = "tests/cassettes/test_embeddings/TestOpenAI.test_instrumentation.yaml#0"
LC_SYNC = "langchain-openai/test_langchain_openai_embeddings_equivalent_to_raw.yaml.gz#0"
LC_ASYNC = "langchain-openai/test_langchain_openai_embeddings_equivalent_to_raw_async.yaml.gz#0"


# --------------------------------------------------------------------------- helpers


def struct_floats(b64: str) -> list[float]:
    """Independent decoding: base64 → little-endian float32 with ``struct``."""
    raw = base64.b64decode(b64)
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))


def expected_vectors(body: str) -> list[list[float]]:
    data = json.loads(body)["data"]
    return [struct_floats(item["embedding"]) for item in sorted(data, key=lambda d: d["index"])]


def native_size(request: dict[str, Any]) -> int:
    """What the providers document: the requested dimensions, else the model's own size."""
    if request.get("dimensions"):
        return int(request["dimensions"])
    model = request["model"]
    if model.startswith("voyage-"):
        return 1024
    return {"text-embedding-3-small": 1536, "text-embedding-ada-002": 1536}[model]


def norm(v: list[float]) -> float:
    return math.sqrt(sum(x * x for x in v))


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / (norm(a) * norm(b))


class API:
    """A MockTransport handler: records request bodies, answers with ``reply(body, n)``."""

    def __init__(
        self,
        reply: Callable[[dict[str, Any], int], httpx.Response] | None = None,
        *,
        delays: Callable[[dict[str, Any]], float] | None = None,
    ) -> None:
        self.reply = reply or (lambda body, n: httpx.Response(200, json=float_reply(body)))
        self.delays = delays
        self.bodies: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.finished: list[list[str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        return self.reply(body, len(self.bodies))

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        n = len(self.bodies)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delays(body) if self.delays else 0)
        finally:
            self.in_flight -= 1
        self.finished.append(body["input"])
        return self.reply(body, n)

    def client(self, settings: Settings = SETTINGS) -> Client:
        return Client(settings, http_client=httpx.Client(transport=httpx.MockTransport(self)))

    def aclient(self, settings: Settings = SETTINGS) -> AsyncClient:
        transport = httpx.MockTransport(self.handle_async)
        return AsyncClient(settings, http_client=httpx.AsyncClient(transport=transport))


def text_vector(text: str) -> list[float]:
    """A vector that names its text: [len, first char code]."""
    return [float(len(text)), float(ord(text[0])) if text else 0.0]


def float_reply(body: dict[str, Any], *, reverse: bool = True) -> dict[str, Any]:
    """OpenAI's reply shape for ``body``; items listed in reverse to prove ordering by index."""
    texts = body["input"]
    items = [
        {"object": "embedding", "index": i, "embedding": text_vector(t)}
        for i, t in enumerate(texts)
    ]
    tokens = sum(len(t.split()) for t in texts)
    return {
        "object": "list",
        "data": items[::-1] if reverse else items,
        "model": body["model"],
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


def recorded(x: dict[str, Any]) -> httpx.Response:
    r = x["response"]
    return httpx.Response(
        r["status"],
        content=r["body"].encode(),
        headers={"content-type": r["content_type"], "x-inference-id": "inf-corpus"},
    )


def corpus_api(x: dict[str, Any]) -> API:
    return API(lambda body, n: recorded(x))


def corpus_call(x: dict[str, Any]) -> dict[str, Any]:
    """The recorded request's texts and options, as :func:`embed` keyword arguments."""
    req = x["request"]["body"]
    return {
        "texts": req["input"],
        "model": req["model"],
        "dimensions": req.get("dimensions"),
        "encoding_format": req.get("encoding_format"),
    }


# --------------------------------------------------------------------------- corpus: successes


def _check_corpus_result(x: dict[str, Any], result: EmbeddingsResult, api: API) -> None:
    raw = json.loads(x["response"]["body"])
    request = x["request"]["body"]
    expect = expected_vectors(x["response"]["body"])
    assert len(result.vectors) == len(request["input"]) == len(expect)
    assert result.vectors == expect
    for v in result.vectors:
        assert len(v) == native_size(request)
        assert all(type(f) is float for f in v)
        assert abs(norm(v) - 1.0) < 1e-3  # both providers return unit vectors
    assert result.model == raw["model"]
    usage = raw["usage"]
    tokens = usage.get("prompt_tokens", usage["total_tokens"])
    assert result.usage == Usage(input_tokens=tokens, total_tokens=usage["total_tokens"])
    assert result.inference_ids == ["inf-corpus"]
    assert len(api.bodies) == 1
    sent = api.bodies[0]
    assert sent["input"] == request["input"] and sent["model"] == request["model"]
    for key in ("dimensions", "encoding_format"):
        assert sent.get(key) == request.get(key)


@pytest.mark.corpus
@pytest.mark.parametrize("x", CORPUS_OK)
def test_corpus_reply_sync(x: dict[str, Any]) -> None:
    api = corpus_api(x)
    with api.client() as client:
        result = embed(client, **corpus_call(x))
    _check_corpus_result(x, result, api)


@pytest.mark.corpus
@pytest.mark.parametrize("x", CORPUS_OK)
async def test_corpus_reply_async(x: dict[str, Any]) -> None:
    api = corpus_api(x)
    async with api.aclient() as client:
        result = await aembed(client, **corpus_call(x))
    _check_corpus_result(x, result, api)


@pytest.mark.corpus
@pytest.mark.parametrize("x", CORPUS_OK)
def test_corpus_float_reply_decodes_to_the_same_numbers(x: dict[str, Any]) -> None:
    raw = json.loads(x["response"]["body"])
    as_floats = {
        **raw,
        "data": [{**item, "embedding": struct_floats(item["embedding"])} for item in raw["data"]],
    }
    b64 = embeddings_reply_from(raw, {}).vectors(len(raw["data"]))
    floats = embeddings_reply_from(as_floats, {}).vectors(len(raw["data"]))
    assert b64 == floats == expected_vectors(x["response"]["body"])


@pytest.mark.corpus
def test_corpus_vectors_agree_across_recordings() -> None:
    """Real cross-checks: the same text embedded twice, and OpenAI's shortened vector."""
    if not corpus_available():
        pytest.skip(f"wire corpus not found at {CORPUS_DIR}")
    x = by_id()

    def vector(exchange_id: str) -> list[float]:
        raw = json.loads(x[exchange_id]["response"]["body"])
        return embeddings_reply_from(raw, {}).vectors(1)[0]

    # langchain-openai recorded the same text sync and async: OpenAI's vectors differ only
    # in the last float32 bits.
    assert cosine(vector(LC_SYNC), vector(LC_ASYNC)) > 0.99999
    # dimensions=128 is the first 128 values of the full vector, re-normalised.
    full, short = vector(QUERY_1536), vector(QUERY_128)
    assert len(full) == 1536 and len(short) == 128
    assert cosine(full[:128], short) > 0.99999


# --------------------------------------------------------------------------- corpus: errors


def _check_corpus_error(x: dict[str, Any], err: APIStatusError, api: API) -> None:
    status = x["response"]["status"]
    assert type(err) is {400: BadRequestError, 404: NotFoundError}[status]
    assert err.status_code == status
    assert err.body == x["response"]["body"]
    assert KEY not in str(err) and KEY not in repr(err.__dict__)
    assert len(api.bodies) == 1  # max_retries=0, and 4xx are not retried anyway


@pytest.mark.corpus
@pytest.mark.parametrize("x", CORPUS_ERR)
def test_corpus_error_sync(x: dict[str, Any]) -> None:
    api = corpus_api(x)
    with api.client(RETRYING) as client, pytest.raises(APIStatusError) as info:
        embed(client, **corpus_call(x))
    _check_corpus_error(x, info.value, api)


@pytest.mark.corpus
@pytest.mark.parametrize("x", CORPUS_ERR)
async def test_corpus_error_async(x: dict[str, Any]) -> None:
    api = corpus_api(x)
    async with api.aclient(RETRYING) as client:
        with pytest.raises(APIStatusError) as info:
            await aembed(client, **corpus_call(x))
    _check_corpus_error(x, info.value, api)


def _provider_message(body: str) -> str:
    data = json.loads(body)
    err = data.get("error")
    return str(err["message"] if isinstance(err, dict) else data.get("detail") or data["message"])


@pytest.mark.corpus
@pytest.mark.parametrize("x", CORPUS_ERR)
def test_corpus_error_carries_the_provider_message(x: dict[str, Any]) -> None:
    api = corpus_api(x)
    with api.client() as client, pytest.raises(APIStatusError) as info:
        embed(client, **corpus_call(x))
    message = _provider_message(x["response"]["body"])
    assert info.value.provider_message == message
    assert message in str(info.value)


# --------------------------------------------------------------------------- batching and order


def test_batches_by_count_in_order() -> None:
    api = API()
    texts = [f"text number {i}" + "x" * i for i in range(10)]
    with api.client() as client:
        result = embed(client, texts, batch_size=4)
    assert [b["input"] for b in api.bodies] == [texts[0:4], texts[4:8], texts[8:10]]
    assert result.vectors == [text_vector(t) for t in texts]
    assert all(b["model"] == DEFAULT_EMBEDDING_MODEL for b in api.bodies)


def test_batches_by_bytes_and_an_oversized_text_goes_alone() -> None:
    api = API()
    texts = ["a" * 40, "b" * 40, "c" * 500, "d" * 10, "é" * 50]  # é: 2 bytes in UTF-8
    with api.client() as client:
        result = embed(client, texts, batch_size=100, max_batch_bytes=100)
    assert [b["input"] for b in api.bodies] == [texts[0:2], [texts[2]], [texts[3]], [texts[4]]]
    assert result.vectors == [text_vector(t) for t in texts]


@settings(max_examples=200, deadline=None)
@given(
    texts=st.lists(st.text(max_size=40), max_size=60),
    batch_size=st.integers(1, 10),
    budget=st.integers(1, 120),
)
def test_plan_batches_properties(texts: list[str], batch_size: int, budget: int) -> None:
    batches = plan_batches(texts, batch_size, budget)
    assert [i for b in batches for i in b] == list(range(len(texts)))
    for b in batches:
        assert 1 <= len(b) <= batch_size
        size = sum(len(texts[i].encode()) for i in b)
        assert size <= budget or len(b) == 1
    for first, second in itertools.pairwise(batches):
        # A batch closes only when the next text would break a limit.
        nxt = len(texts[second.start].encode())
        used = sum(len(texts[i].encode()) for i in first)
        assert len(first) == batch_size or used + nxt > budget


async def test_async_batches_run_concurrently_and_come_back_in_input_order() -> None:
    texts = [f"t{i}" for i in range(9)]

    def later_batches_first(body: dict[str, Any]) -> float:
        return 0.01 * (10 - int(body["input"][0][1:]))  # the first batch is answered last

    api = API(delays=later_batches_first)
    async with api.aclient() as client:
        result = await aembed(client, texts, batch_size=2, max_concurrency=5)
    assert len(api.bodies) == 5
    assert api.finished[0] != texts[0:2] and api.finished[-1] == texts[0:2]  # out of order
    assert result.vectors == [text_vector(t) for t in texts]
    assert api.max_in_flight == 5


async def test_async_concurrency_is_bounded() -> None:
    api = API(delays=lambda body: 0.005)
    async with api.aclient() as client:
        result = await aembed(client, [f"t{i}" for i in range(20)], batch_size=1, max_concurrency=3)
    assert len(api.bodies) == 20 and len(result.vectors) == 20
    assert api.max_in_flight == 3


async def test_async_failure_cancels_the_other_batches() -> None:
    def reply(body: dict[str, Any], n: int) -> httpx.Response:
        if body["input"] == ["bad"]:
            return httpx.Response(400, json={"message": "bad input", "statusCode": 400})
        return httpx.Response(200, json=float_reply(body))

    api = API(reply, delays=lambda body: 0.0 if body["input"] == ["bad"] else 0.2)
    async with api.aclient() as client:
        with pytest.raises(BadRequestError, match="bad input"):
            await aembed(client, ["a", "bad", "c", "d"], batch_size=1, max_concurrency=4)
    assert api.finished == [["bad"]]  # the slow batches were cancelled, not awaited


# --------------------------------------------------------------------------- retries


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_failed_batch_is_retried_by_the_core(status: int) -> None:
    def reply(body: dict[str, Any], n: int) -> httpx.Response:
        if n == 2:  # the second batch fails once
            return httpx.Response(status, json={"message": "busy"}, headers={"retry-after-ms": "0"})
        return httpx.Response(200, json=float_reply(body))

    api = API(reply)
    with api.client(RETRYING) as client:
        result = embed(client, ["a", "b", "c"], batch_size=1)
    assert [b["input"] for b in api.bodies] == [["a"], ["b"], ["b"], ["c"]]
    assert result.vectors == [text_vector(t) for t in "abc"]


async def test_a_failed_async_batch_is_retried_then_raises_typed() -> None:
    def reply(body: dict[str, Any], n: int) -> httpx.Response:
        if body["input"] == ["b"]:
            return httpx.Response(
                429, json={"message": "slow down"}, headers={"retry-after-ms": "0"}
            )
        return httpx.Response(200, json=float_reply(body))

    api = API(reply)
    async with api.aclient(RETRYING) as client:
        with pytest.raises(RateLimitError, match="slow down"):
            await aembed(client, ["a", "b"], batch_size=1)
    assert [b["input"] for b in api.bodies].count(["b"]) == 3  # first try + 2 retries


def test_server_error_after_retries_is_typed() -> None:
    api = API(lambda body, n: httpx.Response(502, text="<html>Bad Gateway</html>"))
    with api.client() as client, pytest.raises(ServerError) as info:
        embed(client, ["a"])
    assert info.value.status_code == 502 and KEY not in str(info.value)


# --------------------------------------------------------------------------- usage and cost


def test_usage_and_cost_are_summed_over_batches() -> None:
    def reply(body: dict[str, Any], n: int) -> httpx.Response:
        headers = {"x-inference-id": f"inf-{n}"}
        data = float_reply(body)
        if n == 1:
            data["meta"] = {"usage": {"credits_used": 3, "usd_spent": 0.0000015}}
        else:
            headers |= {"x-aimlapi-credits-used": "2", "x-aimlapi-usd-spent": "0.000001"}
        return httpx.Response(200, json=data, headers=headers)

    api = API(reply)
    with api.client() as client:
        result = embed(client, ["one two", "three", "four five six"], batch_size=2)
    assert result.usage == Usage(input_tokens=6, total_tokens=6)
    assert result.cost is not None and result.cost.credits_used == 5
    assert result.cost.usd_spent == pytest.approx(0.0000025)
    assert result.inference_ids == ["inf-1", "inf-2"] and result.inference_id == "inf-1"
    assert [r.usage.input_tokens for r in result.replies if r.usage] == [3, 3]


def test_total_only_usage_counts_as_input_and_missing_usage_stays_none() -> None:
    reply = embeddings_reply_from({"data": [], "usage": {"total_tokens": 7}}, {})
    assert reply.usage == Usage(input_tokens=7, total_tokens=7)
    assert embeddings_reply_from({"data": []}, {}).usage is None
    api = API(lambda body, n: httpx.Response(200, json={"data": float_reply(body)["data"]}))
    with api.client() as client:
        result = embed(client, ["a", "b"], batch_size=1)
    assert result.usage is None and result.cost is None


# --------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    ("model", "dims"),
    [
        ("text-embedding-3-small", 256),
        ("openai/text-embedding-3-large", 3072),
        ("voyage-3.5", 2048),  # not documented by AI/ML API: sent as written
    ],
)
def test_dimensions_sent_where_the_model_takes_them(model: str, dims: int) -> None:
    api = API()
    with api.client() as client:
        embed(client, ["hi"], model, dimensions=dims)
    assert api.bodies[0]["dimensions"] == dims and api.bodies[0]["model"] == model


@pytest.mark.parametrize(
    ("model", "dims", "message"),
    [
        ("text-embedding-ada-002", 256, "always returns 1536 dimensions"),
        ("openai/text-embedding-ada-002", 1536, "takes no `dimensions`"),
        ("text-embedding-3-small", 1537, "at most 1536 dimensions"),
        ("text-embedding-3-small", 0, "positive integer"),
        ("text-embedding-3-small", True, "positive integer"),
        ("text-embedding-3-small", "256", "positive integer"),
    ],
)
def test_bad_dimensions_raise_before_any_request(model: str, dims: Any, message: str) -> None:
    api = API()
    with api.client() as client, pytest.raises(ValueError, match=message):
        embed(client, ["hi"], model, dimensions=dims)
    assert api.bodies == []


def test_encoding_format_base64_is_sent_and_decoded() -> None:
    def reply(body: dict[str, Any], n: int) -> httpx.Response:
        items = [
            {
                "index": i,
                "embedding": base64.b64encode(struct.pack("<2f", *text_vector(t))).decode(),
            }
            for i, t in enumerate(body["input"])
        ]
        return httpx.Response(200, json={"data": items, "model": body["model"]})

    api = API(reply)
    with api.client() as client:
        result = embed(client, ["hello", "hi"], encoding_format="base64")
    assert api.bodies[0]["encoding_format"] == "base64"
    assert result.vectors == [[5.0, 104.0], [2.0, 104.0]]


def test_no_encoding_format_or_dimensions_unless_asked() -> None:
    api = API()
    with api.client() as client:
        embed(client, ["hi"])
    assert api.bodies == [{"model": DEFAULT_EMBEDDING_MODEL, "input": ["hi"]}]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"encoding_format": "int8"}, ValueError, "'float' or 'base64'"),
        ({"batch_size": 0}, ValueError, "batch_size must be a positive integer"),
        ({"batch_size": 4096}, ValueError, "batch_size must be at most 2048"),
        ({"max_batch_bytes": -1}, ValueError, "max_batch_bytes"),
        ({"model": ""}, ValueError, "model must be a non-empty model id"),
        ({"extra_body": {"input": ["x"]}}, ValueError, "cannot set 'input'"),
        ({"extra_body": {"model": "x"}}, ValueError, "cannot set 'model'"),
    ],
)
def test_bad_options_raise_before_any_request(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    api = API()
    with api.client() as client, pytest.raises(error, match=message):
        embed(client, ["hi"], **kwargs)
    assert api.bodies == []


def test_extra_body_and_headers_are_sent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=float_reply(json.loads(request.content)))

    http = httpx.Client(transport=httpx.MockTransport(handler))
    with Client(SETTINGS, http_client=http) as client:
        embed(
            client,
            ["hi"],
            "voyage-3.5",
            extra_body={"input_type": "query"},
            headers={"X-Client-Request-Id": "trace-1"},
        )
    assert json.loads(seen[0].content)["input_type"] == "query"
    assert seen[0].headers["x-client-request-id"] == "trace-1"
    assert seen[0].url.path == "/v1/embeddings"


# --------------------------------------------------------------------------- input checks


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        ("hello", "wrap it in a list"),
        (b"hello", "wrap it in a list"),
        (["ok", None], r"texts\[1\] is NoneType, not str"),
        (["ok", "fine", 3.5], r"texts\[2\] is float, not str"),
        (42, "texts must be a list of strings"),
    ],
)
def test_non_text_input_is_a_type_error_before_any_request(texts: Any, message: str) -> None:
    api = API()
    with api.client() as client, pytest.raises(TypeError, match=message):
        embed(client, texts)
    assert api.bodies == []


async def test_empty_list_makes_no_request() -> None:
    api = API()
    with api.client() as client:
        result = embed(client, [])
    async with api.aclient() as aclient:
        aresult = await aembed(aclient, ())
    assert result.vectors == aresult.vectors == [] and api.bodies == []
    assert result.usage is None and result.model == DEFAULT_EMBEDDING_MODEL


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"data": [{"index": 0, "embedding": [1.0]}]}, "2 inputs: it carries 1 embeddings"),
        (
            {"data": [{"index": 0, "embedding": [1.0]}, {"index": 0, "embedding": [2.0]}]},
            r"indices \[0, 0\]",
        ),
        ({"data": [{"embedding": "not base64!"}] * 2}, "not valid base64"),
        ({"data": [{"embedding": "AAAAAAA="}] * 2}, "not a whole number of float32"),
        ({"data": [{"index": 0, "embedding": None}] * 2}, "unexpected shape"),
    ],
)
def test_malformed_replies_raise_typed_errors(data: dict[str, Any], message: str) -> None:
    api = API(lambda body, n: httpx.Response(200, json=data, headers={"x-inference-id": "i-9"}))
    with api.client() as client, pytest.raises(AIMLAPIError, match=message) as info:
        embed(client, ["a", "b"])
    assert info.value.inference_id == "i-9"


def test_items_without_index_keep_their_order() -> None:
    reply = embeddings_reply_from({"data": [{"embedding": [1.0]}, {"embedding": [2.0]}]}, {})
    assert reply.vectors(2) == [[1.0], [2.0]]


def test_decode_base64_is_little_endian_float32() -> None:
    values = [1.5, -0.25, 3.0e-5, 123456.0]
    packed = base64.b64encode(struct.pack("<4f", *values)).decode()
    assert decode_base64_floats(packed) == struct_floats(packed)
    assert decode_base64_floats(packed)[:2] == [1.5, -0.25]


def test_body_builder_keeps_the_input_untouched() -> None:
    texts = ["a", "b"]
    body = embeddings_body("m", texts, extra_body={"user": "u1"})
    assert body == {"model": "m", "input": ["a", "b"], "user": "u1"}


# --------------------------------------------------------------------------- the fake model


@pytest.fixture
def fake_server() -> Any:
    with ReplayServer(responder=fake_responder) as server:
        yield server


def _fake_client(server: ReplayServer) -> Client:
    return Client(Settings(api_key=KEY, base_url=server.base_url, max_retries=0))


def test_fake_embeddings_over_the_wire(fake_server: ReplayServer) -> None:
    texts = ["Berlin is the capital of Germany.", "Paris is in France.", "hello"]
    with _fake_client(fake_server) as client:
        floats = embed(client, texts, batch_size=2)
        b64 = embed(client, texts, encoding_format="base64")
        short = embed(client, texts, "openai/text-embedding-3-large", dimensions=16)
    assert floats.vectors == b64.vectors == [fake_vector(t) for t in texts]
    assert all(len(v) == FAKE_EMBEDDING_DIMENSIONS for v in floats.vectors)
    assert [len(v) for v in short.vectors] == [16, 16, 16]
    assert all(abs(norm(v) - 1.0) < 1e-3 for v in floats.vectors + short.vectors)
    tokens = sum(count_tokens(t) for t in texts)
    assert floats.usage == b64.usage == Usage(input_tokens=tokens, total_tokens=tokens)
    assert floats.model == "text-embedding-3-small" and short.model == "text-embedding-3-large"
    assert len(floats.inference_ids) == 2 and floats.cost is not None
    assert isinstance(floats.cost, Cost) and floats.cost.credits_used == 2  # 1 per batch minimum
    sent = [r.body for r in fake_server.requests]
    assert sent[0]["input"] == texts[:2] and sent[2]["encoding_format"] == "base64"
    assert KEY not in json.dumps(fake_server.requests[0].body)


def test_fake_embeddings_rank_by_shared_words() -> None:
    docs = [
        "Paris is the capital of France. The Eiffel Tower was finished in 1889.",
        "Berlin is the capital of Germany. The Berlin Wall fell in 1989.",
        "Rome is the capital of Italy. The Colosseum opened in the year 80.",
    ]
    queries = {
        "Which city is the capital of Germany?": 1,
        "When was the Eiffel Tower finished?": 0,
        "What is the capital of Italy?": 2,
    }
    vectors = [fake_vector(d) for d in docs]
    for query, best in queries.items():
        q = fake_vector(query)
        scores = [cosine(q, v) for v in vectors]
        assert scores.index(max(scores)) == best, (query, scores)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"model": "text-embedding-3-small", "input": ["ok", ""]}, "'$.input' is invalid"),
        ({"model": "text-embedding-ada-002", "input": ["x"], "dimensions": 8}, "dimensions"),
        ({"model": "text-embedding-3-small", "input": [1, 2]}, "array of strings"),
        ({"model": "text-embedding-3-small", "input": "x", "encoding_format": "int8"}, "int8"),
        ({"input": ["x"]}, "model must be a string"),
    ],
)
def test_fake_embeddings_refuse_like_openai(
    fake_server: ReplayServer, body: dict[str, Any], message: str
) -> None:
    with _fake_client(fake_server) as client, pytest.raises(BadRequestError) as info:
        client.create_embeddings(body)
    assert message in (info.value.provider_message or "")
    assert info.value.request_id  # AI/ML API's requestId


def test_empty_string_goes_to_the_api(fake_server: ReplayServer) -> None:
    with _fake_client(fake_server) as client, pytest.raises(BadRequestError, match="input"):
        embed(client, ["fine", ""])
    assert len(fake_server.requests) == 1
