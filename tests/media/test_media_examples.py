"""The two media examples run offline from their cassettes, say so, and do what they promise."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.conftest import OFFLINE_KEY
from tests.test_examples import _run

ROOT = Path(__file__).resolve().parents[2]


def _cassette(name: str) -> list[dict[str, object]]:
    data = yaml.safe_load((ROOT / "cassettes" / "examples" / f"{name}.yaml").read_text())
    return list(data["interactions"])


def test_langgraph_media_agent_offline() -> None:
    out = _run("langgraph_media_agent.py")
    lines = out.splitlines()
    assert "model calls generate_image({'prompt': 'a lighthouse at dusk, watercolor'})" in lines
    tool_line = next(line for line in lines if line.startswith("  generate_image -> "))
    url = tool_line.split(" -> ", 1)[1]
    assert url.endswith(".png")
    assert "  image cost: {'credits_used': 42000, 'usd_spent': 0.021}" in lines
    assert any(line.startswith("answer: ") and url in line for line in lines)
    interactions = _cassette("langgraph_media_agent")
    paths = [str(i["request"]["uri"]).split(".com", 1)[1] for i in interactions]  # type: ignore[index]
    assert paths == ["/v1/chat/completions", "/v1/images/generations", "/v1/chat/completions"]
    image = json.loads(str(interactions[1]["request"]["body"]))  # type: ignore[index]
    assert image == {
        "model": "flux/schnell",
        "prompt": "a lighthouse at dusk, watercolor",
        "image_size": "landscape_4_3",
    }


def test_llamaindex_media_agent_offline() -> None:
    out = _run("llamaindex_media_agent.py")
    tools = [line for line in out.splitlines() if line.startswith("tool ")]
    assert [t.split(" -> ")[0] for t in tools] == [
        "tool generate_image({'prompt': 'a red tram in Lisbon at sunset'})",
        "tool text_to_speech({'text': 'a red tram in Lisbon at sunset'})",
    ]
    assert tools[0].endswith(".png")
    assert "  cost: {'credits_used': 42000, 'usd_spent': 0.021}" in out
    assert "  saved 2094 bytes of audio/wav" in out
    assert "answer: " in out


def test_example_cassettes_hold_no_key() -> None:
    for name in ("langgraph_media_agent", "llamaindex_media_agent"):
        text = (ROOT / "cassettes" / "examples" / f"{name}.yaml").read_text()
        assert "sk-offline" not in text and OFFLINE_KEY not in text
        assert "authorization" not in text.lower()
