"""A LlamaIndex query engine over examples/data/: AIMLAPIEmbedding indexes, AIMLAPI answers.

    python examples/llamaindex_query_engine.py

Live with ``AIMLAPI_API_KEY`` set; without it, replays
``cassettes/examples/llamaindex_query_engine.yaml``.
"""

from __future__ import annotations

from pathlib import Path

from _offline import live_or_replay
from llama_index.core import SimpleDirectoryReader, VectorStoreIndex

from llama_index_aimlapi import AIMLAPI, AIMLAPIEmbedding

MODEL = "gpt-4o-mini"
EMBEDDING_MODEL = "text-embedding-3-small"
DATA = Path(__file__).parent / "data"
QUESTION = (
    "How many vacation days do new employees get in their first year, "
    "and do unused days carry over?"
)


def main() -> None:
    with live_or_replay("llamaindex_query_engine") as connection:
        auth = {"api_key": connection["api_key"], "api_base": connection["base_url"]}
        # Only the file name as metadata: it is part of every embedded text and prompt, and an
        # absolute path would differ from machine to machine.
        documents = SimpleDirectoryReader(
            DATA, file_metadata=lambda path: {"file_name": Path(path).name}
        ).load_data()
        # One /v1/embeddings request for all documents (256 dimensions are plenty for a demo).
        embed_model = AIMLAPIEmbedding(model=EMBEDDING_MODEL, dimensions=256, **auth)
        index = VectorStoreIndex.from_documents(documents, embed_model=embed_model)
        print(f"\nindexed {len(documents)} documents from {DATA.name}/ with {EMBEDDING_MODEL}")

        # The question is embedded too; the 2 closest documents go into AIMLAPI's prompt.
        llm = AIMLAPI(model=MODEL, temperature=0, **auth)
        engine = index.as_query_engine(llm=llm, similarity_top_k=2)
        response = engine.query(QUESTION)

        print(f"question: {QUESTION}")
        print(f"answer: {response}")
        for source in response.source_nodes:
            print(f"source: {source.node.metadata['file_name']} (score {source.score:.2f})")


if __name__ == "__main__":
    main()
