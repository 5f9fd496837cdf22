"""The dq entry function builds only the command group a run needs."""

from __future__ import annotations

import subprocess
import sys

import pytest
from dq.cli import COMMAND_MODULES, build_parser, command_of


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["plugins", "list"], "plugins"),
        (["--strict", "check", "x.csv"], "check"),
        (["--config", "plugins", "notify", "outbox"], "notify"),
        (["--config=dq.toml", "run", "s.toml"], "run"),
        (["--version"], None),
        ([], None),
    ],
)
def test_the_command_word_is_found_after_global_options(argv, command) -> None:
    assert command_of(argv) == command


def test_the_full_parser_knows_every_command() -> None:
    parser = build_parser()
    groups = next(a for a in parser._actions if a.dest == "command")
    assert list(groups.choices) == list(COMMAND_MODULES)


def test_listing_plugins_imports_no_other_command_group() -> None:
    code = (
        "import sys; from dq.cli import main; main(['plugins', 'list', '--json']); "
        "print(sorted(m for m in sys.modules if m.startswith('dq.cli.')), file=sys.stderr)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    loaded = run.stderr.strip().splitlines()[-1]
    for module in ("_check", "_profile", "_secrets", "_notify"):
        assert f"dq.cli.{module}" not in loaded


def test_an_unknown_command_is_a_usage_error_listing_all_commands(capsys) -> None:
    from dq.cli import main

    with pytest.raises(SystemExit) as info:
        main(["chekc"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'chekc'" in err and "notify" in err


@pytest.mark.parametrize(
    ("kind", "line"),
    [
        (
            "notifier",
            "No dq notifier plugins installed. Install one (for example: pip install dq-slack).",
        ),
        ("audit", "No dq audit plugins installed. Install one."),
        (None, "No dq plugins installed. Install one (for example: pip install dq-polars)."),
    ],
)
def test_an_empty_listing_suggests_a_plugin_of_that_kind(kind, line, monkeypatch, capsys) -> None:
    import dq.plugins._discovery
    from dq.cli import main

    monkeypatch.setattr(dq.plugins._discovery.metadata, "distributions", lambda: [])
    assert main(["plugins", "list", *(["--kind", kind] if kind else [])]) == 0
    assert capsys.readouterr().out.strip() == line
