"""``dq dbt ...`` (through the ``dq.commands`` entry point) and the ``dq-dbt`` script.

``register(subparsers)`` is the argparse hook dq-core calls for the ``dq.commands`` group,
shaped like core's own command groups: it adds a ``dbt`` parser whose subcommands set
``handler=fn(args) -> int``; bad input raises :class:`dq.UsageError`, which the host
prints as one line with exit 2. ``dq-dbt`` builds the same subcommands at its top level.

``generate RULES [--model M] [-o PATH]``  schema.yml declaring the rules as dq tests
``results RUN_RESULTS --manifest PATH``  dbt's outcomes as a dq result, exit per the gate
``path``                                 where the dq dbt package is (for packages.yml)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EXIT_BY_STATUS = {"passed": 0, "failed": 1, "error": 2}


def _add_commands(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="dbt_command", required=True, metavar="COMMAND")
    gen = commands.add_parser(
        "generate", help="write schema.yml tests (dq dbt package) for a dq rules file",
        description="Declare the rules in RULES as tests of the dq dbt package on model M.",
    )
    gen.add_argument("rules", metavar="RULES", help="dq rules file (TOML, YAML or JSON)")
    gen.add_argument("--model", "-m", default=None, help="dbt model name (default: the file's stem)")
    gen.add_argument("--output", "-o", metavar="PATH", help="write here instead of stdout")
    gen.set_defaults(handler=cmd_generate)

    res = commands.add_parser(
        "results", help="read dbt's run_results.json + manifest.json as a dq result",
        description="Judge dbt's test outcomes with dq's quality gate. Exit 0 passed, 1 "
        "failed, 2 error (a test errored or was skipped) or bad input.",
    )
    res.add_argument("run_results", metavar="RUN_RESULTS", help="target/run_results.json")
    res.add_argument("--manifest", required=True, metavar="PATH", help="target/manifest.json")
    res.add_argument("--rules", metavar="RULES", help="take the quality gate from this rules file")
    res.add_argument("--model", help="only the tests attached to this model")
    res.add_argument("--suite", default="dbt", help="suite name for the dedup key (default: dbt)")
    res.add_argument("--format", "-f", choices=("table", "json"), default="table")
    res.set_defaults(handler=cmd_results)

    path = commands.add_parser("path", help="print the dq dbt package's folder")
    path.set_defaults(handler=cmd_path)


def register(groups: Any) -> None:
    """The ``dq.commands`` hook: add ``dbt`` to dq's command parser."""
    dbt = groups.add_parser(
        "dbt", help="dq checks as dbt tests, and dbt's test results through dq's gate",
        description="dq checks as dbt generic tests (the dq dbt package) and dbt's results "
        "read back through dq's quality gate.",
    )
    _add_commands(dbt)


def cmd_generate(args: argparse.Namespace) -> int:
    import dq

    from dq_dbt._generate import generate

    rules = dq.load_typed(args.rules, dq.RuleSet)
    model = args.model or Path(args.rules).name.split(".")[0]
    text = generate(rules, model)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"dq dbt: wrote {len(rules.rules)} rules as tests of model {model!r} to {args.output}",
              file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_results(args: argparse.Namespace) -> int:
    import dq

    from dq_dbt._results import read_results

    gate = dq.load_typed(args.rules, dq.RuleSet).gate if args.rules else None
    result = read_results(args.run_results, args.manifest, gate=gate, model=args.model)
    if not result.results:
        raise dq.UsageError(f"{args.run_results}: no dbt test results in it (run 'dbt test' or 'dbt build')")
    note = dq.notification_for(result, args.suite, notify_on=set(dq.RunStatus))
    if args.format == "json":
        doc = dq.unstructure(result)
        doc["dedup_key"] = None if result.status is dq.RunStatus.PASSED else note.dedup_key
        print(json.dumps(doc, indent=2, default=str))
    else:
        print(_table(result))
    return EXIT_BY_STATUS[result.status.value]


def _table(result: Any) -> str:
    header = ("rule", "check", "column", "severity", "status", "failed")
    rows = [(r.rule_id, r.check, r.column or "", r.severity.value, r.status.value, str(r.failed_count))
            for r in result.results]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"{result.status.value}: {len(rows)} dbt tests")
    return "\n".join(lines)


def cmd_path(args: argparse.Namespace) -> int:
    from dq_dbt import package_path

    print(package_path())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``dq-dbt``: the same subcommands, with dq's error handling (one line, exit 2/3)."""
    parser = argparse.ArgumentParser(prog="dq-dbt", description="dq checks as dbt tests.")
    _add_commands(parser)
    args = parser.parse_args(argv)
    import dq

    try:
        return int(args.handler(args))
    except dq.UsageError as exc:
        print(f"dq-dbt: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except dq.DqError as exc:
        print(f"dq-dbt: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 3
