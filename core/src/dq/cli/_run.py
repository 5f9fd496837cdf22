"""``dq run``: run a suite file — its source, rules, engine, output and notifications.

The suite is the whole job (``dq.execute_suite``): policy first, then the tenant, secrets,
the check, the run history and the notifications; this module turns its outcome into the
report, the failing-rows file, one stderr line per delivery and the exit code.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from dq.cli._check import (
    EXIT_BY_STATUS,
    _failures_line,
    _failures_options,
    _failures_target,
    emit,
)
from dq.cli._context import CommandContext
from dq.cli._progress import progress
from dq.model._errors import UsageError
from dq.output._report import FORMATS


def register(groups: Any) -> None:
    run = groups.add_parser(
        "run",
        help="run a suite file (source, rules, engine, output)",
        description="Run the suite in SUITE: its source, rules, engine and output. Paths in the "
        "suite are relative to the suite file. Exit codes as for 'dq check'.",
    )
    run.add_argument("suite", metavar="SUITE", help="suite file (TOML, YAML or JSON)")
    run.add_argument("--engine", "-e", help="override the suite's engine")
    run.add_argument("--format", "-f", choices=FORMATS, help="override the suite's output format")
    run.add_argument("--output", "-o", metavar="PATH", help="override the suite's output path")
    run.add_argument(
        "--tenant",
        metavar="TENANT",
        help="run for this tenant (default: $DQ_TENANT, else the suite's [tenant] id): "
        "secrets are read under tenants/TENANT/ and the tenant's channels are notified",
    )
    run.add_argument(
        "--no-notify",
        action="store_true",
        help="do not send the suite's notifications (the report is still written)",
    )
    _failures_options(run, suite=True)
    run.set_defaults(handler=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    from dq.model._jobs import RunContext
    from dq.model._tenants import TenantId
    from dq.plugins._host import Host
    from dq.runs._suite import load_suite
    from dq.runs._suite_run import enforce_policy, execute_suite, new_run_id

    ctx = CommandContext(args)
    suite = _with_failures_override(load_suite(args.suite), args)
    _check_output_format(suite.output.format, args.suite)
    engine = args.engine or suite.engine
    # dq.toml's [policy] first: a suite that breaks a lock is refused before anything else
    enforce_policy(
        suite, site=ctx.config, site_source=ctx.config_source, where=args.suite, engine=engine
    )
    host = Host(ctx.inventory)
    host.record_for("engine", engine)  # fail fast, before reading data, if it is missing
    try:
        tenant = TenantId(args.tenant) if args.tenant is not None else None
    except ValueError as exc:
        raise UsageError(f"--tenant: {exc}") from None
    context = RunContext(run_id=new_run_id(), tenant=tenant)
    # the lines printed below report every delivery; the dispatcher's own warnings would
    # repeat them on stderr (embedders such as Airflow keep them: they log, not print)
    quiet = logging.getLogger("dq.notify")
    silencer = logging.NullHandler()
    quiet.addHandler(silencer)
    try:
        with progress(f"running {suite.name} with {engine}"):
            run = execute_suite(
                suite,
                host=host,
                context=context,
                source=args.suite,
                notify=not args.no_notify,
                engine=engine,
                site=ctx.config,
                site_source=ctx.config_source,
            )
    finally:
        quiet.removeHandler(silencer)
    result = run.result
    emit(
        result,
        args.format or suite.output.format,
        args.output or suite.output.path,
        source=suite.source.path,
        suite=suite.name,
        tenant=None if run.context.tenant is None else str(run.context.tenant),
        rules=suite.rules,
    )
    if run.failing is not None:
        target = _failures_target(
            suite.output.failures, None, default_limit=suite.output.failures_limit
        )
        print(_failures_line(run.failing, target), file=sys.stderr)
    for delivery in run.deliveries:
        print(_delivery_line(delivery), file=sys.stderr)
    return EXIT_BY_STATUS[result.status.value]


def _with_failures_override(suite: Any, args: argparse.Namespace) -> Any:
    """``dq run --failures PATH [--failures-limit N]`` over the suite's ``[output]``."""
    if args.failures is None and args.failures_limit is None:
        return suite
    import attrs

    from dq.checks._failures import parse_limit

    path = args.failures or suite.output.failures
    if path is None:
        raise UsageError("--failures-limit needs --failures PATH (or [output] failures)")
    limit = suite.output.failures_limit
    if args.failures_limit is not None:
        limit = parse_limit(args.failures_limit) or 0  # 0: every failing row
    output = attrs.evolve(suite.output, failures=path, failures_limit=limit)
    return attrs.evolve(suite, output=output)


def _check_output_format(fmt: str, suite_file: str) -> None:
    """The suite's ``[output] format`` is one dq renders: found at load, not after the run."""
    if fmt not in FORMATS:
        from dq.config._locate import located
        from dq.config._problems import unknown
        from dq.model._errors import ConfigError

        problem = f"output.format: {unknown('output format', fmt, FORMATS)}"
        raise located(ConfigError(suite_file, [problem]))


def _delivery_line(delivery: Any) -> str:
    """One stderr line per channel; a failed delivery says where it went and what to do."""
    line = f"notify {delivery.channel}: {delivery.status.value}"
    if delivery.status.value == "failed":
        line += f" ({delivery.error}); kept in the outbox: run 'dq notify replay'"
    elif delivery.error:
        line += f" ({delivery.error})"
    return line
