"""Building blocks of the engine contract's hand-written cases, reusable in a plugin's own tests.

``frame(id=[...], email=[...])`` builds a frame with the contract's column types,
``expect(result, rule_id, status, failed, element, samples)`` states one rule's outcome with
a readable message, ``sample_rules()`` is one rule of every check, and ``nasty_case()`` is
every corner of docs/rules.md in one frame and rule set (each property runs it first).
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import dq
import polars as pl
import pytest

from dq_contract.compare import assert_conforms, samples_key

E, W = dq.Severity.ERROR, dq.Severity.WARNING
P, F = dq.RuleStatus.PASSED, dq.RuleStatus.FAILED
NAN, INF = math.nan, math.inf


@attrs.frozen(kw_only=True)
class ForeignCheck:
    """A rule of a check no engine knows (as if from a newer dq-core): must be UNSUPPORTED."""

    id: str
    column: str
    severity: dq.Severity = dq.Severity.ERROR
    mostly: float = 1.0
    description: str = ""
    check: str = "dq_contract_unknown_check"


def frame(**columns: list[Any]) -> pl.DataFrame:
    """A frame whose column types follow the contract's names (``id`` Int64, ``amount`` Float64)."""
    types = {"id": pl.Int64, "amount": pl.Float64}
    return pl.DataFrame(
        {k: pl.Series(k, v, dtype=types.get(k, pl.String)) for k, v in columns.items()}
    )


def expect(
    result: dq.CheckResult,
    rule_id: str,
    status: dq.RuleStatus,
    failed: int,
    element: int,
    samples: tuple[Any, ...] | None = None,
) -> None:
    """The spelled-out expectation for one rule (skipped for results marked approximate)."""
    got = result.by_id(rule_id)
    if got.approximate:
        return
    assert (got.status, got.failed_count, got.element_count) == (status, failed, element), (
        f"{rule_id}: got (status, failed_count, element_count) = "
        f"{(got.status, got.failed_count, got.element_count)}, expected {(status, failed, element)}"
        f" -- {got.message}"
    )
    if samples is not None:
        assert samples_key(got.samples) == samples_key(samples), (
            f"{rule_id}: samples {got.samples!r}, expected {samples!r}"
        )


def sample_rules() -> list[Any]:
    """One failing-prone rule of every check, over columns ``id``, ``amount`` and ``email``."""
    return [
        dq.NotNull(id="not_null", column="id"),
        dq.Unique(id="unique", column="id"),
        dq.Between(id="between", column="amount", max=2),
        dq.Regex(id="regex", column="email", pattern="a"),
        dq.InSet(id="in_set", column="email", values=("a",)),
        dq.MaxLength(id="max_length", column="email", length=0),
        dq.MinLength(id="min_length", column="email", length=2),
        dq.Expression(id="expression", expression="id > 1"),
        dq.RowCount(id="row_count", min=10),
        dq.DType(id="dtype", column="id", dtype="String"),
        dq.ColumnExists(id="column_exists", column="nope"),
    ]


def nasty_case() -> tuple[pl.DataFrame, dq.RuleSet]:
    """Every corner at once, run first by each property (random data may miss a corner)."""
    data = frame(
        id=[7, 7, None, 1, 2**40, -3, 7, None],
        amount=[NAN, NAN, INF, -INF, None, 0.0, -0.0, 1.0],
        email=["", " ", "é", "e\u0301", None, "🙂", "a@b.co", "a|b"],
        status=["ok", "", "OK", None, "\t", "ok", "日本", "a\nb"],
    )
    rules = [
        *sample_rules(),
        dq.NotNull(id="nn_amount", column="amount", mostly=0.5),
        dq.NotNull(id="nn_missing", column="missing_column"),
        dq.Unique(id="u_amount", column="amount", severity=W),
        dq.Between(id="b_amount", column="amount", min=0, max=1, min_inclusive=False),
        dq.Between(id="b_inf", column="amount", min=-INF),
        dq.InSet(id="s_nan", column="amount", values=(0, NAN)),
        dq.Regex(id="re_alt", column="email", pattern="a|b|"),
        dq.Regex(id="re_status", column="status", pattern="[a-z]+"),
        dq.MinLength(id="min_status", column="status", length=1, mostly=0.8),
        dq.Expression(id="x_nulls", expression="id + amount > 0"),
        dq.RowCount(id="rc_ok", min=8, max=8),
        dq.DType(id="dt_utf8", column="status", dtype="Utf8"),
    ]
    return data, dq.RuleSet(rules=tuple(rules), sample_size=3)


class ContractHelpers:
    """What every engine-contract test method leans on: skipping, and checking via the oracle."""

    @staticmethod
    def needs(engine: Any, *checks: str) -> None:
        missing = sorted(set(checks) - set(engine.supported_checks))
        if missing:
            pytest.skip(
                f"engine does not declare support for {', '.join(missing)} "
                "(supported_checks); such rules must be reported UNSUPPORTED instead"
            )

    def conforms(
        self, engine: Any, data: pl.DataFrame, *rules: Any, **ruleset: Any
    ) -> dq.CheckResult:
        """Check *rules* on *data* and assert the result agrees with the oracle."""
        return assert_conforms(engine, data, dq.RuleSet(rules=rules, **ruleset))
