"""``dq profile`` and ``dq learn``: describe data, and propose rules from it."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, time
from pathlib import Path
from typing import Any

from dq.cli._check import DEFAULT_ENGINE, engine_config
from dq.cli._context import CommandContext
from dq.cli._progress import progress
from dq.model._errors import EXIT_OK, UsageError
from dq.model._learning import LearnedRules, SuspectedDefect
from dq.model._rules import RuleSet

#: What ``dq profile --format`` writes.
PROFILE_FORMATS = ("table", "json", "html")


def register(groups: Any) -> None:
    profile = groups.add_parser(
        "profile",
        help="per-column statistics of data",
        description="Profile DATA: per column dtype, nulls, distinct values, min/max/mean, "
        "quantiles, string lengths and top values.",
    )
    profile.add_argument("data", metavar="DATA", help="file or glob")
    profile.add_argument("--engine", "-e", help=f"engine plugin (default: {DEFAULT_ENGINE})")
    profile.add_argument(
        "--format",
        "-f",
        choices=PROFILE_FORMATS,
        default=None,
        help="table (default), json, or html: one self-contained page with null rates, "
        "statistics and distributions",
    )
    profile.add_argument("--json", action="store_true", help="same as --format json")
    profile.add_argument("--output", "-o", metavar="PATH", help="write the profile here")
    profile.add_argument("--data-format", choices=("csv", "parquet", "ndjson", "json"))
    profile.set_defaults(handler=cmd_profile)

    learn = groups.add_parser(
        "learn",
        help="propose a rules file from data",
        description="Propose rules for DATA and print them as a TOML rules file. Review them: "
        "learned rules describe the data as it is, and defects present in it are not learned "
        "as allowed where the engine can tell them apart (see the engine's docs).",
    )
    learn.add_argument("data", metavar="DATA", help="file or glob")
    learn.add_argument("--engine", "-e", help=f"engine plugin (default: {DEFAULT_ENGINE})")
    learn.add_argument("--output", "-o", metavar="PATH", help="write the rules file here")
    learn.add_argument("--data-format", choices=("csv", "parquet", "ndjson", "json"))
    learn.set_defaults(handler=cmd_learn)


def _prepare(args: argparse.Namespace) -> tuple[Any, Any, list[Path], str, dict[str, Any]]:
    from dq.checks._data import scan
    from dq.plugins._host import Host

    ctx = CommandContext(args)
    engine = args.engine or DEFAULT_ENGINE
    host = Host(ctx.inventory)
    host.record_for("engine", engine)
    frame, paths = scan(args.data, args.data_format)
    return host, frame, paths, engine, engine_config(ctx, engine)


def cmd_profile(args: argparse.Namespace) -> int:
    from dq.checks import _engines
    from dq.config._converter import unstructure
    from dq.output import _report

    fmt = _profile_format(args)  # a usage mistake is found before the data is opened
    host, frame, paths, engine, options = _prepare(args)
    with progress(f"profiling {args.data}") as bar:
        result = _engines.profile(host, engine, frame, paths=paths, engine_config=options)
        bar.stage(f"writing {fmt} profile · {result.row_count:,} rows scanned")
        if fmt == "json":
            text = json.dumps(unstructure(result), indent=2, ensure_ascii=False, default=str)
        elif fmt == "html":
            from dq.output._html_profile import render_profile_html

            text = render_profile_html(result, source=args.data)
        else:
            text = _report.render_profile_table(result)
        if args.output:
            from dq.output._files import write_output

            write_output(args.output, text + "\n")
    if args.output:
        print(f"wrote the {fmt} profile of {args.data} to {args.output}", file=sys.stderr)
    else:
        print(text)
    return EXIT_OK


def _profile_format(args: argparse.Namespace) -> str:
    if args.json and args.format not in (None, "json"):
        raise UsageError(f"--json and --format {args.format} disagree; give one of them")
    return "json" if args.json else args.format or "table"


def cmd_learn(args: argparse.Namespace) -> int:
    from dq.checks import _engines

    host, frame, paths, engine, options = _prepare(args)
    with progress(f"learning rules from {args.data}"):
        learned = _engines.learn(host, engine, frame, paths=paths, engine_config=options)
    findings = getattr(learned, "findings", ()) if isinstance(learned, LearnedRules) else ()
    rules = learned.rule_set() if isinstance(learned, LearnedRules) else learned
    text = learned_file(rules, findings, source=args.data, engine=engine)
    if findings:
        print(f"suspected defects ({len(findings)}), not learned as allowed:", file=sys.stderr)
        for finding in findings:
            print(f"  {finding.line()}", file=sys.stderr)
    if args.output:
        from dq.output._files import write_output

        write_output(args.output, text)
        print(f"wrote {len(rules.rules)} rules to {args.output}", file=sys.stderr)
    else:
        print(text, end="")
    return EXIT_OK


def learned_file(
    rules: RuleSet, findings: tuple[SuspectedDefect, ...], *, source: str, engine: str
) -> str:
    """The rules file: a header listing the suspected defects, the rules, and after the
    last rule of each column the defects found in it with a commented-out rule that
    flags them (decision 28)."""
    from dq.config._converter import unstructure
    from dq.output._toml import comment, dumps

    header = f"Rules learned from {source} by the {engine} engine. Review before use."
    if findings:
        header += (
            "\n\nSuspected defects, not learned as allowed (the rules below pass on them;"
            "\na commented-out rule after each column's rules flags them):"
        )
        header += "".join(f"\n  {finding.line()}" for finding in findings)
    last_of: dict[str | None, int] = {}
    for index, rule in enumerate(rules.rules):
        last_of[getattr(rule, "column", None)] = index
    blocks: dict[tuple[str, int], list[str]] = {}
    for finding in findings:
        index = last_of.get(finding.column, len(rules.rules) - 1)
        block = f"Suspected defect: {finding.line()}"
        if finding.suggestions:
            some = RuleSet(rules=finding.suggestions)
            tables = _without_defaults(some, unstructure(some))["rules"]
            block += "\nTo flag them, uncomment:\n" + dumps({"rules": tables}).rstrip("\n")
        blocks.setdefault(("rules", index), []).append(comment(block))
    notes = {key: "\n".join(parts) for key, parts in blocks.items()}
    return comment(header) + dumps(_without_defaults(rules, unstructure(rules)), notes=notes)


def _without_defaults(obj: Any, data: Any) -> Any:
    """Drop fields that equal their default, so a learned rules file reads like a written one."""
    import attrs

    if not attrs.has(type(obj)) or not isinstance(data, dict):
        return data
    out = {}
    for field in attrs.fields(type(obj)):
        if field.name not in data:
            continue
        value = getattr(obj, field.name)
        default = field.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = default.factory()  # type: ignore[union-attr]
        if default is not attrs.NOTHING and value == default:
            continue
        raw = data[field.name]
        if isinstance(value, date | time):  # TOML has dates: keep them, not ISO strings
            raw = value
        if (
            isinstance(value, tuple)
            and isinstance(raw, list)
            and value
            and attrs.has(type(value[0]))
        ):
            raw = [_without_defaults(v, r) for v, r in zip(value, raw, strict=True)]
        else:
            raw = _without_defaults(value, raw)
        out[field.name] = raw
    if "check" in data:  # the union tag is not a field, but the file needs it first
        out = {"check": data["check"], **out}
    return out
