"""Rules files are data: an expression rule is a row condition, never a query or a fetch."""

from __future__ import annotations

from pathlib import Path

import dq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

#: Expressions dq's contract, docs and engine tests use: all must stay accepted.
ALLOWED = [
    "amount > 0",
    "id % 2 = 0",
    "id + amount >= 1",
    "status = 'ok'",
    "status IN ('ok', 'OK', '')",
    "LENGTH(email) > 2",
    "email LIKE '%@%'",
    "id IS NOT NULL",
    "amount BETWEEN -1 AND 10",
    "a IS NULL OR a > 0",
    "LENGTH(s) >= 1 AND s LIKE '%c' OR s = 'x'",
    "CAST(s AS INTEGER) > 0",
    "CAST(x AS DECIMAL(10, 2)) > 1.5e3",
    "x::VARCHAR = 'from'",
    '"from" > 1 AND "select" < 2',
    "CASE WHEN a > 0 THEN b ELSE c END = 1",
    "regexp_like(email, '^[a-z]+\\d*@x\\.org$')",
    "a IS DISTINCT FROM b",
    "COALESCE(a, 0) + ABS(b) < GREATEST(c, 1)",
    "'it''s' = s",
    "n >>> (",  # a syntax error made of allowed tokens: the engine reports it
]

#: Functions that read files, URLs or tables (polars SQL and common dialects).
TABLE_FUNCTIONS = [
    "read_csv",
    "read_parquet",
    "read_json",
    "read_ndjson",
    "read_ipc",
    "scan_csv",
    "read_csv_auto",
    "glob",
    "read_text",
    "unnest",
]


def rules_of(*expressions: str) -> dq.RuleSet:
    return dq.RuleSet(
        rules=tuple(dq.Expression(id=f"e{i}", expression=e) for i, e in enumerate(expressions))
    )


@pytest.mark.parametrize("expression", ALLOWED)
def test_row_conditions_are_accepted(expression: str) -> None:
    assert rules_of(expression).rules[0].expression == expression


@pytest.mark.parametrize("function", TABLE_FUNCTIONS)
def test_table_function_is_refused_naming_the_rule_and_the_function(function: str) -> None:
    with pytest.raises(ValueError, match=rf"rules\[1\]\.expression: .*function '{function}'"):
        rules_of("x > 0", f"{function}('http://127.0.0.1:9/x.csv') IS NOT NULL")


@pytest.mark.parametrize(
    "expression",
    [
        "a IN (SELECT a FROM read_csv('/etc/passwd'))",
        "EXISTS (SELECT 1)",
        "a IN (VALUES (1))",
        "a IN (TABLE t)",
        "a > 0; SELECT 1",
        "a > 0 -- hidden",
        "a > 0 /* hidden */",
        "t.a > 0",
        "SUM(a) > 0",
        "ROW_NUMBER() OVER (ORDER BY a) > 1",
        "a[1] > 0",
        "`a` > 0",
        "$1 > 0",
        "\"read_csv\"('x') > 0",
        "READ_CSV\n(\t'x') > 0",
    ],
)
def test_queries_comments_and_hiding_places_are_refused(expression: str) -> None:
    with pytest.raises(ValueError, match=r"rules\[0\]\.expression: "):
        rules_of(expression)


def test_a_rules_file_with_a_table_function_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        '[[rules]]\ncheck = "not_null"\ncolumn = "a"\n\n'
        '[[rules]]\ncheck = "expression"\n'
        "expression = \"a > (SELECT max(a) FROM read_parquet('s3://bucket/x'))\"\n"
    )
    with pytest.raises(dq.ConfigError) as caught:
        dq.load_typed(path, dq.RuleSet)
    assert "rules[1].expression: keyword SELECT is not allowed" in str(caught.value)


def _case(draw: st.DrawFn, word: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.upper() if f else c.lower() for c, f in zip(word, flips, strict=True))


_space = st.sampled_from([" ", "  ", "\t", "\n", "\r\n", "\f", ""])


@st.composite
def forbidden_expressions(draw: st.DrawFn) -> str:
    """A harmless-looking condition with a forbidden function or keyword spliced in."""
    left = draw(st.sampled_from(["a > 0", "LENGTH(s) = 3", "b IS NULL", "'x' = s", "1 = 1"]))
    ws = draw(_space)
    kind = draw(st.sampled_from(["call", "quoted_call", "keyword", "comment"]))
    if kind in ("call", "quoted_call"):
        name = _case(draw, draw(st.sampled_from(TABLE_FUNCTIONS)))
        if kind == "quoted_call":
            name = f'"{name}"'
        arg = draw(st.sampled_from(["'http://127.0.0.1:9/x'", "'/etc/passwd'", "s", "'a\\'b'"]))
        evil = f"{name}{ws}({ws}{arg}{ws}) IS NOT NULL"
    elif kind == "keyword":
        word = _case(draw, draw(st.sampled_from(["select", "from", "with", "values", "over"])))
        evil = f"a IN ({ws}{word} 1)"
    else:
        evil = draw(st.sampled_from(["a > 0 -- x", "a > 0 /* x */", "a >/**/ 0"]))
    joiner = draw(st.sampled_from([" AND ", " OR ", f"{ws}OR{ws}", " AND NOT "]))
    return draw(st.sampled_from([f"{left}{joiner}{evil}", f"{evil}{joiner}{left}"]))


@settings(max_examples=300, deadline=None)
@given(forbidden_expressions())
def test_forbidden_functions_and_keywords_are_always_refused(expression: str) -> None:
    with pytest.raises(ValueError, match=r"rules\[0\]\.expression: "):
        rules_of(expression)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_accepted_or_refused_never_crashes(text: str) -> None:
    try:
        rules_of(text)
    except ValueError as exc:
        assert str(exc).startswith("rules[0].expression: ")
