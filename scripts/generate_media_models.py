#!/usr/bin/env python3
"""Generate ``aimlapi_core/data/media_models.json``: each media model's request parameters.

Reads ``media-models.json.gz`` (the request schemas of every image, video and speech spec of
AI/ML API's docs; a copy lives in ``tests/data/aimlapi-docs/`` so the check runs offline) and
writes, per job and model id, the endpoint path, the required parameters and, per parameter,
what a value must be: JSON types, enum values, bounds, lengths, item counts, and whether it is
a file upload. Descriptions and examples are left out. The output is deterministic: the same
input gives the same bytes, so a test re-runs this script and compares.

Usage::

    python scripts/generate_media_models.py [INPUT] [--output PATH]

Jobs by path: ``/v1/images/generations`` → ``image``, ``/v1/images/edits`` → ``image_edit``,
``/v2/video/generations`` → ``video``, ``/v1/tts`` → ``speech``, ``/v1/stt/create`` →
``transcription``. The unversioned twins (``/images/generations``) and the older per-vendor
routes (``/v2/generate/video/kling/generation``, ``/v1/stt``) are read only for a model that
has no spec on the canonical path of its job. When two specs of one model and job disagree,
their parameters are merged: a value either accepts is accepted.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INPUT = Path("tests/data/aimlapi-docs/media-models.json.gz")
DEFAULT_OUTPUT = Path("aimlapi_core/data/media_models.json")
FORMAT_VERSION = 1

# path -> (job, rank): the lowest rank of a model's specs for a job is the one read.
ROUTES: dict[str, tuple[str, int]] = {
    "/v1/images/generations": ("image", 0),
    "/images/generations": ("image", 1),
    "/v1/images/generations/with-url": ("image", 2),
    "/v1/images/edits": ("image_edit", 0),
    "/images/edits": ("image_edit", 1),
    "/v2/video/generations": ("video", 0),
    "/v1/video/generations": ("video", 1),
    "/video/generations": ("video", 1),
    "/v2/generate/video/alibaba/generation": ("video", 2),
    "/v2/generate/video/google/generation": ("video", 2),
    "/v2/generate/video/kling/generation": ("video", 2),
    "/v1/tts": ("speech", 0),
    "/v1/stt/create": ("transcription", 0),
    "/v1/stt": ("transcription", 1),
}
# The path our code calls for each job (the spec's own path is kept for reference).
JOB_PATHS = {
    "image": "/v1/images/generations",
    "image_edit": "/v1/images/edits",
    "video": "/v2/video/generations",
    "speech": "/v1/tts",
    "transcription": "/v1/stt/create",
}
_MULTER_KEYS = {"mimetype", "originalname", "fieldname"}


def _is_file(schema: dict[str, Any]) -> bool:
    """A multipart upload: ``format: binary`` or a multer file object (mimetype, buffer...)."""
    props = schema.get("properties")
    return schema.get("format") == "binary" or (
        isinstance(props, dict) and set(props) >= _MULTER_KEYS
    )


def _branches(schema: dict[str, Any]) -> list[dict[str, Any]]:
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            out: list[dict[str, Any]] = []
            for branch in schema[key]:
                if isinstance(branch, dict):
                    out.extend(_branches(branch))
            return out
    return [schema]


def _param(schema: dict[str, Any]) -> dict[str, Any]:
    """The compact rules of one parameter."""
    if _is_file(schema) or any(_is_file(b) for b in _branches(schema) if b is not schema):
        return {"file": True}
    types: set[str] = set()
    enum: list[Any] = []
    has_free_branch = False
    out: dict[str, Any] = {}
    nullable = bool(schema.get("nullable"))
    for branch in _branches(schema):
        if branch.get("nullable"):
            nullable = True
        kind = branch.get("type")
        if isinstance(kind, list):
            types.update(str(k) for k in kind)
        elif isinstance(kind, str):
            types.add(kind)
        if isinstance(branch.get("enum"), list):
            enum.extend(v for v in branch["enum"] if v not in enum)
            if not kind:
                types.update(_json_type(v) for v in branch["enum"])
        elif kind or not branch.get("nullable"):
            has_free_branch = True
        for key, name in (
            ("minimum", "minimum"),
            ("maximum", "maximum"),
            ("minLength", "min_length"),
            ("maxLength", "max_length"),
            ("minItems", "min_items"),
            ("maxItems", "max_items"),
        ):
            if isinstance(branch.get(key), (int, float)) and len(_branches(schema)) == 1:
                out[name] = branch[key]
        if branch.get("exclusiveMinimum") is True and "minimum" in out:
            out["exclusive_minimum"] = True
        if branch.get("exclusiveMaximum") is True and "maximum" in out:
            out["exclusive_maximum"] = True
    if types:
        out["type"] = sorted(types)
    if enum and not has_free_branch:
        out["enum"] = enum
    if nullable:
        out["nullable"] = True
    if schema.get("deprecated"):
        out["deprecated"] = True
    return out


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object"


def _merge_param(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Rules that accept what either accepts."""
    if a == b:
        return a
    if a.get("file") or b.get("file"):
        return {"file": True}
    out: dict[str, Any] = {}
    if "type" in a and "type" in b:
        out["type"] = sorted(set(a["type"]) | set(b["type"]))
    if "enum" in a and "enum" in b:
        out["enum"] = a["enum"] + [v for v in b["enum"] if v not in a["enum"]]
    for key, pick in (
        ("minimum", min),
        ("min_length", min),
        ("min_items", min),
        ("maximum", max),
        ("max_length", max),
        ("max_items", max),
    ):
        if key in a and key in b:
            out[key] = pick(a[key], b[key])
    if a.get("nullable") or b.get("nullable"):
        out["nullable"] = True
    return out


