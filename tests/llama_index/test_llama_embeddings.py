"""``AIMLAPIEmbedding`` on cassettes: sync, async, batches, an index that retrieves by meaning.

Cassettes were recorded against the loopback replay server answering as the fake model, whose
vectors are hashed sets of words (``tests/support/fake_model.py``): texts that share words are
close, so the retrieval test checks that the right document comes first, not merely that
something comes back. With ``AIMLAPI_API_KEY`` set the same tests run against the live API
(where vectors are real, and the same documents still rank the same way).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from llama_index.core import Document, PromptTemplate, VectorStoreIndex
from llama_index.core.node_parser import SentenceSplitter
from llama_support import LLMFactory

from aimlapi_core import NotFoundError
from llama_index_aimlapi import AIMLAPIEmbedding
from tests.conftest import CASSETTES, OFFLINE_KEY, is_live
from tests.support.fake_model import fake_responder, fake_vector
from tests.support.replay_server import ReplayServer

MODEL = "text-embedding-3-small"
EmbedFactory = Callable[..., AIMLAPIEmbedding]

DOCUMENTS = [
    Document(id_=f"doc-{city.lower()}", text=f"{city} is the capital of {country}. {fact}")
    for city, country, fact in [
        ("Paris", "France", "The Eiffel Tower was finished in 1889."),
        ("Berlin", "Germany", "The Berlin Wall fell in 1989."),
        ("Rome", "Italy", "The Colosseum opened in the year 80."),
    ]
]
TEXTS = [f"Sentence number {i} about topic {i % 3}." for i in range(7)]


@pytest.fixture
def embed_factory(api_settings: dict[str, str], replay_server: ReplayServer) -> EmbedFactory:
    """``make(**fields) -> AIMLAPIEmbedding`` on ``api_settings`` (fake model while recording)."""
    replay_server.responder = fake_responder

    def make(**fields: Any) -> AIMLAPIEmbedding:
        fields.setdefault("model", MODEL)
        return AIMLAPIEmbedding(
            api_key=api_settings["api_key"], api_base=api_settings["base_url"], **fields
        )

    return make


def fake(text: str, dims: int | None = None) -> list[float]:
    """What the fake model answers (only checked offline: live vectors are real)."""
    return fake_vector(text, dims) if dims else fake_vector(text)


def request_inputs(vcr: Any) -> list[list[str]]:
    """The ``input`` of every request the cassette holds (recorded or replayed)."""
    return [json.loads(r.body)["input"] for r in vcr.requests]


# --------------------------------------------------------------------------- sync


@pytest.mark.vcr
def test_text_and_query_embedding(embed_factory: EmbedFactory, vcr: Any) -> None:
    emb = embed_factory()
    text = emb.get_text_embedding("Berlin is the capital of Germany.")
    query = emb.get_query_embedding("capital of Germany")
    assert len(text) == len(query) > 0 and all(isinstance(x, float) for x in text)
    if not is_live():
        assert text == fake("Berlin is the capital of Germany.")
        assert query == fake("capital of Germany")
    assert request_inputs(vcr) == [["Berlin is the capital of Germany."], ["capital of Germany"]]


@pytest.mark.vcr
def test_batch_is_one_request_per_embed_batch_size(embed_factory: EmbedFactory, vcr: Any) -> None:
    emb = embed_factory(embed_batch_size=3)
    vectors = emb.get_text_embedding_batch(TEXTS)
    assert request_inputs(vcr) == [TEXTS[0:3], TEXTS[3:6], TEXTS[6:7]]
    assert len(vectors) == len(TEXTS)
    if not is_live():
        assert vectors == [fake(t) for t in TEXTS]


@pytest.mark.vcr
def test_dimensions_and_base64(embed_factory: EmbedFactory, vcr: Any) -> None:
    short = embed_factory(dimensions=32).get_text_embedding_batch(TEXTS[:2])
    b64 = embed_factory(dimensions=32, encoding_format="base64").get_text_embedding_batch(TEXTS[:2])
    assert [len(v) for v in short] == [32, 32]
    bodies = [json.loads(r.body) for r in vcr.requests]
    assert [b.get("dimensions") for b in bodies] == [32, 32]
    assert [b.get("encoding_format") for b in bodies] == [None, "base64"]
    if not is_live():
        assert short == b64 == [fake(t, 32) for t in TEXTS[:2]]


# --------------------------------------------------------------------------- async


@pytest.mark.vcr
async def test_async_batches_keep_input_order(embed_factory: EmbedFactory, vcr: Any) -> None:
    emb = embed_factory(embed_batch_size=2)
    vectors = await emb.aget_text_embedding_batch(TEXTS)
    query = await emb.aget_query_embedding("topic 1")
    single = await emb.aget_text_embedding(TEXTS[0])
    assert len(vectors) == len(TEXTS) and len(single) == len(vectors[0])
    batches = sorted(map(tuple, request_inputs(vcr)[:4]))  # sent concurrently: any order
    assert batches == sorted(tuple(TEXTS[i : i + 2]) for i in range(0, 7, 2))
    if not is_live():  # live vectors vary in their last float32 bits from call to call
        assert vectors == [fake(t) for t in TEXTS] and single == vectors[0]
        assert query == fake("topic 1")


@pytest.mark.vcr
async def test_async_with_num_workers(embed_factory: EmbedFactory) -> None:
    emb = embed_factory(embed_batch_size=2, num_workers=2)
    vectors = await emb.aget_text_embedding_batch(TEXTS)
    sync = embed_factory(embed_batch_size=2).get_text_embedding_batch(TEXTS)
    assert len(vectors) == len(sync) == len(TEXTS)
    if not is_live():
        assert vectors == sync == [fake(t) for t in TEXTS]


# --------------------------------------------------------------------------- an index


def _index(emb: AIMLAPIEmbedding) -> VectorStoreIndex:
    splitter = SentenceSplitter(id_func=lambda i, doc: f"{doc.id_}-{i}")
    return VectorStoreIndex.from_documents(DOCUMENTS, embed_model=emb, transformations=[splitter])


@pytest.mark.vcr
def test_index_retrieves_the_right_document(embed_factory: EmbedFactory, vcr: Any) -> None:
    emb = embed_factory()
    index = _index(emb)
    retriever = index.as_retriever(similarity_top_k=3)
    for question, expected in [
        ("Which city is the capital of Germany?", "doc-berlin"),
        ("When was the Eiffel Tower finished?", "doc-paris"),
        ("What is the capital of Italy?", "doc-rome"),
    ]:
        nodes = retriever.retrieve(question)
        assert len(nodes) == 3
        assert nodes[0].node.ref_doc_id == expected, (question, [n.score for n in nodes])
        assert nodes[0].score is not None and nodes[0].score > nodes[1].score  # type: ignore[operator]
    inputs = request_inputs(vcr)
    assert [len(i) for i in inputs] == [3, 1, 1, 1]  # three nodes in one batch, then queries


QA_TEMPLATE = PromptTemplate(
    "Context information is below.\n---------------------\n{context_str}\n"
    "---------------------\nGiven the context information and not prior knowledge, "
    "answer the query.\n{query_str}"
)


@pytest.mark.vcr
async def test_query_engine_with_aimlapi_llm_and_embeddings(
    embed_factory: EmbedFactory, llm_factory: LLMFactory
) -> None:
    index = _index(embed_factory())
    engine = index.as_query_engine(
        llm=llm_factory(), similarity_top_k=1, text_qa_template=QA_TEMPLATE
    )
    response = await engine.aquery("What is the capital of Germany?")
    assert [n.node.ref_doc_id for n in response.source_nodes] == ["doc-berlin"]
    assert "Berlin" in str(response)


# --------------------------------------------------------------------------- secrets, errors


def test_key_is_not_in_repr_dict_or_payload() -> None:
    key = "sk-llama-embed-SECRET"
    emb = AIMLAPIEmbedding(api_key=key)
    for text in (repr(emb), str(emb), json.dumps(emb.to_dict()), str(emb.to_payload())):
        assert key not in text
    assert emb._settings().require_api_key() == key


def test_cassettes_hold_no_key() -> None:
    folder = CASSETTES / Path(__file__).stem
    texts = [p.read_text() for p in folder.glob("*.yaml")]
    assert texts, f"no cassettes in {folder}"
    assert not any(OFFLINE_KEY in t or "authorization" in t.lower() for t in texts)


def test_bad_parameters_fail_at_construction() -> None:
    with pytest.raises(ValueError, match="takes no `dimensions`"):
        AIMLAPIEmbedding(model="openai/text-embedding-ada-002", dimensions=64)
    with pytest.raises(ValueError, match="at most 3072"):
        AIMLAPIEmbedding(model="text-embedding-3-large", dimensions=4096)
    with pytest.raises(ValueError):
        AIMLAPIEmbedding(embed_batch_size=4096)


@pytest.fixture
def not_found() -> Iterator[AIMLAPIEmbedding]:
    body = {"message": "Model not found", "statusCode": 404, "requestId": "req-9"}
    transport = httpx.MockTransport(lambda request: httpx.Response(404, json=body))
    yield AIMLAPIEmbedding(
        model="no-such/embedder",
        api_key="k",
        max_retries=0,
        http_client=httpx.Client(transport=transport),
        async_http_client=httpx.AsyncClient(transport=transport),
    )


async def test_api_errors_are_typed(not_found: AIMLAPIEmbedding) -> None:
    with pytest.raises(NotFoundError, match="Model not found") as info:
        not_found.get_text_embedding("x")
    assert info.value.request_id == "req-9"
    with pytest.raises(NotFoundError):
        await not_found.aget_query_embedding("x")


def test_non_text_is_a_type_error_before_any_request(not_found: AIMLAPIEmbedding) -> None:
    with pytest.raises(TypeError, match=r"texts\[1\] is int"):
        not_found.get_text_embedding_batch(["ok", 3])  # type: ignore[list-item]


# --------------------------------------------------------------------------- parity


def test_same_vectors_as_llama_index_openai_embedding() -> None:
    """Next to ``OpenAIEmbedding`` on the same fake server (no cassette: loopback only)."""
    openai_embeddings = pytest.importorskip("llama_index.embeddings.openai")
    texts = ["Paris is in France.", "Berlin is in Germany.", "Rome is in Italy."]
    with ReplayServer(fake_responder) as server:
        ours = AIMLAPIEmbedding(model=MODEL, api_key="k", api_base=server.base_url)
        theirs = openai_embeddings.OpenAIEmbedding(
            model=MODEL, api_key="k", api_base=server.base_url, max_retries=0, dimensions=None
        )
        assert ours.get_text_embedding_batch(texts) == theirs.get_text_embedding_batch(texts)
        assert ours.get_query_embedding("France") == theirs.get_query_embedding("France")
        sent = [r.body for r in server.requests]
    # The openai SDK asks for base64 unless told otherwise; we leave the API's default.
    assert sent[0].get("encoding_format") is None and sent[1]["encoding_format"] == "base64"
