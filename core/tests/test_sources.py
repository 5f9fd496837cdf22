"""Data sources other than files: a suite's [source] and `dq check --source NAME` / `sql:TABLE`
hand an engine that accepts them a dq.SourceRef with the credential resolved from a secret
reference; an engine that cannot read the source is told so in one line (exit 2); a literal
password is refused; no credential shows in any output, error or repr."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import dq
import pytest
from conftest import write_dist_info
from test_cli_check import run, workdir  # noqa: F401  (the fixture is used by name)
from test_suite_run import seed_token

PASSWORD = "s3cret-token"  # what seed_token stores under file:api#token
REF_ENGINE = '''
import dq
from dq import hookimpl


class RefEngine:
    """Reads sql sources: reports what it was handed (never the credential itself)."""

    supported_checks = frozenset(dq.CHECKS)
    streams = True
    accepts = frozenset({"sql"})

    def check(self, data, rules):
        url = data.url.reveal_text() if data.url is not None else None
        seen = (
            f"type={data.type} label={data.label} table={data.table} query={data.query} "
            f"url_ok={url == 'postgresql://dq:s3cret-token@db.example/orders'} "
            f"dsn_ok={url is not None and 'password=' in url and 's3cret-token' in url} "
            f"repr_clean={'s3cret' not in repr(data)}"
        )
        results = tuple(
            dq.RuleResult(rule_id=r.id, check=r.check, column=getattr(r, "column", None),
                          status=dq.RuleStatus.PASSED, message=seen)
            for r in rules.rules
        )
        return dq.CheckResult(status=dq.RunStatus.PASSED, engine="ref", results=results)

    def profile(self, data):
        raise NotImplementedError

    def learn(self, data):
        raise NotImplementedError


@hookimpl
def dq_engine(name, config):
    return RefEngine() if name == "ref" else None
'''
URL_REF = "postgresql://dq:${secret:file:api#token}@db.example/orders"


@pytest.fixture
def refsite(workdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    site = tmp_path / "ref-site"
    site.mkdir()
    (site / "dq_ref_engine.py").write_text(REF_ENGINE)
    write_dist_info(
        site,
        "dq-ref",
        "1.0.0",
        {"dq.engines": {"ref": "dq_ref_engine"}, "dq.hook_api": {"^1.2": "x"}},
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delenv("DQ_TENANT", raising=False)
    return workdir


def _site(work: Path, store: str, sources: str) -> None:
    (work / "dq.toml").write_text(
        textwrap.dedent(sources)
        + f'\n[secrets.backends.file]\npath = "{store}"\ntenant_scoped = false\n'
    )


def _message(out: str) -> str:
    messages = {rule["message"] for rule in json.loads(out)["rules"]}
    assert len(messages) == 1
    return messages.pop()


def test_check_source_name_hands_the_engine_a_resolved_reference(
    refsite, secret_site, capsys
) -> None:
    store = seed_token(secret_site, tenant_scoped=False)
    _site(
        refsite,
        store,
        f'[sources.orders_pg]\ntype = "sql"\ntable = "public.orders"\nurl = "{URL_REF}"\n',
    )

    code, out, err = run(
        capsys, "check", "--source", "orders_pg", "-r", "rules.toml", "-e", "ref", "-f", "json"
    )

    assert code == 0, err
    seen = _message(out)
    assert "type=sql label=orders_pg table=public.orders" in seen
    assert "url_ok=True" in seen and "repr_clean=True" in seen
    assert PASSWORD not in out + err


def test_dsn_fields_become_one_secret_dsn(refsite, secret_site, capsys) -> None:
    store = seed_token(secret_site, tenant_scoped=False)
    _site(
        refsite,
        store,
        """
        [sources.pg]
        type = "sql"
        query = "SELECT * FROM orders WHERE paid"
        dsn = { host = "db.example", user = "dq", password = "${secret:file:api#token}" }
        """,
    )
    code, out, err = run(
        capsys, "check", "--source", "pg", "-r", "rules.toml", "-e", "ref", "-f", "json"
    )
    assert code == 0, err
    assert "dsn_ok=True" in _message(out) and "query=SELECT * FROM orders WHERE paid" in _message(
        out
    )
    assert PASSWORD not in out + err


def test_sql_table_data_uses_the_engines_own_connection(refsite, capsys) -> None:
    code, out, err = run(
        capsys, "check", "sql:sales.orders", "-r", "rules.toml", "-e", "ref", "-f", "json"
    )
    assert code == 0, err
    assert "type=sql label=sql:sales.orders table=sales.orders" in _message(out)


def test_an_engine_that_reads_only_polars_says_so_in_one_line(refsite, capsys) -> None:
    (refsite / "dq.toml").write_text('[sources.pg]\ntype = "sql"\ntable = "orders"\n')
    code, out, err = run(capsys, "check", "--source", "pg", "-r", "rules.toml", "-e", "tiny")
    assert code == 2 and out == ""
    line = err.strip()
    assert "\n" not in line and "Traceback" not in err
    assert "engine 'tiny' cannot read sql source 'pg' (it reads: polars)" in line


def test_a_file_given_to_an_engine_that_reads_only_sql_says_so(refsite, capsys) -> None:
    code, _, err = run(capsys, "check", "good.csv", "-r", "rules.toml", "-e", "ref")
    assert code == 2 and "engine 'ref' cannot read polars source 'good.csv'" in err


def test_a_literal_password_in_a_source_url_is_refused_and_not_echoed(refsite, capsys) -> None:
    (refsite / "dq.toml").write_text(
        '[sources.pg]\ntype = "sql"\ntable = "t"\nurl = "postgresql://dq:hunter2@db/x"\n'
    )
    code, out, err = run(capsys, "check", "--source", "pg", "-r", "rules.toml", "-e", "ref")
    assert code == 2 and "literal password" in err and "${secret:...}" in err
    assert "hunter2" not in out + err


def test_a_literal_dsn_password_is_refused(refsite, capsys) -> None:
    (refsite / "dq.toml").write_text(
        '[sources.pg]\ntype = "sql"\ntable = "t"\ndsn = { host = "db", password = "hunter2" }\n'
    )
    code, out, err = run(capsys, "check", "--source", "pg", "-r", "rules.toml", "-e", "ref")
    assert code == 2 and "dsn.password" in err and "hunter2" not in out + err


def test_unknown_source_name_lists_the_defined_ones(refsite, capsys) -> None:
    (refsite / "dq.toml").write_text('[sources.pg]\ntype = "sql"\ntable = "t"\n')
    code, _, err = run(capsys, "check", "--source", "pgg", "-r", "rules.toml", "-e", "ref")
    assert code == 2 and "no [sources.pgg] table (sources defined: pg)" in err


def test_data_and_source_together_is_a_usage_error(refsite, capsys) -> None:
    code, _, err = run(capsys, "check", "good.csv", "--source", "x", "-r", "rules.toml")
    assert code == 2 and "not both" in err
    code, _, err = run(capsys, "check", "-r", "rules.toml")
    assert code == 2


def test_a_suite_source_of_type_sql_runs_through_dq_run(refsite, secret_site, capsys) -> None:
    store = seed_token(secret_site, tenant_scoped=False)
    (refsite / "suite.toml").write_text(
        textwrap.dedent(f"""
        name = "orders"
        rules = "rules.toml"
        engine = "ref"
        [source]
        type = "sql"
        table = "public.orders"
        url = "{URL_REF}"
        [output]
        format = "json"
        [secrets.backends.file]
        path = "{store}"
        tenant_scoped = false
        """)
    )
    code, out, err = run(capsys, "run", "suite.toml")
    assert code == 0, err
    assert "url_ok=True" in _message(out) and PASSWORD not in out + err


def test_file_suites_are_unchanged(refsite, capsys) -> None:
    (refsite / "suite.toml").write_text(
        'name = "s"\nsource = "good.csv"\nrules = "rules.toml"\nengine = "tiny"\n'
    )
    code, _, err = run(capsys, "run", "suite.toml")
    assert code == 0, err


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ({"type": "sql"}, "exactly one of 'table' and 'query'"),
        ({"type": "sql", "table": "t", "query": "q"}, "exactly one of 'table' and 'query'"),
        ({"type": "spark"}, "exactly one of 'table' and 'path'"),
        ({"type": "kafka", "path": "x"}, "unknown source type 'kafka'"),
        ({"type": "file"}, "needs 'path'"),
    ],
)
def test_malformed_sources_are_config_errors(table: dict[str, Any], problem: str) -> None:
    with pytest.raises(dq.ConfigError) as err:
        from dq.config._converter import structure

        structure(table, dq.Source, source="dq.toml: sources.x")
    assert problem in str(err.value)


def test_reprs_never_show_credentials() -> None:
    src = dq.Source(
        type="sql", table="t", url="postgresql://u:hunter2@h/d", dsn={"password": "p4ss"}
    )
    assert "hunter2" not in repr(src) and "p4ss" not in repr(src)
    ref = dq.SourceRef(
        type="sql", label="x", table="t", url=dq.SecretValue("postgresql://u:hunter2@h/d")
    )
    assert "hunter2" not in repr(ref) and ref.name == "x"
    with pytest.raises(AttributeError):
        ref.table = "other"  # type: ignore[misc]


def test_engines_without_accepts_read_polars_only() -> None:
    from dq.protocols import engine_accepts

    class Old:
        pass

    class New:
        accepts = ("polars", "sql")

    assert engine_accepts(Old()) == frozenset({"polars"})
    assert engine_accepts(New()) == frozenset({"polars", "sql"})
