"""``dq check``: check data against rules and report the verdict.

Also the pieces ``dq run`` (``_run.py``) shares: the report options, writing the report,
the failing-rows options and the exit code of a verdict.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dq.cli._context import CommandContext
from dq.cli._progress import progress, size_of, size_of_glob
from dq.model._errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError
from dq.output._report import FORMATS  # the report formats, so one output adds is offered here

DEFAULT_ENGINE = "polars"

EXIT_BY_STATUS = {"passed": EXIT_OK, "failed": EXIT_FINDINGS, "error": EXIT_USAGE}


def register(groups: Any) -> None:
    check = groups.add_parser(
        "check",
        help="check data against a rules file",
        description="Check DATA (a CSV, Parquet, NDJSON or JSON file, or a glob of them) against "
        "the rules in RULES (TOML, YAML or JSON). Exit 0 when the quality gate passes, 1 when "
        "rules fail it, 2 when a rule cannot be evaluated or an input is wrong, 3 on a crash.",
    )
    check.add_argument(
        "data",
        metavar="DATA",
        nargs="?",
        help="file or glob, e.g. 'exports/*.parquet'; or sql:TABLE / spark:TABLE, a table in the "
        "engine's own connection (no credentials on the command line: see --source)",
    )
    check.add_argument(
        "--source",
        metavar="NAME",
        help="check the [sources.NAME] table of dq.toml (a database table or query, a Spark "
        "table or path; credentials as ${secret:...} references) instead of DATA",
    )
    check.add_argument("--rules", "-r", required=True, metavar="RULES", help="rules file")
    _common(check)
    check.add_argument(
        "--data-format",
        choices=("csv", "parquet", "ndjson", "json"),
        help="read DATA as this format instead of guessing from the suffix",
    )
    _failures_options(check)
    check.set_defaults(handler=cmd_check)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine", "-e", default=None, help=f"engine plugin to use (default: {DEFAULT_ENGINE})"
    )
    parser.add_argument(
        "--format", "-f", choices=FORMATS, default="table", help="report format (default: table)"
    )
    parser.add_argument("--output", "-o", metavar="PATH", help="write the report here, not stdout")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile the data (null rates, statistics, distributions) and show it in "
        "the report (formats html and table)",
    )
    parser.add_argument(
        "--sample-size",
        type=int,
        metavar="N",
        help="failing values to show per rule (0: none, for sensitive data)",
    )


def _failures_options(parser: argparse.ArgumentParser, *, suite: bool = False) -> None:
    parser.add_argument(
        "--failures",
        metavar="PATH",
        help="also write every failing row (its columns, dq_row and the ids of the rules it "
        "failed) to PATH, a .parquet or .csv file, from the same scan"
        + (" (overrides the suite's [output] failures)" if suite else ""),
    )
    parser.add_argument(
        "--failures-limit",
        metavar="N",
        help="write at most N failing rows (default 100000; 0 or 'all': every one)",
    )


def _failures_target(
    path: str | None, limit: str | None, *, default_limit: int | None = None
) -> Any:
    """The checked ``--failures`` target, or None; refused (exit 2) before any data is read."""
    from dq.checks._failures import failures_target, limit_from, parse_limit
    from dq.model._failures import DEFAULT_FAILURES_LIMIT

    if path is None:
        if limit is not None:
            raise UsageError("--failures-limit needs --failures PATH (where to write the rows)")
        return None
    if limit is not None:
        bound = parse_limit(limit)
    else:
        bound = limit_from(DEFAULT_FAILURES_LIMIT if default_limit is None else default_limit)
    return failures_target(path, limit=bound)


def _check_engine(
    host: Any, engine: str, frame: Any, rules: Any, options: Any, paths: Any, failures: Any
) -> Any:
    """The engine's verdict; with a failures target, also the failing rows, written there."""
    from dq.checks import _engines

    if failures is None:
        return _engines.check(host, engine, frame, rules, engine_config=options, paths=paths)
    from dq.checks._failures import write_failures

    result, failing = _engines.check_failures(
        host, engine, frame, rules, limit=failures.limit, engine_config=options, paths=paths
    )
    write_failures(failures, failing.frame)
    print(_failures_line(failing, failures), file=sys.stderr)
    return result


