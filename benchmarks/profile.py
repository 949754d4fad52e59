"""Find where a contestant's time goes (diagnostics; not part of ``python -m benchmarks``).

Usage:
    .venv/bin/python -m benchmarks.profile layers            # stream cost, layer by layer
    .venv/bin/python -m benchmarks.profile hot ChatAIMLAPI stream_text
    .venv/bin/python -m benchmarks.profile hot AIMLAPI stream_tools --pyinstrument

``layers`` peels a streamed reply apart, each row adding one layer to the one above, CPU ms
per stream (median of 7): httpx alone, the raw floor, the core's SSE events, the core's
checked and accumulated deltas, the LangChain adapter's own generator (``_stream``, without
``BaseChatModel.stream`` around it), the whole ``ChatAIMLAPI.stream``, and the LlamaIndex
``AIMLAPI.stream_chat``; plus each framework alone (no I/O) and fed live by raw httpx (an
integration with no code of its own). The difference between two rows is what that layer
costs; ours against "on raw httpx" is what our code costs in a real stream.

``hot`` runs one operation of one contestant (names as in ``benchmarks.contestants``) a few
times under ``cProfile`` (sorted by own time) or, with ``--pyinstrument`` and pyinstrument
installed, under pyinstrument's call tree.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import statistics
import time
from collections.abc import Callable
from typing import Any

from .contestants import ADAPTERS, API_KEY, _request
from .run import Server
from .wire import MODEL, PROMPT


def _cpu_ms(fn: Callable[[], Any], runs: int = 7) -> float:
    fn()
    times = []
    for _ in range(runs):
        gc.collect()
        started = time.process_time()
        fn()
        times.append(time.process_time() - started)
    return statistics.median(times) * 1000


def _layer_steps(server: str, deltas: int, kind: str) -> list[tuple[str, Callable[[], Any]]]:
    import httpx
    from langchain_core.messages import HumanMessage

    from aimlapi_core import Client, Settings

    base = f"{server}/{kind}/{deltas}/v1"
    url = base + "/chat/completions"
    body = _request(stream=True, tools=kind == "tools")
    http = httpx.Client()
    core = Client(Settings(api_key=API_KEY, base_url=base, max_retries=0))
    lc = ADAPTERS["ChatAIMLAPI"](server, deltas)
    li = ADAPTERS["AIMLAPI"](server, deltas)
    lc_alone = ADAPTERS["LangChain alone (no I/O)"](server, deltas)
    li_alone = ADAPTERS["LlamaIndex alone (no I/O)"](server, deltas)
    lc_raw = ADAPTERS["LangChain on raw httpx"](server, deltas)
    li_raw = ADAPTERS["LlamaIndex on raw httpx"](server, deltas)
    llm = lc.llm if kind == "text" else lc.tools_llm.bound
    kwargs = {} if kind == "text" else lc.tools_llm.kwargs
    messages = [HumanMessage(PROMPT)]

    def httpx_bytes() -> None:
        with http.stream("POST", url, json=body) as response:
            for _ in response.iter_bytes():
                pass

    def raw_floor() -> None:
        with http.stream("POST", url, json=body) as response:
            for line in response.iter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    json.loads(line[6:])

    def core_events() -> None:
        for _ in core.stream("/chat/completions", body):
            pass

    def core_deltas() -> None:
        with core.stream_chat_completion(body) as stream:
            for _ in stream:
                pass

    def lc_generator() -> None:
        for _ in llm._stream(messages, **kwargs):
            pass

    return [
        ("httpx `iter_bytes` only (transport)", httpx_bytes),
        ("raw floor: `iter_lines` + `json.loads`", raw_floor),
        ("core: SSE events (`Client.stream`)", core_events),
        ("core: checked, accumulated deltas (`stream_chat_completion`)", core_deltas),
        ("LangChain adapter generator (`ChatAIMLAPI._stream`)", lc_generator),
        ("`ChatAIMLAPI.stream` (whole)", getattr(lc, f"stream_{kind}")),
        ("LangChain alone (no I/O)", getattr(lc_alone, f"stream_{kind}")),
        ("LangChain on raw httpx (no integration code)", getattr(lc_raw, f"stream_{kind}")),
        ("`AIMLAPI.stream_chat` (whole)", getattr(li, f"stream_{kind}")),
        ("LlamaIndex alone (no I/O)", getattr(li_alone, f"stream_{kind}")),
        ("LlamaIndex on raw httpx (no integration code)", getattr(li_raw, f"stream_{kind}")),
    ]


def layers(server: str, deltas: int) -> None:
    print(f"CPU ms to consume one {deltas:,}-delta stream (median of 7)\n")
    print("| layer | text | tool-call arguments |\n| --- | --- | --- |")
    rows: dict[str, list[float]] = {}
    for kind in ("text", "tools"):
        for label, fn in _layer_steps(server, deltas, kind):
            rows.setdefault(label, []).append(_cpu_ms(fn))
    for label, (text, tools) in rows.items():
        print(f"| {label} | {text:.1f} | {tools:.1f} |")


def hot(server: str, deltas: int, name: str, op: str, runs: int, use_pyinstrument: bool) -> None:
    adapter = ADAPTERS[name](server, deltas)
    fn = getattr(adapter, op)
    fn()
    if use_pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(runs):
            fn()
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False))
        return
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(runs):
        fn()
    profile.disable()
    stats = pstats.Stats(profile)
    print(f"{name}.{op} × {runs} (model {MODEL}, {deltas:,}-delta streams)")
    stats.sort_stats("tottime").print_stats(30)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile")
    parser.add_argument("--deltas", type=int, default=2000, help="deltas per streamed reply")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("layers", help="stream cost, layer by layer")
    one = sub.add_parser("hot", help="profile one operation of one contestant")
    one.add_argument("contestant", choices=sorted(ADAPTERS))
    one.add_argument("op", choices=["call", "stream_text", "stream_tools"])
    one.add_argument("--runs", type=int, default=5)
    one.add_argument("--pyinstrument", action="store_true", help="call tree (pip install it)")
    args = parser.parse_args(argv)
    with Server() as server:
        if args.command == "layers":
            layers(server.url, args.deltas)
        else:
            hot(server.url, args.deltas, args.contestant, args.op, args.runs, args.pyinstrument)


if __name__ == "__main__":
    main()
