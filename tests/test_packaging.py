"""The distribution's promises: light core, extras that do not pull each other's framework."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _names(requirements: list[str]) -> set[str]:
    return {r.split("[")[0].split(">")[0].split("<")[0].split("=")[0].strip() for r in requirements}


def test_core_needs_only_httpx_and_pydantic() -> None:
    assert _names(PROJECT["dependencies"]) == {"httpx", "pydantic"}


def test_extras_do_not_pull_each_others_framework() -> None:
    extras = PROJECT["optional-dependencies"]
    assert not any("llama" in name for name in _names(extras["langchain"]))
    assert not any("langchain" in name for name in _names(extras["llama-index"]))


def test_core_imports_neither_framework() -> None:
    code = (
        "import sys, aimlapi_core, aimlapi_core.models, aimlapi_core.shaping;"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('langchain_core', 'llama_index', 'openai')];"
        "print(bad); assert not bad"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
