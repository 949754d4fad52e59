"""How cassettes are recorded and matched: scrubbing, origin header, request matching.

The examples replay their cassettes with it, and the tests (``tests/conftest.py``) record and
replay theirs with the same settings; it lives beside the examples so that they import nothing
from ``tests/``.

Requests match on method, path and JSON body. Ids that a client makes up at random (tool-call
ids such as LangChain's ``tool_example_to_messages`` creates) are replaced by their order of
appearance before bodies are compared, so a replay matches the recording.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import vcr

LIVE_BASE_URL = "https://api.aimlapi.com/v1"
SECRET_HEADERS = ("authorization", "api-key", "x-api-key", "cookie", "set-cookie")


def _scrub_request(request: Any) -> Any:
    # Cassettes look the same whether recorded live or against the replay server.
    if "127.0.0.1" in request.uri or "localhost" in request.uri:
        # Keep the whole path and query (/v1/..., and /v2/... for video): only the host changes.
        parts = urlsplit(request.uri)
        query = f"?{parts.query}" if parts.query else ""
        request.uri = LIVE_BASE_URL.rsplit("/v1", 1)[0] + parts.path + query
        request.headers.pop("host", None)
        request.headers.pop("Host", None)
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.setdefault("headers", {})
    for name in list(headers):
        if name.lower() in SECRET_HEADERS:
            del headers[name]
    if not any(name.lower() == "x-cassette-origin" for name in headers):
        headers["x-cassette-origin"] = ["live api.aimlapi.com"]
    return response


def _normalise_ids(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            is_call = "function" in value or "arguments" in value
            made_up = key in ("tool_call_id", "call_id") or (key == "id" and is_call)
            if made_up and isinstance(item, str):
                out[key] = ids.setdefault(item, f"<id {len(ids)}>")
            else:
                out[key] = _normalise_ids(item, ids)
        return out
    if isinstance(value, list):
        return [_normalise_ids(item, ids) for item in value]
    return value


def _json_or_raw(body: Any) -> Any:
    if body is None or body == b"" or body == "":
        return None
    try:
        return _normalise_ids(json.loads(body), {})
    except (ValueError, TypeError):
        return body


def json_body(r1: Any, r2: Any) -> None:
    """vcr matcher: equal JSON bodies up to client-made ids (raises AssertionError if not)."""
    assert _json_or_raw(r1.body) == _json_or_raw(r2.body), "request bodies differ"


def vcr_settings() -> dict[str, Any]:
    """The vcr configuration (used by pytest-recording and by the examples)."""
    return {
        "filter_headers": [(h, None) for h in SECRET_HEADERS],
        "match_on": ["method", "path", "json_body"],
        "allow_playback_repeats": True,
        "before_record_request": _scrub_request,
        "before_record_response": _scrub_response,
        "decode_compressed_response": True,
    }


def register(recorder: vcr.VCR) -> vcr.VCR:
    """Teach a VCR our matcher."""
    recorder.register_matcher("json_body", json_body)
    return recorder


def use_cassette(path: str, record_mode: str) -> Any:
    """Our settings and matcher on one cassette, outside pytest (the examples use it)."""
    settings = vcr_settings()
    repeats = settings.pop("allow_playback_repeats")
    recorder = register(vcr.VCR(**settings))
    return recorder.use_cassette(path, record_mode=record_mode, allow_playback_repeats=repeats)
