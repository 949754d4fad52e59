"""Run an example live (``AIMLAPI_API_KEY`` set) or offline by replaying its cassette.

Offline, the script's HTTP exchanges are replayed by vcrpy from ``cassettes/examples/<name>.yaml``
and the script says so. ``AIMLAPI_RECORD_OFFLINE=1`` (re)records that cassette against the
loopback replay server with the repository's deterministic fake model; with a key set,
``AIMLAPI_RECORD=1`` re-records it against the live API.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIVE_BASE_URL = "https://api.aimlapi.com/v1"


@contextlib.contextmanager
def live_or_replay(name: str) -> Iterator[dict[str, str]]:
    """Yield ``api_key``/``base_url`` for the example, replaying its cassette when offline."""
    cassette = ROOT / "cassettes" / "examples" / f"{name}.yaml"
    key = os.environ.get("AIMLAPI_API_KEY") or os.environ.get("AIML_API_KEY")
    if key and not os.environ.get("AIMLAPI_RECORD"):
        print(f"[live] calling {LIVE_BASE_URL}")
        yield {"api_key": key, "base_url": LIVE_BASE_URL}
        return
    sys.path.insert(0, str(ROOT))
    from tests.support.cassettes import use_cassette  # vcrpy comes with the dev extra

    # vcrpy's record mode "all" keeps a cassette's old interactions: start from an empty one.
    if key or os.environ.get("AIMLAPI_RECORD_OFFLINE"):
        cassette.unlink(missing_ok=True)
    if key:  # AIMLAPI_RECORD=1 with a key: re-record live
        print(f"[record] live API into {cassette.relative_to(ROOT)}")
        with use_cassette(str(cassette), record_mode="all"):
            yield {"api_key": key, "base_url": LIVE_BASE_URL}
        return
    if os.environ.get("AIMLAPI_RECORD_OFFLINE"):
        from tests.support.fake_model import fake_responder
        from tests.support.replay_server import ReplayServer

        print(f"[record] fake model on 127.0.0.1 into {cassette.relative_to(ROOT)}")
        with (
            ReplayServer(responder=fake_responder) as server,
            use_cassette(str(cassette), record_mode="all"),
        ):
            yield {"api_key": "sk-offline", "base_url": server.base_url}
        return
    print(
        f"[offline] no AIMLAPI_API_KEY: replaying {cassette.relative_to(ROOT)} "
        "(see each reply's x-cassette-origin header for where it came from)"
    )
    with use_cassette(str(cassette), record_mode="none"):
        yield {"api_key": "sk-offline", "base_url": LIVE_BASE_URL}
