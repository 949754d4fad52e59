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
