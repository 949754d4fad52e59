"""The wire corpus: real exchanges of OpenAI-compatible providers, kept in the repository.

The corpus lives in ``tests/data/wire-corpus/*.jsonl.gz`` (gzip -9 copies of
``../shared/wire-corpus/*.jsonl``; its ``README.md`` says where the exchanges come from), so a
fresh clone runs every corpus test without anything beside it. When ``../shared/wire-corpus``
is there too, ``tests/core/test_corpus_copy.py`` checks that the copy still matches it.

Example:
    >>> len(exchanges("embeddings")) > 0, corpus_available()
    (True, True)
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from .replay_server import Scripted

REPO = Path(__file__).resolve().parents[2]
CORPUS_DIR = REPO / "tests" / "data" / "wire-corpus"
# Where the copy came from; only the copy test reads it.
SHARED_CORPUS_DIR = REPO.parent / "shared" / "wire-corpus"
ENDPOINT_FILES = {
    "chat.completions": "chat_completions.jsonl",
    "responses": "responses.jsonl",
    "embeddings": "embeddings.jsonl",
}


def corpus_path(endpoint: str) -> Path:
    """The compressed corpus file of one endpoint.

    Example:
        >>> corpus_path("responses").name
        'responses.jsonl.gz'
    """
    return CORPUS_DIR / (ENDPOINT_FILES[endpoint] + ".gz")


def corpus_available() -> bool:
    """True when every endpoint's corpus file is in ``tests/data/wire-corpus``."""
    return all(corpus_path(endpoint).is_file() for endpoint in ENDPOINT_FILES)


def require_corpus() -> None:
    """Fail the calling test, saying why, when the corpus copy is missing (a broken checkout).

    The corpus is part of the repository, so its absence is an error, not a reason to skip.
    """
    if not corpus_available():
        pytest.fail(f"wire corpus not found in {CORPUS_DIR}: the checkout is incomplete")


@cache
def exchanges(endpoint: str) -> tuple[dict[str, Any], ...]:
    """Every exchange of one endpoint, in file order."""
    with gzip.open(corpus_path(endpoint), "rt", encoding="utf-8") as f:
        return tuple(json.loads(line) for line in f if line.strip())


@cache
def by_id() -> dict[str, dict[str, Any]]:
    """Every exchange of every endpoint, by its ``id``."""
    out: dict[str, dict[str, Any]] = {}
    for endpoint in ENDPOINT_FILES:
        out.update({x["id"]: x for x in exchanges(endpoint)})
    return out


def corpus_reply(exchange_id: str, *, headers: dict[str, str] | None = None) -> Scripted:
    """The recorded response of one exchange, as a replay-server reply."""
    x = by_id()[exchange_id]
    response = x["response"]
    body = response["body"].encode()
    streamed = response["content_type"].startswith("text/event-stream")
    return Scripted(
        status=response["status"],
        body=[body] if streamed else body,
        content_type=response["content_type"],
        origin=f"wire-corpus {exchange_id}",
        headers=dict(headers or {}),
    )
