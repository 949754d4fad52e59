"""Run an example live (``AIMLAPI_API_KEY`` set) or offline by replaying its cassette.

Offline, the script's HTTP exchanges are replayed by vcrpy from ``cassettes/examples/<name>.yaml``
and the script says so. With a key set, ``AIMLAPI_RECORD=1`` re-records that cassette against
the live API, or against ``AIMLAPI_BASE_URL`` when it is set
(``scripts/record_example_cassettes.py`` uses that to record against the repository's fake model).
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
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _cassettes import use_cassette  # vcrpy comes with the dev extra

    if key:  # AIMLAPI_RECORD=1 with a key: re-record
        base_url = os.environ.get("AIMLAPI_BASE_URL", LIVE_BASE_URL)
        # vcrpy's record mode "all" keeps a cassette's old interactions: start from an empty one.
        cassette.unlink(missing_ok=True)
        print(f"[record] {base_url} into {cassette.relative_to(ROOT)}")
        with use_cassette(str(cassette), record_mode="all"):
            yield {"api_key": key, "base_url": base_url}
        return
    print(
        f"[offline] no AIMLAPI_API_KEY: replaying {cassette.relative_to(ROOT)} "
        "(see each reply's x-cassette-origin header for where it came from)"
    )
    with use_cassette(str(cassette), record_mode="none"):
        yield {"api_key": "sk-offline", "base_url": LIVE_BASE_URL}
