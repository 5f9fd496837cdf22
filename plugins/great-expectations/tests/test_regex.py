"""The Rust -> Python regex translation: validity, anchoring, and what is exact."""

from __future__ import annotations

import re

import polars as pl
import pytest
from dq_great_expectations._regex import anchor, prepare

ALL_CHARS = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]


@pytest.mark.parametrize("pattern", [".", "(?s).", "[a-z]", "[^a]", "é|日", "(?m)^.$"])
def test_patterns_called_exact_agree_with_rust_on_every_code_point(pattern):
    prepared = prepare(pattern)
    assert prepared.python is not None and prepared.approximate == ()
    rust = pl.Series(ALL_CHARS).str.contains(rf"\A(?:{pattern})\z").to_list()
    python = re.compile(prepared.python)
    differ = [c for c, r in zip(ALL_CHARS, rust, strict=True) if bool(python.search(c)) != r]
    assert differ == []


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"\w+", r"\w"),
        (r"\s", r"\s"),
        (r"\d", r"\d"),
        (r"a\b", r"\b"),
        ("(?i)abc", "(?i)"),
        ("(?i:a)b", "(?i)"),
        ("[[:alpha:]]", "nested"),
        ("[a-z&&[^x]]", "intersection"),
        ("(?x) a b", "verbose"),
        ("a$b", "$"),
    ],
)
def test_differing_constructs_are_named(pattern, reason):
    prepared = prepare(pattern)
    assert prepared.python is not None
    assert any(reason in r for r in prepared.approximate), prepared.approximate


@pytest.mark.parametrize("pattern", ["abc$", "a$|b$", r"\$x", "[$]x", "x"])
def test_dollar_at_the_end_or_escaped_is_exact(pattern):
    assert prepare(pattern).approximate == ()


def test_rust_decides_validity():
    assert "look-around" in prepare("(?=a)").error
    assert "backreferences" in prepare(r"(a)\1").error
    assert prepare("(a").error is not None
    assert prepare(r"\p{L}").unsupported is not None  # Rust yes, Python no


def test_anchoring_hoists_leading_flags_and_survives_verbose_comments():
    assert anchor("a|b") == r"\A(?:a|b)\Z"
    assert anchor("(?i)a") == r"(?i)\A(?:a)\Z"
    verbose = re.compile(anchor("(?x) a b  # a comment"))
    assert verbose.search("ab") and not verbose.search("abc")
