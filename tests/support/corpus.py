"""Access to ``../shared/wire-corpus``: real exchanges of OpenAI-compatible providers."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from .replay_server import Scripted

CORPUS_DIR = Path(__file__).resolve().parents[3] / "shared" / "wire-corpus"
ENDPOINT_FILES = {
    "chat.completions": "chat_completions.jsonl",
    "responses": "responses.jsonl",
    "embeddings": "embeddings.jsonl",
}


def corpus_available() -> bool:
    """True when ``../shared/wire-corpus`` is beside the repository."""
    return CORPUS_DIR.is_dir()


def require_corpus() -> None:
    """Skip the calling test, with the reason, when the corpus is absent."""
    if not corpus_available():
        pytest.skip(f"wire corpus not found at {CORPUS_DIR} (../shared is absent)")


@cache
def exchanges(endpoint: str) -> tuple[dict[str, Any], ...]:
    """Every exchange of one endpoint, in file order."""
    path = CORPUS_DIR / ENDPOINT_FILES[endpoint]
    with path.open() as f:
        return tuple(json.loads(line) for line in f if line.strip())


@cache
def by_id() -> dict[str, dict[str, Any]]:
    """Every exchange of every endpoint, by its ``id``."""
    out: dict[str, dict[str, Any]] = {}
    for endpoint in ENDPOINT_FILES:
        if (CORPUS_DIR / ENDPOINT_FILES[endpoint]).exists():
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
