#!/usr/bin/env python3
"""Generate ``aimlapi_core/data/model_capabilities.json`` from AI/ML API's own docs.

Reads a snapshot of ``aimlapi/api-docs`` (by default ``../shared/aimlapi-docs``, relative to the
repository root) and writes one record per model id. The output is deterministic: the same
docs give the same bytes, so a test can re-run this script and compare.

Usage::

    python scripts/generate_model_capabilities.py [DOCS_DIR] [--output PATH]

Sources, per field:

* ``endpoints``, ``chat`` and ``responses``: ``text-model-ids.tsv`` (one row per model id and
  endpoint, derived from the per-model OpenAPI files). Rows of one id are merged.
* ``reasoning``: listed in ``capabilities-thinking-reasoning.md``; or an o1/o3/o4/gpt-5 family
  id (not the ``*-chat*`` variants, which are OpenAI's non-reasoning chat models); or a chat
  schema with ``reasoning_effort``; or a Responses schema with ``reasoning``.
* ``vision``: listed in ``capabilities-image-to-text-vision.md``, or a sample catalogue item in
  ``complete-model-list.md`` with ``image`` input or the ``vision`` capability.
* A doc list names one id, but a model page documents every id of its spec file: a flag set by
  name is shared with the ids of the same spec file (e.g. ``claude-opus-4-20250514`` and
  ``anthropic/claude-opus-4``).
* ``context_window`` / ``max_output_tokens``: only where a doc states them (``info.contextLength``
  and ``info.outputMax`` of the sample catalogue items); otherwise null.
* ``aliases``: ``aliases`` of the sample catalogue items, and a ``"model"`` echoed in a sample
  response without its vendor prefix (``o3-2025-04-16`` for ``openai/o3-2025-04-16``).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DOCS = Path("../shared/aimlapi-docs")
DEFAULT_OUTPUT = Path("aimlapi_core/data/model_capabilities.json")
FORMAT_VERSION = 1

# Endpoint path in the TSV -> endpoint name in the JSON. The Cohere ``/openai/deployments/{model}``
# row is an Azure-style deployment path whose request schema is a chat-completions schema; the
# ``/responses`` row duplicates a ``/v1/responses`` one. Such a row is read only when its model
# has no row for the canonical path (``CANONICAL``) of the same endpoint.
CANONICAL = {"/v1/chat/completions", "/v1/responses", "/v1/messages"}
ENDPOINTS = {
    "/v1/chat/completions": "chat.completions",
    "/openai/deployments/{model}": "chat.completions",
    "/v1/responses": "responses",
    "/responses": "responses",
    "/v1/messages": "messages",
}

# TSV column -> key of the chat record.
CHAT_FLAGS = {
    "has_temperature": "temperature",
    "has_tools": "tools",
    "has_response_format": "response_format",
    "has_reasoning_effort": "reasoning_effort",
    "has_max_completion_tokens": "max_completion_tokens",
    "has_max_tokens": "max_tokens",
    "has_stream_options": "stream_options",
    "has_parallel_tool_calls": "parallel_tool_calls",
}

REASONING_FAMILY = re.compile(r"^(?:o1|o3|o4)(?:-|$)|^gpt-5(?:$|[-.])")
LIST_LINK = re.compile(r"^\s*\*\s*\[([^\]]+)\]\(([^)]*)\)", re.MULTILINE)
JSON_FENCE = re.compile(r"```json5?\s*\n(.*?)\n```", re.DOTALL)
MODEL_ECHO = re.compile(r'"model"\s*:\s*"([^"]+)"')
SOURCE_COMMIT = re.compile(r"at commit `([0-9a-f]{40})`")
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def _tail(model_id: str) -> str:
    """The id without its vendor prefix (``openai/o3`` -> ``o3``)."""
    return model_id.split("/", 1)[1] if "/" in model_id else model_id


def _is_reasoning_family(model_id: str) -> bool:
    tail = _tail(model_id).lower()
    return bool(REASONING_FAMILY.search(tail)) and "chat" not in tail


def _flag(value: str) -> bool:
    if value not in ("True", "False"):
        raise ValueError(f"expected True or False in the TSV, got {value!r}")
    return value == "True"


def read_rows(docs: Path) -> list[dict[str, str]]:
    """Rows of ``text-model-ids.tsv``."""
    with (docs / "text-model-ids.tsv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def doc_list(docs: Path, name: str) -> list[str]:
    """Model names of the bullet-list links in one capabilities page."""
    text = (docs / name).read_text(encoding="utf-8").translate(ZERO_WIDTH)
    return [label.strip() for label, url in LIST_LINK.findall(text) if "text-models-llm" in url]


def resolve_names(names: Iterable[str], ids: set[str], warn: list[str], where: str) -> set[str]:
    """Doc names -> model ids; a truncated name resolves when it prefixes exactly one id."""
    found: set[str] = set()
    for name in names:
        if name in ids:
            found.add(name)
            continue
        candidates = [i for i in ids if i.startswith(name)]
        if len(candidates) == 1:
            warn.append(f"{where}: {name!r} read as {candidates[0]!r}")
            found.add(candidates[0])
        else:
            warn.append(f"{where}: {name!r} is not a model id in the TSV; ignored")
    return found


def sample_catalogue_items(docs: Path) -> Iterator[dict[str, Any]]:
    """The JSON sample items of ``complete-model-list.md`` that carry an ``id``."""
    text = (docs / "complete-model-list.md").read_text(encoding="utf-8")
    for block in JSON_FENCE.findall(text):
        try:
            item = json.loads(block)
        except json.JSONDecodeError:
            continue
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            yield item


def build(docs: Path) -> tuple[dict[str, Any], list[str]]:
    """The whole JSON document, and notes about doc quirks met on the way."""
    notes: list[str] = []
    rows = read_rows(docs)
    ids = {r["model_id"] for r in rows}
    by_spec: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        by_spec[r["spec_file"]].add(r["model_id"])
    specs_of: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        specs_of[r["model_id"]].add(r["spec_file"])

    def with_spec_siblings(named: set[str]) -> set[str]:
        out = set(named)
        for model_id in named:
            for spec in specs_of[model_id]:
                out |= by_spec[spec]
        return out

    # Per-id merge of the TSV rows.
    for r in rows:
        if r["endpoint"] not in ENDPOINTS:
            raise SystemExit(f"unknown endpoint {r['endpoint']!r}: extend ENDPOINTS")
    canonical = {
        (r["model_id"], ENDPOINTS[r["endpoint"]]) for r in rows if r["endpoint"] in CANONICAL
    }
    endpoints: dict[str, set[str]] = defaultdict(set)
    chat: dict[str, dict[str, Any]] = {}
    responses: dict[str, set[str]] = {}
    for r in rows:
        model_id, path = r["model_id"], r["endpoint"]
        endpoint = ENDPOINTS[path]
        endpoints[model_id].add(endpoint)
        if path not in CANONICAL and (model_id, endpoint) in canonical:
            notes.append(f"{model_id}: row for {path} ignored, a canonical row exists")
            continue
        params = {p for p in r["request_params"].split(",") if p}
        if endpoint == "chat.completions":
            rec = chat.setdefault(
                model_id, {**dict.fromkeys(CHAT_FLAGS.values(), False), "params": set()}
            )
            for column, key in CHAT_FLAGS.items():
                rec[key] = rec[key] or _flag(r[column])
            rec["params"] |= params
            roles = {x for x in r["message_roles"].split(",") if x}
            if roles:
                rec["roles"] = (rec.get("roles") or set()) | roles
            else:
                rec.setdefault("roles", None)
        elif endpoint == "responses":
            responses.setdefault(model_id, set()).update(params)

    # Flags from the capability pages.
    reasoning_named = resolve_names(
        doc_list(docs, "capabilities-thinking-reasoning.md"), ids, notes, "reasoning doc"
    )
    vision_named = resolve_names(
        doc_list(docs, "capabilities-image-to-text-vision.md"), ids, notes, "vision doc"
    )

    # Sample catalogue items: aliases, limits, modalities.
    aliases: dict[str, set[str]] = defaultdict(set)
    limits: dict[str, dict[str, int]] = defaultdict(dict)
    for item in sample_catalogue_items(docs):
        model_id = item["id"]
        names = [a for a in item.get("aliases") or [] if isinstance(a, str)]
        if model_id not in ids:
            continue
        aliases[model_id].update(names)
        info = item.get("info") or {}
        for key, field in (("contextLength", "context_window"), ("outputMax", "max_output_tokens")):
            if isinstance(info.get(key), int):
                for target in [model_id, *[a for a in names if a in ids]]:
                    limits[target][field] = info[key]
        modalities = item.get("modalities") or {}
        if "image" in (modalities.get("input") or []) or "vision" in (
            item.get("capabilities") or []
        ):
            vision_named.add(model_id)

    # Sample responses echoing "model" without the vendor prefix.
    tails: dict[str, list[str]] = defaultdict(list)
    for model_id in ids:
        if "/" in model_id:
            tails[_tail(model_id)].append(model_id)
    for page in sorted(docs.glob("*.md")):
        for echoed in MODEL_ECHO.findall(page.read_text(encoding="utf-8")):
            if echoed not in ids and len(tails.get(echoed, [])) == 1:
                aliases[tails[echoed][0]].add(echoed)

    reasoning = with_spec_siblings(reasoning_named)
    vision = with_spec_siblings(vision_named)

    models: dict[str, Any] = {}
    for model_id in sorted(ids):
        chat_rec = chat.get(model_id)
        resp_params = responses.get(model_id)
        is_reasoning = (
            model_id in reasoning
            or _is_reasoning_family(model_id)
            or bool(chat_rec and chat_rec["reasoning_effort"])
            or bool(resp_params and "reasoning" in resp_params)
        )
        chat_out: dict[str, Any] | None = None
        if chat_rec is not None:
            chat_out = dict(chat_rec)
            chat_out["params"] = sorted(chat_rec["params"])
            chat_out["roles"] = sorted(chat_rec["roles"]) if chat_rec["roles"] else None
        models[model_id] = {
            "aliases": sorted(aliases.get(model_id, ())),
            "chat": chat_out,
            "context_window": limits[model_id].get("context_window"),
            "endpoints": sorted(endpoints[model_id]),
            "max_output_tokens": limits[model_id].get("max_output_tokens"),
            "reasoning": is_reasoning,
            "responses": None if resp_params is None else {"params": sorted(resp_params)},
            "spec_files": sorted(specs_of[model_id]),
            "vision": model_id in vision,
        }

    index = (docs / "INDEX.md").read_text(encoding="utf-8")
    commit = SOURCE_COMMIT.search(index)
    meta = {
        "format": FORMAT_VERSION,
        "generator": "scripts/generate_model_capabilities.py",
        "source": "aimlapi/api-docs",
        "source_commit": commit.group(1) if commit else None,
    }
    return {"_meta": meta, "models": models}, notes


def render(document: dict[str, Any]) -> str:
    """Sorted keys, one model per line: valid JSON that diffs well."""

    def dump(value: Any) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    models: dict[str, Any] = document["models"]
    lines = ["{", f'"_meta":{dump(document["_meta"])},', '"models":{']
    entries = [f"{dump(k)}:{dump(models[k])}" for k in sorted(models)]
    lines.append(",\n".join(entries))
    lines.append("}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "docs",
        nargs="?",
        type=Path,
        default=DEFAULT_DOCS,
        help="AI/ML API docs snapshot (relative paths are from the repo root)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="where to write the JSON (relative paths are from the repo root)",
    )
    parser.add_argument("--quiet", action="store_true", help="do not print notes and counts")
    args = parser.parse_args(argv)
    docs: Path = args.docs if args.docs.is_absolute() else REPO_ROOT / args.docs
    output: Path = args.output if args.output.is_absolute() else REPO_ROOT / args.output
    if not (docs / "text-model-ids.tsv").is_file():
        print(f"error: {docs} has no text-model-ids.tsv", file=sys.stderr)
        return 2
    document, notes = build(docs)
    text = render(document)
    json.loads(text)  # the hand-laid-out text must stay valid JSON
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(text.encode("utf-8"))
    if not args.quiet:
        for note in notes:
            print(f"note: {note}", file=sys.stderr)
        models = document["models"]
        n_alias = sum(len(m["aliases"]) for m in models.values())
        print(f"wrote {output}: {len(models)} models, {n_alias} aliases", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
