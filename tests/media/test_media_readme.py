"""README's "Images, video and speech" table (issue #19) says what each framework gets; every
name in it is real, every media class the packages export is in it, and the tool names it
shows are the ones an agent sees."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import aimlapi_core.media
import langchain_aimlapi
import llama_index_aimlapi

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = ("aimlapi_core.media", "langchain_aimlapi", "llama_index_aimlapi")


def _rows() -> list[list[str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Images, video and speech", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("| ")]
    assert lines[0].startswith("| job (endpoint) | `aimlapi_core.media` | LangChain | LlamaIndex |")
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def _resolve(package: str, dotted: str) -> object:
    obj: object = importlib.import_module(package)
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def test_the_table_has_a_row_per_job_with_its_endpoint() -> None:
    rows = _rows()
    assert [r[0].split(" ", 1)[0] for r in rows] == ["images", "video", "speech", "transcription"]
    for path in ("/v1/images/generations", "/v2/video/generations", "/v1/tts", "/v1/stt/create"):
        assert any(path in r[0] for r in rows), path


@pytest.mark.parametrize("column", range(3), ids=COLUMNS)
def test_every_name_in_the_table_exists(column: int) -> None:
    for row in _rows():
        cell = re.sub(r"\(`\w+`\)", "", row[column + 1])  # "(`generate_image`)": a tool name
        names = re.findall(r"`([A-Za-z_][\w.]*)`(?!s\b)", cell)  # not "`Document`s"
        assert names, row
        for name in names:
            _resolve(COLUMNS[column], name)


def test_every_exported_media_class_is_in_the_table() -> None:
    table = " ".join(" ".join(r) for r in _rows())
    media = {
        name
        for package in (langchain_aimlapi, llama_index_aimlapi)
        for name in package.__all__
        if re.search(r"Image|Video|Speech|Audio|Media", name) and name != "MediaAnswer"
    }
    assert len(media) >= 8
    missing = {name for name in media if f"`{name}" not in table}
    assert not missing
    for name in aimlapi_core.media.__all__:
        if name.startswith(("generate_", "agenerate_", "text_to_speech", "atext_to", "transcribe")):
            assert f"`{name}`" in table, name


def test_the_tool_names_shown_are_what_an_agent_sees() -> None:
    shown: dict[str, str] = {}
    for row in _rows():
        for cls, tool in re.findall(r"`(\w+Tool)` \(`(\w+)`\)", row[2]):
            shown[cls] = tool
    assert len(shown) == 4
    for cls, tool in shown.items():
        assert getattr(langchain_aimlapi, cls).model_fields["name"].default == tool
    spec_functions = {
        f if isinstance(f, str) else f[0]
        for f in llama_index_aimlapi.AIMLAPIMediaToolSpec.spec_functions
    }
    llama_shown = {m for r in _rows() for m in re.findall(r"AIMLAPIMediaToolSpec\.(\w+)", r[3])}
    assert llama_shown == set(shown.values()) <= spec_functions
