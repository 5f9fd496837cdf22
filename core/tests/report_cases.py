"""Hand-built check results for the report tests: every outcome, keys, samples, a profile.

Built by hand (not by an engine) so the report formats are pinned whatever an
engine fills in, including fields engines are only starting to fill
(``sample_rows``, ``description``, ``CheckResult.key``) and rule kinds that judge
a whole table or several columns (``column=None``).
"""

from __future__ import annotations

from datetime import UTC, datetime

import dq
from hypothesis import strategies as st

R = dq.RuleResult
S = dq.RuleStatus


def orders_result(status: dq.RunStatus = dq.RunStatus.FAILED) -> dq.CheckResult:
    """A million-row check with one rule of every kind of outcome."""
    return dq.CheckResult(
        status=status,
        engine="polars",
        row_count=1_000_000,
        started_at=datetime(2026, 11, 25, 14, 29, 26, tzinfo=UTC),
        duration_seconds=0.84,
        key=("order_id",),
        results=(
            R(
                rule_id="unique_order_id",
                check="unique",
                column="order_id",
                status=S.FAILED,
                failed_count=4,
                element_count=1_000_000,
                message="4 of 1000000 rows failed (0.00%)",
                samples=(100012, 100056),
                sample_rows=(
                    dq.SampleRow(value=100012, key=(100012,)),
                    dq.SampleRow(value=100056, key=(100056,)),
                ),
                description="Each order appears once",
            ),
            R(
                rule_id="customer_present",
                check="not_null",
                column="customer_id",
                status=S.FAILED,
                severity=dq.Severity.WARNING,
                failed_count=12,
                element_count=1_000_000,
                message="12 of 1000000 rows failed (0.00%)",
                sample_rows=tuple(dq.SampleRow(key=(k,)) for k in (100003, 100077)),
            ),
            R(
                rule_id="amount_range",
                check="between",
                column="amount",
                status=S.PASSED,
                failed_count=28_000,
                element_count=1_000_000,
                message="28000 of 1000000 rows failed (2.80%); passing share 97.20% meets "
                "mostly 95.00%",
                sample_rows=(dq.SampleRow(value=-1.5, key=(100012,)),),
            ),
            R(
                rule_id="orders_fresh",
                check="freshness",
                column="created_at",
                status=S.PASSED,
                failed_count=0,
                element_count=1,
                message="newest value is 4 h old (max 1 d)",
            ),
            R(
                rule_id="unique_order_line",
                check="unique",
                column=None,
                status=S.FAILED,
                failed_count=2,
                element_count=1_000_000,
                sample_rows=(dq.SampleRow(row=17), dq.SampleRow(row=912_345)),
            ),
            R(
                rule_id="mean_amount",
                check="mean",
                column="amount",
                status=S.UNSUPPORTED,
                message="the engine cannot do this",
            ),
            R(
                rule_id="known_customer",
                check="reference",
                column="customer_id",
                status=S.ERROR,
                message="cannot read customers.csv: no such file",
            ),
        ),
    )


def orders_rules() -> dq.RuleSet:
    """The rules behind :func:`orders_result` that reports read (``mostly``, the gate)."""
    return dq.RuleSet(
        rules=(dq.Between(id="amount_range", column="amount", min=0, max=1e6, mostly=0.95),),
        key=("order_id",),
    )


def orders_profile() -> dq.Profile:
    return dq.Profile(
        row_count=1_000_000,
        columns=(
            dq.ColumnProfile(
                name="amount",
                dtype="Float64",
                count=1_000_000,
                null_count=1234,
                distinct_count=5012,
                min=-1.5,
                max=980.0,
                mean=54.2,
                quantiles={"0.25": 12.0, "0.5": 31.5, "0.75": 70.25},
            ),
            dq.ColumnProfile(
                name="status",
                dtype="String",
                count=1_000_000,
                null_count=150_000,
                distinct_count=4,
                min_length=4,
                max_length=9,
                top_values=(
                    dq.ValueCount(value="shipped", count=610_000),
                    dq.ValueCount(value="pending", count=200_000),
                    dq.ValueCount(value=None, count=150_000),
                ),
            ),
        ),
    )


