"""Fixtures of the media tests: the fake media endpoints behind the replay server, clients.

Cassettes are recorded (``--record-mode=once``) against :class:`tests.support.fake_media.
FakeMedia` on loopback and replayed offline; polls are matched on their query too (the
generation id), and each recorded reply plays once, in order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from aimlapi_core import AsyncClient, Client, Settings
from tests.support.cassettes import vcr_settings
from tests.support.fake_media import FakeMedia, is_media_path
from tests.support.fake_model import fake_responder
from tests.support.replay_server import ReceivedRequest, ReplayServer, Scripted


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    settings = vcr_settings()
    settings["match_on"] = [*settings["match_on"], "query"]
    # Polls repeat the same request and must get their recorded replies in order (a repeat
    # would replay "generating" forever).
    settings["allow_playback_repeats"] = False
    return settings


@pytest.fixture
def fake_media(replay_server: ReplayServer) -> FakeMedia:
    """A fresh fake answering the media paths on the replay server, the fake chat model the
    rest (reached only while recording)."""
    fake = FakeMedia()

    def respond(request: ReceivedRequest) -> Scripted:
        return fake(request) if is_media_path(request.path) else fake_responder(request)

    replay_server.responder = respond
    return fake


@pytest.fixture
def settings(api_settings: dict[str, str], fake_media: FakeMedia) -> Settings:
    return Settings(api_key=api_settings["api_key"], base_url=api_settings["base_url"])


@pytest.fixture
def client(settings: Settings) -> Iterator[Client]:
    with Client(settings) as c:
        yield c


@pytest.fixture
async def aclient(settings: Settings) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(settings) as c:
        yield c
