"""Suites (what to check, how, and what to do with the result) and run contexts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from dq.model._rules import RuleSet
from dq.model._tenants import TenantId


@attrs.frozen(kw_only=True)
class Source:
    """Data to check: a path or glob; ``format`` is inferred from the suffix when None."""

    path: str
    format: str | None = None


@attrs.frozen(kw_only=True)
class Output:
    format: str = "table"
    path: str | None = None


@attrs.frozen(kw_only=True)
class Suite:
    """A runnable unit: source + rules + engine + output.

    ``notify``, ``secrets`` and ``tenant`` are reserved sections, kept as plain
    tables here and structured by the subsystem that owns them, so the suite
    format does not change when those subsystems grow.
    """

    name: str
    source: Source
    rules: RuleSet
    engine: str = "polars"
    engine_config: dict[str, Any] = attrs.field(factory=dict)
    output: Output = Output()
    notify: dict[str, Any] = attrs.field(factory=dict)
    secrets: dict[str, Any] = attrs.field(factory=dict)
    tenant: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class RunContext:
    """Where a run comes from: the orchestrator's ids mapped into dq's terms."""

    run_id: str
    logical_date: datetime | None = None
    tenant: TenantId | None = None
    orchestrator: str | None = None
    params: dict[str, str] = attrs.field(factory=dict)
