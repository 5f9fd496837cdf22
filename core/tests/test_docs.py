"""The documentation covers every hook and every command, and names nothing else.

The docs live in the repository, not in the wheel; tox installs dq-core as a wheel but runs
these tests from the checkout, so the folder is normally there.
"""

from __future__ import annotations

import argparse
import inspect
import re
from pathlib import Path

import pytest
from dq import hookspecs
from dq.cli import build_parser

DOCS = Path(__file__).resolve().parents[2] / "docs"

pytestmark = pytest.mark.skipif(
    not DOCS.is_dir(), reason=f"docs folder not found at {DOCS} (tests run outside the checkout)"
)

_HEADING = re.compile(r"^##\s+(.*?)\s*$")
_HOOK_HEADING = re.compile(r"^`(\w+)`$")
_DQ_NAME = re.compile(r"\bdq_\w+")


def _hook_names() -> set[str]:
    return {
        name
        for name, _ in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("dq_")
    }


def _level2_headings(path: Path) -> list[str]:
    headings, fenced = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and (match := _HEADING.match(line)):
            headings.append(match.group(1))
    return headings


def _hook_headings() -> list[tuple[str, Path]]:
    """Every level-2 heading under docs/hooks/ that names a dq_* hook, with its file."""
    found = []
    for path in sorted((DOCS / "hooks").glob("*.md")):
        for heading in _level2_headings(path):
            if _DQ_NAME.search(heading):
                found.append((heading, path))
    return found


def test_hookspecs_are_found() -> None:
    # Guards the two tests below against passing vacuously.
    assert {"dq_engine", "dq_component_config"} <= _hook_names()


def test_every_hook_has_its_own_heading() -> None:
    documented = {
        m.group(1) for heading, _ in _hook_headings() if (m := _HOOK_HEADING.match(heading))
    }
    missing = sorted(_hook_names() - documented)
    assert not missing, f"hooks without a '## `NAME`' heading in docs/hooks/: {missing}"


def test_hook_headings_name_real_hooks_once() -> None:
    hooks = _hook_names()
    seen: dict[str, Path] = {}
    for heading, path in _hook_headings():
        match = _HOOK_HEADING.match(heading)
        where = path.relative_to(DOCS)
        assert match, f"{where}: heading {heading!r} must be exactly the hook name in backticks"
        name = match.group(1)
        assert name in hooks, (
            f"{where}: heading names {name!r}, which is not a hook in dq.hookspecs"
        )
        assert name not in seen, (
            f"{name} is documented twice: {seen[name].relative_to(DOCS)}, {where}"
        )
        seen[name] = path


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _leaf_commands(
    parser: argparse.ArgumentParser, prefix: str = "dq"
) -> dict[str, argparse.ArgumentParser]:
    """Every runnable command (``dq check``, ``dq plugins list`` ...), walking the groups."""
    leaves: dict[str, argparse.ArgumentParser] = {}
    for name, sub in _subcommands(parser).items():
        children = _leaf_commands(sub, f"{prefix} {name}")
        leaves.update(children or {f"{prefix} {name}": sub})
    return leaves


def test_every_command_is_in_the_cli_reference_with_all_its_options() -> None:
    commands = _leaf_commands(build_parser())
    assert {"dq check", "dq run", "dq plugins list"} <= set(commands)  # not vacuous
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    headings = _level2_headings(DOCS / "cli.md")
    for command, sub in commands.items():
        assert f"`{command}`" in headings, f"docs/cli.md has no '## `{command}`' section"
        section = text.split(f"## `{command}`", 1)[1].split("\n## ", 1)[0]
        options = [
            option
            for action in sub._actions
            for option in action.option_strings
            if option.startswith("--") and option != "--help"
        ]
        for option in options:
            assert option in section, f"docs/cli.md: '{command}' section does not mention {option}"
