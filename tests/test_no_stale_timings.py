"""No measured timings in the code's comments and docstrings: they go stale with the next change
or the next machine. Figures belong in ``benchmarks/RESULTS.md`` (generated) and the dated
table of ``benchmarks/README.md``; a default or a limit in seconds (``600 s``, ``0.5 s``) is
behaviour, not a measurement, and is allowed.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("aimlapi_core", "langchain_aimlapi", "llama_index_aimlapi", "llama_index")
# A figure in (sub)milliseconds, or an approximate one ("~3 ms", "~2%").
MEASURED = re.compile(r"\d[\d,.]*\s?(?:ms|µs|us|ns)\b|~\s?\d")


def _prose(source: str) -> list[tuple[int, str]]:
    """Comments and docstrings of ``source``, with their line numbers."""
    found = [
        (token.start[0], token.string)
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    ]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=False)
            if doc is not None:
                found.append((node.body[0].lineno, doc))
    return found


def _files() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def test_the_pattern_catches_what_it_is_for() -> None:
    source = '"""A stream costs ~3 ms, a call 1.5 ms."""\nx = 1  # about 40 µs a call\n'
    found = [[m.group() for m in MEASURED.finditer(text)] for _, text in _prose(source)]
    assert found == [["40 µs"], ["~3", "1.5 ms"]]
    assert not MEASURED.search("600 s by default; backoff 0.5 s, capped at 8 s")


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_measured_timings_in_comments_or_docstrings(path: Path) -> None:
    hits = [
        f"{path.relative_to(ROOT)}:{line}: {match.group()!r}"
        for line, text in _prose(path.read_text(encoding="utf-8"))
        for match in MEASURED.finditer(text)
    ]
    assert not hits, "move measured figures to benchmarks/ (see tests/README.md): " + "; ".join(
        hits
    )
