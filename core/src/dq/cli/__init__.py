"""The ``dq`` command: global options, exit codes, and dispatch to command groups.

Each command group lives in its own module (``_plugins.py`` ...) exposing
``register(subparsers)``; this module only wires them up and turns errors into
messages and exit codes. argparse (not a CLI framework) keeps start-up cheap.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dq._version import HOOK_API_VERSION, __version__
from dq.model._errors import EXIT_FINDINGS, EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, DqError

EXIT_CODES_HELP = f"""\
exit codes:
  {EXIT_OK}  success
  {EXIT_FINDINGS}  findings: failed rules, or plugin problems under --strict
  {EXIT_USAGE}  usage or configuration error (fix the command line or the file named)
  {EXIT_RUNTIME}  runtime error (a plugin, a service or the data failed while running)

environment:
  DQ_CONFIG          config file (default: ./dq.toml when present)
  DQ_STRICT          1/true: treat every plugin problem as a failure (like --strict)
  DQ_PLUGINS_DENY    comma-separated plugin names never to load
  DQ_PLUGINS_ALLOW   comma-separated plugin names; when set, nothing else loads
  DQ_PLUGINS_PREFER  component=distribution pairs that settle name collisions
"""


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on usage errors already; keep its message but add a hint."""

    def error(self, message: str) -> None:  # type: ignore[override]
        message = _with_close_match(message)
        self.print_usage(sys.stderr)
        self.exit(
            EXIT_USAGE, f"{self.prog}: error: {message}\nRun '{self.prog} --help' for help.\n"
        )


def _with_close_match(message: str) -> str:
    """argparse's ``invalid choice: 'htm' (choose from ...)`` with ``did you mean 'html'?``."""
    import re

    found = re.search(r"invalid choice: '(.*?)' \(choose from (.*)\)", message)
    if found is None or "did you mean" in message:
        return message
    import difflib

    choices = re.findall(r"'([^']*)'", found[2]) or [c.strip() for c in found[2].split(",")]
    guess = difflib.get_close_matches(found[1].lower(), choices, n=1, cutoff=0.6)
    return f"{message} — did you mean {guess[0]!r}?" if guess else message


#: Each command and the module of its group, in the order ``dq --help`` lists them.
COMMAND_MODULES: dict[str, str] = {
    "check": "_check",
    "run": "_run",
    "profile": "_profile",
    "learn": "_profile",
    "plugins": "_plugins",
    "secrets": "_secrets",
    "notify": "_notify",
    "runs": "_runs",
}


def command_of(argv: Sequence[str]) -> str | None:
    """The command word in *argv*: the first token that is not a global option or its value."""
    tokens = iter(argv)
    for token in tokens:
        if token == "--config":
            next(tokens, None)
        elif not token.startswith("-"):
            return token
    return None


def build_parser(command: str | None = None, argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The whole parser, or (given a known *command*) one holding only that command's group.

    ``dq plugins list`` must stay close to a bare entry-point scan, so a run builds and
    imports just the group it needs; help, errors and unknown commands get everything, plus
    the command groups plugins add (``dq.commands``; see ``_extensions.py``).
    """
    from importlib import import_module

    parser = _Parser(
        prog="dq",
        description="dq: data-quality checks with pluggable engines, notifiers, secret "
        "backends, tenant resolvers and orchestrator bindings.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"dq {__version__} (hook API {HOOK_API_VERSION})",
    )
    parser.add_argument(
        "--config", metavar="PATH", help="config file (default: $DQ_CONFIG or ./dq.toml)"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        default=None,
        help="treat every plugin problem as a failure (exit 1); also DQ_STRICT=1",
    )
    groups = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    if command in COMMAND_MODULES:
        modules = [COMMAND_MODULES[command]]
    else:
        modules = list(dict.fromkeys(COMMAND_MODULES.values()))
    for module in modules:
        import_module(f"dq.cli.{module}").register(groups)
    if command not in COMMAND_MODULES:  # a plugin's command, or help: add what plugins offer
        from dq.cli._extensions import add_plugin_commands

        add_plugin_commands(groups, argv, only=command, builtin=list(COMMAND_MODULES))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(command_of(arguments), arguments)
    args = parser.parse_args(arguments)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(handler(args))
    except DqError as exc:
        print(_error_text(exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("dq: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `dq plugins list | head`
        return EXIT_OK
    except Exception:  # a bug in dq itself: say so, keep the traceback, exit as a runtime error
        import traceback

        traceback.print_exc()
        print(
            "dq: internal error: this is a bug in dq-core; please report it with the "
            "traceback above",
            file=sys.stderr,
        )
        return EXIT_RUNTIME


def _error_text(exc: DqError) -> str:
    """``dq: error: ...``; a config error gets its file's lines and one such line per fault."""
    from dq.model._errors import ConfigError

    if isinstance(exc, ConfigError):
        from dq.config._locate import located

        return "\n".join(f"dq: error: {line}" for line in located(exc).messages())
    return f"dq: error: {exc}"


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
