"""The benchmarks run: ``python -m benchmarks --quick --no-write`` prints the tables.

A smoke check only (tiny sizes, no timing asserted): benchmarks are not tests. It talks to
the benchmark's own server on 127.0.0.1 in child processes, and writes nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "RESULTS.md"


def test_quick_benchmark_prints_the_tables() -> None:
    before = RESULTS.stat().st_mtime_ns if RESULTS.exists() else None
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AIMLAPI_", "AIML_", "OPENAI_", "LANGCHAIN_", "LANGSMITH_"))
    }
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--no-write"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    out = done.stdout
    for heading in (
        "## Targets",
        "## 1. Import time",
        "## 2. Per-call overhead",
        "## 3. Streaming",
        "## 4. Concurrency",
        "## 5. SSE decoding of one large event",  # issue #15 item 7
    ):
        assert heading in out, heading
    assert "| target | limit | measured | result | best possible |" in out
    for row in (
        "| `ChatAIMLAPI.invoke` | ≤ 2.0× raw httpx |",
        "| `AIMLAPI.chat` | ≤ 2.0× raw httpx |",
        "| `ChatAIMLAPI.stream` (text stream), CPU |",
        "| `AIMLAPI.stream_chat` (tool-call arguments stream), CPU |",
        "| `import langchain_aimlapi` |",
        "concurrent `ChatAIMLAPI.ainvoke`: peak RSS",
        "| **aimlapi_core SSEDecoder** |",
        "| SSE decoding, one 1 MB event in 256-byte reads, CPU | ≤ 2.0× httpx `iter_lines` |",
    ):
        assert row in out, row
    assert "| langchain | **ChatAIMLAPI** `invoke` / `ainvoke` |" in out
    assert "| llama-index | **AIMLAPI** `stream_chat` | text |" in out
    # The first-answer rows ran their statement to a checked answer ("Paris.") in a fresh
    # interpreter; a failing statement would have stopped the run above.
    assert "| langchain | **ours** | `ChatAIMLAPI(...).invoke` |" in out
    assert "| llama-index | **ours** | `AIMLAPI(...).chat` |" in out
    # --no-write leaves RESULTS.md as it was.
    assert (RESULTS.stat().st_mtime_ns if RESULTS.exists() else None) == before
