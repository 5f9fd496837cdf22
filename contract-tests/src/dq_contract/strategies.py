"""Hypothesis strategies for frames and rule sets that stress docs/rules.md's corners.

Values are drawn from small pools on purpose: duplicates, nulls, NaN, ±inf, empty and blank
strings, combining characters and astral code points must be *common*, not one-in-a-million,
or a 60-example run would never meet them. Bounds, set members and patterns are drawn from
the frame's own values so that boundaries (inclusive vs exclusive, exact-length strings) are
actually hit.

Regex patterns are built from a grammar on which Python's ``re`` (the oracle) and Rust's
``regex`` (polars, the dialect dq pins) agree: ASCII literals, ``.``, explicit ASCII classes,
a negated class, ``* + ? {m,n}``, non-capturing groups and alternation. No ``\\w``/``\\d``/``\\s``
(their Unicode tables differ between the two), no flags, no look-around, no back-references.
"""

from __future__ import annotations

import math
from typing import Any

import dq
import polars as pl
from hypothesis import strategies as st

COLUMNS: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "amount": pl.Float64(),
    "email": pl.String(),
    "status": pl.String(),
}

_INTS = st.one_of(st.integers(-3, 6), st.integers(-(2**40), 2**40))
_SPECIAL_FLOATS = [math.nan, math.inf, -math.inf, 0.0, -0.0, 1.0, 2.5, -1.5, 100.0]
_FLOATS = st.one_of(
    st.sampled_from(_SPECIAL_FLOATS),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=64),
)
#: Strings that break naive engines: empty, blank, bytes != chars, combining marks, newline.
_SPECIAL_STRINGS = [
    "",
    " ",
    "  ",
    "\t",
    "a",
    "ab",
    "abc",
    "ok",
    "OK",
    "a@b.co",
    "x@y",
    "@",
    "a.b",
    "é",
    "e\u0301",
    "ß",
    "日本",
    "🙂",
    "🙂🙂🙂",
    "Ωmega",
    "a\nb",
    "null",
    "NaN",
    "0",
]
_STRINGS = st.one_of(
    st.sampled_from(_SPECIAL_STRINGS),
    st.text(alphabet=st.sampled_from("ab@. é🙂0"), max_size=6),
)


def _column(values: st.SearchStrategy[Any], size: int) -> st.SearchStrategy[list[Any]]:
    """*size* values, about one in five null."""
    cell = st.one_of(st.none(), values, values, values, values)
    return st.lists(cell, min_size=size, max_size=size)


@st.composite
def frames(draw: st.DrawFn, max_rows: int = 40) -> pl.DataFrame:
    """A DataFrame with ``id`` Int64, ``amount`` Float64, ``email`` and ``status`` String.

    0..*max_rows* rows; each column has nulls, duplicates and its type's special values.
    """
    size = draw(st.integers(0, max_rows))
    data = {
        "id": draw(_column(_INTS, size)),
        "amount": draw(_column(_FLOATS, size)),
        "email": draw(_column(_STRINGS, size)),
        "status": draw(_column(_STRINGS, size)),
    }
    return pl.DataFrame(data, schema=COLUMNS)


# -- rules ----------------------------------------------------------------------------

_ATOMS = [
    "a",
    "b",
    "c",
    "@",
    "0",
    "é",
    " ",
    r"\.",
    ".",
    "[a-z]",
    "[0-9]",
    "[^@]",
    "[a-c@.]",
    "(?:ab|c)",
]
_QUANTIFIERS = ["", "", "*", "+", "?", "{1,3}", "{2}"]
_WHOLE_PATTERNS = ["", ".*", "[a-z]+", "[^@ ]+@[^@ ]+\\.[a-z]+", "(?:OK|ok)", "[^a]*"]


@st.composite
def patterns(draw: st.DrawFn) -> str:
    """A regex on which Python ``re.fullmatch`` and polars (Rust) full matching agree."""
    if draw(st.booleans()):
        return draw(st.sampled_from(_WHOLE_PATTERNS))

    def sequence() -> str:
        pieces = draw(
            st.lists(
                st.tuples(st.sampled_from(_ATOMS), st.sampled_from(_QUANTIFIERS)),
                min_size=1,
                max_size=4,
            )
        )
        return "".join(atom + quant for atom, quant in pieces)

    first = sequence()
    return f"{first}|{sequence()}" if draw(st.booleans()) else first


def _present(frame: pl.DataFrame, column: str) -> list[Any]:
    return [v for v in frame.get_column(column).to_list() if v is not None]


def _pool(frame: pl.DataFrame, column: str, fallback: st.SearchStrategy[Any]) -> st.SearchStrategy:
    """The column's own values (so rules hit real rows) mixed with fresh ones."""
    present = _present(frame, column)
    return st.one_of(st.sampled_from(present), fallback) if present else fallback


