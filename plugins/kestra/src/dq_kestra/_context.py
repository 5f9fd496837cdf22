"""Kestra's run context, as a script sees it, mapped into a :class:`dq.RunContext`.

Kestra hands a script nothing implicitly: the task's ``env`` property renders Pebble
expressions into environment variables. The flows :mod:`dq_kestra._flow` writes set

=========================  ==============================================================
variable                   rendered from (Kestra expression)
=========================  ==============================================================
``DQ_KESTRA_EXECUTION_ID`` ``{{ execution.id }}`` -- the run id, verbatim
``DQ_KESTRA_TRIGGER_DATE`` ``{{ trigger.date ?? execution.startDate }}`` as ISO 8601 with
                           an offset -- the logical date (a schedule's tick, else the
                           execution's start for a manual run)
``DQ_KESTRA_NAMESPACE``    ``{{ flow.namespace }}``
``DQ_KESTRA_FLOW_ID``      ``{{ flow.id }}``
``DQ_KESTRA_TASK_ID``      ``{{ task.id }}``
``DQ_KESTRA_TASKRUN_ID``   ``{{ taskrun.id }}``
``DQ_KESTRA_ATTEMPT``      ``{{ taskrun.attemptsCount }}`` (0 on the first attempt)
``DQ_KESTRA_TENANT``       ``{{ inputs.tenant }}`` -- the flow's ``tenant`` input
``DQ_KESTRA_PARAM_<NAME>`` any other value a flow author wants in the run's params
=========================  ==============================================================

(kestra.io/docs/expressions: "Default execution context variables".) The mapping reads
any ``Mapping[str, object]`` -- ``os.environ`` in a task, a dict in tests -- and never
imports anything of Kestra's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import dq

ORCHESTRATOR = "kestra"
PREFIX = "DQ_KESTRA_"
PARAM_PREFIX = PREFIX + "PARAM_"
#: env variable -> the RunContext param it becomes
IDS = {
    "DQ_KESTRA_NAMESPACE": "namespace",
    "DQ_KESTRA_FLOW_ID": "flow_id",
    "DQ_KESTRA_TASK_ID": "task_id",
    "DQ_KESTRA_TASKRUN_ID": "taskrun_id",
    "DQ_KESTRA_ATTEMPT": "attempt",
}
_SHOWN = 64
#: Java's ZonedDateTime.toString() appends the zone id: ``2026-11-25T00:00+05:30[Asia/Kolkata]``
_ZONE_ID = re.compile(r"\[[^\]]*\]$")


def parse_date(value: object) -> datetime | None:
    """A timezone-aware datetime from ISO 8601 text (a trailing ``[Zone/Id]`` is allowed)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        text = _ZONE_ID.sub("", value.strip())
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise dq.UsageError(
                f"DQ_KESTRA_TRIGGER_DATE {value[:_SHOWN]!r} is not an ISO 8601 date: render it "
                "with | date(\"yyyy-MM-dd'T'HH:mm:ss.SSSXXX\")"
            ) from None
    else:
        raise dq.UsageError(f"DQ_KESTRA_TRIGGER_DATE must be text, not {type(value).__name__}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise dq.UsageError(
            f"DQ_KESTRA_TRIGGER_DATE {parsed.isoformat()} has no offset: a date without one is "
            "ambiguous between the scheduler's and the worker's zones; render it with XXX"
        )
    return parsed


def parse_tenant(value: object) -> dq.TenantId | None:
    """A validated tenant id; unset or empty (an optional flow input left blank) is none."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise dq.UsageError(f"the tenant must be text, not {type(value).__name__}")
    try:
        return dq.TenantId(value)
    except ValueError:
        raise dq.UsageError(
            f"tenant {value[:_SHOWN]!r} is not a tenant id: use 1-63 lowercase letters, digits "
            "and inner '-' (check the flow's tenant input or --tenant)"
        ) from None


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except ValueError:
        return repr(value)


def run_context(env: object, *, tenant: object = None) -> dq.RunContext:
    """Map Kestra's rendered variables (*env*) into a RunContext.

    *tenant* (``--tenant``) wins over ``DQ_KESTRA_TENANT``; an empty one falls back to it.
    """
    if not isinstance(env, Mapping):
        raise dq.UsageError(
            f"expected the task's environment (a mapping), got {type(env).__name__}"
        )
    run_id = env.get("DQ_KESTRA_EXECUTION_ID")
    if not isinstance(run_id, str) or not run_id:
        raise dq.UsageError(
            "DQ_KESTRA_EXECUTION_ID is not set: run this inside a Kestra task whose env sets "
            "it to '{{ execution.id }}' (dq-kestra flow writes such a task)"
        )
    params: dict[str, str] = {}
    for key, value in env.items():
        if isinstance(key, str) and key.startswith(PARAM_PREFIX) and len(key) > len(PARAM_PREFIX):
            params[key[len(PARAM_PREFIX) :]] = _text(value)
    params.pop("tenant", None)
    for key, name in IDS.items():  # Kestra's own ids win over a param of the same name
        value = env.get(key)
        if value not in (None, ""):
            params[name] = _text(value)
    chosen: Any = tenant if tenant not in (None, "") else env.get("DQ_KESTRA_TENANT")
    return dq.RunContext(
        run_id=run_id,
        logical_date=parse_date(env.get("DQ_KESTRA_TRIGGER_DATE")),
        tenant=parse_tenant(chosen),
        orchestrator=ORCHESTRATOR,
        params=params,
    )
