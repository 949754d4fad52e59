"""Model capabilities: the generated table, lookups, and the live `GET /v1/models` overlay."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from aimlapi_core.models import (
    CHAT_COMPLETIONS,
    RESPONSES,
    ModelCapabilities,
    aliases_from_models_listing,
    capabilities_from_models_listing,
    get_capabilities,
    known_model_ids,
    register_capabilities,
    register_models_listing,
    reset_registered_capabilities,
)

REPO = Path(__file__).resolve().parents[2]
# The generator's inputs, copied into the repository (CI has no ../shared).
DOCS = REPO / "tests" / "data" / "aimlapi-docs"
SHARED_DOCS = REPO.parent / "shared" / "aimlapi-docs"
GENERATOR = REPO / "scripts" / "generate_model_capabilities.py"
PACKAGED = REPO / "aimlapi_core" / "data" / "model_capabilities.json"

# The sample items of complete-model-list.md, verbatim.
SAMPLE_CHAT_ITEM: dict[str, Any] = {
    "id": "openai/gpt-4o",
    "info": {
        "releasedAt": "2025-08-07",
        "name": "GPT-4o",
        "developer": "Open AI",
        "description": "Multimodal AI model by OpenAI enhancing human-computer interaction.",
        "contextLength": 128000,
        "outputMax": 16384,
        "cutoffAt": "2023-10-01",
        "url": "https://aimlapi.com/models/gpt-4o-2024-08-06-api",
        "docsUrl": "https://docs.aimlapi.com/api-references/text-models-llm/openai/gpt-4o",
        "docsJson": "https://api.aimlapi.com/docs-json?model=openai%2Fgpt-4o&endpoint=openai%2Fchat-completions",
    },
    "type": "openai/chat-completions",
    "aliases": ["gpt-4o"],
    "tags": ["playground:chat", "tier:tier_2"],
}
SAMPLE_IMAGE_ITEM: dict[str, Any] = {
    "id": "openai/gpt-image-1",
    "info": {"releasedAt": "2025-10-13", "name": "GPT Image 1", "developer": "Open AI"},
    "type": "openai/image-generations",
    "aliases": ["gpt-image-1"],
    "tags": ["playground:image", "tier:tier_2"],
}
SAMPLE_VIDEO_ITEM: dict[str, Any] = {
    "id": "google/veo-2.0-generate-001",
    "info": {"releasedAt": "2025-11-25", "name": "Veo 2 Text-to-Video", "developer": "Google"},
    "type": "internal/video-generations/submit",
    "aliases": ["veo-2.0-generate-001"],
    "tags": ["playground:video", "tier:tier_2"],
}
SAMPLE_INCLUDE_ITEM: dict[str, Any] = {
    "id": "openai/gpt-4o",
    "modalities": {"input": ["image", "text"], "output": ["text"]},
    "capabilities": [
        "file_input",
        "parallel_tool_calls",
        "streaming",
        "structured_output",
        "tools",
        "vision",
    ],
    "pricing": {
        "kind": "fixed",
        "currency": "USD",
        "units": [{"name": "token", "measure": "output", "price": 3.25, "per": 1000000}],
    },
}


@pytest.fixture(autouse=True)
def _clean_registry() -> Iterator[None]:
    reset_registered_capabilities()
    yield
    reset_registered_capabilities()


def _caps(model_id: str) -> ModelCapabilities:
    caps = get_capabilities(model_id)
    assert caps is not None, model_id
    return caps


# --- the generated table --------------------------------------------------------------------


def test_generated_json_is_up_to_date(tmp_path: Path) -> None:
    out = tmp_path / "model_capabilities.json"
    result = subprocess.run(
        [sys.executable, str(GENERATOR), str(DOCS), "--output", str(out), "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == PACKAGED.read_bytes(), (
        "aimlapi_core/data/model_capabilities.json is stale: "
        "run `python scripts/generate_model_capabilities.py`"
    )


def test_generator_is_deterministic(tmp_path: Path) -> None:
    outs = [tmp_path / "a.json", tmp_path / "b.json"]
    for out in outs:
        subprocess.run(
            [sys.executable, str(GENERATOR), str(DOCS), "--output", str(out), "--quiet"],
            check=True,
        )
    assert outs[0].read_bytes() == outs[1].read_bytes()


def test_table_holds_every_spec_model_id() -> None:
    with gzip.open(DOCS / "text-models.json.gz", "rt", encoding="utf-8") as fh:
        specs = json.load(fh)
    spec_ids = {i for op in specs["operations"] for i in op["model_ids"]}
    assert len(specs["operations"]) == 621 and len(spec_ids) == 453
    document = json.loads(PACKAGED.read_text(encoding="utf-8"))
    assert set(document["models"]) == spec_ids
    assert spec_ids <= known_model_ids()


@pytest.mark.skipif(not SHARED_DOCS.is_dir(), reason="no ../shared/aimlapi-docs here")
@pytest.mark.parametrize(
    "name", ["text-models.json.gz", "capabilities-thinking-reasoning.md", "complete-model-list.md"]
)
def test_in_repo_inputs_are_the_shared_snapshot(name: str) -> None:
    assert (DOCS / name).read_bytes() == (SHARED_DOCS / name).read_bytes()


@pytest.mark.skipif(not SHARED_DOCS.is_dir(), reason="no ../shared/aimlapi-docs here")
def test_in_repo_model_database_is_the_shared_one() -> None:
    with gzip.open(DOCS / "model-database.md.gz") as fh:
        assert fh.read() == (SHARED_DOCS / "model-database.md").read_bytes()


def test_packaged_json_is_sorted_and_one_model_per_line() -> None:
    text = PACKAGED.read_text(encoding="utf-8")
    document = json.loads(text)
    assert list(document["models"]) == sorted(document["models"])
    lines = text.splitlines()
    assert lines[:3] == ["{", lines[1], '"models":{'] and lines[1].startswith('"_meta":')
    assert lines[-2:] == ["}", "}"]
    assert len(lines) == len(document["models"]) + 5


def test_import_does_not_parse_the_table() -> None:
    code = (
        "import aimlapi_core.models as m, sys; "
        "sys.stdout.write(str(m._packaged.cache_info().currsize))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert result.stdout == "0"


# --- lookups --------------------------------------------------------------------------------


def test_exact_lookup_o3() -> None:
    caps = _caps("openai/o3-2025-04-16")
    assert caps.model_id == "openai/o3-2025-04-16"
    assert caps.endpoints == frozenset({CHAT_COMPLETIONS, RESPONSES})
    assert caps.reasoning and caps.vision
    assert not caps.temperature and not caps.parallel_tool_calls
    assert caps.reasoning_effort and caps.max_completion_tokens and caps.max_tokens
    assert caps.tools and caps.response_format and caps.stream_options
    assert caps.roles == frozenset({"user", "developer", "system", "tool", "assistant"})
    assert {"temperature", "top_p", "stop", "parallel_tool_calls"}.isdisjoint(caps.chat_params)
    assert {"reasoning_effort", "max_completion_tokens", "tools"} <= caps.chat_params
    assert {"reasoning", "max_output_tokens", "input"} <= caps.responses_params
    assert caps.spec().accepts("temperature") is False
    assert caps.spec(RESPONSES).accepts("reasoning") is True
    assert caps.context_window == 200000  # model-database.md
    assert caps.max_output_tokens is None


def test_alias_lookup_gives_canonical_id() -> None:
    # The sample response of o3-model-page.md echoes the model without its vendor prefix.
    assert _caps("o3-2025-04-16").model_id == "openai/o3-2025-04-16"
    assert _caps("qwen3.5-omni-flash").model_id == "alibaba/qwen3.5-omni-flash"


def test_unprefixed_and_prefixed_lookups() -> None:
    # Vendor prefix added: exactly one id ends with "/kimi-k2-thinking".
    assert _caps("kimi-k2-thinking").model_id == "moonshotai/kimi-k2-thinking"
    # Vendor prefix removed: the table has "gpt-4o-mini" without one.
    assert _caps("openai/gpt-4o-mini").model_id == "gpt-4o-mini"
    # Case-insensitive, like AI/ML API's own lookup.
    assert _caps("OpenAI/O3-2025-04-16").model_id == "openai/o3-2025-04-16"
    assert _caps("  gpt-4o  ").model_id == "gpt-4o"


def test_ambiguous_unprefixed_name_gives_none() -> None:
    base = _caps("gpt-4o")
    register_capabilities(
        {
            "vendor-a/shared-name": replace(base, model_id="vendor-a/shared-name"),
            "vendor-b/shared-name": replace(base, model_id="vendor-b/shared-name"),
        }
    )
    assert get_capabilities("shared-name") is None
    assert _caps("vendor-a/shared-name").model_id == "vendor-a/shared-name"


@pytest.mark.parametrize(
    "model_id", ["no-such/model-2099", "definitely-not-a-model", "", "   ", "openai/"]
)
def test_unknown_ids_give_none(model_id: str) -> None:
    assert get_capabilities(model_id) is None


def test_non_string_id_gives_none() -> None:
    assert get_capabilities(None) is None  # type: ignore[arg-type]
    assert get_capabilities(42) is None  # type: ignore[arg-type]


def test_roles_from_the_specs() -> None:
    assert _caps("o1-mini").roles == frozenset({"user", "assistant"})
    assert not _caps("o1-mini").takes_system_role
    assert not _caps("o1-mini").takes_developer_role
    assert _caps("MiniMax-Text-01").roles == frozenset({"user", "system", "tool", "assistant"})
    # Anthropic specs do not say (INDEX.md: a schema-shape quirk): unknown, not empty.
    claude = _caps("claude-opus-4-20250514")
    assert claude.roles is None
    assert claude.takes_role("system") is None
    assert claude.takes_system_role


def test_reasoning_flags() -> None:
    for model_id in (
        "o1",
        "o1-mini",
        "o3-mini",
        "openai/o4-mini-2025-04-16",
        "openai/gpt-5-2025-08-07",
        "anthropic/claude-opus-4",  # listed in the reasoning doc
        "claude-opus-4-20250514",  # same spec file as anthropic/claude-opus-4
        "google/gemini-2.5-pro",
    ):
        assert _caps(model_id).reasoning, model_id
    for model_id in ("gpt-4o", "openai/gpt-4o", "gpt-3.5-turbo", "openai/gpt-5-chat-latest"):
        assert not _caps(model_id).reasoning, model_id


def test_vision_flags() -> None:
    for model_id in ("gpt-4o", "openai/o3-2025-04-16", "openai/gpt-5-nano-2025-08-07"):
        assert _caps(model_id).vision, model_id  # the last is misspelt in the vision doc
    assert not _caps("o1-mini").vision
    assert not _caps("gpt-3.5-turbo").vision


def test_context_window_only_where_a_doc_states_it() -> None:
    caps = _caps("openai/gpt-4o")  # the sample catalogue item
    assert (caps.context_window, caps.max_output_tokens) == (128000, 16384)
    assert _caps("gpt-4o").context_window is None  # in no table under that id
    assert _caps("openai/o3-2025-04-16").context_window == 200000


def test_responses_only_model() -> None:
    caps = _caps("openai/gpt-5-pro")
    assert caps.serves_responses_only and not caps.serves_chat
    assert caps.chat_params == frozenset() and not caps.chat_schema_known
    assert caps.spec().accepts("temperature") is None
    assert caps.tools and not caps.temperature  # read from the Responses schema
    assert "max_output_tokens" in caps.responses_params


def test_chat_only_model() -> None:
    caps = _caps("o1-mini")
    assert caps.serves_chat and not caps.serves_responses and not caps.serves_responses_only
    assert caps.responses_params == frozenset()
    assert caps.spec(RESPONSES).accepts("input") is None


# --- the live catalogue ---------------------------------------------------------------------


def test_listing_sample_items() -> None:
    payload = {
        "object": "list",
        "data": [SAMPLE_CHAT_ITEM, SAMPLE_IMAGE_ITEM, SAMPLE_VIDEO_ITEM],
    }
    parsed = capabilities_from_models_listing(payload)
    assert set(parsed) == {"openai/gpt-4o"}  # image and video models are not text models
    caps = parsed["openai/gpt-4o"]
    assert caps.context_window == 128000
    assert caps.max_output_tokens == 16384
    assert caps.serves_chat
    # A known model keeps its documented schema.
    assert caps.chat_params == _caps("openai/gpt-4o").chat_params
    assert "temperature" in caps.chat_params
    assert aliases_from_models_listing(payload) == {
        "gpt-4o": "openai/gpt-4o",
        "gpt-image-1": "openai/gpt-image-1",
        "veo-2.0-generate-001": "google/veo-2.0-generate-001",
    }


def test_listing_include_sections() -> None:
    item = {**SAMPLE_CHAT_ITEM, **SAMPLE_INCLUDE_ITEM}
    caps = capabilities_from_models_listing({"data": [item]})["openai/gpt-4o"]
    assert caps.vision and caps.tools and caps.response_format and caps.parallel_tool_calls


def test_listing_items_read_from_the_doc() -> None:
    text = (DOCS / "complete-model-list.md").read_text(encoding="utf-8")
    items = []
    for block in re.findall(r"```json\s*\n(.*?)\n```", text, flags=re.DOTALL):
        item = json.loads(block)
        if isinstance(item, dict) and "type" in item:
            items.append(item)
    assert [i["id"] for i in items] == [
        "openai/gpt-4o",
        "openai/gpt-image-1",
        "google/veo-2.0-generate-001",
    ]
    parsed = capabilities_from_models_listing({"object": "list", "data": items})
    assert list(parsed) == ["openai/gpt-4o"]
    assert parsed["openai/gpt-4o"].context_window == 128000


def test_listing_new_model() -> None:
    payload = {
        "data": [
            {
                "id": "acme/brand-new-chat",
                "type": "openai/chat-completions",
                "aliases": ["brand-new-chat-latest"],
                "tags": [],
                "info": {"name": "New", "developer": "Acme", "contextLength": 65536},
                "capabilities": ["tools", "streaming"],
                "modalities": {"input": ["text"], "output": ["text"]},
            },
            {
                "id": "openai/gpt-5-9-future",
                "type": "openai/responses",
                "aliases": [],
                "tags": [],
                "info": {"name": "Future", "developer": "Open AI"},
            },
        ]
    }
    parsed = capabilities_from_models_listing(payload)
    new = parsed["acme/brand-new-chat"]
    assert new.endpoints == frozenset({CHAT_COMPLETIONS})
    assert new.context_window == 65536 and new.max_output_tokens is None
    assert new.tools and new.stream_options and not new.vision and not new.reasoning
    assert new.roles is None and new.chat_params == frozenset()
    future = parsed["openai/gpt-5-9-future"]
    assert future.serves_responses_only and future.reasoning and not future.temperature


def test_single_model_lookup_body() -> None:
    # `GET /model/{id}` wraps one item as {"object": "model", "data": {...}}.
    parsed = capabilities_from_models_listing({"object": "model", "data": SAMPLE_CHAT_ITEM})
    assert list(parsed) == ["openai/gpt-4o"]


@pytest.mark.parametrize("payload", [{}, {"data": None}, {"data": [1, "x", {"no": "id"}]}])
def test_malformed_listing_gives_nothing(payload: dict[str, Any]) -> None:
    assert capabilities_from_models_listing(payload) == {}


def test_register_overlays_packaged() -> None:
    packaged = _caps("openai/o3-2025-04-16")
    register_capabilities(
        {"openai/o3-2025-04-16": replace(packaged, context_window=123456)},
        aliases={"acme-latest-alias": "openai/o3-2025-04-16"},
    )
    assert _caps("openai/o3-2025-04-16").context_window == 123456
    assert _caps("acme-latest-alias").context_window == 123456
    reset_registered_capabilities()
    assert _caps("openai/o3-2025-04-16").context_window == 200000
    assert get_capabilities("acme-latest-alias") is None


def test_register_models_listing() -> None:
    payload = {
        "data": [
            {
                "id": "acme/brand-new-chat",
                "type": "openai/chat-completions",
                "aliases": ["brand-new-chat-latest"],
                "info": {"name": "New", "developer": "Acme", "contextLength": 65536},
            },
            SAMPLE_IMAGE_ITEM,
        ]
    }
    assert register_models_listing(payload) == 1
    assert _caps("brand-new-chat-latest").model_id == "acme/brand-new-chat"
    assert _caps("brand-new-chat").model_id == "acme/brand-new-chat"
    assert get_capabilities("gpt-image-1") is None
    assert "acme/brand-new-chat" in known_model_ids()


def test_register_rejects_wrong_types() -> None:
    with pytest.raises(TypeError, match="ModelCapabilities"):
        register_capabilities({"x": {"temperature": True}})  # type: ignore[dict-item]
