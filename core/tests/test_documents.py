"""Rule and config files in TOML, YAML and JSON: same result, errors that point at the line."""

from __future__ import annotations

from pathlib import Path

import dq
import pytest
from dq.config._files import load_document, load_typed

RULES = {
    "toml": '[[rules]]\ncheck = "not_null"\ncolumn = "id"\n\n[[rules]]\ncheck = "regex"\n'
    'column = "email"\npattern = "^.+@.+$"\nseverity = "warning"\n',
    "yaml": "rules:\n  - check: not_null\n    column: id\n  - check: regex\n    column: email\n"
    "    pattern: '^.+@.+$'\n    severity: warning\n",
    "json": '{"rules": [{"check": "not_null", "column": "id"}, {"check": "regex", '
    '"column": "email", "pattern": "^.+@.+$", "severity": "warning"}]}',
}


@pytest.mark.parametrize("fmt", sorted(RULES))
def test_the_same_rules_in_every_format_give_the_same_rule_set(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"rules.{fmt}"
    path.write_text(RULES[fmt])
    rule_set = load_typed(path, dq.RuleSet)
    assert rule_set.rules == (
        dq.NotNull(id="not_null_id", column="id"),
        dq.Regex(id="regex_email", column="email", pattern="^.+@.+$", severity=dq.Severity.WARNING),
    )


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("r.toml", 'rules = [\n{check = "x"\n', "TOML syntax error"),
        ("r.toml", "a = 1\nb = = 2\n", "line 2"),
        ("r.json", '{"rules": [\n  {"check": }\n]}', "JSON syntax error at line 2, column 13"),
        ("r.yaml", "rules:\n  - check: x\n   column: [\n", "YAML syntax error at line"),
    ],
)
def test_syntax_errors_name_the_file_and_line(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(dq.ConfigError) as info:
        load_document(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_structure_errors_name_the_file_and_the_path(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - check: regex\n    column: email\n    pattern: 5\n")
    with pytest.raises(dq.ConfigError) as info:
        load_typed(path, dq.RuleSet)
    assert info.value.source == str(path)
    assert info.value.problems == ["rules[0].pattern: expected str, got int (5)"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("rules.txt", "cannot tell the format from the suffix '.txt'"),
        ("missing.toml", "no such file"),
    ],
)
def test_unreadable_paths_are_usage_errors(tmp_path: Path, name: str, expected: str) -> None:
    path = tmp_path / name
    if name.endswith(".txt"):
        path.write_text("x")
    with pytest.raises(dq.UsageError, match=expected):
        load_document(path)


def test_binary_files_are_refused_as_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_bytes(b"\xff\xfe\x00rules")
    with pytest.raises(dq.ConfigError, match="not UTF-8"):
        load_document(path)
