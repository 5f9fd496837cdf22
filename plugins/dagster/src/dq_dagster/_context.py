"""Dagster's run context mapped into a :class:`dq.RunContext`.

What a Dagster unit can see of its run: ``context.run`` (a ``DagsterRun``: ``run_id``, a UUID
for launched runs; ``job_name``; ``tags``, a mapping of text to text), the partition
(``context.has_partition_key``, ``partition_key``, and ``partition_time_window`` for
time-partitioned assets), the op (``context.op_def.name``) and the attempt
(``context.retry_number``). This module reads them duck-typed, so it never imports Dagster:
``dq plugins info --check`` builds the binding without it. It accepts an execution context
(op, asset or asset check) or a bare ``DagsterRun``.

What is mapped, and why:

* ``run_id`` verbatim -- how a published result is traced back to its run;
* the logical date: the start of the run's time-window partition (a daily partition
  ``2026-11-25`` of a partitions definition in ``Asia/Kolkata`` is 2026-11-25 00:00+05:30),
  else the schedule tick the scheduler stored in the run tag
  ``.dagster/scheduled_execution_time`` (``dagster/scheduled_execution_time`` before 1.11),
  else none (a run launched by hand). A date without a zone is refused, never guessed;
* the tenant from the explicit ``tenant`` (the check factory's or the resource's), else the
  run tag ``dq/tenant``; validated as a :class:`dq.TenantId`, never repaired;
* the run's other tags as params (Dagster's own ``dagster/...`` and ``.dagster/...`` tags
  left out), plus Dagster's ids ``job_name``, ``op``, ``partition_key`` and ``retry_number``,
  which win over a tag of the same name: they identify the unit that ran.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import dq

ORCHESTRATOR = "dagster"
#: The run tag a launcher sets to name the tenant (``dagster job launch --tags``).
TENANT_TAG = "dq/tenant"
SCHEDULED_TAGS = (".dagster/scheduled_execution_time", "dagster/scheduled_execution_time")
_SYSTEM_PREFIXES = ("dagster/", ".dagster/")
_SHOWN = 64


def parse_logical_date(value: object, where: str = "logical date") -> datetime | None:
    """A timezone-aware datetime from a datetime or ISO 8601 text; naive ones are refused."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise dq.UsageError(f"{where} {value[:_SHOWN]!r} is not an ISO 8601 date") from None
    if not isinstance(value, datetime):
        raise dq.UsageError(f"{where} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise dq.UsageError(
            f"{where} {value.isoformat()} has no timezone: give the partitions definition or "
            "the schedule a timezone, or tag the run with an offset"
        )
    return value


def parse_tenant(value: object) -> dq.TenantId | None:
    """A validated tenant id; ``None`` and ``""`` mean no tenant."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise dq.UsageError(f"tenant must be text, not {type(value).__name__}")
    try:
        return dq.TenantId(value)
    except ValueError:
        raise dq.UsageError(
            f"tenant {value[:_SHOWN]!r} is not a tenant id: use 1-63 lowercase letters, "
            f"digits and inner '-' (check the run tag {TENANT_TAG!r} or the tenant= given "
            "to the check or DqResource)"
        ) from None


def _run_of(native: object) -> Any:
    """The DagsterRun behind *native* (an execution context, or a run itself)."""
    try:
        run = getattr(native, "run", None)
    except Exception:  # noqa: BLE001 - a context built outside a run raises here
        run = None
    if not isinstance(getattr(run, "run_id", None), str):
        run = native
    if not isinstance(getattr(run, "run_id", None), str) or not hasattr(run, "tags"):
        raise dq.UsageError(
            f"expected a Dagster execution context or DagsterRun, got {type(native).__name__}: "
            "pass the context Dagster hands the op, asset or asset check"
        )
    return run


def _partition(native: object) -> tuple[str | None, datetime | None]:
    """The partition key and, for a time-window partition, its start."""
    try:
        if not getattr(native, "has_partition_key", False):
            return None, None
        key = native.partition_key  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - Dagster raises its own errors outside partitioned runs
        return None, None
    try:
        start = native.partition_time_window.start  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - not a time-window partitions definition
        start = None
    return (str(key) if key is not None else None), start


def dagster_ids(native: object, run: Any, partition_key: str | None) -> dict[str, str]:
    """``job_name``, ``op``, ``partition_key`` and ``retry_number`` where known."""
    ids: dict[str, str] = {}
    job_name = getattr(run, "job_name", None)
    if job_name:
        ids["job_name"] = str(job_name)
    op_def = None
    try:
        op_def = getattr(native, "op_def", None)
    except Exception:  # noqa: BLE001 - a context built outside a run has no op
        op_def = None
    if getattr(op_def, "name", None):
        ids["op"] = str(op_def.name)
    if partition_key is not None:
        ids["partition_key"] = partition_key
    try:
        retry = getattr(native, "retry_number", None)
    except Exception:  # noqa: BLE001
        retry = None
    if isinstance(retry, int):
        ids["retry_number"] = str(retry)
    return ids


def run_context(native: object, *, tenant: object = None) -> dq.RunContext:
    """Map a Dagster execution context (or DagsterRun) into a RunContext.

    *tenant*, when given and not empty (the check's or resource's ``tenant``), wins over the
    run tag ``dq/tenant``: the code's author decides before whoever launches a run.
    """
    run = _run_of(native)
    run_id = run.run_id
    if not run_id:
        raise dq.UsageError("the Dagster run has no run id: is this called inside a run?")
    tags = getattr(run, "tags", None) or {}
    if not isinstance(tags, Mapping):
        raise dq.UsageError(f"run tags must be a mapping, not {type(tags).__name__}")
    partition_key, window_start = _partition(native)
    logical = parse_logical_date(window_start, "partition start")
    if logical is None:
        for tag in SCHEDULED_TAGS:
            if tags.get(tag):
                logical = parse_logical_date(tags[tag], f"run tag {tag}")
                break
    chosen = tenant if tenant not in (None, "") else tags.get(TENANT_TAG)
    params = {
        str(key): str(value)
        for key, value in tags.items()
        if key != TENANT_TAG and not str(key).startswith(_SYSTEM_PREFIXES)
    }
    params.update(dagster_ids(native, run, partition_key))
    return dq.RunContext(
        run_id=run_id,
        logical_date=logical,
        tenant=parse_tenant(chosen),
        orchestrator=ORCHESTRATOR,
        params=params,
    )
