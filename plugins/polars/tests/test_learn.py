"""learn: learned rules pass on their data; suspected defects are listed, not blessed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dq
import polars as pl
import pytest
from dq_polars import _learn
from dq_polars._config import PolarsConfig
from dq_polars._engine import PolarsEngine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ORDERS = Path(__file__).resolve().parents[3] / "examples" / "orders.csv"
MODES = [
    (PolarsEngine(PolarsConfig(streaming=True)), False),
    (PolarsEngine(PolarsConfig(streaming=True)), True),
    (PolarsEngine(PolarsConfig(streaming=False)), True),
]
NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def learn(frame: pl.DataFrame | pl.LazyFrame, **kw) -> dq.LearnedRules:
    lf = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
    return _learn.learn(lf, "in-memory", now=kw.pop("now", NOW), **kw)


def by_id(learned: dq.RuleSet) -> dict[str, object]:
    return {r.id: r for r in learned.rules}


def passes(frame, rules: dq.RuleSet, engine: PolarsEngine | None = None) -> dq.CheckResult:
    result = (engine or PolarsEngine(PolarsConfig())).check(frame, rules)
    bad = [(r.rule_id, r.message) for r in result.results if r.status is not dq.RuleStatus.PASSED]
    assert result.status is dq.RunStatus.PASSED, bad
    return result


def planted(rows: int = 5000) -> tuple[pl.DataFrame, dict[str, int]]:
    """Clean, realistic columns with a few defects of each kind planted at known rows."""
    i = pl.int_range(rows, dtype=pl.Int64, eager=True)
    frame = pl.DataFrame(
        {
            "id": i + 1000,
            "sku": ("AB-" + (i % 9000 + 1000).cast(pl.String)),
            "email": "user" + i.cast(pl.String) + "@example.com",
            "amount": ((i * 37) % 1000).cast(pl.Float64) / 4 + 1,
            "status": pl.Series(["paid", "shipped", "pending", "delivered"])[(i % 4).to_list()],
            "day": pl.date_range(dt.date(2026, 1, 1), dt.date(2026, 12, 1), eager=True)
            .sample(rows, with_replacement=True, seed=1)
            .sort(),
        }
    )
    defects = {"id": 3, "sku": 2, "email": 2, "amount": 4, "status": 3, "day": 1}
    updates = {
        "id": {11: 1010, 21: 1020, 31: 1030},  # repeats of the ids of rows 10, 20, 30
        "sku": {20: "ab1234", 21: "XX-12"},
        "email": {30: "user30example.com", 31: "user31@"},
        "amount": {40: -5.0, 41: 99_999.0, 42: None, 43: 250_000.0},
        "status": {50: "shiped", 51: "Paid", 52: "shiped"},
        "day": {60: dt.date(1900, 1, 1)},
    }
    frame = frame.with_row_index("_r")
    for column, changes in updates.items():
        for row, value in changes.items():
            frame = frame.with_columns(
                pl.when(pl.col("_r") == row)
                .then(pl.lit(value, dtype=frame.schema[column]))
                .otherwise(pl.col(column))
                .alias(column)
            )
    return frame.drop("_r"), defects


def test_ids_are_those_a_hand_written_rule_gets() -> None:
    frame, _ = planted()
    learned = learn(frame)
    for rule in learned.rules:
        table = dq.unstructure(rule)
        table.pop("id")
        table["check"] = rule.check
        again = dq.structure({"rules": [table]}, dq.RuleSet).rules[0]
        assert again.id == rule.id


def test_learned_rules_on_planted_data_pass_and_each_defect_is_listed() -> None:
    frame, defects = planted()
    learned = learn(frame)
    passes(frame, learned.rule_set())
    found = {}
    for finding in learned.findings:
        found.setdefault(finding.column, []).append(finding)
    assert set(defects) <= set(found), [f.line() for f in learned.findings]
    # Each suggestion passes the clean part of the data and flags the planted rows.
    for column, count in defects.items():
        suggestions = tuple(f.suggestion for f in found[column] if f.suggestion is not None)
        result = PolarsEngine(PolarsConfig()).check(frame, dq.RuleSet(rules=suggestions))
        failed = sum(r.failed_count for r in result.results)
        assert failed >= count, (column, [f.line() for f in found[column]])


def test_what_is_learned_on_planted_data() -> None:
    frame, _ = planted()
    learned = learn(frame)
    rules = by_id(learned)
    assert "regex_sku" not in rules  # two values break the shape: a suggestion, not a rule
    assert set(rules["in_set_status"].values) == {
        "Paid",
        "delivered",
        "paid",
        "pending",
        "shiped",
        "shipped",
    }
    strict = {f.suggestion.id: f.suggestion for f in learned.findings if f.suggestion}
    assert set(strict["in_set_status_strict"].values) == {"delivered", "paid", "pending", "shipped"}
    between = rules["between_amount"]
    assert between.min <= -5.0 and between.max >= 250_000.0  # learned: passes
    assert (between.min, between.max) == (-5, 250_000)  # already round
    tight = strict["between_amount_strict"]
    assert tight.min == 0 and 250 <= tight.max < 99_999
    assert strict["regex_sku"].pattern == r"[A-Z]{2}\-[0-9]{4}"
    assert strict["regex_email"].pattern == r"[^@\s]+@[^@\s]+\.[^@\s]+"
    assert rules["between_day"].min == dt.date(1900, 1, 1)
    assert strict["between_day_strict"].min == dt.date(2026, 1, 1)
    assert "not_null_amount" in strict and "unique_id" in strict
    assert "between_id" not in rules  # keys grow: a range would fail tomorrow


def test_a_clean_column_of_codes_gets_a_regex_and_emails_get_the_email_shape() -> None:
    frame = pl.DataFrame(
        {
            "code": [f"{c}{c}-{n:04d}" for c in "ABCDE" for n in range(40)],
            "mail": [f"a.{n}@x{n % 3}.org" for n in range(200)],
            "word": [w for w in ("alpha", "beta", "gamma", "delta") * 50],
        }
    )
    rules = by_id(learn(frame))
    assert rules["regex_code"].pattern == r"[A-Z]{2}\-[0-9]{4}"
    assert rules["regex_mail"].pattern == r"[^@\s]+@[^@\s]+\.[^@\s]+"
    assert "regex_word" not in rules and "in_set_word" in rules
    assert (rules["min_length_code"].length, rules["max_length_code"].length) == (7, 7)


def test_bounds_are_rounded_outward_to_readable_numbers() -> None:
    frame = pl.DataFrame({"x": [0.5 + 14285.07 * k / 299 for k in range(300)]})
    between = by_id(learn(frame))["between_x"]
    assert (between.min, between.max) == (0, 15_000)
    big = 2**53 + 3  # float(big) rounds up: a bound of float(big) would fail it
    frame = pl.DataFrame({"x": [big, big, big + 2]})
    between = by_id(learn(frame))["between_x"]
    assert between.min <= big and between.max >= big + 2
    passes(frame, learn(frame))


def test_dates_get_a_range_and_freshness_from_their_cadence() -> None:
    stamps = [dt.datetime(2026, 12, 7, 0, 0) - dt.timedelta(hours=k) for k in range(200)]
    frame = pl.DataFrame({"at": stamps, "day": [s.date() for s in stamps]})
    rules = by_id(learn(frame))
    assert rules["between_at"].min == dt.datetime(2026, 11, 28)
    assert rules["between_at"].max == dt.datetime(2027, 12, 8)  # a year past now, whole days
    assert rules["freshness_at"].max_age == "1d"  # 12 h old + 2 h cadence slack
    assert rules["freshness_day"].max_age == "2d"
    assert "12h old" in rules["freshness_at"].description
    passes(frame, learn(frame))


def test_data_that_never_repeats_a_float_is_not_a_key_and_timestamps_are_not_keys() -> None:
    frame = pl.DataFrame(
        {
            "f": [k / 7 for k in range(150)],
            "t": [dt.datetime(2026, 1, 1, k % 24, k // 24) for k in range(150)],
        }
    )
    rules = by_id(learn(frame))
    assert "unique_f" not in rules and "unique_t" not in rules


def test_orders_example_learned_rules_pass_and_its_defects_are_listed() -> None:
    if not ORDERS.exists():
        pytest.skip("examples/ is not next to this checkout")
    frame = pl.read_csv(ORDERS, try_parse_dates=True)
    learned = learn(frame)
    passes(frame, learned.rule_set())
    lines = "\n".join(f.line() for f in learned.findings)
    for expected in ("shiped", "1250000.0", "-15.0", "262 characters", "order_id", "3 nulls"):
        assert expected in lines, lines
    strict = dq.RuleSet(rules=tuple(f.suggestion for f in learned.findings if f.suggestion))
    failed = {
        r.rule_id: r.failed_count for r in PolarsEngine(PolarsConfig()).check(frame, strict).results
    }
    assert failed["in_set_status_strict"] == 3 and failed["between_amount_strict"] == 3
    assert failed["unique_order_id"] == 4 and failed["not_null_amount"] == 3


def test_quartiles_over_a_sample_of_a_large_frame_still_find_outliers(monkeypatch) -> None:
    monkeypatch.setattr(_learn, "QUANTILE_SAMPLE", 1000)
    values = [float(k % 500) for k in range(20_000)]
    values[123] = 1e9
    frame = pl.DataFrame({"x": values})
    learned = learn(frame)
    passes(frame, learned.rule_set())
    (finding,) = [f for f in learned.findings if f.column == "x"]
    assert finding.count == 1 and finding.examples == (1e9,)


def test_an_engine_that_lacks_freshness_is_not_offered_it() -> None:
    frame = pl.DataFrame({"at": [dt.datetime(2026, 1, 1, k) for k in range(10)]})
    rules = by_id(learn(frame, supported=frozenset({"between"})))
    assert "freshness_at" not in rules and "between_at" in rules


ints = st.none() | st.integers(-(2**62), 2**62) | st.integers(-3, 3)
floats = st.none() | st.floats(allow_nan=True) | st.sampled_from([0.5, 1.5, -2.0])
texts = st.none() | st.text(alphabet="aZ9-@. é日", max_size=6) | st.sampled_from(["AB-12", "x@y.z"])
days = st.none() | st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1))
stamps = st.none() | st.datetimes(dt.datetime(1970, 1, 1), dt.datetime(2100, 1, 1))


@st.composite
def frames(draw: st.DrawFn) -> pl.DataFrame:
    n = draw(st.integers(0, 150))
    columns = {"i": ints, "f": floats, "s": texts, "d": days, "t": stamps}
    return pl.DataFrame(
        {
            name: draw(st.lists(strategy, min_size=n, max_size=n))
            for name, strategy in columns.items()
        },
        schema={
            "i": pl.Int64,
            "f": pl.Float64,
            "s": pl.String,
            "d": pl.Date,
            "t": pl.Datetime("us"),
        },
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=frames())
def test_data_passes_the_rules_learned_from_it(frame: pl.DataFrame) -> None:
    for engine, lazy in MODES:
        data = frame.lazy() if lazy else frame
        learned = engine.learn(data)
        passes(data, learned, engine)
        for finding in learned.findings:
            assert finding.count > 0 and finding.column in frame.columns
