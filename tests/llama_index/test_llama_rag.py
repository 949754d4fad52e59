"""A LlamaIndex RAG pipeline answering through ``AIMLAPI``.

Three in-test documents, an in-process mock embedding (no embedding API), a
``VectorStoreIndex`` query engine; the answer comes from AI/ML API (cassette).
"""

from __future__ import annotations

import json

import pytest
from llama_index.core import Document, PromptTemplate, Settings, VectorStoreIndex
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.node_parser import SentenceSplitter
from llama_support import (
    LLMFactory,
    MockAPI,
    completion,
    json_response,
)

DOCUMENTS = [
    Document(
        id_="doc-paris",
        text="Paris is the capital of France. The Eiffel Tower was finished in 1889.",
    ),
    Document(
        id_="doc-berlin",
        text="Berlin is the capital of Germany. The Berlin Wall fell in 1989.",
    ),
    Document(
        id_="doc-rome",
        text="Rome is the capital of Italy. The Colosseum opened in the year 80.",
    ),
]


# The default QA template ends in "Answer: "; this one ends with the question itself, which
# the offline fake model can answer (a real model answers either).
QA_TEMPLATE = PromptTemplate(
    "Context information is below.\n---------------------\n{context_str}\n"
    "---------------------\nGiven the context information and not prior knowledge, "
    "answer the query.\n{query_str}"
)


@pytest.fixture
def index() -> VectorStoreIndex:
    # Node ids from the document ids: the mock embedding ties every node, ties are ordered by
    # node id, and the prompt (matched by the cassette) must come out the same every run.
    splitter = SentenceSplitter(id_func=lambda i, doc: f"{doc.id_}-{i}")
    return VectorStoreIndex.from_documents(
        DOCUMENTS, embed_model=MockEmbedding(embed_dim=8), transformations=[splitter]
    )


@pytest.mark.vcr
def test_query_engine_answers(index: VectorStoreIndex, llm_factory: LLMFactory) -> None:
    llm = llm_factory()
    engine = index.as_query_engine(llm=llm, similarity_top_k=3, text_qa_template=QA_TEMPLATE)
    response = engine.query("What is the capital of France?")
    assert "Paris" in str(response)
    assert {n.node.ref_doc_id for n in response.source_nodes} == {
        "doc-paris",
        "doc-berlin",
        "doc-rome",
    }


@pytest.mark.vcr
def test_streaming_query_engine(index: VectorStoreIndex, llm_factory: LLMFactory) -> None:
    engine = index.as_query_engine(
        llm=llm_factory(), streaming=True, similarity_top_k=3, text_qa_template=QA_TEMPLATE
    )
    response = engine.query("What is the capital of France?")
    text = "".join(response.response_gen)
    assert "Paris" in text


@pytest.mark.vcr
async def test_async_query_engine(index: VectorStoreIndex, llm_factory: LLMFactory) -> None:
    engine = index.as_query_engine(
        llm=llm_factory(), similarity_top_k=3, text_qa_template=QA_TEMPLATE
    )
    response = await engine.aquery("What is the capital of France?")
    assert "Paris" in str(response)


def test_settings_llm_accepts_aimlapi(llm_factory: LLMFactory) -> None:
    """``Settings.llm = AIMLAPI(...)`` works (LlamaIndex's resolve_llm keeps it as is)."""
    previous = Settings._llm
    try:
        Settings.llm = llm_factory()
        assert type(Settings.llm).__name__ == "AIMLAPI"
    finally:
        Settings._llm = previous


def test_query_engine_sends_the_retrieved_context(index: VectorStoreIndex) -> None:
    api = MockAPI(default=json_response(completion("Paris.")))
    engine = index.as_query_engine(llm=api.llm(), similarity_top_k=3)
    assert str(engine.query("What is the capital of France?")) == "Paris."
    prompt = json.dumps(api.bodies[0]["messages"])
    assert all(doc.text in prompt for doc in DOCUMENTS)
