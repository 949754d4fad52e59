"""`refresh_models()`: the live catalogue read on request only, against a loopback server."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from aimlapi_core.errors import APITimeoutError, NotFoundError
from aimlapi_core.models import (
    arefresh_models,
    capabilities_for,
    get_capabilities,
    refresh_models,
    reset_registered_capabilities,
)
from tests.support.replay_server import ReceivedRequest, ReplayServer, Scripted

SPEC = (
    Path(__file__).resolve().parents[1] / "data" / "aimlapi-docs" / "openapi-models-endpoint.json"
)

# A catalogue in the documented format: a new chat model, a new o-series id, a known model
# with the catalogue's limits, and an image model (skipped).
LISTING: dict[str, Any] = {
    "object": "list",
    "data": [
        {
            "id": "acme/brand-new-chat",
            "type": "openai/chat-completions",
            "aliases": ["brand-new-chat"],
            "tags": [],
            "info": {"name": "New", "developer": "Acme", "contextLength": 32768, "outputMax": 4096},
        },
        {
            "id": "openai/o7-mini-2099-01-01",
            "type": "openai/chat-completions",
            "aliases": [],
            "tags": [],
            "info": {"name": "o7", "developer": "Open AI", "contextLength": 400000},
        },
        {
            "id": "meta-llama/Meta-Llama-3-8B-Instruct-Lite",
            "type": "openai/chat-completions",
            "aliases": [],
            "tags": [],
            "info": {
                "name": "Llama",
                "developer": "Meta",
                "contextLength": 8192,
                "outputMax": 2048,
            },
        },
        {
            "id": "openai/gpt-image-1",
            "type": "openai/image-generations",
            "aliases": [],
            "tags": [],
            "info": {"name": "GPT Image 1", "developer": "Open AI"},
        },
    ],
}


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    reset_registered_capabilities()
    yield
    reset_registered_capabilities()


def _listing_reply(request: ReceivedRequest) -> Scripted:
    if request.method == "GET" and request.path.startswith("/v1/models"):
        return Scripted(body=json.dumps(LISTING).encode())
    return Scripted(status=404, body=b'{"message": "not found", "statusCode": 404}')


def test_the_listing_here_is_in_the_documented_format() -> None:
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    schema = spec["paths"]["/v1/models"]["get"]["responses"]["200"]["content"]["application/json"]
    jsonschema.validate(LISTING, schema["schema"])


def test_refresh_adds_new_ids_with_their_windows() -> None:
    assert get_capabilities("acme/brand-new-chat") is None
    with ReplayServer(responder=_listing_reply) as server:
        count = refresh_models(base_url=server.base_url, timeout=5)
        request = server.requests[-1]
    assert count == 3  # the image model is not a text model
    assert request.method == "GET" and request.path == "/v1/models"
    assert "authorization" not in {k.lower() for k in request.headers}  # no key needed
    new = capabilities_for("brand-new-chat")
    assert new.model_id == "acme/brand-new-chat" and new.source == "catalogue"
    assert (new.context_window, new.max_output_tokens) == (32768, 4096)
    assert new.may_send("temperature")  # unknown schema: nothing refused
    o7 = capabilities_for("openai/o7-mini-2099-01-01")
    assert o7.context_window == 400000
    llama = capabilities_for("meta-llama/Meta-Llama-3-8B-Instruct-Lite")
    assert (llama.context_window, llama.max_output_tokens) == (8192, 2048)
    assert llama.source == "data" and llama.chat_params  # keeps its documented schema


def test_arefresh_is_the_async_twin() -> None:
    with ReplayServer(responder=_listing_reply) as server:
        count = asyncio.run(arefresh_models(base_url=server.base_url, timeout=5))
    assert count == 3
    assert capabilities_for("acme/brand-new-chat").context_window == 32768


def test_refresh_time_is_bounded() -> None:
    with ReplayServer() as server:
        server.enqueue(Scripted(body=json.dumps(LISTING).encode(), first_byte_delay=3.0))
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            refresh_models(base_url=server.base_url, timeout=0.3)
        assert time.monotonic() - started < 2.5
    assert get_capabilities("acme/brand-new-chat") is None


def test_refresh_errors_are_typed() -> None:
    with ReplayServer() as server:
        server.enqueue(Scripted(status=404, body=b'{"message": "nope", "statusCode": 404}'))
        with pytest.raises(NotFoundError):
            refresh_models(base_url=server.base_url, timeout=5)


def test_no_request_at_import_or_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a capability lookup made a request")

    monkeypatch.setattr(httpx.Client, "send", refuse)
    monkeypatch.setattr(httpx.AsyncClient, "send", refuse)
    for model_id in ("acme/never-heard-of", "o3", "gpt-4o", "openai/o3-2099-01-01"):
        capabilities_for(model_id)


def test_arefresh_time_is_bounded() -> None:
    with ReplayServer() as server:
        server.enqueue(Scripted(body=json.dumps(LISTING).encode(), first_byte_delay=3.0))
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            asyncio.run(arefresh_models(base_url=server.base_url, timeout=0.3))
        assert time.monotonic() - started < 2.5
    assert get_capabilities("acme/brand-new-chat") is None


# Imports every package and builds each model class on ids the data does not hold, reading
# what a user reads first (metadata, profile), with every socket connection refused.
_NO_NETWORK = """
import socket

def refuse(*args, **kwargs):
    raise AssertionError(f"network call: {args!r}")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

import aimlapi_core, aimlapi_core.models, aimlapi_core.media
import langchain_aimlapi, llama_index_aimlapi
from llama_index.llms.aimlapi import AIMLAPI, AIMLAPIResponses
from llama_index.embeddings.aimlapi import AIMLAPIEmbedding
from langchain_aimlapi import AIMLAPIEmbeddings, AIMLAPILLM, ChatAIMLAPI

for model in ("acme/never-heard-of", "o3", "openai/o3-2099-01-01", "gpt-4o"):
    chat = ChatAIMLAPI(model=model, api_key="k")
    chat.profile
    AIMLAPILLM(model=model, api_key="k")
    AIMLAPI(model=model, api_key="k").metadata
    AIMLAPIResponses(model=model, api_key="k").metadata
AIMLAPIEmbedding(api_key="k")
AIMLAPIEmbeddings(api_key="k")
print("no network")
"""


def test_no_network_call_at_import_or_construction() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIMLAPI_", "AIML_"))}
    done = subprocess.run(
        [sys.executable, "-c", _NO_NETWORK],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "no network"