def _common(draw: st.DrawFn, index: int) -> dict[str, Any]:
    return {
        "id": f"r{index}",
        "severity": draw(st.sampled_from([dq.Severity.ERROR, dq.Severity.WARNING])),
        "mostly": draw(st.sampled_from([1.0, 1.0, 0.0, 0.5, 0.75, 0.8, 0.9, 0.95])),
    }


def _bounds(draw: st.DrawFn, frame: pl.DataFrame, column: str) -> tuple[Any, Any]:
    numbers = st.one_of(st.integers(-3, 6), st.sampled_from([math.inf, -math.inf, 0.5, -0.5]))
    pool = _pool(frame, column, numbers).filter(lambda v: not math.isnan(v))
    low, high = draw(st.one_of(st.none(), pool)), draw(st.one_of(st.none(), pool))
    if low is None and high is None:
        low = draw(pool)
    if low is not None and high is not None and low > high:
        low, high = high, low
    return low, high


@st.composite
def rules(draw: st.DrawFn, frame: pl.DataFrame, index: int = 0) -> Any:
    """One rule of the vocabulary, over the frame's columns, with random mostly/severity."""
    common = _common(draw, index)
    check = draw(st.sampled_from(sorted(dq.CHECKS)))
    column = draw(st.sampled_from(sorted(COLUMNS)))
    strings = sorted(c for c, t in COLUMNS.items() if t == pl.String)
    numbers = sorted(c for c, t in COLUMNS.items() if t.is_numeric())
    if check in ("not_null", "unique", "column_exists"):
        # a missing column: column_exists fails, the others are ERRORs and the rest still run
        if draw(st.integers(0, 7)) == 0 or (check == "column_exists" and draw(st.booleans())):
            column = "missing_column"
        return dq.CHECKS[check](column=column, **common)
    if check == "between":
        column = draw(st.sampled_from(numbers))
        low, high = _bounds(draw, frame, column)
        return dq.Between(
            column=column,
            min=low,
            max=high,
            min_inclusive=draw(st.booleans()),
            max_inclusive=draw(st.booleans()),
            **common,
        )
    if check == "regex":
        return dq.Regex(column=draw(st.sampled_from(strings)), pattern=draw(patterns()), **common)
    if check in ("max_length", "min_length"):
        return dq.CHECKS[check](
            column=draw(st.sampled_from(strings)), length=draw(st.integers(0, 4)), **common
        )
    if check == "in_set":
        fresh = {"id": _INTS, "amount": st.one_of(_FLOATS, st.integers(-3, 6))}.get(
            column, _STRINGS
        )
        values = draw(st.lists(_pool(frame, column, fresh), max_size=5))
        return dq.InSet(column=column, values=tuple(values), **common)
    if check == "dtype":
        wanted = draw(
            st.sampled_from(["Int64", "Float64", "String", "Utf8", "Int32", "Boolean", "Datetime"])
        )
        return dq.DType(column=column, dtype=wanted, **common)
    if check == "row_count":
        low = draw(st.one_of(st.none(), st.integers(0, 45)))
        high = draw(st.one_of(st.none(), st.integers(low or 0, 45)))
        if low is None and high is None:
            high = frame.height
        return dq.RowCount(min=low, max=high, **common)
    return dq.Expression(expression=draw(st.sampled_from(EXPRESSIONS)), **common)


#: Row-level SQL the expression rules draw from: comparisons, arithmetic and string
#: functions whose results are null for null inputs (so the ignore-null rule is exercised).
EXPRESSIONS = [
    "amount > 0",
    "id % 2 = 0",
    "id + amount >= 1",
    "status = 'ok'",
    "status IN ('ok', 'OK', '')",
    "LENGTH(email) > 2",
    "email LIKE '%@%'",
    "id IS NOT NULL",
    "amount BETWEEN -1 AND 10",
]


@st.composite
def rule_sets(draw: st.DrawFn, frame: pl.DataFrame, max_rules: int = 6) -> dq.RuleSet:
    """A RuleSet of 1..*max_rules* rules over *frame*'s columns, with a random gate."""
    count = draw(st.integers(1, max_rules))
    drawn = tuple(draw(rules(frame, index)) for index in range(count))
    gate = dq.QualityGate(
        max_failed_errors=draw(st.integers(0, 2)),
        max_failed_warnings=draw(st.one_of(st.none(), st.integers(0, 2))),
        max_failure_rate=draw(st.one_of(st.none(), st.sampled_from([0.0, 0.25, 0.5]))),
    )
    return dq.RuleSet(rules=drawn, gate=gate, sample_size=draw(st.sampled_from([0, 1, 3, 5])))


@st.composite
def cases(draw: st.DrawFn) -> tuple[pl.DataFrame, dq.RuleSet]:
    """A frame and a rule set over it: the input of the oracle-equality properties."""
    frame = draw(frames())
    return frame, draw(rule_sets(frame))
