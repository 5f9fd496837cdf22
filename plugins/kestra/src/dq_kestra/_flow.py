"""``dq-kestra flow``: a Kestra flow (YAML) that runs a suite as Python script tasks.

The flow has two ``io.kestra.plugin.scripts.python.Commands`` tasks (kestra-io/plugin-scripts,
``plugin-script-python/.../Commands.java``), because Kestra's task ``retry`` applies to
every failure of a task -- it cannot be told "retry exit 3, not exit 2":

1. ``<task>_validate`` -- ``dq-kestra validate SUITE``: loads the suite and its rules, checks
   the engine is installed and the tenant is valid and allowed. **No retry**: a config
   error (exit 2) fails the execution at once, and the check never starts;
2. ``<task>`` -- ``dq-kestra run SUITE``: runs it, publishes outputs and metrics, exits 0 /
   1 (gate) / 2 (a rule could not be evaluated) / 3 (runtime: data unreadable, backend
   down). It carries the flow's ``retry`` (constant interval), spent on what a retry can fix.

Both read the suite from the namespace files (``namespaceFiles.include``) and get the run
context through ``env`` rendered from Kestra expressions (see :mod:`dq_kestra._context`).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path, PurePosixPath
from typing import Any

import attrs
import dq

from dq_kestra._config import FAIL_ON_VALUES

COMMANDS_TASK = "io.kestra.plugin.scripts.python.Commands"
SCHEDULE_TRIGGER = "io.kestra.plugin.core.trigger.Schedule"
RUNNERS = {
    "docker": "io.kestra.plugin.scripts.runner.docker.Docker",
    "process": "io.kestra.plugin.core.runner.Process",
}
#: Kestra's own id rules (AbstractFlow / TaskInterface @Pattern, matched whole)
FLOW_ID = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9._-]*")
NAMESPACE = re.compile(r"[a-z0-9][a-z0-9._-]*")
TASK_ID = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_-]*")
#: ISO 8601 durations as Kestra's Jackson reads them (PT5M, PT30S, P1D ...)
DURATION = re.compile(r"P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?")
DATE_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"

#: env variable -> Kestra expression (kestra.io/docs/expressions, "execution context")
CONTEXT_ENV: dict[str, str] = {
    "DQ_KESTRA_EXECUTION_ID": "{{ execution.id }}",
    "DQ_KESTRA_TRIGGER_DATE": (
        "{{ (trigger.date ?? execution.startDate) | date(\"" + DATE_FORMAT + "\") }}"
    ),
    "DQ_KESTRA_NAMESPACE": "{{ flow.namespace }}",
    "DQ_KESTRA_FLOW_ID": "{{ flow.id }}",
    "DQ_KESTRA_TASK_ID": "{{ task.id }}",
    "DQ_KESTRA_TASKRUN_ID": "{{ taskrun.id }}",
    "DQ_KESTRA_ATTEMPT": "{{ taskrun.attemptsCount }}",
    "DQ_KESTRA_TENANT": "{{ inputs.tenant ?? '' }}",
}


@attrs.frozen(kw_only=True)
class FlowOptions:
    """What ``dq-kestra flow`` puts in the flow besides the suite."""

    namespace: str
    id: str
    task_id: str = "dq_check"
    description: str | None = None
    #: cron expression of a Schedule trigger; ``None``: no trigger (manual/API runs)
    schedule: str | None = None
    #: attempts of the check task in all (1: no retry)
    max_attempts: int = 3
    retry_interval: str = "PT5M"
    runner: str = "docker"
    container_image: str = "python:3.11-slim"
    packages: tuple[str, ...] = ("dq-core", "dq-polars", "dq-kestra")
    fail_on: str = "error"
    engine: str | None = None
    #: more namespace files the task needs (data files, dq.toml ...), globs allowed
    include: tuple[str, ...] = ()


def _check(options: FlowOptions) -> None:
    problems = []
    if not FLOW_ID.fullmatch(options.id) or len(options.id) > 100:
        problems.append(f"--id {options.id!r}: Kestra flow ids are letters, digits, '.', '_', '-' (max 100)")
    if not NAMESPACE.fullmatch(options.namespace) or len(options.namespace) > 150:
        problems.append(
            f"--namespace {options.namespace!r}: Kestra namespaces are lowercase letters, digits, "
            "'.', '_', '-' (e.g. company.data)"
        )
    if not TASK_ID.fullmatch(options.task_id) or len(options.task_id) > 200:
        problems.append(f"--task-id {options.task_id!r}: letters, digits, '_' and '-' only")
    if options.max_attempts < 1:
        problems.append("--max-attempts must be 1 or more")
    if not DURATION.fullmatch(options.retry_interval) or options.retry_interval in ("P", "PT"):
        problems.append(f"--retry-interval {options.retry_interval!r}: use an ISO 8601 duration such as PT5M")
    if options.runner not in RUNNERS:
        problems.append(f"--runner {options.runner!r}: choose {' or '.join(RUNNERS)}")
    if options.fail_on not in FAIL_ON_VALUES:
        problems.append(f"--fail-on {options.fail_on!r}: choose one of {', '.join(FAIL_ON_VALUES)}")
    if problems:
        raise dq.ConfigError("dq-kestra flow", problems)


def namespace_files(suite_path: str) -> list[str]:
    """The suite file and the local files it names (rules, source), as namespace paths."""
    path = PurePosixPath(suite_path)
    if path.is_absolute() or ".." in path.parts:
        raise dq.UsageError(
            f"suite {suite_path!r}: give its path inside the flow's namespace files "
            "(relative, no '..'), e.g. suites/orders.suite.toml"
        )
    document = dq.load_document(Path(suite_path))
    files = [str(path)]
    if isinstance(document, dict):
        source = document.get("source")
        if isinstance(source, dict):
            source = source.get("path")
        for name in (document.get("rules"), source):
            if isinstance(name, str) and "://" not in name and not PurePosixPath(name).is_absolute():
                files.append(str(path.parent / name))
    return list(dict.fromkeys(files))


def _script_task(
    task_id: str, description: str, command: str, options: FlowOptions, include: list[str]
) -> dict[str, Any]:
    task: dict[str, Any] = {
        "id": task_id,
        "type": COMMANDS_TASK,
        "description": description,
        "namespaceFiles": {"enabled": True, "include": include},
        "taskRunner": {"type": RUNNERS[options.runner]},
    }
    if options.runner == "docker":
        task["containerImage"] = options.container_image
    if options.packages:
        task["beforeCommands"] = [
            "pip install --quiet " + " ".join(shlex.quote(p) for p in options.packages)
        ]
    task["commands"] = [command]
    task["env"] = dict(CONTEXT_ENV)
    return task


def generate_flow(suite_path: str, options: FlowOptions) -> dict[str, Any]:
    """The flow as a mapping (see the module docstring); :func:`render_flow` writes YAML."""
    _check(options)
    suite = dq.load_suite(suite_path)  # a broken suite fails here, not in Kestra
    include = [*namespace_files(suite_path), *options.include]
    quoted = shlex.quote(suite_path)
    extra = f" --fail-on {options.fail_on}" if options.fail_on != "error" else ""
    if options.engine:
        extra += f" --engine {shlex.quote(options.engine)}"
    validate = _script_task(
        f"{options.task_id}_validate",
        "dq: check the suite, its rules, engine and tenant; a config error fails here, "
        "without retries (exit 2)",
        f"dq-kestra validate {quoted}" + (f" --engine {shlex.quote(options.engine)}" if options.engine else ""),
        options,
        include,
    )
    check = _script_task(
        options.task_id,
        f"dq: run suite {suite.name!r}; outputs = summary, exit 0 pass / 1 gate / 2 rule "
        "error / 3 runtime (retried)",
        f"dq-kestra run {quoted}{extra}",
        options,
        include,
    )
    if options.max_attempts > 1:
        check["retry"] = {
            "type": "constant",
            "interval": options.retry_interval,
            "maxAttempts": options.max_attempts,
        }
    flow: dict[str, Any] = {
        "id": options.id,
        "namespace": options.namespace,
        "description": options.description or f"dq suite {suite.name!r} ({suite_path})",
        "inputs": [
            {
                "id": "tenant",
                "type": "STRING",
                "required": False,
                "description": "the dq tenant this run belongs to (empty: none, or the suite's own)",
            }
        ],
        "tasks": [validate, check],
    }
    if options.schedule:
        flow["triggers"] = [{"id": "schedule", "type": SCHEDULE_TRIGGER, "cron": options.schedule}]
    return flow


def render_flow(suite_path: str, options: FlowOptions) -> str:
    """The flow as YAML text, headed by a comment naming where it came from."""
    import yaml

    from dq_kestra import __version__

    body = yaml.safe_dump(
        generate_flow(suite_path, options), sort_keys=False, allow_unicode=True, width=100
    )
    return f"# written by dq-kestra {__version__} from {suite_path}\n{body}"
