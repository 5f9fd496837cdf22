"""``dq plugins``: list, inspect and check installed plugins."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from dq._version import HOOK_API_VERSION
from dq.cli._context import CommandContext
from dq.cli._groups import group_usage
from dq.model._errors import EXIT_FINDINGS, EXIT_OK, UsageError
from dq.output._tables import render_table
from dq.plugins._names import KIND_GROUPS, parse_kind

#: A distribution of this repository to suggest when a kind has nothing installed.
EXAMPLE_DISTRIBUTIONS = {
    "engine": "dq-polars",
    "notifier": "dq-slack",
    "secrets": "dq-vault",
    "tenant": "dq-tenancy",
    "orchestrator": "dq-airflow",
}

#: The kinds plugin-template/copier.yml renders (audit sinks have no template).
TEMPLATE_KINDS = ("engine", "notifier", "secrets", "tenant", "orchestrator")

#: What verify needs set for each kind's template component, placeholders filled by the contract.
VERIFY_SETS = {"notifier": " --set url={http_sink.url}", "secrets": " --set root={tmp_path}"}

LIST_HELP = """\
Lists every dq component installed, read from package metadata only: no plugin
is imported (add --check to import and validate each one).

status:
  ok            usable
  disabled      switched off by the allow/deny lists, or shadowed by another
                distribution offering the same name (the reason says which)
  incompatible  its declared hook-API range excludes this dq-core, or it declares none
  broken        its metadata is malformed, or (with --check) importing or
                validating it failed

