"""`dq check` and `dq run` build the engine once: check() asks the engine it builds whether
it reads the source, before the file is scanned or a secret reference resolved, with the
same one-line error (exit 2) as before."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from conftest import write_dist_info
from test_cli_check import run, workdir  # noqa: F401  (the fixture is used by name)

COUNTING_ENGINE = '''
import dq
from dq import hookimpl

BUILT = []


class Counting:
    """Reads polars frames and sql sources; passes every rule; counts how often it is built."""

    supported_checks = frozenset(dq.CHECKS)
    streams = True
    accepts = frozenset({"polars", "sql"})

    def check(self, data, rules):
        results = tuple(
            dq.RuleResult(rule_id=r.id, check=r.check, column=getattr(r, "column", None),
                          status=dq.RuleStatus.PASSED, message=type(data).__name__)
            for r in rules.rules
        )
        return dq.CheckResult(status=dq.RunStatus.PASSED, engine="counting", results=results)

    def profile(self, data):
        raise NotImplementedError

    def learn(self, data):
        raise NotImplementedError


@hookimpl
def dq_engine(name, config):
    BUILT.append(name)
    return Counting() if name == "counting" else None
'''


@pytest.fixture
def counting(workdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:  # noqa: F811
    site = tmp_path / "counting-site"
    site.mkdir()
    (site / "dq_counting_engine.py").write_text(COUNTING_ENGINE)
    write_dist_info(
        site,
        "dq-counting",
        "1.0.0",
        {"dq.engines": {"counting": "dq_counting_engine"}, "dq.hook_api": {"^1.2": "x"}},
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "dq_counting_engine", raising=False)
    monkeypatch.delenv("DQ_TENANT", raising=False)
    return workdir


def _built() -> list[str]:
    return sys.modules["dq_counting_engine"].BUILT


def test_dq_check_on_a_file_builds_the_engine_once(counting: Path, capsys) -> None:
    code, out, err = run(
        capsys, "check", "good.csv", "-r", "rules.toml", "-e", "counting", "-f", "json"
    )
    assert code == 0, err
    assert _built() == ["counting"]
    assert '"message": "LazyFrame"' in out  # the file was scanned for the engine


def test_dq_check_on_a_sql_source_builds_the_engine_once(counting: Path, capsys) -> None:
    (counting / "dq.toml").write_text('[sources.pg]\ntype = "sql"\ntable = "orders"\n')
    code, out, err = run(
        capsys, "check", "--source", "pg", "-r", "rules.toml", "-e", "counting", "-f", "json"
    )
    assert code == 0, err
    assert _built() == ["counting"] and '"message": "SourceRef"' in out


def test_dq_run_builds_the_engine_once(counting: Path, capsys) -> None:
    (counting / "suite.toml").write_text(
        'name = "s"\nsource = "good.csv"\nrules = "rules.toml"\nengine = "counting"\n'
    )
    code, _, err = run(capsys, "run", "suite.toml")
    assert code == 0, err
    assert _built() == ["counting"]


def test_refusal_comes_before_any_secret_is_resolved(counting: Path, capsys) -> None:
    """The source names a secret backend that does not exist: an engine that cannot read sql
    is refused for that, in one line, not for the reference it never needed."""
    (counting / "dq.toml").write_text(
        textwrap.dedent("""
        [sources.pg]
        type = "sql"
        table = "orders"
        url = "postgresql://dq:${secret:nowhere:db#password}@db.example/shop"
        """)
    )
    code, out, err = run(capsys, "check", "--source", "pg", "-r", "rules.toml", "-e", "tiny")
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.strip().count("\n") == 0
    assert "engine 'tiny' cannot read sql source 'pg' (it reads: polars)" in err
    assert "nowhere" not in err


def test_refusal_comes_before_the_file_is_read(counting: Path, capsys, tmp_path: Path) -> None:
    """A sql-only engine given a file that does not even exist is told it cannot read files
    (the answer that holds whatever the file), exit 2."""
    sql_only = COUNTING_ENGINE.replace('{"polars", "sql"}', '{"sql"}')
    (tmp_path / "counting-site" / "dq_counting_engine.py").write_text(sql_only)
    code, _, err = run(capsys, "check", "missing.csv", "-r", "rules.toml", "-e", "counting")
    assert code == 2 and "Traceback" not in err
    assert "engine 'counting' cannot read polars source 'missing.csv' (it reads: sql)" in err
    assert _built() == ["counting"]


def test_a_source_ref_handed_to_check_directly_is_asked_about_too(counting: Path) -> None:
    import dq
    from dq.checks._engines import check

    host = dq.Host(dq.discover())
    ref = dq.SourceRef(type="spark", label="events", table="lake.events")
    rules = dq.RuleSet(rules=(dq.NotNull(id="nn", column="id"),))
    with pytest.raises(dq.UsageError, match="cannot read spark source 'events'"):
        check(host, "counting", ref, rules)


def test_a_rules_description_reaches_the_result_whatever_the_engine_built(counting: Path) -> None:
    """The counting engine builds its results without descriptions, as most engines do:
    core attaches the rules file's words, so every format can show them (issue 11)."""
    import dq
    import polars as pl
    from dq.checks._engines import check

    host = dq.Host(dq.discover())
    rules = dq.RuleSet(
        rules=(
            dq.NotNull(id="nn", column="id", description="every order has an id"),
            dq.NotNull(id="plain", column="id"),
        )
    )
    got = check(host, "counting", pl.DataFrame({"id": [1]}), rules)
    assert got.by_id("nn").description == "every order has an id"
    assert got.by_id("plain").description == ""