def _failures_line(failing: Any, failures: Any) -> str:
    written = failing.frame.height
    if failing.truncated:
        return (
            f"failing rows: wrote the first {written:,} of {failing.total:,} to {failures.path} "
            "(raise --failures-limit, or 0 for all)"
        )
    return f"failing rows: wrote {written:,} to {failures.path}"


def refuse_failures_over(failures: Any, src: Any, output: str | None) -> None:
    """The failing rows never overwrite the data checked, nor the report."""
    if failures is None:
        return
    from pathlib import Path

    from dq.checks._failures import refuse_data_paths

    if output is not None and Path(output).resolve() == failures.path.resolve():
        raise UsageError(f"--failures {failures.path}: is also the report's path; choose another")
    if getattr(src, "type", None) == "file" and getattr(src, "path", None):
        from dq.checks._data import expand

        try:
            paths = expand(src.path)
        except Exception:  # noqa: BLE001 - the read reports a missing source in its own words
            return
        refuse_data_paths(failures, paths)


def engine_config(ctx: CommandContext, name: str) -> dict[str, Any]:
    """The ``[engines.NAME]`` table of the dq config file, if any."""
    from dq.config._files import engine_table

    return engine_table(ctx.config, name, source=ctx.config_source)


def execute(
    ctx: CommandContext,
    *,
    data: str,
    rules: Any,
    engine: str,
    fmt: str,
    output: str | None,
    data_format: str | None = None,
    source_name: str | None = None,
    rules_file: str | None = None,
    with_profile: bool = False,
    failures: Any = None,
) -> int:
    import attrs

    from dq.checks._sources import named_source, read_source, source_for_data
    from dq.plugins._host import Host

    host = Host(ctx.inventory)
    host.record_for("engine", engine)  # fail fast, before reading data, if it is missing
    if source_name:
        src = named_source(ctx.config, source_name, source=ctx.config_source)
    else:
        src = source_for_data(data)
        src = attrs.evolve(src, format=data_format) if data_format else src
    options = engine_config(ctx, engine)
    # dq.toml's [engines.NAME] and [sources.NAME] may hold secret references, as a suite's may
    resolve = _secret_references_resolver(ctx, host)
    if options:
        options = resolve(options, where=f"engines.{engine}")
    references = _references(ctx, rules, rules_file, src)  # refused before any data is read
    refuse_failures_over(failures, src, output)
    frame, paths = read_source(src, resolve=resolve, where=ctx.config_source)
    data = src.label
    from dq.checks._references import references_bound

    size = size_of(paths) or (size_of_glob(src.path) if src.type == "file" and src.path else "")
    profile = None
    with progress(f"reading {data}") as bar, references_bound(references):
        what = f"{len(rules.rules)} rule{'s' * (len(rules.rules) != 1)}"
        bar.stage(f"checking {what} on {data}{f' ({size})' if size else ''} with {engine}")
        result = _check_engine(host, engine, frame, rules, options, paths, failures)
        if with_profile:
            bar.stage(f"profiling {data}{_scanned(result)}")
            profile = _profile_of(host, engine, frame, paths, options)
        result = _judge_changes(result, rules, rules_file, src)
        bar.stage(f"writing {fmt} report{_scanned(result)}")
        emit(result, fmt, output, source=data, rules=rules, profile=profile)
    return EXIT_BY_STATUS[result.status.value]


def _references(ctx: CommandContext, rules: Any, rules_file: str | None, src: Any) -> Any:
    """The rules' ``reference`` datasets, relative to the rules file's folder."""
    from pathlib import Path

    from dq.checks._reference_paths import resolve_references

    return resolve_references(
        rules,
        rules_source=rules_file or "rules",
        base=Path(rules_file).parent if rules_file else Path.cwd(),
        data_path=src.path if src.type == "file" else None,
        site=ctx.config,
        site_source=ctx.config_source,
    )


