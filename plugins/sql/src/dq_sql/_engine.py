"""The Engine: one aggregate query for every rule's verdict, one bounded query for samples.

``check`` reads the source's columns (a ``LIMIT 0`` probe), settles what needs no data
(unknown columns, wrong types, unsupported checks), validates each regex and expression on
the database without scanning, then runs ONE ``SELECT count(*), <two aggregates per rule>``
over the source. Only counts come back; samples come from a second query bounded by
``sample_size`` per failing rule. If the fused query fails at run time (a cast the data
breaks), each rule is run alone so the fault lands on the rule that has it.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from datetime import time as dtime
from decimal import Decimal
from typing import Any

import dq

from dq_sql import _profile
from dq_sql._compile import (
    SAMPLED,
    SUPPORTED_CHECKS,
    Compiled,
    base,
    compile_rule,
    error_result,
)
from dq_sql._config import SqlConfig
from dq_sql._connect import Connection, open_source
from dq_sql._errors import SqlSourceError, mask
from dq_sql._rows import rule_set_key, sample, sample_rows

ENGINE_NAME = "sql"


def scalar(value: Any) -> Any:
    """A JSON-safe sample value (Decimal -> float, dates -> ISO text)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date | dtime):
        return value.isoformat()
    return dq.json_scalar(value)


class SqlEngine:
    """Satisfies ``dq.protocols.Engine`` for SQL tables, queries and polars frames."""

    supported_checks: frozenset[str] = SUPPORTED_CHECKS
    #: Failure samples carry the rule set's key values, or row numbers (``sample_rows``).
    locates_rows: bool = True
    streams: bool = True  # the database scans; nothing is collected into Python
    #: What ``data`` may be: polars frames (loaded into an in-process DuckDB) and SQL sources.
    accepts: frozenset[str] = frozenset({"polars", "sql"})

    def __init__(self, config: SqlConfig | None = None) -> None:
        self.config = config or SqlConfig()

    def __repr__(self) -> str:
        return "SqlEngine(url=***)" if self.config.url is not None else "SqlEngine()"

    # -- check ------------------------------------------------------------------------------

    def check(self, data: Any, rules: dq.RuleSet) -> dq.CheckResult:
        started_at, started = datetime.now(UTC), time.perf_counter()
        with open_source(data, self.config.url) as (conn, source):
            results, rows = self._check(conn, source, rules, started_at)
        return dq.CheckResult(
            status=dq.run_status(results, rules.gate),
            engine=ENGINE_NAME,
            results=tuple(results),
            row_count=rows,
            started_at=started_at,
            key=rule_set_key(rules),
            duration_seconds=time.perf_counter() - started,
        )

    def _check(
        self, conn: Connection, source: str, rules: dq.RuleSet, now: datetime
    ) -> tuple[list[dq.RuleResult], int]:
        d = conn.dialect
        full = dict(_schema(conn, source, full=True))
        schema = {name: dtype.split("(", 1)[0] for name, dtype in full.items()}
        dq.refuse_missing_key(rules, schema)  # a wrong key costs no scan
        settled: dict[int, dq.RuleResult] = {}
        plans: dict[int, Compiled] = {}
        for i, rule in enumerate(rules.rules):
            out = compile_rule(rule, schema, d, source, full)
            if isinstance(out, Compiled):
                problem = _validate(conn, out, source)
                if problem:
                    settled[i] = error_result(rule, problem)
                    continue
                plans[i] = out
            elif out is not None:
                settled[i] = out
        rows, counts = self._counts(conn, source, plans)
        for i, problem in list(counts.items()):
            if isinstance(problem, str):
                settled[i] = error_result(rules.rules[i], problem)
                plans.pop(i)
        samples = _samples(conn, source, plans, counts, rules.sample_size)
        located = sample_rows(conn, source, plans, counts, rules)
        results = []
        for i, rule in enumerate(rules.rules):
            if i in settled:
                results.append(settled[i])
            elif i in plans and plans[i].judge is not None:
                results.append(plans[i].judge(counts[i], now))  # type: ignore[misc]
            elif i in plans:
                failed, element = (int(v or 0) for v in counts[i][:2])
                results.append(
                    _judged(plans[i], failed, element, samples.get(i, ()), located.get(i, ()))
                )
            elif rule.check == "schema":
                results.append(dq.schema_result(rule, full))
            else:
                results.append(_table_level(rule, schema, rows))
        return results, rows

    def _counts(
        self, conn: Connection, source: str, plans: dict[int, Compiled]
    ) -> tuple[int, dict[int, Any]]:
        items = ["count(*) AS dq_rows"]
        spans: dict[int, tuple[int, int]] = {}
        for i, plan in plans.items():
            start = len(items)
            items += [f"{sql} AS dq_a{i}_{k}" for k, sql in enumerate(plan.aggregates)]
            spans[i] = (start, len(items))
        try:
            _, rows = conn.run(f"SELECT {', '.join(items)} FROM {source}")
        except Exception:  # noqa: BLE001 - re-run rule by rule to find the culprit
            return self._counts_one_by_one(conn, source, plans)
        row = rows[0]
        return int(row[0]), {i: tuple(row[a:b]) for i, (a, b) in spans.items()}

    def _counts_one_by_one(
        self, conn: Connection, source: str, plans: dict[int, Compiled]
    ) -> tuple[int, dict[int, Any]]:
        try:
            _, rows = conn.run(f"SELECT count(*) FROM {source}")
        except Exception as exc:  # noqa: BLE001 - the driver's own error types
            raise conn.fail(exc, "counting rows") from None
        out: dict[int, Any] = {}
        for i, plan in plans.items():
            try:
                _, got = conn.run(f"SELECT {', '.join(plan.aggregates)} FROM {source}")
                out[i] = tuple(got[0])
            except Exception as exc:  # noqa: BLE001
                out[i] = f"the database could not evaluate it: {mask(_first(exc), *conn.secrets)}"
        return int(rows[0][0]), out

    # -- profile and learn ------------------------------------------------------------------

    def profile(self, data: Any) -> dq.Profile:
        with open_source(data, self.config.url) as (conn, source):
            return _profile.profile(conn, source, _schema(conn, source))

    def learn(self, data: Any) -> dq.RuleSet:
        return _profile.learn(self.profile(data))