def one(
    status: dq.RuleStatus,
    severity: dq.Severity = dq.Severity.ERROR,
    *,
    rule_id: str = "r",
    failed: int = 1,
    total: int = 10,
    message: str = "",
) -> dq.RuleResult:
    return R(
        rule_id=rule_id,
        check="not_null",
        column="c",
        status=status,
        severity=severity,
        failed_count=failed if status is not S.PASSED else 0,
        element_count=total,
        message=message,
    )


def checked(run: dq.RunStatus, *results: dq.RuleResult) -> dq.CheckResult:
    return dq.CheckResult(status=run, engine="e", results=results, row_count=10)


#: Text stressing every escape: ANSI, CR, NUL, bidi override, XML-forbidden and markup.
NASTY = st.sampled_from(
    [
        "\x1b[2J",
        "\r",
        "\n",
        "\x00",
        "\u202e",
        "\ufffe",
        "|",
        "`",
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "' onmouseover='x",
        "&amp;",
        "&#60;b&#62;",
        "]]>",
        "<!--",
        "javascript:alert(1)",
        "[x](http://evil.example)",
        "<http://evil.example>",
        "*b*",
        "_i_",
        "\\",
        "</style>",
        "url(http://evil.example/x.png)",
    ]
)
texts = st.one_of(
    st.text(max_size=20),
    st.lists(st.one_of(NASTY, st.text(max_size=3)), max_size=6).map("".join),
)
scalars = st.one_of(st.none(), st.integers(), st.floats(), st.booleans(), texts)


@st.composite
def any_result(draw: st.DrawFn) -> dq.CheckResult:
    """Any text in any field a report shows."""
    key = tuple(draw(st.lists(texts, max_size=2)))
    rules = []
    for _ in range(draw(st.integers(1, 3))):
        total = draw(st.integers(0, 10**7))
        rows = draw(
            st.lists(
                st.builds(
                    dq.SampleRow,
                    value=scalars,
                    key=st.lists(scalars, max_size=2).map(tuple),
                    row=st.none() | st.integers(0, 10**9),
                ),
                max_size=3,
            )
        )
        rules.append(
            R(
                rule_id=draw(texts),
                check=draw(texts),
                column=draw(st.none() | texts),
                status=draw(st.sampled_from(S)),
                severity=draw(st.sampled_from(dq.Severity)),
                failed_count=draw(st.integers(0, total)),
                element_count=total,
                message=draw(texts),
                samples=tuple(draw(st.lists(scalars, max_size=2))),
                sample_rows=tuple(rows),
                description=draw(texts),
            )
        )
    return dq.CheckResult(
        status=draw(st.sampled_from(dq.RunStatus)),
        engine=draw(texts),
        results=tuple(rules),
        key=key,
        row_count=draw(st.none() | st.integers(0, 10**9)),
    )


@st.composite
def any_profile(draw: st.DrawFn) -> dq.Profile:
    columns = []
    for _ in range(draw(st.integers(0, 3))):
        count = draw(st.integers(0, 10**6))
        columns.append(
            dq.ColumnProfile(
                name=draw(texts),
                dtype=draw(texts),
                count=count,
                null_count=draw(st.integers(0, count)),
                distinct_count=draw(st.none() | st.integers(0, count)),
                min=draw(scalars),
                max=draw(scalars),
                mean=draw(st.none() | st.floats()),
                quantiles=draw(st.dictionaries(texts, st.floats(), max_size=3)),
                top_values=tuple(
                    draw(
                        st.lists(
                            st.builds(dq.ValueCount, value=scalars, count=st.integers(0, 10)),
                            max_size=3,
                        )
                    )
                ),
            )
        )
    return dq.Profile(row_count=draw(st.integers(0, 10**9)), columns=tuple(columns))
