"""Every example runs offline from its cassette and prints what it promises."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(name: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("AIMLAPI_API_KEY", "AIML_API_KEY")}
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / name)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_quickstart_offline() -> None:
    out = _run("quickstart.py")
    assert "[offline] no AIMLAPI_API_KEY: replaying cassettes/examples/quickstart.yaml" in out
    assert "gpt-4o-mini says: " in out
    assert "usage: 17 in, 29 out, 46 total" in out
    assert "cost: {'credits_used': 40, 'usd_spent': 2e-05}" in out
    assert "inference id: " in out
    assert "stream usage: {'input_tokens': 16" in out
    assert "stream cost: {'credits_used': 39" in out