def _first(exc: BaseException) -> str:
    return (str(exc).strip() or type(exc).__name__).splitlines()[0]


def _schema(conn: Connection, source: str, *, full: bool = False) -> list[tuple[str, str]]:
    try:
        columns = conn.describe(f"SELECT * FROM {source}", full=full)
    except Exception as exc:  # noqa: BLE001
        raise conn.fail(exc, "reading the columns") from None
    return [(n, t) for n, t in columns if n != conn.row_column]


def _validate(conn: Connection, plan: Compiled, source: str) -> str | None:
    """Why the database rejects the rule's regex or expression, without scanning (or None)."""
    try:
        if plan.regex_probe is not None:
            conn.run(f"SELECT {plan.regex_probe}")
        if plan.expression is not None:
            types = conn.describe(f"SELECT ({plan.expression}) AS dq_x FROM {source} LIMIT 0")
            if types[0][1] not in ("Boolean", "Null"):
                return f"expression {plan.rule.expression!r} is not a row-level boolean"
    except Exception as exc:  # noqa: BLE001 - the driver's own error types
        what = "invalid regex" if plan.regex_probe else "invalid expression"
        value = plan.rule.pattern if plan.regex_probe else plan.rule.expression
        return f"{what} {value!r}: {mask(_first(exc), *conn.secrets)}"
    return None


