"""LlamaIndex's import paths: ``llama_index.llms.aimlapi`` and ``llama_index.embeddings.aimlapi``.

They are portions of LlamaIndex's namespace packages (as ``llama_index.llms.openai`` is), so
they must never shadow ``llama_index.core``; a wheel built from ``pyproject.toml`` carries them
(and no ``llama_index/__init__.py``), and installed from that wheel they import next to the
real ``llama_index``. ``class_name()`` is the class's own name for all three classes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import tomllib

import llama_index_aimlapi

ROOT = Path(__file__).resolve().parents[2]
PORTIONS = {"llama_index.llms.aimlapi": ["AIMLAPI", "AIMLAPIResponses"]}
PORTIONS["llama_index.embeddings.aimlapi"] = ["AIMLAPIEmbedding"]


def test_the_llama_index_paths_export_the_same_classes() -> None:
    import llama_index.core
    import llama_index.llms.openai  # LlamaIndex's own integration still resolves

    import llama_index.embeddings.aimlapi as embeddings
    import llama_index.llms.aimlapi as llms

    assert llama_index.core.__file__ is not None
    for module in (llms, embeddings):
        assert sorted(module.__all__) == sorted(PORTIONS[module.__name__])
        for name in module.__all__:
            assert getattr(module, name) is getattr(llama_index_aimlapi, name), name
            assert name in dir(module)
    with pytest.raises(AttributeError, match="AIMLAPIx"):
        llms.AIMLAPIx  # noqa: B018


def test_namespace_folders_have_no_init() -> None:
    """An ``__init__.py`` in ``llama_index/`` or ``llama_index/llms/`` would hide LlamaIndex."""
    for folder in ("llama_index", "llama_index/llms", "llama_index/embeddings"):
        assert (ROOT / folder).is_dir()
        assert not (ROOT / folder / "__init__.py").exists(), folder
    for portion in PORTIONS:
        package = ROOT / portion.replace(".", "/")
        assert (package / "__init__.py").is_file() and (package / "py.typed").is_file()


def test_pyproject_finds_the_portions_and_not_the_namespaces() -> None:
    from setuptools import find_namespace_packages

    find = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = set(find_namespace_packages(str(ROOT), include=find["packages"]["find"]["include"]))
    assert set(PORTIONS) <= found
    assert {"llama_index", "llama_index.llms", "llama_index.embeddings"}.isdisjoint(found)
    assert {"llama_index_aimlapi", "aimlapi_core", "langchain_aimlapi"} <= found
    for portion in PORTIONS:
        assert find["package-data"][portion] == ["py.typed"]


def test_a_built_wheel_ships_and_imports_them(tmp_path: Path) -> None:
    """Build the wheel offline (no build isolation) from a copy of the sources, unpack it and
    import both paths from it with the environment's LlamaIndex, not from this checkout."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("aimlapi_core", "langchain_aimlapi", "llama_index_aimlapi", "llama_index"):
        shutil.copytree(ROOT / name, src / name, ignore=skip)
    out = tmp_path / "wheel"
    build = [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps"]
    build += ["--no-build-isolation", "--no-index", "-q", "-w", str(out)]
    done = subprocess.run(build, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = out.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for portion in PORTIONS:
        folder = portion.replace(".", "/")
        assert {f"{folder}/__init__.py", f"{folder}/py.typed"} <= names
    for namespace in ("llama_index", "llama_index/llms", "llama_index/embeddings"):
        assert f"{namespace}/__init__.py" not in names
    installed = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(installed)
    # -S: no site-packages .pth files, so the checkout's editable install stays out; the
    # environment's site-packages (LlamaIndex itself) comes after the unpacked wheel.
    code = (
        "import json, llama_index, llama_index.core, llama_index_aimlapi;"
        "from llama_index.llms.aimlapi import AIMLAPI, AIMLAPIResponses;"
        "from llama_index.embeddings.aimlapi import AIMLAPIEmbedding;"
        "print(json.dumps([llama_index_aimlapi.__file__, list(llama_index.__path__),"
        " AIMLAPIResponses.class_name(), AIMLAPIEmbedding.class_name()]))"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = os.pathsep.join([str(installed), sysconfig.get_paths()["purelib"]])
    run = subprocess.run(
        [sys.executable, "-S", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    origin, paths, responses_name, embedding_name = json.loads(run.stdout)
    assert origin.startswith(str(installed))
    assert str(installed / "llama_index") in paths and len(paths) >= 2
    assert (responses_name, embedding_name) == ("AIMLAPIResponses", "AIMLAPIEmbedding")


def test_class_names_are_the_class_names() -> None:
    from llama_index_aimlapi import AIMLAPI, AIMLAPIEmbedding, AIMLAPIResponses

    for cls in (AIMLAPI, AIMLAPIResponses, AIMLAPIEmbedding):
        assert cls.class_name() == cls.__name__
        assert cls(api_key="sk-x").to_dict()["class_name"] == cls.__name__


@pytest.mark.parametrize("old_name", ["AIMLAPI_llm", "AIMLAPI"])
def test_serialised_llms_load_back(old_name: str) -> None:
    """``to_dict`` → ``from_dict`` keeps the settings; a dict saved under the former
    ``class_name`` (``AIMLAPI_llm``) still loads."""
    from llama_index_aimlapi import AIMLAPI, AIMLAPIEmbedding, AIMLAPIResponses

    llm = AIMLAPI(model="openai/gpt-4o", api_key="sk-x", max_tokens=7, temperature=0.2)
    saved = {**llm.to_dict(), "class_name": old_name}
    again = AIMLAPI.from_dict(saved)
    assert again.to_dict() == llm.to_dict()
    responses = AIMLAPIResponses(model="openai/o3", instructions="Be brief.", api_key="sk-x")
    assert AIMLAPIResponses.from_dict(responses.to_dict()).to_dict() == responses.to_dict()
    emb = AIMLAPIEmbedding(dimensions=64, api_key="sk-x")
    assert AIMLAPIEmbedding.from_json(emb.to_json()).to_dict() == emb.to_dict()
