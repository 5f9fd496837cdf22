# ruff: noqa: F811 (the refs_site fixture is imported, then requested by name)
"""``reference`` datasets: found by dq-core relative to the rules file, never outside the
folders a run may read, refused before any data is read, and handed to engines in context."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import dq
import polars as pl
import pytest
from dq.cli import main
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from refs_site import refs_site  # noqa: F401 (a fixture, used by name)

RULES = """
[[rules]]
id = "fk"
check = "reference"
column = "customer_id"
dataset = "{dataset}"
dataset_column = "id"
"""


def write_rules(folder: Path, dataset: str, name: str = "rules.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(RULES.format(dataset=dataset.replace("\\", "\\\\")))
    return path


@pytest.fixture
def tree(refs_site: Path) -> Path:
    """work/rules/{rules.toml, customers.csv, sub/more.csv}, work/data/{orders,people}.csv,
    work/outside/secret.csv, and links from the rules folder to outside and inside."""
    work = refs_site
    (work / "rules" / "sub").mkdir(parents=True)
    (work / "data").mkdir()
    (work / "outside").mkdir()
    (work / "rules" / "customers.csv").write_text("id,name\n1,a\n2,b\n")
    (work / "rules" / "sub" / "more.csv").write_text("id\n1\n2\n3\n")
    (work / "data" / "orders.csv").write_text("order,customer_id\n10,1\n11,2\n12,3\n13,\n")
    (work / "data" / "people.csv").write_text("id\n1\n3\n")
    (work / "outside" / "secret.csv").write_text("id\n1\n2\n3\n")
    (work / "rules" / "link.csv").symlink_to(work / "outside" / "secret.csv")
    (work / "rules" / "inner.csv").symlink_to(work / "rules" / "customers.csv")
    (work / "rules" / "sneaky").symlink_to(work / "outside")
    return work


def check(capsys: pytest.CaptureFixture[str], dataset: str, *extra: str) -> tuple[int, str, str]:
    write_rules(Path("rules"), dataset)
    code = main(["check", "data/orders.csv", "-r", "rules/rules.toml", "-e", "refs", *extra])
    out, err = capsys.readouterr()
    return code, out, err


# -- what a rules file may name -------------------------------------------------------------


def test_a_dataset_is_relative_to_the_rules_files_folder_and_missing_keys_fail(tree, capsys):
    code, out, err = check(capsys, "customers.csv", "-f", "json")
    assert code == 1, err
    assert '"failed_count": 1' in out and "3" in out


def test_a_dataset_may_sit_in_the_datas_folder(tree, capsys):
    code, _, err = check(capsys, "../data/people.csv")
    assert code == 1, err  # 2 is not among people: one failure, read from data/


def test_a_link_that_stays_inside_is_followed(tree, capsys):
    code, _, err = check(capsys, "inner.csv")
    assert code == 1, err


@pytest.mark.parametrize(
    ("dataset", "why"),
    [
        ("/etc/passwd", "absolute"),
        (os.devnull, "absolute"),
        ("~/secret.csv", "absolute"),
        ("../outside/secret.csv", "outside"),
        ("sub/../../outside/secret.csv", "outside"),
        ("..\\outside\\secret.csv", "outside"),
        ("link.csv", "link to a file outside"),
        ("sneaky/secret.csv", "link to a file outside"),
        ("https://example.com/customers.csv", "URL"),
        ("file:///etc/passwd", "URL"),
        ("file:customers.csv", "URL"),
        ("C:\\data\\x.csv", "URL or names a drive"),
        ("//server/share/x.csv", "URL"),
        (".hidden/x.csv", "hidden"),
        ("sub/*/../../../outside/secret.csv", "after a wildcard"),
        ("", "empty"),
        ("cust\tomers.csv", "control character"),
        ("nope.csv", "no such file"),
        ("sub", "folder"),
    ],
)
def test_a_dataset_that_is_not_a_plain_inside_file_is_refused_naming_the_rule(
    tree, capsys, dataset, why
):
    code, out, err = check(capsys, dataset)
    assert code == 2, (out, err)
    assert "rules[0].dataset" in err and why in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_refusal_comes_before_any_data_is_read(tree, capsys):
    # the data is broken (exit 3 if read); the bad reference is reported first (exit 2)
    Path("data/orders.csv").write_text('order,customer_id\n10,1,9\n"x\n')
    code, _, err = check(capsys, "../outside/secret.csv")
    assert code == 2 and "rules[0].dataset" in err


def test_an_unreadable_reference_file_is_a_data_error_naming_it(tree, capsys):
    Path("rules/broken.parquet").write_bytes(b"not parquet at all")
    code, _, err = check(capsys, "broken.parquet")
    assert code == 3, err
    assert "broken.parquet" in err and "Traceback" not in err


def test_policy_data_locations_decide_where_references_may_be(tree, capsys):
    Path("dq.toml").write_text(f'[policy]\ndata_locations = ["{tree / "outside"}"]\n')
    code, _, err = check(capsys, "../outside/secret.csv")
    assert code == 0, err  # listed by the operator: 1, 2, 3 all present
    code, _, err = check(capsys, "customers.csv")
    assert code == 2 and "data_locations" in err


def test_a_named_file_source_of_dq_toml_is_trusted_and_other_kinds_are_refused(tree, capsys):
    Path("dq.toml").write_text(
        f'[sources.crm]\npath = "{tree / "outside" / "secret.csv"}"\n\n'
        '[sources.wh]\ntype = "sql"\ntable = "customers"\n'
    )
    code, _, err = check(capsys, "crm")
    assert code == 0, err
    code, _, err = check(capsys, "wh")
    assert code == 2 and "rules[0].dataset" in err and "sql source" in err


def test_a_suite_resolves_against_the_rules_file_it_names(tree, capsys):
    write_rules(tree / "rules", "sub/more.csv", name="fk.toml")
    suite = tree / "suite.toml"
    suite.write_text(
        textwrap.dedent(
            """
            name = "orders"
            engine = "refs"
            source = "data/orders.csv"
            rules = "rules/fk.toml"
            """
        )
    )
    assert main(["run", str(suite)]) == 0, capsys.readouterr().err
    write_rules(tree / "rules", "../../outside/secret.csv", name="fk.toml")
    assert main(["run", str(suite)]) == 2
    assert "rules/fk.toml:6: rules[0].dataset" in capsys.readouterr().err


# -- no spelling escapes ----------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "..",
        ".",
        "sub",
        "customers.csv",
        "more.csv",
        "link.csv",
        "sneaky",
        "secret.csv",
        "outside",
        "data",
        "rules",
        "*",
        "**",
        "*.csv",
        "?",
        "[a-z]*",
        "~",
        "/",
        "\\",
        "//",
        "%2e%2e",
        "C:",
        "file:",
        "\u2024\u2024",
        ".hidden",
        "",
        " ",
        "people.csv",
    ]
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=st.lists(_PIECES, min_size=1, max_size=7), sep=st.sampled_from(["/", "\\", ""]))
@example(parts=["..", "outside", "secret.csv"], sep="/")
@example(parts=["sneaky", "*.csv"], sep="/")
@example(parts=["**", "secret.csv"], sep="/")
@example(parts=["..", "*", "secret.csv"], sep="/")
def test_no_spelling_reads_a_file_outside_the_allowed_folders(tree, parts, sep):
    from dq.checks._reference_paths import resolve_references

    dataset = sep.join(parts)
    rules = dq.RuleSet(rules=(dq.Reference(id="fk", column="customer_id", dataset=dataset),))
    allowed = [os.path.realpath(tree / "rules"), os.path.realpath(tree / "data")]
    try:
        found = resolve_references(
            rules,
            rules_source="rules.toml",
            base=tree / "rules",
            data_path=str(tree / "data" / "orders.csv"),
            site={},
            site_source="dq.toml",
        )
    except dq.ConfigError as exc:
        assert "rules[0].dataset" in str(exc)
        return
    for path in found[dataset].files:
        real = os.path.realpath(path)
        assert any(real == a or real.startswith(a + os.sep) for a in allowed), (dataset, real)
        assert "outside" not in Path(real).parts


# -- how engines get the data -------------------------------------------------------------------


def test_reference_data_outside_a_scope_is_a_clear_usage_error():
    rule = dq.Reference(id="fk", column="a", dataset="x.csv")
    with pytest.raises(dq.UsageError, match="'x.csv' is not loaded"):
        dq.reference_data(rule)


def test_scopes_nest_and_unwind_and_frames_come_back_lazy():
    rule = dq.Reference(id="fk", column="a", dataset="x.csv")
    outer, inner = pl.DataFrame({"a": [1]}), pl.DataFrame({"a": [2]})
    with dq.reference_scope({"x.csv": outer}):
        with dq.reference_scope({"x.csv": inner, "y.csv": inner}):
            assert dq.reference_data(rule).collect()["a"].to_list() == [2]
        got = dq.reference_data(rule)
        assert isinstance(got, pl.LazyFrame) and got.collect()["a"].to_list() == [1]
    with pytest.raises(dq.UsageError):
        dq.reference_data(rule)
