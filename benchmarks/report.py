"""Turn the raw numbers of :func:`benchmarks.run.run` into the Markdown tables.

Every figure is a median over repeated runs with the min–max after it. Ratios are taken per
run, between contestants measured in the same interleaved round (or the same import pass,
or the same concurrency pass), and then summarised the same way, so a slow moment of the
machine moves both sides of a ratio together.

"Best possible" is what an integration with zero cost of its own would score: for calls and
streams (raw httpx + the framework alone) / raw httpx, for imports (the framework's base class
alone) / anchor. "Zero-cost integration" measures that instead of adding it up: the framework
fed live by raw httpx, whose code then runs interleaved with httpx's as in any integration
(see :mod:`benchmarks.contestants`); it is the floor a real integration is up against.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

RAW = "raw-httpx"
OURS = {"langchain": "ChatAIMLAPI", "llama-index": "AIMLAPI"}
ANCHOR = {"langchain": "ChatOpenAI", "llama-index": "OpenAI (llama-index)"}
ALONE = {"langchain": "LangChain alone (no I/O)", "llama-index": "LlamaIndex alone (no I/O)"}
ON_RAW = {"langchain": "LangChain on raw httpx", "llama-index": "LlamaIndex on raw httpx"}
CALL_NAMES = {
    "langchain": ("invoke", "ainvoke", "stream"),
    "llama-index": ("chat", "achat", "stream_chat"),
}


def _stat(values: Sequence[float], scale: float = 1.0, digits: int = 0) -> str:
    if not values:
        return "–"
    med = statistics.median(values) * scale
    lo, hi = min(values) * scale, max(values) * scale
    if len(values) == 1:
        return f"{med:,.{digits}f}"
    return f"{med:,.{digits}f} ({lo:,.{digits}f}–{hi:,.{digits}f})"


def _ratios(num: Sequence[float], den: Sequence[float]) -> list[float]:
    return [a / b for a, b in zip(num, den, strict=False) if b > 0]


def _best(raw: Sequence[float], alone: Sequence[float]) -> list[float]:
    """(raw + framework alone) / raw, per round."""
    return [(r + a) / r for r, a in zip(raw, alone, strict=False) if r > 0]


def _ratio(values: Sequence[float]) -> str:
    return _stat(values, digits=2) + "×" if values else "–"


def _verdict(values: Sequence[float], limit: float) -> str:
    return "**pass**" if values and statistics.median(values) <= limit else "**FAIL**"


def _bold(name: str) -> str:
    return f"**{name}**" if name in OURS.values() else name


class Targets:
    def __init__(self) -> None:
        self.rows: list[str] = []
        self.misses: list[str] = []

    def add(
        self,
        what: str,
        limit: float,
        ratios: Sequence[float],
        against: str,
        best: Sequence[float] = (),
        zero_cost: Sequence[float] = (),
    ) -> None:
        best_text = _ratio(best) if best else "–"
        zero_text = _ratio(zero_cost) if zero_cost else "–"
        if ratios:
            measured, verdict = _ratio(ratios), _verdict(ratios, limit)
        else:
            measured, verdict = "not measured (not installed)", "–"
        self.rows.append(
            f"| {what} | ≤ {limit}× {against} | {measured} | {verdict} | {best_text} "
            f"| {zero_text} |"
        )
        if ratios and statistics.median(ratios) > limit:
            self.misses.append(_miss(what, limit, ratios, best, zero_cost))


def _miss(
    what: str,
    limit: float,
    ratios: Sequence[float],
    best: Sequence[float],
    zero_cost: Sequence[float],
) -> str:
    """Why a target is missed: out of reach for any integration, or our own cost (by how much)."""
    ours = statistics.median(ratios)
    floors = [statistics.median(f) for f in (best, zero_cost) if f]
    if not floors:
        return f"- {what}: missed ({ours:.2f}× against ≤ {limit}×); no floor measured."
    floor = max(floors)
    kind = "an integration with no code of its own" if zero_cost else "the framework's base class"
    if floor > limit:
        return (
            f"- {what}: **out of reach** — {kind} already scores {floor:.2f}× against"
            f" ≤ {limit}×; ours adds {ours - floor:.2f}× on top of that floor."
        )
    return (
        f"- {what}: **missed by our own cost** — {kind} scores {floor:.2f}×, ours"
        f" {ours:.2f}×: {ours - floor:.2f}× is ours, {ours - limit:.2f}× of it over the limit."
    )


def _imports(results: dict[str, Any], targets: Targets) -> list[str]:
    from .run import IMPORTS

    times: dict[str, list[float]] = results["imports"]
    python = times["pass"]
    lines = [
        "| group | role | statement | wall ms | minus bare interpreter ms | × anchor |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    measured = [(g, role, stmt) for g, role, stmt in IMPORTS if stmt in times]
    anchors = {g: stmt for g, role, stmt in measured if role == "anchor"}
    base_class = {g: stmt for g, role, stmt in measured if role.startswith("floor (")}
    for group, role, stmt in measured:
        wall = times[stmt]
        net = [w - p for w, p in zip(wall, python, strict=False)]
        anchor = anchors.get(group)
        ratio = _ratio(_ratios(wall, times[anchor])) if anchor and stmt != anchor else ""
        label = f"**{role}**" if role == "ours" else role
        lines.append(
            f"| {group} | {label} | `{stmt}` | {_stat(wall, 1000)} | {_stat(net, 1000)} | {ratio} |"
        )
        if role == "ours" and not anchor:
            targets.add(f"`{stmt}`", 0.5, [], "its anchor")
        elif role == "ours" and anchor:
            targets.add(
                f"`{stmt}`",
                0.5,
                _ratios(wall, times[anchor]),
                f"`{anchor}`",
                _ratios(times[base_class[group]], times[anchor]),
            )
    return lines


def _first_answers(results: dict[str, Any]) -> list[str]:
    """Fresh interpreter to a checked first answer: import, build, one call (no target set)."""
    from .run import FIRST_ANSWERS

    times: dict[str, list[float]] = results.get("first_answers", {})
    python = results["imports"]["pass"]
    rows = [(g, role, label) for g, role, label, _ in FIRST_ANSWERS if label in times]
    if not rows:
        return []
    anchors = {g: label for g, role, label in rows if role == "anchor"}
    lines = [
        "| group | role | what | wall ms | minus bare interpreter ms | × anchor |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for group, role, label in rows:
        wall = times[label]
        net = [w - p for w, p in zip(wall, python, strict=False)]
        anchor = anchors.get(group)
        ratio = _ratio(_ratios(wall, times[anchor])) if anchor and label != anchor else ""
        shown = f"**{role}**" if role == "ours" else role
        lines.append(
            f"| {group} | {shown} | `{label}` | {_stat(wall, 1000)} | {_stat(net, 1000)} "
            f"| {ratio} |"
        )
    return lines


def _ratio_cell(name: str, group: str, raw: Sequence[float], mine: Sequence[float]) -> str:
    """A contestant's ratio to raw httpx, labelled by its role ('' for raw httpx itself)."""
    if name == RAW:
        return ""
    if name == ALONE[group]:
        return "best possible " + _ratio(_best(raw, mine))
    if name == ON_RAW[group]:
        return "zero-cost " + _ratio(_ratios(mine, raw))
    return _ratio(_ratios(mine, raw))


