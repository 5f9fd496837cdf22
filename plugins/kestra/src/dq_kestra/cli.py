"""``dq-kestra`` (and ``python -m dq_kestra``): the script a Kestra task runs.

``run SUITE``       run the suite, print Kestra ``outputs``/``metrics``/``logs`` lines,
                    exit 0 passed, 1 the gate failed, 2 config error or a rule that could
                    not be evaluated, 3 runtime error (what ``dq run`` exits with);
``validate SUITE``  only load and check the suite (no data read): exit 0 or 2;
``flow SUITE``      write a Kestra flow that runs it (:mod:`dq_kestra._flow`).

Every error is one line on stderr, never a traceback; ``run`` and ``validate`` also put
the error class in the outputs (``status``: ``config_error`` / ``runtime_error``,
``retryable``) so a flow's ``errors`` branch can tell them apart.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dq_kestra._config import FAIL_ON_VALUES
from dq_kestra._summary import EXIT_CONFIG, EXIT_PASSED, EXIT_RUNTIME

PROG = "dq-kestra"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_CONFIG, f"{self.prog}: error: {message}\nRun '{self.prog} --help' for help.\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Run dq suites as Kestra Python script tasks.",
        epilog="exit codes: 0 passed, 1 quality gate failed, 2 config error (do not retry), "
        "3 runtime error (retry may help)",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("run", help="run a suite and print Kestra outputs and metrics")
    run.add_argument("suite", metavar="SUITE")
    run.add_argument("--tenant", help="run for this tenant (default: $DQ_KESTRA_TENANT)")
    run.add_argument("--engine", "-e", help="override the suite's engine")
    run.add_argument("--fail-on", choices=FAIL_ON_VALUES, default=None, help="default: error")
    run.add_argument("--no-notify", action="store_true", help="send no notifications")
    run.set_defaults(handler=cmd_run)

    validate = commands.add_parser("validate", help="check a suite without reading data")
    validate.add_argument("suite", metavar="SUITE")
    validate.add_argument("--tenant", help="check this tenant (default: $DQ_KESTRA_TENANT)")
    validate.add_argument("--engine", "-e", help="override the suite's engine")
    validate.set_defaults(handler=cmd_validate)

    flow = commands.add_parser("flow", help="write a Kestra flow (YAML) that runs a suite")
    flow.add_argument("suite", metavar="SUITE", help="path inside the namespace files")
    flow.add_argument("--namespace", required=True)
    flow.add_argument("--id", required=True, dest="flow_id")
    flow.add_argument("--task-id", default="dq_check")
    flow.add_argument("--schedule", metavar="CRON", help="add a Schedule trigger")
    flow.add_argument("--max-attempts", type=int, default=3, help="check task attempts (default 3)")
    flow.add_argument("--retry-interval", default="PT5M", help="ISO 8601 duration (default PT5M)")
    flow.add_argument("--runner", choices=("docker", "process"), default="docker")
    flow.add_argument("--image", default="python:3.11-slim", help="container image (docker runner)")
    flow.add_argument(
        "--package", action="append", dest="packages", metavar="PKG",
        help="pip package to install before the commands (repeatable; default: dq-core "
        "dq-polars dq-kestra); --package '' installs none",
    )
    flow.add_argument("--include", action="append", default=[], metavar="GLOB",
                      help="another namespace file the task needs (repeatable)")
    flow.add_argument("--fail-on", choices=FAIL_ON_VALUES, default="error")
    flow.add_argument("--engine", "-e")
    flow.add_argument("--output", "-o", metavar="PATH", help="write here instead of stdout")
    flow.set_defaults(handler=cmd_flow)
    return parser


# -- handlers --------------------------------------------------------------------------------


def _emit_error(kind: str, message: str, code: int) -> None:
    from dq_kestra._wire import Emitter

    Emitter(sys.stdout).outputs(
        {"status": kind, "error": message, "retryable": code == EXIT_RUNTIME, "exit_code": code}
    )


def cmd_run(args: argparse.Namespace) -> int:
    import dq

    from dq_kestra._binding import KestraBinding
    from dq_kestra._config import KestraConfig

    suite = dq.load_suite(args.suite)
    binding = KestraBinding(
        KestraConfig(fail_on=args.fail_on or "error"), engine=args.engine, source=args.suite
    )
    context = binding.context(os.environ, tenant=args.tenant)
    try:
        binding.run(suite, context) if not args.no_notify else _run_quiet(binding, suite, context)
    except dq.SuiteFailed as failed:
        print(f"{PROG}: {failed}", file=sys.stderr)
        return binding.exit_code(failed.result)  # type: ignore[arg-type]
    return EXIT_PASSED


def _run_quiet(binding: Any, suite: Any, context: Any) -> Any:
    import attrs

    return binding.run(attrs.evolve(suite, notify={}), context)


def cmd_validate(args: argparse.Namespace) -> int:
    import dq

    from dq_kestra._wire import Emitter

    suite = dq.load_suite(args.suite)
    engine = args.engine or suite.engine
    dq.default_host().record_for("engine", engine)  # PluginNotFound names what is missing
    tenant = args.tenant if args.tenant not in (None, "") else os.environ.get("DQ_KESTRA_TENANT")
    from dq_kestra._context import parse_tenant

    chosen = parse_tenant(tenant)
    pinned = suite.tenant.get("id") if isinstance(suite.tenant, dict) else None
    if pinned is not None and chosen is not None and str(chosen) != str(pinned):
        raise dq.UsageError(
            f"{args.suite}: suite {suite.name!r} belongs to tenant {pinned} and cannot run for "
            f"tenant {chosen}"
        )
    if suite.tenant.get("required") and chosen is None and pinned is None and not os.environ.get("DQ_TENANT"):
        raise dq.UsageError(
            f"{args.suite}: suite {suite.name!r} requires a tenant: set the flow's tenant input"
        )
    Emitter(sys.stdout).outputs(
        {"valid": True, "suite": suite.name, "engine": engine, "rules": len(suite.rules.rules)}
    )
    print(f"{PROG}: suite {suite.name!r} is valid ({len(suite.rules.rules)} rules, engine {engine})",
          file=sys.stderr)
    return EXIT_PASSED


def cmd_flow(args: argparse.Namespace) -> int:
    from dq_kestra._flow import FlowOptions, render_flow

    packages = tuple(p for p in (args.packages or ["dq-core", "dq-polars", "dq-kestra"]) if p)
    options = FlowOptions(
        namespace=args.namespace,
        id=args.flow_id,
        task_id=args.task_id,
        schedule=args.schedule,
        max_attempts=args.max_attempts,
        retry_interval=args.retry_interval,
        runner=args.runner,
        container_image=args.image,
        packages=packages,
        fail_on=args.fail_on,
        engine=args.engine,
        include=tuple(args.include),
    )
    text = render_flow(args.suite, options)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"{PROG}: wrote flow {args.namespace}.{args.flow_id} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_PASSED


# -- entry point -----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, dispatch, and turn every error into one line and an exit code."""
    args = build_parser().parse_args(argv)
    emits = args.command in ("run", "validate")
    try:
        import dq
    except ImportError as exc:  # pragma: no cover - a broken install
        print(f"{PROG}: error: dq-core is not importable: {exc}", file=sys.stderr)
        return EXIT_RUNTIME
    try:
        return int(args.handler(args))
    except dq.UsageError as exc:
        message = " ".join(str(exc).split())
        if emits:
            _emit_error("config_error", message, EXIT_CONFIG)
        print(f"{PROG}: error: {message} (a config error: fix it, a retry will not help)",
              file=sys.stderr)
        return EXIT_CONFIG
    except dq.DqError as exc:
        message = " ".join(str(exc).split())
        if emits:
            _emit_error("runtime_error", message, EXIT_RUNTIME)
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return EXIT_RUNTIME
    except Exception as exc:  # a crash is still one line, never a traceback in the task log
        message = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        if emits:
            _emit_error("runtime_error", message, EXIT_RUNTIME)
        print(f"{PROG}: error: unexpected {message}", file=sys.stderr)
        return EXIT_RUNTIME