def _secret_references_resolver(ctx: CommandContext, host: Any) -> Any:
    """``resolve(tree, where=)`` for dq.toml tables: the secret machinery (backends,
    cache, audit) is built on the first table that holds a ``${secret:`` reference, so
    a check whose configuration has none never pays for it."""
    from dq.model._secrets import has_secret_references

    resolver: Any = None

    def resolve(tree: Any, *, where: str = "") -> Any:
        nonlocal resolver
        if not has_secret_references(tree):
            return tree
        if resolver is None:
            from dq.runs._suite_run import secret_resolver

            resolver = secret_resolver(
                ctx.config.get("secrets") or {},
                host,
                source=ctx.config_source,
                tenant=None,
                actor="cli:check",
            )
        return resolver.resolve_tree_sync(tree, where=where)

    return resolve


def _judge_changes(result: Any, rules: Any, rules_file: str | None, src: Any) -> Any:
    """``row_count`` ``max_change`` against the last ``dq check`` of the same rules file on
    the same data (``check_history_name``)."""
    if not any(getattr(rule, "max_change", None) is not None for rule in rules.rules):
        return result  # no relative rule: the history store is never opened (nor imported)

    from dq.runs._row_change import check_history_name, judge_row_changes

    return judge_row_changes(result, rules, suite=check_history_name(rules_file, src))


def _profile_of(host: Any, engine: str, frame: Any, paths: Any, options: Any) -> Any:
    """``--profile``: the engine's profile of the data just checked (a second pass: engines
    profile and check in separate queries). The engine has already accepted the source."""
    from dq.checks import _engines
    from dq.checks._sources import PendingSource

    if isinstance(frame, PendingSource):
        frame, paths = frame.open()
    return _engines.profile(host, engine, frame, paths=paths, engine_config=options)


def _scanned(result: Any) -> str:
    """`` · 20,000,000 rows scanned`` once the engine has said how many rows it read."""
    rows = getattr(result, "row_count", None)
    return f" · {rows:,} rows scanned" if rows is not None else ""


def emit(
    result: Any,
    fmt: str,
    output: str | None,
    *,
    source: str,
    suite: str | None = None,
    tenant: str | None = None,
    rules: Any = None,
    profile: Any = None,
) -> None:
    """The report to *output* (and its headline to stderr), or to stdout.

    A table written to a file keeps every cell whole; on a terminal it fits its width.
    """
    from dq.output import _report

    context: dict[str, Any] = {"width": None} if output else {}
    text = _report.render(
        result,
        fmt,
        source=source,
        suite=suite,
        tenant=tenant,
        rules=rules,
        profile=profile,
        **context,
    )
    if output:
        from dq.output._files import write_output

        write_output(output, text + "\n")
        print(_report.headline(result, source), file=sys.stderr)
    else:
        print(text)


def _rules_with_sample_size(rules: Any, sample_size: int | None) -> Any:
    if sample_size is None:
        return rules
    if sample_size < 0:
        raise UsageError("--sample-size must be 0 or more")
    import attrs

    return attrs.evolve(rules, sample_size=sample_size)


def cmd_check(args: argparse.Namespace) -> int:
    from dq.config._files import load_typed
    from dq.model._rules import RuleSet

    if (args.data is None) == (args.source is None):
        raise UsageError("give DATA (a file, a glob, sql:TABLE) or --source NAME, not both")
    ctx = CommandContext(args)
    rules = _rules_with_sample_size(load_typed(args.rules, RuleSet), args.sample_size)
    return execute(
        ctx,
        source_name=args.source,
        data=args.data or "",
        rules=rules,
        rules_file=args.rules,
        engine=args.engine or DEFAULT_ENGINE,
        fmt=args.format,
        output=args.output,
        with_profile=_profile_shown(args),
        data_format=args.data_format,
        failures=_failures_target(args.failures, args.failures_limit),
    )


#: The formats that show a profile: the others' documents have no place for one.
PROFILE_FORMATS = ("html", "table")


def _profile_shown(args: argparse.Namespace) -> bool:
    """``--profile`` with a format that shows it; refused before any data is read."""
    if not getattr(args, "profile", False):
        return False
    if args.format not in PROFILE_FORMATS:
        raise UsageError(
            f"--profile is shown by --format {' or '.join(PROFILE_FORMATS)}, not "
            f"{args.format}; drop --profile or run 'dq profile DATA --format json'"
        )
    return True