Problems never stop the command; with --strict they make it exit 1.
"""


def register(groups: Any) -> None:
    plugins = groups.add_parser(
        "plugins",
        help="list, inspect and check installed plugins",
        description="List, inspect and check installed plugins.",
    )
    commands = plugins.add_subparsers(dest="plugins_command", metavar="COMMAND")
    plugins.set_defaults(handler=lambda _args: group_usage(plugins))

    listing = commands.add_parser(
        "list",
        help="list installed plugins (metadata only)",
        description=LIST_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    listing.add_argument("--kind", type=_kind, help=f"only this kind: {', '.join(KIND_GROUPS)}")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.add_argument(
        "--check", action="store_true", help="also import and validate each plugin"
    )
    listing.set_defaults(handler=cmd_list)

    info = commands.add_parser(
        "info",
        help="show one plugin; --check imports and validates it",
        description="Show what a plugin provides. NAME is a component name, "
        "KIND:NAME, or a distribution name.",
    )
    info.add_argument("name", metavar="NAME")
    info.add_argument(
        "--check",
        action="store_true",
        help="import it, validate its hooks and config, report import time",
    )
    info.add_argument("--json", action="store_true", help="print JSON instead of text")
    info.set_defaults(handler=cmd_info)

    from dq.cli import _verify

    _verify.register(commands)

    new = commands.add_parser(
        "new",
        help="render a new plugin distribution from dq's plugin template",
        description="Render dq's plugin template (copier) into a new distribution providing "
        "a KIND component called NAME, with the template's defaults for every other answer, "
        "and print the next three commands: install it, run its tests, verify it. Needs "
        "copier (pip install copier).",
    )
    new.add_argument(
        "kind", metavar="KIND", choices=TEMPLATE_KINDS, help=f"one of {', '.join(TEMPLATE_KINDS)}"
    )
    new.add_argument(
        "name",
        metavar="NAME",
        help="the component name users type (lowercase letter first; letters, digits, _ and -)",
    )
    new.add_argument(
        "--dest",
        metavar="DIR",
        help="where to render it (default: ./dq-NAME); must not exist or be empty",
    )
    new.add_argument(
        "--template",
        metavar="PATH",
        help="the template to render (default: plugin-template/ of the dq "
        "checkout dq-core runs from, or of the current directory or a parent)",
    )
    new.set_defaults(handler=cmd_new)


def _kind(text: str) -> str:
    try:
        return parse_kind(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _exit_code(strict: bool, findings: list[str]) -> int:
    return EXIT_FINDINGS if strict and findings else EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    ctx = CommandContext(args)
    inventory = ctx.inventory
    records = [r for r in inventory.records if args.kind in (None, r.kind)]
    reports: dict[int, Any] = {}
    if args.check:
        from dq.plugins._host import Host
        from dq.plugins._inspection import check_component

        host = Host(inventory)
        for record in records:
            report = check_component(host, record)
            reports[id(record)] = report
            if report.status != record.status:
                record.mark(report.status, report.reason)

    findings = inventory.findings
    if args.json:
        payload = {
            "hook_api": HOOK_API_VERSION,
            "strict": ctx.strict,
            "plugins": [
                {**r.to_dict(), **({"check": reports[id(r)].to_dict()} if id(r) in reports else {})}
                for r in records
            ],
            "problems": inventory.problems,
            "findings": findings,
        }
        print(json.dumps(payload, indent=2))
        return _exit_code(ctx.strict, findings)

    if not records:
        scope = f"{args.kind} " if args.kind else ""
        example = EXAMPLE_DISTRIBUTIONS.get(args.kind or "engine")
        hint = f" (for example: pip install {example})" if example else ""
        print(f"No dq {scope}plugins installed. Install one{hint}.")
    else:
        headers = ["name", "kind", "distribution", "version", "hook API", "status", "reason"]
        rows = [
            [r.name, r.kind, r.distribution, r.version, r.api_range or "-", r.status, r.reason]
            for r in records
        ]
        print(render_table(headers, rows))
    for problem in inventory.problems:
        print(f"warning: {problem}", file=sys.stderr)
    if ctx.strict and findings:
        print(f"dq: strict mode: {len(findings)} plugin problem(s)", file=sys.stderr)
    return _exit_code(ctx.strict, findings)


def _select(ctx: CommandContext, name: str) -> list[Any]:
    inventory = ctx.inventory
    found = inventory.find(name)
    if not found:  # a distribution name?
        from dq.plugins._names import normalize_dist_name

        dist = normalize_dist_name(name)
        found = [r for r in inventory.records if r.distribution == dist]
    if not found:
        known = ", ".join(sorted({r.name for r in inventory.records})) or "none"
        raise UsageError(f"no plugin called {name!r} is installed (installed: {known})")
    return found


def _summary(distribution: str) -> str:
    import importlib.metadata as metadata

    try:
        return metadata.metadata(distribution).get("Summary") or ""
    except metadata.PackageNotFoundError:
        return ""


def cmd_info(args: argparse.Namespace) -> int:
    ctx = CommandContext(args)
    records = _select(ctx, args.name)
    reports = []
    if args.check:
        from dq.plugins._host import Host
        from dq.plugins._inspection import check_component

        host = Host(ctx.inventory)
        reports = [check_component(host, r) for r in records]

    # --check fails on what is wrong with the plugin itself (broken, incompatible); a copy
    # the user switched off or that lost a collision is not a failed check. --strict adds
    # every finding, as everywhere.
    statuses = [rep.status for rep in reports]
    failed = (args.check and any(s in ("broken", "incompatible") for s in statuses)) or (
        ctx.strict and any(r.finding for r in records)
    )
    if args.json:
        items = []
        for i, record in enumerate(records):
            item: dict[str, Any] = {**record.to_dict(), "summary": _summary(record.distribution)}
            if reports:
                item["check"] = reports[i].to_dict()
            items.append(item)
        print(json.dumps({"hook_api": HOOK_API_VERSION, "plugins": items}, indent=2))
        return EXIT_FINDINGS if failed else EXIT_OK

    for i, record in enumerate(records):
        if i:
            print()
        lines = [
            ("name", record.name),
            ("kind", record.kind),
            ("distribution", f"{record.distribution} {record.version}"),
            ("summary", _summary(record.distribution)),
            ("entry point", f"{record.group}: {record.name} = {record.value}"),
            (
                "hook API",
                f"{record.api_range or '(none declared)'} (dq-core provides {HOOK_API_VERSION})",
            ),
            ("status", record.status + (f": {record.reason}" if record.reason else "")),
        ]
        if reports:
            rep = reports[i]
            lines.append(("check", rep.status + (f": {rep.reason}" if rep.reason else "")))
            if rep.import_seconds is not None:
                lines.append(("import time", f"{rep.import_seconds * 1000:.1f} ms"))
            if rep.hooks:
                lines.append(("hooks", ", ".join(rep.hooks)))
            if rep.constructed:
                lines.append(("component", rep.constructed))
        width = max(len(k) for k, _ in lines)
        for key, value in lines:
            print(f"{key.ljust(width)}  {value}")
        if reports and reports[i].config:
            print("config:")
            rows = [
                [
                    f.name,
                    f.type,
                    "(required)" if f.default is None else f.default,
                    "yes" if f.secret else "",
                ]
                for f in reports[i].config
            ]
            print(
                "\n".join(
                    "  " + line
                    for line in render_table(
                        ["field", "type", "default", "secret"], rows
                    ).splitlines()
                )
            )
    return EXIT_FINDINGS if failed else EXIT_OK


def _find_template(given: str | None) -> str:
    """plugin-template/ of a dq checkout: beside the running dq-core, or above the cwd."""
    from pathlib import Path

    if given:
        return given
    import dq

    starts = [Path(dq.__file__).resolve().parent, Path.cwd().resolve()]
    for start in starts:
        for folder in (start, *start.parents):
            if (folder / "plugin-template" / "copier.yml").is_file():
                return str(folder / "plugin-template")
    raise UsageError(
        "no plugin template found (dq-core is not running from a dq checkout); pass "
        "--template PATH-OR-GIT-URL of dq's plugin-template (see docs/plugin-authors.md)"
    )


def cmd_new(args: argparse.Namespace) -> int:
    import re
    import shlex
    from pathlib import Path

    if not re.fullmatch(r"[a-z][a-z0-9_-]{0,63}", args.name):
        raise UsageError(
            f"plugin name {args.name!r} must match ^[a-z][a-z0-9_-]{{0,63}}$ "
            "(lowercase letter first; letters, digits, _ and -)"
        )
    dest = Path(args.dest or f"dq-{args.name}")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise UsageError(f"{dest} already exists and is not empty; pass --dest DIR")
    template = _find_template(args.template)
    try:
        import copier
    except ImportError:
        raise UsageError("dq plugins new needs copier: pip install copier") from None
    try:
        copier.run_copy(
            template,
            str(dest),
            data={"kind": args.kind, "name": args.name},
            defaults=True,
            unsafe=True,  # the template's own tasks; it is dq's template or one you named
            quiet=True,
        )
    except Exception as exc:  # copier's errors are many; any is one line for the user
        text = str(exc).strip().splitlines()
        raise UsageError(
            f"could not render {template} into {dest}: {text[0] if text else type(exc).__name__}"
        ) from None
    where = shlex.quote(str(dest))
    print(f"Rendered the dq {args.kind} plugin dq-{args.name} into {dest}. Next:")
    print(f"  pip install -e {shlex.quote(str(dest) + '[test]')}")
    print(f"  python -m pytest {where}/tests")
    print(f"  dq plugins verify {args.name}{VERIFY_SETS.get(args.kind, '')}")
    print("(dq not on your package index yet? see the rendered README.md for --find-links)")
    return EXIT_OK
