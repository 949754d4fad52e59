"""Shared fixtures: cassettes (vcrpy via pytest-recording), the replay server, settings.

Offline (no ``AIMLAPI_API_KEY``): network is blocked except loopback, and tests marked
``vcr`` replay ``cassettes/<module>/<test>.yaml``. A missing cassette is recorded with
``--record-mode=once`` against the local replay server, which answers with a reply from the
wire corpus or one authored in its exact format; each recording says which in its
``x-cassette-origin`` header.

Live (``AIMLAPI_API_KEY`` set): ``pytest --record-mode=rewrite`` re-records every cassette
against https://api.aimlapi.com/v1. ``Authorization`` and any key-like header are filtered.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cassettes import LIVE_BASE_URL, register, vcr_settings
from tests.support.replay_server import ReplayServer

ROOT = Path(__file__).resolve().parents[1]
CASSETTES = ROOT / "cassettes"
LIVE_KEY = os.environ.get("AIMLAPI_API_KEY") or os.environ.get("AIML_API_KEY")
OFFLINE_KEY = "sk-offline-test-key-not-real"


def is_live() -> bool:
    """True when a real key is set: tests then talk to (and re-record from) the live API."""
    return bool(LIVE_KEY)


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    register(vcr)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return vcr_settings()


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(CASSETTES / request.module.__name__.rsplit(".", 1)[-1])


def pytest_configure(config: pytest.Config) -> None:
    # Offline runs may only reach loopback (the replay and fault servers).
    if not is_live():
        config.option.block_network = True
        config.option.allowed_hosts = "127.0.0.1,localhost,::1"


@pytest.fixture
def replay_server() -> Iterator[ReplayServer]:
    """A fresh replay server for one test."""
    with ReplayServer(max_requests=1000) as server:
        yield server


@pytest.fixture
def api_settings(replay_server: ReplayServer) -> dict[str, str]:
    """``api_key`` and ``base_url`` for a model under test: live when a key is set."""
    if is_live():
        return {"api_key": LIVE_KEY or "", "base_url": LIVE_BASE_URL}
    return {"api_key": OFFLINE_KEY, "base_url": replay_server.base_url}
