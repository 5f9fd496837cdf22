"""Suites (what to check, how, and what to do with the result) and run contexts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from dq.model._failures import DEFAULT_FAILURES_LIMIT
from dq.model._rules import RuleSet
from dq.model._tenants import TenantId

#: The kinds of source a suite or ``[sources.NAME]`` may name (docs/data-sources.md).
SOURCE_TYPES = ("file", "sql", "spark")


def _masked_url(value: str | None) -> str:
    """A URL for reprs: a ``${secret:...}`` reference as is, anything else only its scheme."""
    if value is None or value.startswith("${secret:"):
        return repr(value)
    return repr(value.split(":", 1)[0] + ":***") if ":" in value else "'***'"


def _masked_dsn(value: dict[str, str]) -> str:
    return repr({k: (v if v.startswith("${secret:") else "***") for k, v in value.items()})


@attrs.frozen(kw_only=True)
class Source:
    """Data to check, as a suite or dq.toml's ``[sources.NAME]`` names it.

    ``type = "file"`` (the default): ``path`` is a file or glob, ``format`` inferred from the
    suffix when None; dq reads it with polars. ``"sql"``: a ``table`` or a ``query`` in the
    database named by ``url`` or libpq ``dsn`` fields (credentials only as ``${secret:...}``
    references; left out, the engine's own ``url`` is used). ``"spark"``: a ``table``, or a
    ``path`` read with ``format``. Non-file sources are opened by an engine that accepts
    them (``Engine.accepts``); this value only holds references, never a secret.
    """

    path: str | None = None
    format: str | None = None
    type: str = "file"
    table: str | None = None
    query: str | None = None
    url: str | None = attrs.field(default=None, repr=_masked_url)
    dsn: dict[str, str] = attrs.field(factory=dict, repr=_masked_dsn)
    options: dict[str, str] = attrs.field(factory=dict)
    name: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.type not in SOURCE_TYPES:
            raise ValueError(f"unknown source type {self.type!r}; one of {', '.join(SOURCE_TYPES)}")
        if self.type == "file" and self.path is None:
            raise ValueError("a file source needs 'path' (a file or a glob)")
        if self.type == "sql" and (self.table is None) == (self.query is None):
            raise ValueError("a sql source names exactly one of 'table' and 'query'")
        if self.type == "spark" and (self.table is None) == (self.path is None):
            raise ValueError("a spark source names exactly one of 'table' and 'path'")

    @property
    def label(self) -> str:
        """How messages name the source: its name, else its table or path (never a URL)."""
        if self.name:
            return self.name
        if self.table:
            return f"{self.type} table {self.table}"
        return self.path if self.path else f"{self.type} query"


class SourceRef:
    """A non-file source with its secret references resolved: what an engine opens itself.

    ``url`` is a :class:`dq.SecretValue` (a DSN built from ``dsn`` fields is one too), so
    it never shows in a repr, log or report; engines reveal it only to their driver. A plain
    read-only class, not a config type: it is built by dq at run time, never structured from
    or written to a file.
    """

    __slots__ = ("type", "label", "table", "query", "path", "format", "url", "options")

    def __init__(
        self,
        *,
        type: str,  # noqa: A002 - the source's kind, as in [source] type = "sql"
        label: str,
        table: str | None = None,
        query: str | None = None,
        path: str | None = None,
        format: str | None = None,  # noqa: A002
        url: Any = None,
        options: dict[str, Any] | None = None,
    ) -> None:
        for key, value in (
            ("type", type),
            ("label", label),
            ("table", table),
            ("query", query),
            ("path", path),
            ("format", format),
            ("url", url),
            ("options", dict(options or {})),
        ):
            object.__setattr__(self, key, value)

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("SourceRef is read-only")

    @property
    def name(self) -> str:
        return self.label

    def __repr__(self) -> str:
        what = (
            f"table={self.table!r}"
            if self.table
            else (f"path={self.path!r}" if self.path else "query=...")
        )
        url = ", url='***'" if self.url is not None else ""
        return f"SourceRef(type={self.type!r}, label={self.label!r}, {what}{url})"


def _non_negative(_inst: object, attribute: attrs.Attribute, value: int) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must be 0 (no limit) or more, got {value!r}")


@attrs.frozen(kw_only=True)
class Output:
    """Where a suite's report goes; ``failures`` also writes its failing rows there.

    ``failures`` is a ``.parquet`` or ``.csv`` path (relative to the suite file) for every
    row that failed a row-level rule, with the ids of the rules it failed, up to
    ``failures_limit`` rows (0: no limit).
    """

    format: str = "table"
    path: str | None = None
    failures: str | None = None
    failures_limit: int = attrs.field(default=DEFAULT_FAILURES_LIMIT, validator=_non_negative)


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
