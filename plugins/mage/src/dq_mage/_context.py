"""Mage's block keyword arguments mapped into a :class:`dq.RunContext`.

Mage calls a block function as ``fn(*upstream_outputs, **kwargs)``; the keyword arguments are
the pipeline's runtime variables (``metadata.yaml`` ``variables``, a trigger's variables, the
run's) plus what Mage adds: ``pipeline_uuid`` and ``block_uuid`` always; in a triggered run
also ``execution_date`` (a datetime), ``pipeline_run_id`` (the run's database id),
``execution_partition``, ``trigger_name``, ``ds``/``hr``, ``event``; and objects such as
``logger``, ``context``, ``configuration`` (block variables) and ``retry``. This module reads
that mapping only, so it never imports Mage.

What is mapped, and why:

* ``run_id``: ``pipeline_run_id`` verbatim as text -- how a result is traced back to Mage's
  run; a block run by hand (no pipeline run) gets ``<pipeline>/<execution_partition>`` or
  ``<pipeline>/manual__<now>``, never a value shared by two runs;
* ``execution_date`` as the logical date; Mage's scheduler works in UTC and its SQLite store
  drops the zone, so a naive value is read as UTC (documented in the README);
* the tenant from the pipeline variable named by ``tenant_variable`` (``tenant``), or the
  helper's ``tenant=``, which wins; validated as a :class:`dq.TenantId`, never repaired;
* the other plain runtime variables as text (JSON for non-strings), plus Mage's ids
  ``pipeline_uuid``, ``block_uuid``, ``pipeline_run_id``, ``execution_partition``,
  ``trigger_name`` and ``dynamic_block_index``, which win over a variable of the same name.
  Mage's objects (``logger``, ``context``...) and the ``event`` payload (a webhook's body may
  carry credentials) are left out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import dq

ORCHESTRATOR = "mage"
#: Mage's own ids: copied into the params, winning over a runtime variable of the same name.
MAGE_IDS = (
    "pipeline_uuid",
    "block_uuid",
    "pipeline_run_id",
    "execution_partition",
    "trigger_name",
    "dynamic_block_index",
)
#: Keyword arguments that are Mage's objects or payloads, never params.
_NOT_PARAMS = frozenset(
    {
        "logger",
        "context",
        "configuration",
        "retry",
        "spark",
        "remote_blocks",
        "event",
        "execution_date",
        "repo_path",
        "env",
    }
)
_PLAIN = (str, int, float, bool, list, tuple, dict, date)
_SHOWN = 64


def parse_execution_date(value: object) -> datetime | None:
    """A timezone-aware datetime from a datetime or ISO 8601 text; naive means UTC (Mage's)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise dq.UsageError(
                f"execution_date {value[:_SHOWN]!r} is not an ISO 8601 date"
            ) from None
    if not isinstance(value, datetime):
        raise dq.UsageError(f"execution_date must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    return value


def parse_tenant(value: object, variable: str = "tenant") -> dq.TenantId | None:
    """A validated tenant id; ``None`` and ``""`` (an unset variable) mean no tenant."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise dq.UsageError(
            f"tenant must be text, not {type(value).__name__}: set the pipeline variable "
            f"{variable!r} to a string"
        )
    try:
        return dq.TenantId(value)
    except ValueError:
        raise dq.UsageError(
            f"tenant {value[:_SHOWN]!r} is not a tenant id: use 1-63 lowercase letters, "
            f"digits and inner '-' (check the pipeline variable {variable!r} or tenant=)"
        ) from None


def param_text(value: object) -> str:
    """A variable as text: strings as they are, anything else as JSON (``3`` -> ``"3"``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except ValueError:  # a circular structure
        return repr(value)


def run_id_for(native: Mapping[str, Any], now: datetime | None = None) -> str:
    """``pipeline_run_id`` as text; without a pipeline run, one naming the pipeline."""
    run_id = native.get("pipeline_run_id")
    if run_id is not None and str(run_id) != "":
        return str(run_id)
    pipeline = str(native.get("pipeline_uuid") or "mage")
    partition = native.get("execution_partition")
    if partition:
        return f"{pipeline}/{partition}"
    stamp = (now or datetime.now(UTC)).isoformat(timespec="microseconds")
    return f"{pipeline}/manual__{stamp}"


def run_context(
    native: object, *, tenant: object = None, tenant_variable: str = "tenant"
) -> dq.RunContext:
    """Map a Mage block's keyword arguments into a RunContext (*tenant* wins if given)."""
    if not isinstance(native, Mapping):
        raise dq.UsageError(
            f"expected the Mage block's keyword arguments (a mapping), got "
            f"{type(native).__name__}: pass **kwargs from the block function"
        )
    chosen = tenant if tenant not in (None, "") else native.get(tenant_variable)
    params = {
        str(key): param_text(value)
        for key, value in native.items()
        if key not in _NOT_PARAMS
        and key != tenant_variable
        and key not in MAGE_IDS
        and isinstance(value, _PLAIN)
    }
    for key in MAGE_IDS:
        value = native.get(key)
        if value is not None and value != "":
            params[key] = str(value)
    return dq.RunContext(
        run_id=run_id_for(native),
        logical_date=parse_execution_date(native.get("execution_date")),
        tenant=parse_tenant(chosen, tenant_variable),
        orchestrator=ORCHESTRATOR,
        params=params,
    )
