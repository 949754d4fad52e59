"""Every example runs offline from its cassette and prints what it promises; so do the README's
Python snippets, against the fake model."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from aimlapi_core.models import reset_registered_capabilities
from tests.support.fake_model import fake_responder
from tests.support.replay_server import ReplayServer

ROOT = Path(__file__).resolve().parents[1]
KEY_VARS = ("AIMLAPI_API_KEY", "AIML_API_KEY", "AIMLAPI_RECORD", "AIMLAPI_BASE_URL")


def _run(name: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in KEY_VARS}
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / name)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"[offline] no AIMLAPI_API_KEY: replaying cassettes/examples/{name[:-3]}.yaml" in (
        done.stdout
    )
    return done.stdout


def test_quickstart_offline() -> None:
    out = _run("quickstart.py")
    assert "gpt-4o-mini says: " in out
    assert "usage: 17 in, 29 out, 46 total" in out
    assert "cost: {'credits_used': 40, 'usd_spent': 2e-05}" in out
    assert "inference id: " in out
    assert "stream usage: {'input_tokens': 16" in out
    assert "stream cost: {'credits_used': 39" in out


def test_lcel_structured_output_offline() -> None:
    out = _run("lcel_structured_output.py")
    assert "event: Event(title='Q3 planning', city='Lisbon', attendees=12)" in out
    assert "event: Event(title='Rust meetup', city='Berlin', attendees=40)" in out


def test_langgraph_react_agent_offline() -> None:
    out = _run("langgraph_react_agent.py")
    steps = [line for line in out.splitlines() if line.startswith(("model calls", "  "))]
    assert steps == [
        "model calls get_weather({'city': 'Lisbon'})",
        "  get_weather -> 18°C and sunny in Lisbon",
        "model calls celsius_to_fahrenheit({'celsius': 18})",
        "  celsius_to_fahrenheit -> 64.4",
    ]
    assert "answer: The result is 64.4." in out
    assert re.search(r"tokens of the last call: [1-9]\d*", out)


def test_llamaindex_function_agent_offline() -> None:
    out = _run("llamaindex_function_agent.py")
    tools = [line for line in out.splitlines() if line.startswith("tool ")]
    assert tools == [
        "tool get_price({'product': 'notebook'}) -> 2.5",
        "tool multiply({'a': 2.5, 'b': 3}) -> 7.5",
    ]
    assert "answer: The result is 7.5." in out


def test_llamaindex_query_engine_offline() -> None:
    out = _run("llamaindex_query_engine.py")
    assert "indexed 4 documents from data/ with text-embedding-3-small" in out
    answer = next(line for line in out.splitlines() if line.startswith("answer: "))
    # Grounded in the vacation policy: 20 days in the first year, up to 5 carried over.
    assert "new employees get 20" in answer and "Up to 5 unused days carry over" in answer
    sources = [line.split(" (score")[0] for line in out.splitlines() if line.startswith("source:")]
    assert sources == ["source: vacation.txt", "source: onboarding.txt"]
    # The retrieved documents, and only those, went into the model's prompt.
    cassette = yaml.safe_load(
        (ROOT / "cassettes/examples/llamaindex_query_engine.yaml").read_text()
    )
    paths = [i["request"]["uri"].rsplit("/v1", 1)[1] for i in cassette["interactions"]]
    assert paths == ["/embeddings", "/embeddings", "/chat/completions"]
    prompt = json.loads(cassette["interactions"][-1]["request"]["body"])["messages"][-1]["content"]
    assert "25 paid vacation days" in prompt and "laptop, a badge" in prompt
    assert "60 euros a day" not in prompt and "home office budget" not in prompt


def _readme_python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)


@pytest.mark.parametrize("index", range(len(_readme_python_blocks())))
def test_readme_snippet_runs(
    index: int,
    replay_server: ReplayServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each snippet runs as written, its key and base URL from the environment."""
    replay_server.responder = fake_responder
    monkeypatch.setenv("AIMLAPI_API_KEY", "sk-offline-test-key-not-real")
    monkeypatch.setenv("AIMLAPI_BASE_URL", replay_server.base_url)
    snippet = _readme_python_blocks()[index]
    try:
        exec(compile(snippet, f"README.md python block {index}", "exec"), {})
    finally:  # a snippet's refresh_models() must not change the model table of later tests
        reset_registered_capabilities()
    out = capsys.readouterr().out
    assert replay_server.requests, "the snippet made no request"
    if "print(" in snippet:
        assert out.strip(), "the snippet printed nothing"
    if "cost" in snippet:  # the snippets that promise cost print AI/ML API's figures
        assert "usd_spent" in out
