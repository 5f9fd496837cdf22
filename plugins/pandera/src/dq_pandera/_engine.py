"""The Engine: validate with pandera, then turn its failure cases into dq RuleResults.

pandera reports failures, not verdicts: every failing check comes back as a
``SchemaError`` carrying the check's boolean output per row and the failing
values. From those the adapter derives dq's counts (failing rows of the rows the
rule judged), applies ``mostly``, and takes the samples; the element counts
(non-null rows for value checks) pandera does not report, so they come from one
polars ``select`` over the same frame.

A LazyFrame is collected first. pandera validates a LazyFrame's *schema* only
(data checks are silently skipped) unless told otherwise, and dq requires the
whole data set to be judged; collecting also gives pandera's row indices a
stable meaning. Hence ``streams = False``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import attrs
import dq
import pandera.polars as pa
import polars as pl
from pandera.config import ValidationDepth, config_context
from pandera.errors import SchemaError, SchemaErrorReason, SchemaErrors

from dq_pandera._config import PanderaConfig
from dq_pandera._errors import NotProvidedByPandera, PanderaEngineError
from dq_pandera._translate import (
    SUPPORTED_CHECKS,
    Target,
    Translation,
    error_result,
    polars_message,
    translate,
)

ENGINE_NAME = "pandera"
#: What a sample may hold (mirrors ``dq.model._results.Scalar``).
Scalar = str | int | float | bool | None
#: The column pandera names a check's per-row boolean output.
_OUTPUT = "check_output"
#: Every data validation pins these, so pandera's own settings (``PANDERA_VALIDATION_ENABLED``,
#: ``PANDERA_VALIDATION_DEPTH=SCHEMA_ONLY``, a ``config_context`` around the caller, another
#: backend) can never turn a data check into a silent pass.
_PINNED: dict[str, Any] = {
    "validation_enabled": True,
    "validation_depth": ValidationDepth.SCHEMA_AND_DATA,
    "use_narwhals_backend": False,
}
#: Table-level rules need the schema alone.
_SCHEMA_ONLY: dict[str, Any] = {**_PINNED, "validation_depth": ValidationDepth.SCHEMA_ONLY}

Key = tuple[str | None, int]


class PanderaEngine:
    """Satisfies ``dq.protocols.Engine`` for polars DataFrames and LazyFrames."""

    supported_checks: frozenset[str] = SUPPORTED_CHECKS
    #: A LazyFrame is collected whole before validation (see the module docstring).
    streams: bool = False

    def __init__(self, config: PanderaConfig) -> None:
        self.config = config

    def __repr__(self) -> str:
        return "PanderaEngine()"

    def check(self, data: Any, rules: dq.RuleSet) -> dq.CheckResult:
        """Validate *data* against *rules*; rule problems become ERROR results, never raise."""
        started_at = datetime.now(UTC)
        clock = time.perf_counter()
        frame = _eager(data)
        plan = translate(rules, frame)
        results: dict[int, dq.RuleResult] = dict(plan.decided)
        results.update(_structure(plan, frame, rules))
        results.update(_validate(plan, frame, rules.sample_size))
        ordered = tuple(results[i] for i in range(len(rules.rules)))
        return dq.CheckResult(
            status=dq.run_status(ordered, rules.gate),
            engine=ENGINE_NAME,
            results=ordered,
            row_count=frame.height,
            started_at=started_at,
            duration_seconds=time.perf_counter() - clock,
        )

    def profile(self, data: Any) -> dq.Profile:
        """pandera has no profiler; an empty Profile would wrongly read as "no columns"."""
        raise NotProvidedByPandera("dq-pandera does not profile; use the polars engine")

    def learn(self, data: Any) -> dq.RuleSet:
        """pandera's schema inference yields dtypes and ranges of the sample, not dq rules."""
        raise NotProvidedByPandera("dq-pandera does not learn; use the polars engine")


def _eager(data: Any) -> pl.DataFrame:
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pl.LazyFrame):
        try:
            return data.collect()
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise PanderaEngineError(
                f"dq-pandera cannot read the data: {polars_message(str(exc))}"
            ) from exc
    kind = f"{type(data).__module__}.{type(data).__qualname__}"
    raise PanderaEngineError(f"dq-pandera checks a polars DataFrame or LazyFrame, not {kind}")


# -- table-level rules: dtype and column_exists, schema-only -----------------------------


def _structure(
    plan: Translation, frame: pl.DataFrame, rules: dq.RuleSet
) -> dict[int, dq.RuleResult]:
    """Validate each table-level rule's schema against the *schema* of the data.

    They run at pandera's schema-only depth on a zero-row slice, so they never
    read a row; each has its own schema, so two rules on one column
    (``column_exists`` and ``dtype``) cannot be confused.
    """
    results: dict[int, dq.RuleResult] = {}
    for index, schema in plan.structure:
        rule = rules.rules[index]
        try:
            with config_context(**_SCHEMA_ONLY):
                schema.validate(plan.frame.head(0).lazy(), lazy=True)
            ok = True
        except SchemaErrors:
            ok = False
        name: str = rule.column  # type: ignore[union-attr]
        if rule.check == "column_exists":
            message = f"column {name!r} is present" if ok else f"column {name!r} is missing"
        else:
            actual = frame.schema[name]
            message = f"column {name!r} is {actual}" + ("" if ok else f", expected {rule.dtype}")  # type: ignore[union-attr]
        status = dq.RuleStatus.PASSED if ok else dq.RuleStatus.FAILED
        results[index] = dq.make_result(
            rule, status, message, failed_count=int(not ok), element_count=1
        )
    return results


