"""``tests/README.md`` maps every module of the three packages to its test files, and stays true.

A module added without a row, a row for a module that is gone, or a test file that does not
exist fails here, so the map is updated with the code it describes.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAP = ROOT / "tests" / "README.md"
PACKAGES = ("aimlapi_core", "langchain_aimlapi", "llama_index_aimlapi", "llama_index")
# One table row: | `module/path.py` | `tests/...py` (note), `tests/...py` |
ROW = re.compile(r"^\| `(?P<module>[\w/]+\.py)` \| (?P<tests>.+) \|$")
TEST_FILE = re.compile(r"`(tests/[\w/]+\.py)`")


def _rows() -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in MAP.read_text(encoding="utf-8").splitlines():
        found = ROW.match(line)
        if found:
            assert found["module"] not in rows, f"two rows for {found['module']}"
            rows[found["module"]] = TEST_FILE.findall(found["tests"])
    return rows


def _modules() -> set[str]:
    return {
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "__pycache__" not in path.parts
    }


def test_every_module_has_a_row() -> None:
    missing = sorted(_modules() - set(_rows()))
    assert not missing, f"add a row to tests/README.md for: {missing}"


def test_every_row_names_a_module_that_exists() -> None:
    stale = sorted(set(_rows()) - _modules())
    assert not stale, f"tests/README.md has rows for modules that are gone: {stale}"


def test_every_row_names_test_files_that_exist() -> None:
    rows = _rows()
    assert len(rows) > 50  # the table was read, not skipped by a format change
    for module, files in rows.items():
        assert files, f"the row of {module} names no test file"
        for name in files:
            path = ROOT / name
            assert path.is_file(), f"the row of {module} names {name}, which does not exist"
            assert path.name.startswith("test_"), f"{name} (row of {module}) is not a test file"
