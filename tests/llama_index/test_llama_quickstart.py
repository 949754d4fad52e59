"""The LlamaIndex quickstart (``examples/llamaindex_quickstart.py``) runs offline from its
cassette, says so, and prints what the recorded replies hold; README points to it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
NAME = "llamaindex_quickstart"
KEY_VARS = ("AIMLAPI_API_KEY", "AIML_API_KEY", "AIMLAPI_RECORD", "AIMLAPI_RECORD_OFFLINE")


def _run() -> str:
    env = {k: v for k, v in os.environ.items() if k not in KEY_VARS}
    # This checkout first: an editable install made before llama_index/ existed maps only
    # the other packages (a fresh `pip install -e .` maps all; test_llama_namespace checks).
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / f"{NAME}.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _recorded() -> tuple[dict[str, object], str]:
    """The recorded chat completion (JSON) and the recorded stream (SSE text)."""
    cassette = yaml.safe_load((ROOT / "cassettes" / "examples" / f"{NAME}.yaml").read_text())
    chat, stream = (i["response"]["body"]["string"] for i in cassette["interactions"])
    return json.loads(chat), stream


def test_quickstart_replays_offline_and_says_so() -> None:
    out = _run()
    assert f"[offline] no AIMLAPI_API_KEY: replaying cassettes/examples/{NAME}.yaml" in out
    chat, stream = _recorded()
    usage = chat["usage"]
    assert isinstance(usage, dict)
    answer = chat["choices"][0]["message"]["content"]  # type: ignore[index]
    assert f"gpt-4o-mini says: {answer}" in out
    total = f"{usage['total_tokens']} total"
    assert f"usage: {usage['prompt_tokens']} in, {usage['completion_tokens']} out, {total}" in out
    assert f"cost: {chat['meta']['usage']}" in out  # type: ignore[index]
    events = [json.loads(line[6:]) for line in stream.splitlines() if line[6:].startswith("{")]
    text = "".join(
        e["choices"][0]["delta"].get("content") or "" for e in events if e.get("choices")
    )
    assert f"streaming: {text}\n" in out
    last_usage = events[-1]["usage"]
    assert (
        f"stream usage: {{'prompt_tokens': {last_usage['prompt_tokens']}, "
        f"'total_tokens': {last_usage['total_tokens']}}}" in out
    )
    assert f"stream cost: {events[-1]['meta']['usage']}" in out
    assert re.search(r"inference id: [0-9a-f-]{36}", out)


def test_readme_points_to_it_from_the_first_command() -> None:
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("## Two commands", 1)[1].split("```bash", 2)[1]
    assert f"examples/{NAME}.py" in first_block
    lines = readme.split("## LlamaIndex", 1)[1].split("\n## ", 1)[0]
    assert "from llama_index.llms.aimlapi import AIMLAPI" in lines
