"""Prefect's run facts mapped into a :class:`dq.RunContext`.

Inside a task Prefect exposes its run through ``prefect.runtime``: ``flow_run.id`` (a UUID),
``flow_run.name``, ``flow_run.flow_name``, ``flow_run.parameters`` (the flow's call
arguments, e.g. ``{"tenant": "acme"}``), ``flow_run.scheduled_start_time`` (the deployment's
scheduled time, or when an ad-hoc run was created; always timezone-aware), and
``task_run.id`` / ``task_run.run_count`` (1 on the first attempt). :func:`dq_prefect.run_facts`
reads them into one mapping with those names::

    {"id": "...", "name": "...", "flow_name": "...", "scheduled_start_time": <datetime>,
     "parameters": {...}, "task_run_id": "...", "task_run_count": 1}

This module maps such a mapping -- or a ``FlowRun`` read through Prefect's client
(``id``, ``name``, ``parameters``, ``expected_start_time``) -- without importing Prefect, so
``dq plugins info --check`` builds the binding without it.

What is mapped, and why:

* ``run_id``: the flow run id verbatim -- how a published result is traced back to its run;
* ``logical_date``: the scheduled start time, kept timezone-aware; a naive one is refused;
* the tenant: the explicit ``tenant`` (the task's argument), else the flow parameter
  ``tenant``; validated as a :class:`dq.TenantId`, never repaired;
* the other flow parameters as strings (JSON for non-strings), plus Prefect's ids
  ``flow_name``, ``flow_run_name``, ``task_run_id`` and ``task_run_count``, which win over a
  parameter of the same name: they identify the unit that ran.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import dq

ORCHESTRATOR = "prefect"
#: The flow parameter that names the tenant.
TENANT_PARAMETER = "tenant"
_SHOWN = 64


def parse_logical_date(value: object) -> datetime | None:
    """A timezone-aware datetime from a datetime (Prefect's DateTime included) or ISO text."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise dq.UsageError(
                f"scheduled_start_time {value[:_SHOWN]!r} is not an ISO 8601 date"
            ) from None
    if not isinstance(value, datetime):
        raise dq.UsageError(f"scheduled_start_time must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise dq.UsageError(
            f"scheduled_start_time {value.isoformat()} has no timezone: Prefect's are aware; "
            "pass one with an offset"
        )
    return value


def parse_tenant(value: object) -> dq.TenantId | None:
    """A validated tenant id; ``None`` and ``""`` mean no tenant."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise dq.UsageError(
            f"tenant must be text, not {type(value).__name__}: pass the flow parameter "
            "'tenant' as a string"
        )
    try:
        return dq.TenantId(value)
    except ValueError:
        raise dq.UsageError(
            f"tenant {value[:_SHOWN]!r} is not a tenant id: use 1-63 lowercase letters, "
            "digits and inner '-' (check the flow's 'tenant' parameter or the task's tenant=)"
        ) from None


def param_text(value: object) -> str:
    """A parameter as text: strings as they are, anything else as JSON (``3`` -> ``"3"``)."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except ValueError:  # a circular structure
        return repr(value)


def facts_of(native: object) -> Mapping[str, Any]:
    """The run facts mapping for *native* (a mapping already, or a FlowRun-like object)."""
    if isinstance(native, Mapping):
        return native
    if hasattr(native, "id") and hasattr(native, "parameters"):
        return {
            "id": str(native.id),
            "name": getattr(native, "name", None),
            "flow_name": getattr(native, "flow_name", None),
            "scheduled_start_time": getattr(native, "expected_start_time", None),
            "parameters": native.parameters,
        }
    raise dq.UsageError(
        f"expected Prefect's run facts (dq_prefect.run_facts()) or a FlowRun, got "
        f"{type(native).__name__}: call this inside a flow or task"
    )


def prefect_ids(facts: Mapping[str, Any]) -> dict[str, str]:
    ids: dict[str, str] = {}
    for key, name in (
        ("flow_name", "flow_name"),
        ("name", "flow_run_name"),
        ("task_run_id", "task_run_id"),
        ("task_run_count", "task_run_count"),
    ):
        value = facts.get(key)
        if value is not None and value != "":
            ids[name] = str(value)
    return ids


def run_context(native: object, *, tenant: object = None) -> dq.RunContext:
    """Map Prefect's run facts into a RunContext.

    *tenant*, when given and not empty (the task's ``tenant`` argument), wins over the flow
    parameter ``tenant``.
    """
    facts = facts_of(native)
    run_id = facts.get("id")
    if run_id is None or str(run_id) == "":
        raise dq.UsageError("no Prefect flow run id: call this inside a flow run")
    parameters = facts.get("parameters")
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, Mapping):
        raise dq.UsageError(f"flow parameters must be a mapping, not {type(parameters).__name__}")
    values = {str(key): parameters[key] for key in parameters}
    chosen = tenant if tenant not in (None, "") else values.get(TENANT_PARAMETER)
    params = {k: param_text(v) for k, v in values.items() if k != TENANT_PARAMETER}
    params.update(prefect_ids(facts))
    return dq.RunContext(
        run_id=str(run_id),
        logical_date=parse_logical_date(facts.get("scheduled_start_time")),
        tenant=parse_tenant(chosen),
        orchestrator=ORCHESTRATOR,
        params=params,
    )