def _record(schema: dict[str, Any], spec_path: str, spec_file: str) -> dict[str, Any]:
    props = schema.get("properties") or {}
    params = {name: _param(p) for name, p in sorted(props.items()) if name != "model"}
    required = sorted(r for r in schema.get("required") or [] if r != "model" and r in params)
    return {"params": params, "required": required, "spec_path": spec_path, "specs": [spec_file]}


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    params = dict(a["params"])
    for name, rules in b["params"].items():
        params[name] = _merge_param(params[name], rules) if name in params else rules
    return {
        "params": dict(sorted(params.items())),
        # Required only where every spec requires it.
        "required": sorted(set(a["required"]) & set(b["required"])),
        "spec_path": a["spec_path"],
        "specs": sorted(set(a["specs"]) | set(b["specs"])),
    }


def generate(source: dict[str, Any]) -> dict[str, Any]:
    """The output document for a loaded ``media-models.json.gz``."""
    schemas = source["schemas"]
    best: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
    for op in source["operations"]:
        route = ROUTES.get(op["path"])
        if op["method"] != "POST" or route is None or not op.get("request"):
            continue
        job, rank = route
        schema = schemas[op["request"]]
        for model in op.get("model_ids") or []:
            record = _record(schema, op["path"], op["spec_file"])
            key = (job, model)
            held = best.get(key)
            if held is None or rank < held[0]:
                best[key] = (rank, record)
            elif rank == held[0] and record["specs"] != held[1]["specs"]:
                best[key] = (rank, _merge(held[1], record))
    jobs: dict[str, dict[str, Any]] = {job: {} for job in JOB_PATHS}
    for (job, model), (_, record) in sorted(best.items()):
        jobs[job][model] = record
    return {
        "format_version": FORMAT_VERSION,
        "source": source.get("source", ""),
        "paths": JOB_PATHS,
        "jobs": jobs,
    }


def render(document: dict[str, Any]) -> str:
    """One model per line: small diffs when the docs change."""
    lines = ["{"]
    head = {k: v for k, v in document.items() if k != "jobs"}
    for key, value in head.items():
        lines.append(f"{json.dumps(key)}: {json.dumps(value, sort_keys=True)},")
    lines.append('"jobs": {')
    jobs = list(document["jobs"].items())
    for j, (job, models) in enumerate(jobs):
        lines.append(f"{json.dumps(job)}: {{")
        items = list(models.items())
        for i, (model, record) in enumerate(items):
            sep = "," if i < len(items) - 1 else ""
            lines.append(f"{json.dumps(model)}: {json.dumps(record, sort_keys=True)}{sep}")
        lines.append("}" + ("," if j < len(jobs) - 1 else ""))
    lines.append("}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", nargs="?", type=Path, default=REPO_ROOT / DEFAULT_INPUT)
    parser.add_argument("--output", type=Path, default=REPO_ROOT / DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    with gzip.open(args.input, "rt", encoding="utf-8") as fh:
        source = json.load(fh)
    text = render(generate(source))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    counts = ", ".join(f"{len(m)} {job}" for job, m in json.loads(text)["jobs"].items())
    print(f"wrote {args.output}: {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
