"""Run every benchmark, print the tables and write ``benchmarks/RESULTS.md``.

Usage:
    .venv/bin/python -m benchmarks            # full run (a few minutes on 2 cores)
    .venv/bin/python -m benchmarks --quick    # tiny setting, for a smoke check
    .venv/bin/python -m benchmarks --no-write # print only

Everything runs against ``benchmarks.server`` on 127.0.0.1 (its own process), which replays
fixed replies in OpenAI's wire format: network and model cost nothing, what is left is what
the integration itself costs. Each measurement happens in a fresh child interpreter
(``benchmarks.worker``), so imports, caches and peak RSS of one contestant never leak into
another's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from . import report
from .contestants import REQUIRES, installed

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


@dataclass(frozen=True)
class Setting:
    """How much to measure."""

    import_reps: int
    import_warmup: bool  # one discarded pass first (warms .pyc files and the page cache)
    calls: int  # sequential calls per round
    rounds: int  # rounds of calls, interleaved across contestants
    warmup: int
    stream_deltas: int
    stream_rounds: int
    concurrent: int
    concurrency_reps: int
    sse_size: int  # bytes of the one large SSE event (section 5)


SSE_READ = 256  # bytes per read of that event

FULL = Setting(
    import_reps=7,
    import_warmup=True,
    calls=200,
    rounds=7,
    warmup=30,
    stream_deltas=2000,
    stream_rounds=7,
    concurrent=1000,
    concurrency_reps=3,
    sse_size=4 * 1024 * 1024,
)
QUICK = Setting(
    import_reps=1,
    import_warmup=False,
    calls=10,
    rounds=2,
    warmup=3,
    stream_deltas=100,
    stream_rounds=2,
    concurrent=50,
    concurrency_reps=1,
    sse_size=1024 * 1024,
)

# (group, role, statement): role is floor, ours or anchor; the module is the last word.
IMPORTS: list[tuple[str, str, str]] = [
    ("python", "interpreter", "pass"),
    ("langchain", "floor", "import langchain_core.language_models"),
    (
        "langchain",
        "floor (BaseChatModel)",
        "from langchain_core.language_models import BaseChatModel",
    ),
    ("langchain", "ours", "import langchain_aimlapi"),
    ("langchain", "anchor", "import langchain_openai"),
    ("llama-index", "floor", "import llama_index.core.llms"),
    (
        "llama-index",
        "floor (FunctionCallingLLM)",
        "from llama_index.core.llms.function_calling import FunctionCallingLLM",
    ),
    ("llama-index", "ours", "import llama_index_aimlapi"),
    ("llama-index", "anchor", "from llama_index.llms.openai import OpenAI"),
]

# Import, build, one small call to the local server and check the answer, in a fresh
# interpreter: what a short-lived process (a CLI, a serverless cold start) pays before its
# first answer. Imports that an integration defers (ours loads httpx with its first client)
# show up here. (group, role, label, statement template: {base} is the server's /v1 URL.)
_ASK = "assert {answer}.endswith('Paris.')"
FIRST_ANSWERS: list[tuple[str, str, str, str]] = [
    (
        "python",
        "floor (raw httpx)",
        "httpx.post + json.loads",
        "import httpx, json; r = httpx.post('{base}/chat/completions', json={body!r},"
        " headers={{'Authorization': 'Bearer {key}'}}); "
        + _ASK.format(answer="json.loads(r.content)['choices'][0]['message']['content']"),
    ),
    (
        "langchain",
        "ours",
        "ChatAIMLAPI(...).invoke",
        "from langchain_aimlapi import ChatAIMLAPI; "
        "m = ChatAIMLAPI(model='{model}', api_key='{key}', base_url='{base}'); "
        + _ASK.format(answer="m.invoke('{prompt}').content"),
    ),
    (
        "langchain",
        "anchor",
        "ChatOpenAI(...).invoke",
        "from langchain_openai import ChatOpenAI; "
        "m = ChatOpenAI(model='{model}', api_key='{key}', base_url='{base}'); "
        + _ASK.format(answer="m.invoke('{prompt}').content"),
    ),
    (
        "llama-index",
        "ours",
        "AIMLAPI(...).chat",
        "from llama_index_aimlapi import AIMLAPI; from llama_index.core.llms import ChatMessage; "
        "m = AIMLAPI(model='{model}', api_key='{key}', api_base='{base}'); "
        + _ASK.format(
            answer="m.chat([ChatMessage(role='user', content='{prompt}')]).message.content"
        ),
    ),
    (
        "llama-index",
        "anchor",
        "OpenAI(...).chat",
        "from llama_index.llms.openai import OpenAI; "
        "from llama_index.core.llms import ChatMessage; "
        "m = OpenAI(model='{model}', api_key='{key}', api_base='{base}'); "
        + _ASK.format(
            answer="m.chat([ChatMessage(role='user', content='{prompt}')]).message.content"
        ),
    ),
]

GROUPS = {
    "langchain": [
        "raw-httpx",
        "ChatAIMLAPI",
        "ChatOpenAI",
        "LangChain alone (no I/O)",
        "LangChain on raw httpx",
    ],
    "llama-index": [
        "raw-httpx",
        "AIMLAPI",
        "OpenAI (llama-index)",
        "LlamaIndex alone (no I/O)",
        "LlamaIndex on raw httpx",
    ],
}
CONCURRENCY = ["raw-httpx", "ChatAIMLAPI", "ChatOpenAI", "AIMLAPI", "OpenAI (llama-index)"]

PACKAGES = [
    "aimlapi-integrations",
    "httpx",
    "pydantic",
    "langchain-core",
    "langchain-openai",
    "openai",
    "llama-index-core",
    "llama-index-llms-openai",
]


def _child_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LANGCHAIN_", "LANGSMITH_", "OPENAI_", "AIMLAPI_", "AIML_"))
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    # Let the warm-up pass write .pyc files for this checkout's packages, as installing a
    # wheel does (pip byte-compiles); otherwise ours would be compiled from source on every
    # import while the installed anchors load theirs from .pyc.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        **{f"pkg:{k}": v for k, v in versions.items()},
    }


class Server:
    """``benchmarks.server`` in a child process; closes when its stdin does."""

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=_child_env(),
        )
        assert self.proc.stdout is not None
        port = json.loads(self.proc.stdout.readline())["port"]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def stats(self) -> dict[str, Any]:
        import httpx

        return httpx.get(self.url + "/stats").json()

    def __exit__(self, *exc: object) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _worker(spec: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.worker", json.dumps(spec)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_child_env(),
        timeout=900,
    )
    if done.returncode != 0:
        raise RuntimeError(f"worker {spec['task']} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _import_module(stmt: str) -> str:
    words = stmt.split()
    return words[1].rstrip(",;") if words[0] in ("import", "from") else "sys"


def measure_imports(setting: Setting, log: Any) -> dict[str, list[float]]:
    """Wall seconds of each import statement in a fresh interpreter (see :func:`_time_python`)."""
    statements = [stmt for _, _, stmt in IMPORTS if installed(_import_module(stmt))]
    return _time_python(statements, setting, log, "imports")


def first_answer_statements(server_url: str) -> dict[str, str]:
    """Label → statement of :data:`FIRST_ANSWERS` whose libraries are installed, for this server."""
    from .contestants import API_KEY
    from .wire import MODEL, PROMPT

    base = server_url + "/v1"
    body = {"model": MODEL, "messages": [{"role": "user", "content": PROMPT}]}
    return {
        label: template.format(base=base, body=body, key=API_KEY, model=MODEL, prompt=PROMPT)
        for _, _, label, template in FIRST_ANSWERS
        if installed(_import_module(template))
    }


def measure_first_answers(server_url: str, setting: Setting, log: Any) -> dict[str, list[float]]:
    """Wall seconds from a fresh interpreter to a checked first answer, per contestant."""
    statements = first_answer_statements(server_url)
    times = _time_python(list(statements.values()), setting, log, "first answers")
    return {label: times[stmt] for label, stmt in statements.items()}


def _time_python(
    statements: list[str], setting: Setting, log: Any, what: str
) -> dict[str, list[float]]:
    """Wall seconds of ``python -c <statement>``, interleaved, after a warm-up pass."""
    times: dict[str, list[float]] = {stmt: [] for stmt in statements}
    env = _child_env()
    first = 0 if setting.import_warmup else 1
    for rep in range(first, setting.import_reps + 1):
        for stmt in statements:
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", stmt], check=True, cwd=ROOT, env=env)
            if rep:  # pass 0 only warms .pyc files and the page cache
                times[stmt].append(time.perf_counter() - started)
        log(f"{what}: pass {rep}/{setting.import_reps}")
    return times


_HTTPX_CLI_PROBE = (
    "import httpx, sys; "
    "print(','.join(sorted({m.split('.')[0] for m in sys.modules}"
    " & {'rich', 'click', 'pygments'})))"
)


def measure_httpx_cli(setting: Setting) -> dict[str, Any]:
    """What ``import httpx`` spends on its command-line module here (median ms, and why).

    ``httpx/__init__`` imports ``httpx._main``, which imports rich, click and pygments when
    they are installed (in this environment: by development tools, not by our package). Every
    contestant that imports httpx pays it, ours and the anchors alike.
    """
    runs: list[float] = []
    loaded = ""
    for _ in range(max(1, setting.import_reps)):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", _HTTPX_CLI_PROBE],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env=_child_env(),
        )
        loaded = done.stdout.strip()
        for line in done.stderr.splitlines():
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 3 and parts[2] == "httpx._main":
                runs.append(int(parts[1]) / 1000)
    return {"ms": statistics.median(runs) if runs else 0.0, "loaded": loaded}


def measure_server(server: Server, setting: Setting) -> dict[str, float]:
    """The server's own CPU per small request and per stream, against the client's wall."""
    import httpx

    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    n = max(20, setting.calls)
    with httpx.Client() as client:
        url = f"{server.url}/text/{setting.stream_deltas}/v1/chat/completions"
        client.post(url, json=body).raise_for_status()
        before = server.stats()
        started = time.perf_counter()
        for _ in range(n):
            client.post(url, json=body).raise_for_status()
        wall = (time.perf_counter() - started) / n
        middle = server.stats()
        started = time.perf_counter()
        for _ in range(3):
            with client.stream("POST", url, json={**body, "stream": True}) as response:
                for _ in response.iter_raw():
                    pass
        stream_wall = (time.perf_counter() - started) / 3
        after = server.stats()
    return {
        "call_cpu_s": (middle["cpu_s"] - before["cpu_s"]) / n,
        "call_wall_s": wall,
        "stream_cpu_s": (after["cpu_s"] - middle["cpu_s"]) / 3,
        "stream_wall_s": stream_wall,
    }


def _load() -> float | None:
    """The 1-minute load average (None where the OS has none)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def run(setting: Setting, log: Any) -> dict[str, Any]:
    started = time.perf_counter()
    results: dict[str, Any] = {"machine": machine(), "setting": setting.__dict__}
    results["load"] = {"start": _load()}
    missing = sorted(name for name, module in REQUIRES.items() if not installed(module))
    results["missing"] = missing
    if missing:
        log(f"not installed, left out: {', '.join(missing)} (pip install -e '.[bench]')")
    with Server() as server:
        results["server"] = measure_server(server, setting)
        log("server: measured")
        results["imports"] = measure_imports(setting, log)
        results["first_answers"] = measure_first_answers(server.url, setting, log)
        results["httpx_cli"] = measure_httpx_cli(setting)
        results["groups"] = {}
        for group, names in GROUPS.items():
            if names[1] in missing:  # the framework (or our adapter for it) is not installed
                continue
            spec = {
                "task": "group",
                "server": server.url,
                "contestants": [name for name in names if name not in missing],
                "calls": setting.calls,
                "rounds": setting.rounds,
                "warmup": setting.warmup,
                "stream_deltas": setting.stream_deltas,
                "stream_rounds": setting.stream_rounds,
            }
            results["groups"][group] = _worker(spec)
            log(f"{group}: calls and streams measured")
        contestants = [name for name in CONCURRENCY if name not in missing]
        concurrency: dict[str, list[dict[str, float]]] = {name: [] for name in contestants}
        for rep in range(setting.concurrency_reps):
            for name in contestants:
                spec = {
                    "task": "concurrency",
                    "server": server.url,
                    "contestant": name,
                    "concurrent": setting.concurrent,
                    "stream_deltas": setting.stream_deltas,
                }
                concurrency[name].append(_worker(spec))
            log(f"concurrency: pass {rep + 1}/{setting.concurrency_reps}")
        results["concurrency"] = concurrency
        results["sse"] = {
            "size": setting.sse_size,
            "read": SSE_READ,
            **_worker(
                {
                    "task": "sse",
                    "size": setting.sse_size,
                    "read": SSE_READ,
                    "rounds": setting.rounds,
                }
            ),
        }
        log("sse: one large event measured")
    results["elapsed_s"] = time.perf_counter() - started
    results["load"]["end"] = _load()
    import resource

    log(
        f"orchestrator peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="tiny setting (smoke check)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md")
    parser.add_argument("--json", type=Path, help="also dump the raw numbers to this file")
    args = parser.parse_args(argv)
    setting = QUICK if args.quick else FULL

    def log(message: str) -> None:
        print(f"[bench] {message}", file=sys.stderr, flush=True)

    results = run(setting, log)
    text = report.render(results, quick=args.quick)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    if not args.no_write:
        RESULTS.write_text(text)
        log(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0
