"""The wire corpus kept in ``tests/data/wire-corpus`` is whole, and the same as its source.

The copy is what makes the corpus tests run on a fresh clone; these checks keep it honest:
every file decompresses to the exchange counts its README states, and where
``../shared/wire-corpus`` is beside the repository, each file is byte for byte the source.
"""

from __future__ import annotations

import gzip
import re

import pytest

from tests.support.corpus import (
    CORPUS_DIR,
    ENDPOINT_FILES,
    SHARED_CORPUS_DIR,
    corpus_available,
    corpus_path,
    exchanges,
)

# The copy stays small enough to live in git (gzip -9 of 6.6 MB of JSON lines).
MAX_COMPRESSED_BYTES = 4_000_000


def test_copy_is_in_the_repository() -> None:
    assert corpus_available(), f"missing corpus files in {CORPUS_DIR}"
    total = sum(corpus_path(endpoint).stat().st_size for endpoint in ENDPOINT_FILES)
    assert 0 < total <= MAX_COMPRESSED_BYTES


@pytest.mark.parametrize("endpoint", list(ENDPOINT_FILES))
def test_copy_holds_the_exchanges_its_readme_counts(endpoint: str) -> None:
    readme = (CORPUS_DIR / "README.md").read_text()
    row = re.search(rf"\| `{re.escape(ENDPOINT_FILES[endpoint])}` \| (\d+) \|", readme)
    assert row, f"{ENDPOINT_FILES[endpoint]} is not in the corpus README's table"
    found = exchanges(endpoint)
    assert len(found) == int(row.group(1))
    assert {x["endpoint"] for x in found} == {endpoint}
    assert len({x["id"] for x in found}) == len(found)  # ids are unique


@pytest.mark.parametrize("endpoint", list(ENDPOINT_FILES))
def test_copy_matches_the_shared_corpus_when_present(endpoint: str) -> None:
    source = SHARED_CORPUS_DIR / ENDPOINT_FILES[endpoint]
    if not source.is_file():
        pytest.skip(f"{SHARED_CORPUS_DIR} is not beside the repository (nothing to compare)")
    with gzip.open(corpus_path(endpoint), "rb") as f:
        assert f.read() == source.read_bytes(), f"refresh {corpus_path(endpoint)} (gzip -9 -n)"
