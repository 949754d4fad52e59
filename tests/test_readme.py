"""CI runs exactly README's two commands, then README's lint and type checks."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bash_lines(section: str) -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    return [
        line for block in blocks for line in block.splitlines() if line and not line.startswith("#")
    ]


def _readme_commands() -> list[str]:
    readme = ROOT.joinpath("README.md").read_text()
    return _bash_lines(readme.split("## Two commands", 1)[1].split("\n## ", 1)[0])


def _readme_checks() -> list[str]:
    readme = ROOT.joinpath("README.md").read_text()
    return _bash_lines(readme.split("Lint and types", 1)[1].split("\n## ", 1)[0])


def test_ci_runs_exactly_the_readme_commands_then_its_checks() -> None:
    commands = _readme_commands()
    assert len(commands) == 2, commands
    checks = _readme_checks()
    assert any("mypy" in line for line in checks) and any("ruff" in line for line in checks)
    ci = [
        line
        for line in ROOT.joinpath(".ci", "run").read_text().splitlines()
        if line and not line.startswith(("#", "set ", "cd "))
    ]
    assert ci == commands + checks


def test_readme_says_when_a_retry_can_duplicate_a_request() -> None:
    """Issue #15 item 10: the README names the statuses that are retried (the core's own list)
    and the cases that can and cannot send a request twice."""
    from aimlapi_core.retry import should_retry_status

    readme = ROOT.joinpath("README.md").read_text()
    section = readme.split("**When a retry can send a request twice.**", 1)[1].split("\n\n", 1)[0]
    section = " ".join(section.split())
    named = {int(s) for s in re.findall(r"\b([45]\d\d)\b", section.split(" or 5xx")[0])}
    retried = {s for s in range(400, 500) if should_retry_status(s)}
    assert named == retried, (named, retried)
    assert all(should_retry_status(s) for s in range(500, 600))
    for case in ("before any reply", "headers", "2xx status had arrived is never retried"):
        assert case in section, case
