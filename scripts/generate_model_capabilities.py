#!/usr/bin/env python3
"""Generate ``aimlapi_core/data/model_capabilities.json`` from AI/ML API's own model specs.

Reads a snapshot of AI/ML API's docs (by default ``tests/data/aimlapi-docs``, the copy kept in
this repository; ``../shared/aimlapi-docs`` holds the same files) and writes one record per text
model id. The output is deterministic: the same inputs give the same bytes, and a test re-runs
this script and compares.

Usage::

    python scripts/generate_model_capabilities.py [DOCS_DIR] [--output PATH]

Inputs (all in ``DOCS_DIR``):

* ``text-models.json.gz``: every request schema of every text-model OpenAPI file
  (``operations`` name the spec file, method, path and model ids; ``schemas`` by hash).
  Everything a request may carry comes from here, per model and endpoint: the parameters,
  message roles, the token-limit name, ``response_format`` types, ``reasoning_effort`` or
  ``reasoning: {effort}`` (and the effort levels), ``tool_choice`` forms, whether an assistant
  message's ``content`` may be null or must be present, whether Responses function tools need
  ``strict``, which Responses tool and input-item types the model takes, and vision (an image
  content part in user messages).
  Where several files document one id and endpoint, the record takes what either accepts and
  lists the fields they disagree on in ``disagreements`` (with the operations: spec file and
  path; one file may document ``/v1/chat/completions`` and ``/chat/completions`` differently).
* ``model-database.md``: AI/ML API's model table; the context window of text models.
* ``capabilities-thinking-reasoning.md``: the models named there reason, and so do the other
  ids of their spec files (besides the o1/o3/o4/gpt-5 families and any schema with a
  reasoning parameter).
* ``complete-model-list.md``: aliases (and ``contextLength`` / ``outputMax``) of its sample
  catalogue items.

Claude files that document Anthropic's native request shape on ``/v1/chat/completions``
(``tools`` as ``{name, input_schema}``, ``user``/``assistant`` roles only) disagree with AI/ML
API's own function-calling guide, which calls the same models with OpenAI-shaped tools: such a
record keeps OpenAI's shape (roles are left unknown, so the system role is kept) and says
``"anthropic_native_schema"`` in ``disagreements``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DOCS = Path("tests/data/aimlapi-docs")
DEFAULT_OUTPUT = Path("aimlapi_core/data/model_capabilities.json")
FORMAT_VERSION = 2

CHAT, RESPONSES, MESSAGES = "chat.completions", "responses", "messages"
# Spec path -> endpoint. ``/openai/deployments/{model}`` (Cohere, Azure-style) and
# ``/responses`` duplicate a canonical path; they are read only where no canonical one exists.
ENDPOINTS = {
    "/v1/chat/completions": CHAT,
    "/chat/completions": CHAT,
    "/openai/deployments/{model}": CHAT,
    "/v1/responses": RESPONSES,
    "/responses": RESPONSES,
    "/v1/messages": MESSAGES,
}
NON_CANONICAL = {"/openai/deployments/{model}", "/responses"}

# Corrections to a spec file, each with its reason; recorded in the record's ``disagreements``.
_DEEPSEEK_TOOLS = {
    "params": ["tool_choice", "tools"],
    "roles": ["tool"],
    "tool_choice": ["auto", "function", "none", "required"],
    "reason": (
        "DeepSeek-V3 chat takes OpenAI-style tools (DeepSeek's API; AI/ML API users call it "
        "with tools, issue #18); its spec file text-models-llm/DeepSeek/deepseek-chat.json "
        "leaves tools out"
    ),
}
OVERRIDES: dict[str, dict[str, dict[str, Any]]] = {
    model_id: {CHAT: _DEEPSEEK_TOOLS}
    for model_id in ("deepseek/deepseek-chat", "deepseek-chat", "deepseek/deepseek-chat-v3-0324")
}

REASONING_FAMILY = re.compile(r"^(?:o1|o3|o4)(?:-|$)|^gpt-5(?:$|[-.])")
LIST_LINK = re.compile(r"^\s*\*\s*\[([^\]]+)\]\(([^)]*)\)", re.MULTILINE)
JSON_FENCE = re.compile(r"```json5?\s*\n(.*?)\n```", re.DOTALL)
TABLE_ROW = re.compile(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>")
TAG = re.compile(r"<[^>]+>")
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def _tail(model_id: str) -> str:
    """The id without its vendor prefix (``openai/o3`` -> ``o3``)."""
    return model_id.split("/", 1)[1] if "/" in model_id else model_id


def _is_reasoning_family(model_id: str) -> bool:
    tail = _tail(model_id).lower()
    return bool(REASONING_FAMILY.search(tail)) and "chat" not in tail


# -- schema reading -----------------------------------------------------------------------------


def alternatives(schema: Any) -> list[dict[str, Any]]:
    """The object alternatives of ``schema``, ``oneOf`` / ``anyOf`` flattened."""
    if not isinstance(schema, dict):
        return []
    for key in ("oneOf", "anyOf"):
        if key in schema:
            out: list[dict[str, Any]] = []
            for alt in schema[key]:
                out.extend(alternatives(alt))
            return out
    return [schema]


def _props(schema: dict[str, Any]) -> dict[str, Any]:
    props = schema.get("properties")
    return props if isinstance(props, dict) else {}


def _enum(schema: Any) -> list[str]:
    if not isinstance(schema, dict):
        return []
    values = schema.get("enum")
    if isinstance(values, list):
        return [v for v in values if isinstance(v, str)]
    if isinstance(schema.get("const"), str):
        return [schema["const"]]
    return []


def _message_alternatives(messages: Any) -> list[dict[str, Any]]:
    """Every alternative message object of a ``messages`` (or ``input``) array schema."""
    out: list[dict[str, Any]] = []
    for array in alternatives(messages):
        out.extend(alternatives(array.get("items")))
    return out


def _part_types(content: Any) -> set[str]:
    """The ``type`` values of the parts a content schema's array form takes."""
    found: set[str] = set()
    for alt in alternatives(content):
        if alt.get("type") == "array":
            for part in alternatives(alt.get("items")):
                found.update(_enum(_props(part).get("type")))
    return found