# -- data rules: one pandera validation, lazy=True ---------------------------------------


def _validate(plan: Translation, frame: pl.DataFrame, sample_size: int) -> dict[int, dq.RuleResult]:
    if not plan.targets:
        return {}
    elements, problems = _element_counts(plan, frame)
    errors: dict[Key, SchemaError | str] = {}
    try:
        for schema in plan.schemas():
            errors.update(_schema_errors(schema, plan.frame))
    except Exception:  # noqa: BLE001 - isolate the check pandera could not run
        errors = _isolated_errors(plan)
    results: dict[int, dq.RuleResult] = {}
    for key, target in plan.targets.items():
        rule = target.rule
        if target.index in problems:
            results[target.index] = problems[target.index]
            continue
        err = errors.get(key)
        if isinstance(err, str):
            results[target.index] = error_result(rule, err)
            continue
        failed, samples = (0, ()) if err is None else _failures(err, target, sample_size)
        if rule.check == "row_count":
            results[target.index] = _row_count_result(rule, frame.height, failed)  # type: ignore[arg-type]
            continue
        judged = dq.judge(rule, failed, elements[target.index])
        if samples:  # failing values, even when `mostly` lets the rule pass
            judged = attrs.evolve(judged, samples=samples)
        results[target.index] = judged
    return results


def _schema_errors(schema: pa.DataFrameSchema, frame: pl.DataFrame) -> dict[Key, SchemaError | str]:
    """Run pandera once; a check that raised is reported as a message, not a count."""
    try:
        with config_context(**_PINNED):
            schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        found: dict[Key, SchemaError | str] = {}
        for err in exc.schema_errors:
            column = None if isinstance(err.schema, pa.DataFrameSchema) else err.schema.name
            key = (column, err.check_index)
            if err.check_index is None:
                # Only checks the adapter added can fail; anything else is a bug here.
                raise PanderaEngineError(f"dq-pandera: unexpected pandera error: {err}") from exc
            if err.reason_code is SchemaErrorReason.CHECK_ERROR:
                found[key] = f"pandera could not run the check: {polars_message(str(err))}"
            else:
                found[key] = err
        return found
    return {}


def _isolated_errors(plan: Translation) -> dict[Key, SchemaError | str]:
    """Validate each check alone, so a fault lands on its rule and the others still run."""
    found: dict[Key, SchemaError | str] = {}
    for (column, number), _target in plan.targets.items():
        checks = plan.frame_checks if column is None else plan.columns[column]
        alone = Translation(frame=plan.frame)
        if column is None:
            alone.frame_checks = [checks[number]]
        else:
            alone.columns = {column: [checks[number]]}
        try:
            errors = _schema_errors(alone.schemas()[0], plan.frame)
        except Exception as exc:  # noqa: BLE001 - the fault belongs to this rule alone
            found[(column, number)] = f"pandera failed: {type(exc).__name__}: {exc}"
            continue
        if errors:
            found[(column, number)] = next(iter(errors.values()))
    return found


def _element_counts(
    plan: Translation, frame: pl.DataFrame
) -> tuple[dict[int, int], dict[int, dq.RuleResult]]:
    """Each rule's element_count in one select; a rule whose count fails becomes ERROR."""
    targets = list(plan.targets.values())
    exprs = [t.elements.cast(pl.Int64).alias(f"e{t.index}") for t in targets]
    try:
        row = frame.select(exprs).row(0, named=True)
        return {t.index: row[f"e{t.index}"] for t in targets}, {}
    except pl.exceptions.PolarsError:
        counts: dict[int, int] = {}
        problems: dict[int, dq.RuleResult] = {}
        for target in targets:
            try:
                counts[target.index] = frame.select(target.elements.cast(pl.Int64)).item()
            except pl.exceptions.PolarsError as exc:
                problems[target.index] = error_result(target.rule, polars_message(str(exc)))
        return counts, problems


def _failures(err: SchemaError, target: Target, size: int) -> tuple[int, tuple[Scalar, ...]]:
    """Failing rows from the check's per-row output; samples from pandera's failure cases."""
    output = err.check_output
    if isinstance(output, pl.LazyFrame):
        output = output.collect()
    if not isinstance(output, pl.DataFrame):  # a check that judged the table as a whole
        return 1, ()
    passed = output.get_column(_OUTPUT)
    failed = int(passed.not_().sum())
    if size == 0 or target.samples == "none":
        return failed, ()
    cases = err.failure_cases
    if not isinstance(cases, pl.DataFrame) or cases.width == 0:
        return failed, ()
    failing = cases.to_series(0)
    try:  # distinct in polars first: a million failing rows need not become Python objects
        failing = failing.unique(maintain_order=True).head(size)
    except pl.exceptions.PolarsError:
        pass
    return failed, dq.distinct_samples(failing.to_list(), size)


def _row_count_result(rule: dq.RowCount, rows: int, failed: int) -> dq.RuleResult:
    ok = failed == 0
    bounds = f"[{'' if rule.min is None else rule.min}, {'' if rule.max is None else rule.max}]"
    message = f"{rows} rows" + (" within " if ok else " outside ") + bounds
    status = dq.RuleStatus.PASSED if ok else dq.RuleStatus.FAILED
    return dq.make_result(rule, status, message, failed_count=int(not ok), element_count=1)
