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


def _run(code: str) -> None:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_core_imports_neither_framework() -> None:
    code = (
        "import sys, aimlapi_core, aimlapi_core.models, aimlapi_core.shaping;"
        "[getattr(aimlapi_core, name) for name in aimlapi_core.__all__];"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('langchain_core', 'llama_index', 'openai')];"
        "print(bad); assert not bad"
    )
    _run(code)


def test_core_exports_every_name_it_lists() -> None:
    import aimlapi_core
    from aimlapi_core import client, errors, settings, stream

    assert set(aimlapi_core._LAZY) == set(aimlapi_core.__all__) - {"__version__"}
    for name in aimlapi_core.__all__:
        assert getattr(aimlapi_core, name) is not None, name
    assert aimlapi_core.Client is client.Client
    assert aimlapi_core.StreamError is errors.StreamError
    assert aimlapi_core.Settings is settings.Settings
    assert aimlapi_core.StreamDelta is stream.StreamDelta
    assert set(aimlapi_core.__all__) <= set(dir(aimlapi_core))
    try:
        aimlapi_core.Clinet  # noqa: B018
    except AttributeError as error:
        assert "Clinet" in str(error)
    else:
        raise AssertionError("a misspelt name must raise AttributeError")


def test_adapters_load_httpx_with_their_first_client_not_at_import() -> None:
    # Import time is a benchmark target (benchmarks/): the transport is loaded when a model
    # first builds its client, so importing an adapter does not pay for httpx.
    for imports, build in (
        (
            "from langchain_aimlapi import ChatAIMLAPI",
            "ChatAIMLAPI(api_key='sk-test', base_url='http://127.0.0.1:9/v1').client",
        ),
        (
            "from llama_index_aimlapi import AIMLAPI",
            "AIMLAPI(api_key='sk-test', api_base='http://127.0.0.1:9/v1')._client()",
        ),
    ):
        _run(
            f"import sys; {imports}; "
            "assert 'httpx' not in sys.modules, 'httpx loaded at import'; "
            f"{build}; "
            "assert 'httpx' in sys.modules and 'aimlapi_core.client' in sys.modules"
        )