def _nullable(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    if schema.get("nullable") is True or schema.get("type") == "null":
        return True
    return any(_nullable(a) for a in schema.get("anyOf", []) + schema.get("oneOf", []))


def _efforts(schema: Any) -> list[str]:
    return sorted({e for alt in alternatives(schema) for e in _enum(alt)})


def chat_spec(schema: dict[str, Any]) -> dict[str, Any]:
    """What one chat-completions (or messages) request schema accepts."""
    props = _props(schema)
    spec: dict[str, Any] = {"params": sorted(props)}
    roles: set[str] = set()
    vision = False
    assistant_null = False
    assistant_required = False
    for message in _message_alternatives(props.get("messages")):
        mprops = _props(message)
        message_roles = _enum(mprops.get("role"))
        roles.update(message_roles)
        if "user" in message_roles and {"image_url", "image"} & _part_types(mprops.get("content")):
            vision = True
        if "assistant" in message_roles:
            assistant_null = assistant_null or _nullable(mprops.get("content"))
            assistant_required = assistant_required or "content" in message.get("required", [])
    tools = props.get("tools")
    tool_items = [a for t in alternatives(tools) for a in alternatives(t.get("items"))]
    native_tools = bool(tool_items) and all(
        "input_schema" in _props(t) and "function" not in _props(t) for t in tool_items
    )
    native = native_tools or (bool(roles) and "system" not in roles and "system" in props)
    spec["anthropic_native"] = native and "messages" in props and "input" not in props
    spec["roles"] = None if spec["anthropic_native"] or not roles else sorted(roles)
    spec["vision"] = vision
    spec["assistant_content"] = (
        "nullable" if assistant_null else "required" if assistant_required else "optional"
    )
    choice_strings: set[str] = set()
    choice_function = False
    for alt in alternatives(props.get("tool_choice")):
        if alt.get("type") == "string" or (_enum(alt) and not _props(alt)):
            choice_strings.update(_enum(alt))
        cprops = _props(alt)
        if "function" in _enum(cprops.get("type")) and ("function" in cprops or "name" in cprops):
            choice_function = True
    spec["tool_choice"] = sorted(choice_strings) + (["function"] if choice_function else [])
    formats: set[str] = set()
    for alt in alternatives(props.get("response_format")):
        formats.update(_enum(_props(alt).get("type")))
    spec["response_format"] = sorted(formats)
    spec["reasoning"] = _reasoning(props)
    strict_required = False
    for tool in tool_items:
        function = _props(tool).get("function")
        if isinstance(function, dict) and "strict" in function.get("required", []):
            strict_required = True
    spec["strict_tools"] = strict_required
    return spec


def _reasoning(props: dict[str, Any]) -> dict[str, Any] | None:
    """``{"param": "reasoning_effort" | "reasoning", "efforts": [...]}`` or ``None``."""
    if "reasoning_effort" in props:
        return {"efforts": _efforts(props["reasoning_effort"]), "param": "reasoning_effort"}
    for alt in alternatives(props.get("reasoning")):
        effort = _props(alt).get("effort")
        if effort is not None:
            return {"efforts": _efforts(effort), "param": "reasoning"}
    return None


def responses_spec(schema: dict[str, Any]) -> dict[str, Any]:
    """What one ``/v1/responses`` request schema accepts."""
    props = _props(schema)
    spec: dict[str, Any] = {"params": sorted(props)}
    vision = False
    input_types: set[str] = set()
    for item in _message_alternatives(props.get("input")):
        if "input_image" in _part_types(_props(item).get("content")):
            vision = True
        input_types.update(_enum(_props(item).get("type")))
    spec["vision"] = vision
    spec["input_types"] = sorted(input_types)
    tool_types: set[str] = set()
    for tools in alternatives(props.get("tools")):
        for tool in alternatives(tools.get("items")):
            tool_types.update(_enum(_props(tool).get("type")))
    spec["tool_types"] = sorted(tool_types)
    choice_strings: set[str] = set()
    choice_function = False
    for alt in alternatives(props.get("tool_choice")):
        if alt.get("type") == "string":
            choice_strings.update(_enum(alt))
        if "function" in _enum(_props(alt).get("type")) and "name" in _props(alt):
            choice_function = True
    spec["tool_choice"] = sorted(choice_strings) + (["function"] if choice_function else [])
    formats: set[str] = set()
    for text in alternatives(props.get("text")):
        for alt in alternatives(_props(text).get("format")):
            formats.update(_enum(_props(alt).get("type")))
    spec["response_format"] = sorted(formats)
    spec["reasoning"] = _reasoning({k: v for k, v in props.items() if k == "reasoning"})
    strict_required = False
    for tools in alternatives(props.get("tools")):
        for tool in alternatives(tools.get("items")):
            if "function" in _enum(_props(tool).get("type")) and "strict" in tool.get(
                "required", []
            ):
                strict_required = True
    spec["strict_tools"] = strict_required
    return spec


# -- merging ------------------------------------------------------------------------------------


def merge(specs: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """One spec taking what any of ``specs`` accepts, and the names of fields they differ on."""
    first = specs[0]
    differ = sorted(k for k in first if any(s.get(k) != first.get(k) for s in specs[1:]))
    out: dict[str, Any] = {}
    for key in first:
        values = [s.get(key) for s in specs]
        if key in ("params", "tool_choice", "response_format", "input_types", "tool_types"):
            out[key] = sorted({v for vs in values for v in vs or ()})
        elif key == "roles":
            known = [v for v in values if v is not None]
            out[key] = sorted({r for v in known for r in v}) if known else None
        elif key in ("vision", "strict_tools", "anthropic_native"):
            out[key] = any(values)
        elif key == "assistant_content":
            # null is accepted if any file takes it; content is required only if all require it
            if "nullable" in values:
                out[key] = "nullable"
            elif all(v == "required" for v in values):
                out[key] = "required"
            else:
                out[key] = "optional"
        elif key == "reasoning":
            present = [v for v in values if v]
            if not present:
                out[key] = None
            else:
                params = sorted({v["param"] for v in present})
                out[key] = {
                    "efforts": sorted({e for v in present for e in v["efforts"]}),
                    # both given by some file: the chat-style name, which chat clients send
                    "param": "reasoning_effort" if "reasoning_effort" in params else params[0],
                }
        else:
            out[key] = first[key]
    return out, differ


def _token_limit(spec: dict[str, Any], reasoning: bool) -> str | None:
    params = set(spec["params"])
    if "max_output_tokens" in params:
        return "max_output_tokens"
    if "max_completion_tokens" in params and (reasoning or "max_tokens" not in params):
        return "max_completion_tokens"
    if "max_tokens" in params:
        return "max_tokens"
    return "max_completion_tokens" if "max_completion_tokens" in params else None


# -- docs ---------------------------------------------------------------------------------------


def read_text_models(docs: Path) -> dict[str, Any]:
    """``text-models.json.gz`` as a dict."""
    with gzip.open(docs / "text-models.json.gz", "rt", encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _read_md(docs: Path, name: str) -> str:
    path = docs / name
    if not path.is_file():
        path = docs / f"{name}.gz"
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return fh.read()
    return path.read_text(encoding="utf-8")


def doc_list(docs: Path, name: str) -> list[str]:
    """Model names of the bullet-list links in one capabilities page."""
    text = _read_md(docs, name).translate(ZERO_WIDTH)
    return [label.strip() for label, url in LIST_LINK.findall(text) if "text-models-llm" in url]


def context_windows(docs: Path) -> dict[str, int]:
    """Model id -> context window (tokens), from the text-model table of ``model-database.md``."""
    text = _read_md(docs, "model-database.md")
    start = text.find("### Text Models")
    end = text.find("\n## ", start + 1)
    out: dict[str, int] = {}
    for cell_id, _developer, context in TABLE_ROW.findall(text[start:end]):
        digits = TAG.sub("", context).replace(",", "").strip()
        if not digits.isdigit() or int(digits) <= 0:
            continue
        # One row may name several ids: "deepseek-chat or<br>deepseek/deepseek-chat".
        for name in re.split(r"<br\s*/?>|\s+or\b", cell_id):
            model_id = TAG.sub("", name).translate(ZERO_WIDTH).strip()
            if model_id:
                out[model_id] = int(digits)
    return out


def sample_catalogue_items(docs: Path) -> Iterator[dict[str, Any]]:
    """The JSON sample items of ``complete-model-list.md`` that carry an ``id``."""
    for block in JSON_FENCE.findall(_read_md(docs, "complete-model-list.md")):
        try:
            item = json.loads(block)
        except json.JSONDecodeError:
            continue
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            yield item


def resolve_names(names: Iterable[str], ids: set[str], notes: list[str], where: str) -> set[str]:
    """Doc names -> model ids; a truncated name resolves when it prefixes exactly one id."""
    found: set[str] = set()
    for name in names:
        if name in ids:
            found.add(name)
            continue
        candidates = [i for i in ids if i.startswith(name)]
        if len(candidates) == 1:
            notes.append(f"{where}: {name!r} read as {candidates[0]!r}")
            found.add(candidates[0])
        else:
            notes.append(f"{where}: {name!r} is not a model id in the specs; ignored")
    return found


# -- the document -------------------------------------------------------------------------------


def build(docs: Path) -> tuple[dict[str, Any], list[str]]:
    """The whole JSON document, and notes about doc quirks met on the way."""
    notes: list[str] = []
    data = read_text_models(docs)
    schemas: dict[str, Any] = data["schemas"]
    per: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    canonical: set[tuple[str, str]] = set()
    spec_files: dict[str, set[str]] = defaultdict(set)
    for op in data["operations"]:
        path = op["path"]
        if path not in ENDPOINTS:
            raise SystemExit(f"unknown endpoint {path!r}: extend ENDPOINTS")
        if path not in NON_CANONICAL:
            canonical.update((i, ENDPOINTS[path]) for i in op["model_ids"])
    for op in sorted(data["operations"], key=lambda o: (o["spec_file"], o["path"])):
        endpoint = ENDPOINTS[op["path"]]
        schema = schemas.get(op["request"]) if op.get("request") else None
        if not isinstance(schema, dict):
            notes.append(f"{op['spec_file']} {op['path']}: no request schema")
            continue
        spec = responses_spec(schema) if endpoint == RESPONSES else chat_spec(schema)
        for model_id in op["model_ids"]:
            spec_files[model_id].add(op["spec_file"])
            if op["path"] in NON_CANONICAL and (model_id, endpoint) in canonical:
                continue
            per[(model_id, endpoint)].append((f"{op['spec_file']} {op['path']}", spec))

    ids = {model_id for model_id, _ in per}
    reasoning_named = resolve_names(
        doc_list(docs, "capabilities-thinking-reasoning.md"), ids, notes, "reasoning doc"
    )
    # A doc list names one id, but a spec file documents all its ids: share the flag with them.
    for name in list(reasoning_named):
        for spec_file in spec_files[name]:
            reasoning_named |= {i for i, files in spec_files.items() if spec_file in files}
    windows = context_windows(docs)
    # The table may name an id without the vendor prefix the specs use (qwen-plus for
    # alibaba/qwen-plus): such a window goes to the one spec id with that name.
    by_tail: dict[str, list[str]] = defaultdict(list)
    for model_id in ids:
        by_tail[_tail(model_id)].append(model_id)
    for name, window in sorted(windows.items()):
        targets = by_tail.get(name, [])
        if name not in ids and len(targets) == 1 and targets[0] not in windows:
            notes.append(f"model table: {name!r} read as {targets[0]!r}")
            windows = {**windows, targets[0]: window}
    aliases: dict[str, set[str]] = defaultdict(set)
    limits: dict[str, dict[str, int]] = defaultdict(dict)
    for item in sample_catalogue_items(docs):
        if item["id"] not in ids:
            continue
        names = [a for a in item.get("aliases") or [] if isinstance(a, str)]
        aliases[item["id"]].update(a for a in names if a not in ids)
        info = item.get("info") or {}
        for key, field in (("contextLength", "context_window"), ("outputMax", "max_output_tokens")):
            if isinstance(info.get(key), int):
                limits[item["id"]][field] = info[key]

    models: dict[str, Any] = {}
    for model_id in sorted(ids):
        endpoints: dict[str, Any] = {}
        disagreements: dict[str, Any] = {}
        for endpoint in (CHAT, MESSAGES, RESPONSES):
            found = per.get((model_id, endpoint))
            if not found:
                continue
            spec, differ = merge([s for _, s in found])
            if differ:
                disagreements[endpoint] = {
                    "fields": differ,
                    "operations": sorted({f for f, _ in found}),
                }
            override = OVERRIDES.get(model_id, {}).get(endpoint)
            if override:
                for key in ("params", "roles", "tool_choice"):
                    spec[key] = sorted(set(spec[key] or ()) | set(override[key]))
                disagreements.setdefault(endpoint, {})["override"] = override["reason"]
            if spec.pop("anthropic_native", False):
                disagreements.setdefault(endpoint, {})["anthropic_native_schema"] = True
            endpoints[endpoint] = spec
        reasoning = (
            model_id in reasoning_named
            or _is_reasoning_family(model_id)
            or any(s.get("reasoning") for s in endpoints.values())
        )
        for spec in endpoints.values():
            spec["token_limit"] = _token_limit(spec, reasoning)
        context = limits[model_id].get("context_window") or windows.get(model_id)
        if model_id in windows and limits[model_id].get("context_window") not in (
            None,
            windows[model_id],
        ):
            notes.append(f"{model_id}: sample item and model table disagree on the context")
        models[model_id] = {
            "aliases": sorted(aliases.get(model_id, ())),
            "context_window": context,
            "disagreements": disagreements or None,
            "endpoints": endpoints,
            "max_output_tokens": limits[model_id].get("max_output_tokens"),
            "reasoning": reasoning,
            "spec_files": sorted(spec_files[model_id]),
            "vision": any(s["vision"] for s in endpoints.values()),
        }
    unknown_windows = sorted(set(windows) - ids)
    if unknown_windows:
        notes.append(f"{len(unknown_windows)} ids of model-database.md have no spec")
    meta = {
        "format": FORMAT_VERSION,
        "generator": "scripts/generate_model_capabilities.py",
        "source": data.get("source"),
    }
    return {"_meta": meta, "models": models}, notes


def render(document: dict[str, Any]) -> str:
    """Sorted keys, one model per line: valid JSON that diffs well."""

    def dump(value: Any) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    models: dict[str, Any] = document["models"]
    lines = ["{", f'"_meta":{dump(document["_meta"])},', '"models":{']
    lines.append(",\n".join(f"{dump(k)}:{dump(models[k])}" for k in sorted(models)))
    lines.append("}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
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
    if not (docs / "text-models.json.gz").is_file():
        print(f"error: {docs} has no text-models.json.gz", file=sys.stderr)
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
        n_ctx = sum(1 for m in models.values() if m["context_window"])
        print(f"wrote {output}: {len(models)} models, {n_ctx} context windows", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