def _calls(results: dict[str, Any], targets: Targets) -> list[str]:
    lines = [
        "| group | contestant | call µs | × raw | CPU µs / call | async call µs | × raw |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for group, data in results["groups"].items():
        sync_name, async_name, _ = CALL_NAMES[group]
        raw_wall = [w for w, _ in data[RAW]["call"]]
        raw_async = [w for w, _ in data[RAW]["acall"]]
        for name, numbers in data.items():
            wall = [w for w, _ in numbers["call"]]
            cpu = [c for _, c in numbers["call"]]
            awall = [w for w, _ in numbers["acall"]]
            ops = "`post` + `json.loads`" if name == RAW else f"`{sync_name}` / `{async_name}`"
            sync_ratio = _ratio_cell(name, group, raw_wall, wall)
            async_ratio = _ratio_cell(name, group, raw_async, awall)
            lines.append(
                f"| {group} | {_bold(name)} {ops} | {_stat(wall, 1e6)} | {sync_ratio} | "
                f"{_stat(cpu, 1e6)} | {_stat(awall, 1e6)} | {async_ratio} |"
            )
        alone = [w for w, _ in data.get(ALONE[group], {}).get("call", [])]
        on_raw = [w for w, _ in data.get(ON_RAW[group], {}).get("call", [])]
        ours = [w for w, _ in data.get(OURS[group], {}).get("call", [])]
        targets.add(
            f"`{OURS[group]}.{sync_name}`",
            2.0,
            _ratios(ours, raw_wall),
            "raw httpx",
            _best(raw_wall, alone),
            _ratios(on_raw, raw_wall),
        )
    return lines


def _streams(results: dict[str, Any], targets: Targets) -> list[str]:
    lines = [
        "| group | contestant | reply | CPU ms | × raw (CPU) | wall ms | × raw (wall) | items |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for group, data in results["groups"].items():
        _, _, stream_name = CALL_NAMES[group]
        for kind, label in (("text", "text"), ("tools", "tool-call arguments")):
            key = f"stream_{kind}"
            raw_wall = [r[0] for r in data[RAW][key]]
            raw_cpu = [r[1] for r in data[RAW][key]]
            for name, numbers in data.items():
                wall = [r[0] for r in numbers[key]]
                cpu = [r[1] for r in numbers[key]]
                items = numbers[key][0][2]
                op = "`iter_lines` + `json.loads`" if name == RAW else f"`{stream_name}`"
                cpu_ratio = _ratio_cell(name, group, raw_cpu, cpu)
                wall_ratio = _ratio_cell(name, group, raw_wall, wall)
                lines.append(
                    f"| {group} | {_bold(name)} {op} | {label} | {_stat(cpu, 1000, 1)} | "
                    f"{cpu_ratio} | {_stat(wall, 1000, 1)} | {wall_ratio} | {items} |"
                )
            alone = [r[1] for r in data.get(ALONE[group], {}).get(key, [])]
            on_raw = [r[1] for r in data.get(ON_RAW[group], {}).get(key, [])]
            ours = [r[1] for r in data.get(OURS[group], {}).get(key, [])]
            targets.add(
                f"`{OURS[group]}.{stream_name}` ({label} stream), CPU",
                2.5,
                _ratios(ours, raw_cpu),
                "raw httpx",
                _best(raw_cpu, alone),
                _ratios(on_raw, raw_cpu),
            )
    return lines


def _sse(results: dict[str, Any], targets: Targets) -> list[str]:
    """Section 5: one large SSE event from small reads, against httpx's ``iter_lines``."""
    data = results.get("sse")
    if not data:
        return []
    from .sse import FLOOR, OURS

    floor = data[FLOOR]
    lines = [
        "| decoder | CPU ms | × `iter_lines` |",
        "| --- | --- | --- |",
    ]
    for name, numbers in data.items():
        if not isinstance(numbers, list):
            continue
        shown = f"**{name}**" if name == OURS else name
        lines.append(f"| {shown} | {_stat(numbers, 1000, 1)} | {_ratio(_ratios(numbers, floor))} |")
    size_mb = data["size"] / (1024 * 1024)
    targets.add(
        f"SSE decoding, one {size_mb:g} MB event in {data['read']}-byte reads, CPU",
        2.0,
        _ratios(data[OURS], floor),
        "httpx `iter_lines`",
    )
    return lines


def _concurrency(results: dict[str, Any], targets: Targets) -> list[str]:
    runs: dict[str, list[dict[str, float]]] = results["concurrency"]
    lines = [
        "| contestant | wall s | calls / s | peak RSS MiB | peak before the burst MiB "
        "| added by the burst MiB | peak × its anchor |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    n = results["setting"]["concurrent"]
    peaks = {name: [r["rss_peak_mib"] for r in rs] for name, rs in runs.items()}
    for name, rs in runs.items():
        wall = [r["wall_s"] for r in rs]
        before = [r["rss_before_mib"] for r in rs]
        added = [p - b for p, b in zip(peaks[name], before, strict=False)]
        group = next((g for g, ours in OURS.items() if ours == name), None)
        anchor = peaks.get(ANCHOR[group], []) if group else []
        ratio = _ratio(_ratios(peaks[name], anchor)) if anchor else ""
        lines.append(
            f"| {_bold(name)} | {_stat(wall, 1, 2)} | {_stat([n / w for w in wall])} "
            f"| {_stat(peaks[name], 1, 1)} | {_stat(before, 1, 1)} | {_stat(added, 1, 1)} "
            f"| {ratio} |"
        )
    targets.add(
        f"{n:,} concurrent `ChatAIMLAPI.ainvoke`: peak RSS",
        0.8,
        _ratios(peaks.get("ChatAIMLAPI", []), peaks.get("ChatOpenAI", [])),
        "`ChatOpenAI`",
    )
    targets.add(
        f"{n:,} concurrent `AIMLAPI.achat`: peak RSS (extra, no target set)",
        0.8,
        _ratios(peaks.get("AIMLAPI", []), peaks.get("OpenAI (llama-index)", [])),
        "llama-index `OpenAI`",
    )
    return lines


def _load_note(load: dict[str, float | None] | None, cores: str) -> str:
    if not load or load.get("start") is None:
        return ""
    note = f"; load average {load['start']:.1f} at the start, {load.get('end') or 0:.1f} at the end"
    if max(load["start"] or 0, load.get("end") or 0) >= 0.5 * float(cores or 1):
        note += (
            " (the machine was shared with other work while this ran: absolute times are"
            " inflated and noisier, ratios much less so, each being taken side by side)"
        )
    return note


def _httpx_cli_note(cli: dict[str, Any] | None) -> str:
    if not cli or not cli.get("loaded"):
        return ""
    loaded = ", ".join(cli["loaded"].split(","))
    return (
        f" Here `import httpx` also loads its command-line module `httpx._main` with {loaded}"
        f" ({cli['ms']:.0f} ms), because these happen to be installed (by development tools);"
        " where they are not installed, httpx skips that module. Both anchors import httpx"
        " (through `openai`) at import; ours loads it with the first client it builds, so"
        " it shows in the first-answer table below instead."
    )


def render(results: dict[str, Any], *, quick: bool = False) -> str:
    m, s = results["machine"], results["setting"]
    targets = Targets()
    calls = _calls(results, targets)
    streams = _streams(results, targets)
    imports = _imports(results, targets)
    first_answers = _first_answers(results)
    concurrency = _concurrency(results, targets)
    sse = _sse(results, targets)
    srv = results["server"]
    packages = ", ".join(f"{k[4:]} {v}" for k, v in m.items() if k.startswith("pkg:"))
    n = s["stream_deltas"]
    out = [
        "# Benchmarks: what the integration itself costs",
        "",
        "Generated by `.venv/bin/python -m benchmarks"
        + (" --quick" if quick else "")
        + "` (code in `benchmarks/`). A local server (`benchmarks/server.py`, its own"
        " process, 127.0.0.1) replays fixed replies in OpenAI's wire format, so the network"
        " and the model cost nothing: what is left is the client. Figures are medians with"
        " (min–max) over repeated runs; ratios are taken per run between contestants measured"
        " side by side, then summarised the same way. Lower is better.",
        "",
        f"- **Machine**: {m['cpu']}, {m['cores']} cores; {m['python']}; {m['os']}"
        + _load_note(results.get("load"), m["cores"]),
        f"- **Date**: {m['date']}; whole run {results['elapsed_s']:.0f} s",
        f"- **Packages**: {packages}",
        f"- **Setting**: {'QUICK (smoke check only, numbers are noise) — ' if quick else ''}"
        f"imports ×{s['import_reps']}; calls {s['calls']} per round × {s['rounds']} rounds"
        f" (after {s['warmup']} warm-up); streams of {n:,} deltas × {s['stream_rounds']};"
        f" {s['concurrent']:,} concurrent calls × {s['concurrency_reps']}",
        f"- **Server cost** (it does not dominate): {srv['call_cpu_s'] * 1e6:.0f} µs CPU per"
        f" small reply, against {srv['call_wall_s'] * 1e6:.0f} µs wall per raw-httpx call;"
        f" {srv['stream_cpu_s'] * 1e3:.2f} ms CPU per {n:,}-delta stream, against"
        f" {srv['stream_wall_s'] * 1e3:.1f} ms for raw httpx to read it",
        "",
        "## Targets",
        "",
        "Judged on the median ratio. *Best possible* is the score of an integration that costs"
        " nothing itself, added up: (raw httpx + the framework alone, no I/O) / raw httpx for"
        " calls and streams, (the framework's base class alone) / anchor for imports."
        " *Zero-cost integration* is that integration measured: the framework's minimal model"
        " fed live by raw httpx (`post` / `iter_lines` + `json.loads`), with no code of its own."
        " It scores higher than the sum because the framework's per-chunk code then runs"
        " between httpx's, as in every integration (the CPU's caches and branch predictors"
        " serve both instead of one); it is the floor a real integration is up against.",
        "",
        "| target | limit | measured | result | best possible | zero-cost integration |",
        "| --- | --- | --- | --- | --- | --- |",
        *targets.rows,
        "",
        *(
            ["Targets missed, against the higher of the two floors:", "", *targets.misses, ""]
            if targets.misses
            else []
        ),
        "## 1. Import time",
        "",
        'Wall time of `python -c "<statement>"` in a fresh interpreter'
        + (" (after one warm-up pass for `.pyc` files)" if s.get("import_warmup") else "")
        + ". `floor` is the framework's own module alone; the second floor is the base"
        " class every chat model of that framework must import, the real lower bound for an"
        " integration." + _httpx_cli_note(results.get("httpx_cli")),
        "",
        *imports,
        "",
        *(
            [
                "First answer: wall time of a fresh interpreter that imports the integration,"
                " builds the model and makes one small call to the local server, checking the"
                " answer (what a short-lived process pays: a command-line tool, a serverless"
                " cold start). No target is set; it shows that what an integration defers at"
                " import (here httpx and the request core's clients) is paid here, not avoided.",
                "",
                *first_answers,
                "",
            ]
            if first_answers
            else []
        ),
        "## 2. Per-call overhead (non-streamed, small reply)",
        "",
        "Sequential calls on one instance (pooled connection), wall time per call. Floor: one"
        " pooled `httpx.Client` (`httpx.AsyncClient` for the async column) POSTing the same body"
        " and `json.loads` of the reply. *Alone (no I/O)*: a do-nothing chat model of the"
        " framework returning the same, already decoded reply (what the framework itself costs"
        " per call). *On raw httpx*: that model fed live by the raw-httpx floor (an integration"
        " with no code of its own).",
        "",
        *calls,
        "",
        f"## 3. Streaming ({n:,}-delta SSE replies)",
        "",
        "Time to consume a whole streamed reply, `time.process_time()` (CPU) and wall. Text:"
        f" {n:,} content deltas; tool-call arguments: one tool call whose arguments come in"
        f" {n:,} deltas (LangChain: `bind_tools(...).stream`; LlamaIndex:"
        " `stream_chat_with_tools`). Floor: `httpx` stream + `iter_lines` + `json.loads` of"
        " each `data:` line. *Alone (no I/O)*: the framework's own objects built from the"
        " already decoded chunks (LangChain: validated `AIMessageChunk`s through"
        " `BaseChatModel.stream`; LlamaIndex: cumulative `ChatResponse`s through"
        " `llm_chat_callback`). *On raw httpx*: the same, fed live by the raw-httpx floor.",
        "",
        *streams,
        "",
        f"## 4. Concurrency ({s['concurrent']:,} concurrent async calls on one instance)",
        "",
        "`asyncio.gather` of the async call (`ainvoke` / `achat`), each contestant in a fresh"
        " child process, after one warm-up call. Peak RSS is that child's own high-water mark"
        " (`VmHWM`; on Linux `ru_maxrss` of a child starts at its parent's peak), imports"
        " included. Anchor: `ChatOpenAI` for `ChatAIMLAPI`, llama-index's `OpenAI` for"
        " `AIMLAPI`.",
        "",
        *concurrency,
        "",
        *(
            [
                "## 5. SSE decoding of one large event",
                "",
                "One `data:` event (a chat chunk with one long content string) cut into small"
                " reads, as a slow or chunking proxy delivers it; each decoder gets the same"
                " pieces, in interleaved rounds, CPU time (`benchmarks/sse.py`). Floor: httpx's"
                " text and line decoders, what `Response.iter_lines` runs over the same reads.",
                "",
                *sse,
                "",
            ]
            if sse
            else []
        ),
    ]
    return "\n".join(out)