def _samples(
    conn: Connection, source: str, plans: dict[int, Compiled], counts: dict[int, Any], size: int
) -> dict[int, tuple[Any, ...]]:
    """Distinct failing values in order of first appearance, at most *size*, one query."""
    wanted = [
        i
        for i, p in plans.items()
        if size > 0 and p.fails and p.rule.check in SAMPLED and int(counts[i][0] or 0) > 0
    ]
    if not wanted:
        return {}
    if conn.row_column:
        numbered, order = source, conn.dialect.ident(conn.row_column)
    else:
        numbered = f"(SELECT *, row_number() OVER () AS dq_rn FROM {source}) AS dq_numbered"
        order = "dq_rn"
    out = {
        i: _combinations(conn, plans[i], numbered, order, size)
        for i in wanted
        if plans[i].key_columns
    }
    wanted = [i for i in wanted if i not in out]
    if not wanted:
        return out
    items = []
    for i in wanted:
        p = plans[i]
        items.append(
            f"(SELECT array_agg(dq_v ORDER BY dq_first) FROM (SELECT {p.column} AS dq_v, "
            f"min({order}) AS dq_first FROM {numbered} WHERE {p.fails} GROUP BY {p.column} "
            f"ORDER BY dq_first LIMIT {int(size)}) AS dq_s) AS dq_s{i}"
        )
    try:
        _, rows = conn.run(f"SELECT {', '.join(items)}")
    except Exception as exc:  # noqa: BLE001 - samples are extra; a failure here is a source fault
        raise conn.fail(exc, "reading failure samples") from None
    names = {i: plans[i].rule.column for i in wanted}
    out.update(
        {
            i: tuple(sample(conn.sample(names[i], v)) for v in (rows[0][k] or ()))
            for k, i in enumerate(wanted)
        }
    )
    return out


def _combinations(
    conn: Connection, plan: Compiled, numbered: str, order: str, size: int
) -> tuple[Any, ...]:
    """Composite unique: the repeated combinations ({column: value}), in order of first
    appearance, at most *size* (only run when the rule failed rows)."""
    keys = ", ".join(conn.dialect.ident(n) for n in plan.key_columns)
    sql = (
        f"SELECT {keys} FROM (SELECT {keys}, min({order}) AS dq_first, count(*) AS dq_n "
        f"FROM {numbered} WHERE {plan.fails} GROUP BY {keys}) AS dq_c WHERE dq_n > 1 "
        f"ORDER BY dq_first LIMIT {int(size)}"
    )
    try:
        _, rows = conn.run(sql)
    except Exception as exc:  # noqa: BLE001 - samples are extra; a failure here is a source fault
        raise conn.fail(exc, "reading failure samples") from None
    names = plan.key_columns
    return tuple(
        {n: sample(conn.sample(n, v)) for n, v in zip(names, row, strict=True)} for row in rows
    )


def _judged(
    plan: Compiled,
    failed: int,
    element: int,
    samples: tuple[Any, ...],
    located: tuple[dq.SampleRow, ...],
) -> dq.RuleResult:
    rule = plan.rule
    ok = element == 0 or (element - failed) / element >= rule.mostly
    message = f"{failed} of {element} rows failed"
    if plan.approximate:
        message += f" (approximate: {plan.approximate})"
    return dq.RuleResult(
        **base(rule),
        status=dq.RuleStatus.PASSED if ok else dq.RuleStatus.FAILED,
        failed_count=failed,
        element_count=element,
        message=message,
        samples=samples,
        sample_rows=located,
        approximate=plan.approximate is not None,
    )


def _table_level(rule: Any, schema: dict[str, str], rows: int) -> dq.RuleResult:
    if rule.check == "row_count":
        bad = (rule.min is not None and rows < rule.min) or (
            rule.max is not None and rows > rule.max
        )
        message = f"{rows} rows (expected {rule.min}..{rule.max})"
    elif rule.check == "column_exists":
        bad = rule.column not in schema
        message = f"column {rule.column!r} is {'missing' if bad else 'present'}"
    else:
        if rule.column not in schema:
            return error_result(rule, f"unknown column {rule.column!r}")
        wanted = "String" if rule.dtype == "Utf8" else rule.dtype
        bad = schema[rule.column] != wanted
        message = f"{rule.column!r} is {schema[rule.column]}"
    return dq.RuleResult(
        **base(rule),
        status=dq.RuleStatus.FAILED if bad else dq.RuleStatus.PASSED,
        failed_count=int(bad),
        element_count=1,
        message=message,
    )


__all__ = ["SqlEngine", "SqlSourceError"]
