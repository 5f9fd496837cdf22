"""Command groups from plugins (``dq.commands``): ``dq NAME ...`` runs a plugin's commands."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import write_dist_info
from dq.cli import main

MARKER = """\
import os as _os
if _os.environ.get("DQ_TEST_IMPORT_MARKER"):
    with open(_os.environ["DQ_TEST_IMPORT_MARKER"], "a") as _f:
        _f.write(__name__ + "\\n")
"""

HELLO = """
import dq

def register(groups):
    parser = groups.add_parser("hello", help="say hello (a plugin's command group)")
    sub = parser.add_subparsers(dest="hello_command", required=True)
    greet = sub.add_parser("greet")
    greet.add_argument("name")
    greet.set_defaults(handler=greet_handler)

def greet_handler(args):
    if args.name == "nobody":
        raise dq.UsageError("greet: say who to greet")
    print(f"hello {args.name}")
    return 0
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DQ_TEST_IMPORT_MARKER", str(tmp_path / "imports.txt"))
    for var in ("DQ_CONFIG", "DQ_STRICT", "DQ_PLUGINS_DENY", "DQ_PLUGINS_ALLOW"):
        monkeypatch.delenv(var, raising=False)
    return folder


def install(site: Path, monkeypatch: pytest.MonkeyPatch, name: str, module: str, source: str):
    (site / f"{module}.py").write_text(MARKER + textwrap.dedent(source))
    monkeypatch.delitem(sys.modules, module, raising=False)
    write_dist_info(
        site,
        f"dq-{name}-cmd",
        "1.0.0",
        {"dq.commands": {name: f"{module}:register"}, "dq.hook_api": {"^1.0": module}},
    )


def imported(site: Path) -> list[str]:
    path = site.parent / "imports.txt"
    return path.read_text().split() if path.exists() else []


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse's own exits (help, usage errors)
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_a_plugin_command_runs_under_dq(site, monkeypatch, capsys) -> None:
    install(site, monkeypatch, "hello", "dq_hello_cmd", HELLO)
    assert run(capsys, "hello", "greet", "ada") == (0, "hello ada\n", "")


def test_a_plugin_commands_usage_error_is_one_line_with_exit_2(site, monkeypatch, capsys) -> None:
    install(site, monkeypatch, "hello", "dq_hello_cmd", HELLO)
    code, out, err = run(capsys, "hello", "greet", "nobody")
    assert (code, out) == (2, "")
    assert err == "dq: error: greet: say who to greet\n"


def test_listing_shows_command_plugins_without_importing_them(site, monkeypatch, capsys) -> None:
    install(site, monkeypatch, "hello", "dq_hello_cmd", HELLO)
    code, out, _ = run(capsys, "plugins", "list", "--kind", "command", "--json")
    assert code == 0
    (plugin,) = json.loads(out)["plugins"]
    assert (plugin["name"], plugin["kind"], plugin["status"]) == ("hello", "command", "ok")
    assert imported(site) == []


def test_another_command_does_not_import_command_plugins(site, monkeypatch, capsys) -> None:
    install(site, monkeypatch, "hello", "dq_hello_cmd", HELLO)
    assert run(capsys, "plugins", "list")[0] == 0
    assert imported(site) == []


def test_help_lists_plugin_commands(site, monkeypatch, capsys) -> None:
    install(site, monkeypatch, "hello", "dq_hello_cmd", HELLO)
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "say hello (a plugin's command group)" in out


def test_a_denied_command_plugin_is_not_offered(site, monkeypatch, capsys) -> None:
    install(site, monkeypatch, "hello", "dq_hello_cmd", HELLO)
    monkeypatch.setenv("DQ_PLUGINS_DENY", "hello")
    code, _, err = run(capsys, "hello", "greet", "ada")
    assert code == 2 and "invalid choice: 'hello'" in err
    assert imported(site) == []


def test_a_plugin_that_fails_to_import_is_named_and_dq_keeps_working(
    site, monkeypatch, capsys
) -> None:
    install(site, monkeypatch, "boom", "dq_boom_cmd", "raise RuntimeError('kaput')\n")
    code, out, err = run(capsys, "--help")
    assert code == 0 and "usage: dq" in out
    assert "command 'boom' from dq-boom-cmd 1.0.0 failed to import" in err
    assert "Traceback" not in err


def test_a_plugin_whose_register_raises_is_named(site, monkeypatch, capsys) -> None:
    source = "def register(groups):\n    raise KeyError('x')\n"
    install(site, monkeypatch, "bad", "dq_bad_cmd", source)
    code, _, err = run(capsys, "bad")
    assert code == 2
    assert "command plugin 'bad' from dq-bad-cmd 1.0.0 failed to register: KeyError" in err


def test_a_plugin_cannot_shadow_a_builtin_command(site, monkeypatch, capsys) -> None:
    install(site, monkeypatch, "secrets", "dq_secrets_cmd", HELLO)
    code, _, err = run(capsys, "--help")
    assert code == 0
    assert "command plugin 'secrets' from dq-secrets-cmd is hidden by dq's own" in err
    assert imported(site) == []
