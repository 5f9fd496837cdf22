"""Airflow's task context mapped into a :class:`dq.RunContext`.

Airflow hands ``execute`` a ``Context`` mapping: ``run_id`` (text such as
``scheduled__2026-11-25T00:00:00+00:00`` or ``manual__...``), ``logical_date`` (a pendulum
``DateTime``; ``None`` for a manual Airflow 3 run triggered without one), ``params`` (a
``ParamsDict`` of the DAG's and the run conf's values), ``dag``, ``task`` and ``ti`` (the
running task instance: ``try_number``, ``map_index``). This module reads only through the
``Mapping`` interface and duck-typed attributes, so it never imports Airflow: the
``dq plugins info --check`` path builds the binding without it.

What is mapped, and why:

* ``run_id`` verbatim -- it is how a published result is traced back to its DAG run;
* ``logical_date`` kept timezone-aware and the same instant; a naive one is refused (it is
  ambiguous between the scheduler's and the worker's zones), never guessed;
* the tenant from ``params["tenant"]`` (or the operator's ``tenant`` argument), validated as a
  :class:`dq.TenantId` and refused if invalid, never repaired;
* the other params as strings (JSON text for non-strings, so ``3`` is ``"3"`` and ``True`` is
  ``"true"``), plus Airflow's own ids ``dag_id``, ``task_id``, ``try_number`` and, for a
  mapped task, ``map_index``. Airflow's ids win over a DAG param of the same name: they
  identify the unit that ran, which a param must not be able to disguise.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import dq

ORCHESTRATOR = "airflow"
#: How much of an offending value an error message shows (a tenant is at most 63 chars).
_SHOWN = 64


def parse_logical_date(value: object) -> datetime | None:
    """A timezone-aware datetime from a datetime (pendulum's included) or ISO 8601 text."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise dq.UsageError(
                f"logical_date {value[:_SHOWN]!r} is not an ISO 8601 date"
            ) from None
    if not isinstance(value, datetime):
        raise dq.UsageError(f"logical_date must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise dq.UsageError(
            f"logical_date {value.isoformat()} has no timezone: Airflow dates are aware; "
            "pass one with an offset"
        )
    return value


def parse_tenant(value: object) -> dq.TenantId | None:
    """A validated tenant id; ``None`` and ``""`` (an unset templated param) mean no tenant."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise dq.UsageError(
            f"tenant must be text, not {type(value).__name__}: set params['tenant'] to a string"
        )
    try:
        return dq.TenantId(value)
    except ValueError:
        raise dq.UsageError(
            f"tenant {value[:_SHOWN]!r} is not a tenant id: use 1-63 lowercase letters, "
            "digits and inner '-' (check the DAG's 'tenant' param or the operator's tenant=)"
        ) from None


def param_text(value: object) -> str:
    """A param value as text: strings as they are, anything else as JSON (``3`` -> ``"3"``)."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except ValueError:  # a circular structure
        return repr(value)


def airflow_ids(native: Mapping[str, Any]) -> dict[str, str]:
    """``dag_id``, ``task_id``, ``try_number`` and ``map_index`` (mapped tasks only)."""
    ids: dict[str, str] = {}
    ti = native.get("ti") or native.get("task_instance")
    dag = native.get("dag")
    task = native.get("task")
    dag_id = getattr(ti, "dag_id", None) or getattr(dag, "dag_id", None)
    task_id = getattr(ti, "task_id", None) or getattr(task, "task_id", None)
    if dag_id:
        ids["dag_id"] = str(dag_id)
    if task_id:
        ids["task_id"] = str(task_id)
    try_number = getattr(ti, "try_number", None)
    if try_number is not None:
        ids["try_number"] = str(try_number)
    map_index = getattr(ti, "map_index", None)
    if isinstance(map_index, int) and map_index >= 0:
        ids["map_index"] = str(map_index)
    return ids


def run_context(native: object, *, tenant: object = None) -> dq.RunContext:
    """Map Airflow's task context (or any mapping of the same keys) into a RunContext.

    *tenant*, when given (the operator's templated ``tenant`` argument), takes precedence
    over ``params["tenant"]``; an empty rendering falls back to the param.
    """
    if not isinstance(native, Mapping):
        raise dq.UsageError(
            f"expected Airflow's task context (a mapping), got {type(native).__name__}: "
            "pass the context Airflow gives execute()"
        )
    run_id = native.get("run_id")
    if not isinstance(run_id, str) or not run_id:
        raise dq.UsageError("the Airflow context has no run_id: is this called inside a task?")
    params = native.get("params")
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise dq.UsageError(f"context params must be a mapping, not {type(params).__name__}")
    # key by key through __getitem__: Airflow's ParamsDict.items() yields Param objects,
    # its __getitem__ the resolved values
    values = {str(key): params[key] for key in params}
    chosen = tenant if tenant not in (None, "") else values.get("tenant")
    mapped = {key: param_text(value) for key, value in values.items() if key != "tenant"}
    mapped.update(airflow_ids(native))
    return dq.RunContext(
        run_id=run_id,
        logical_date=parse_logical_date(native.get("logical_date")),
        tenant=parse_tenant(chosen),
        orchestrator=ORCHESTRATOR,
        params=mapped,
    )
