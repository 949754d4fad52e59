"""Re-record example cassettes offline, against the repository's deterministic fake model.

Starts the loopback replay server answering as the fake model, then runs each named example
(all of them by default) with ``AIMLAPI_RECORD=1`` and ``AIMLAPI_BASE_URL`` pointing at it, so
``examples/_offline.py`` records into ``cassettes/examples/<name>.yaml``.

Usage: ``.venv/bin/python scripts/record_example_cassettes.py [quickstart ...]``
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.fake_model import fake_responder  # noqa: E402
from tests.support.replay_server import ReplayServer  # noqa: E402


def main(names: list[str]) -> int:
    examples = names or sorted(
        p.stem for p in (ROOT / "examples").glob("*.py") if not p.stem.startswith("_")
    )
    with ReplayServer(responder=fake_responder) as server:
        for name in examples:
            env = {
                **os.environ,
                "AIMLAPI_API_KEY": "sk-offline",
                "AIMLAPI_RECORD": "1",
                "AIMLAPI_BASE_URL": server.base_url,
            }
            script = ROOT / "examples" / f"{name}.py"
            done = subprocess.run([sys.executable, str(script)], env=env, cwd=ROOT, check=False)
            if done.returncode:
                print(f"{name}: exited {done.returncode}", file=sys.stderr)
                return done.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
