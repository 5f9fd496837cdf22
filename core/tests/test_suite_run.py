"""A suite run binds its tenant before anything else, and a suite can pin or require one."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import anyio
import dq
import pytest
from conftest import write_dist_info
from test_cli_check import run, workdir  # noqa: F401  (the fixture is used by name)

SPY_ENGINE = '''
import attrs
import dq
from dq import hookimpl


class TenantSpy:
    """Answers every rule as passed, and says which tenant was bound while it ran."""

    supported_checks = frozenset(dq.CHECKS)
    streams = False

    def check(self, data, rules):
        seen = dq.current_tenant()
        results = tuple(
            dq.RuleResult(rule_id=r.id, check=r.check, column=getattr(r, "column", None),
                          status=dq.RuleStatus.PASSED, message=f"tenant={seen}")
            for r in rules.rules
        )
        return dq.CheckResult(status=dq.RunStatus.PASSED, engine="spy", results=results)

    def profile(self, data):
        raise NotImplementedError

    def learn(self, data):
        raise NotImplementedError


class KeyedSpy(TenantSpy):
    """Says whether the token in its config is the secret the test stored (never shows it)."""

    def __init__(self, config):
        self.config = config

    def check(self, data, rules):
        ok = self.config.token == dq.SecretValue("s3cret-token")
        results = tuple(
            dq.RuleResult(rule_id=r.id, check=r.check, column=getattr(r, "column", None),
                          status=dq.RuleStatus.PASSED, message=f"token ok={ok}")
            for r in rules.rules
        )
        return dq.CheckResult(status=dq.RunStatus.PASSED, engine="keyed", results=results)


@attrs.frozen
class KeyedConfig:
    token: dq.SecretValue = attrs.field(metadata={"secret": True})


@hookimpl
def dq_component_config(kind, name):
    return KeyedConfig if (kind, name) == ("engine", "keyed") else None


@hookimpl
def dq_engine(name, config):
    if name == "keyed":
        return KeyedSpy(config)
    return TenantSpy() if name == "spy" else None
'''


@pytest.fixture
def spy(workdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    site = tmp_path / "spy-site"
    site.mkdir()
    (site / "dq_spy_engine.py").write_text(SPY_ENGINE)
    write_dist_info(
        site,
        "dq-spy",
        "1.0.0",
        {
            "dq.engines": {"spy": "dq_spy_engine", "keyed": "dq_spy_engine"},
            "dq.hook_api": {"^1.0": "x"},
        },
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delenv("DQ_TENANT", raising=False)
    return workdir


def write_suite(work: Path, tenant_table: str = "") -> Path:
    text = textwrap.dedent("""
        name = "orders"
        source = "good.csv"
        rules = "rules.toml"
        engine = "spy"
        [output]
        format = "json"
    """)
    (work / "suite.toml").write_text(text + textwrap.dedent(tenant_table))
    return work / "suite.toml"


def seen_tenant(out: str) -> str:
    messages = {rule["message"] for rule in json.loads(out)["rules"]}
    assert len(messages) == 1
    return messages.pop()


def test_the_engine_runs_under_the_tenant_given_on_the_command_line(spy, capsys) -> None:
    write_suite(spy)
    code, out, _ = run(capsys, "run", "suite.toml", "--tenant", "acme")
    assert code == 0 and seen_tenant(out) == "tenant=acme"


def test_without_a_tenant_nothing_is_bound(spy, capsys) -> None:
    write_suite(spy)
    code, out, _ = run(capsys, "run", "suite.toml")
    assert code == 0 and seen_tenant(out) == "tenant=None"


def test_dq_tenant_environment_variable_is_the_default(spy, capsys, monkeypatch) -> None:
    write_suite(spy)
    monkeypatch.setenv("DQ_TENANT", "globex")
    code, out, _ = run(capsys, "run", "suite.toml")
    assert code == 0 and seen_tenant(out) == "tenant=globex"
    code, out, _ = run(capsys, "run", "suite.toml", "--tenant", "acme")
    assert seen_tenant(out) == "tenant=acme"


def test_a_suite_pinned_to_a_tenant_refuses_to_run_for_another(spy, capsys) -> None:
    write_suite(spy, '[tenant]\nid = "acme"\n')
    code, out, _ = run(capsys, "run", "suite.toml")
    assert code == 0 and seen_tenant(out) == "tenant=acme"
    code, _, err = run(capsys, "run", "suite.toml", "--tenant", "globex")
    assert code == 2
    assert "belongs to tenant acme and cannot run for tenant globex" in err


def test_a_suite_that_requires_a_tenant_fails_closed_without_one(spy, capsys) -> None:
    write_suite(spy, "[tenant]\nrequired = true\n")
    code, _, err = run(capsys, "run", "suite.toml")
    assert code == 2 and "requires a tenant" in err and "--tenant" in err


@pytest.mark.parametrize("bad", ["../acme", "Acme", "acme/globex", "", "a" * 64])
def test_an_invalid_tenant_is_a_usage_error_naming_the_option(spy, capsys, bad) -> None:
    write_suite(spy)
    code, _, err = run(capsys, "run", "suite.toml", "--tenant", bad)
    assert code == 2 and "--tenant" in err


def test_a_malformed_tenant_table_names_the_field(spy, capsys) -> None:
    write_suite(spy, '[tenant]\nid = "acme"\nrequird = true\n')
    code, _, err = run(capsys, "run", "suite.toml")
    assert code == 2 and "requird" in err


def test_run_suite_binds_the_context_tenant_and_restores_the_callers(spy) -> None:
    suite = dq.load_suite(write_suite(spy))
    context = dq.RunContext(run_id="r1", tenant=dq.TenantId("acme"), orchestrator="test")
    with dq.tenant_scope("outer"):
        outcome = dq.execute_suite(suite, host=dq.default_host(), context=context)
        assert dq.current_tenant() == dq.TenantId("outer")
    assert outcome.context.tenant == dq.TenantId("acme") and outcome.context.run_id == "r1"
    assert {r.message for r in outcome.result.results} == {"tenant=acme"}
    assert outcome.deliveries == ()


def test_run_suite_inherits_the_tenant_its_caller_bound(spy) -> None:
    suite = dq.load_suite(write_suite(spy))
    with dq.tenant_scope("initech"):
        result = dq.run_suite(suite)
    assert {r.message for r in result.results} == {"tenant=initech"}


TOKEN_REF = "${secret:file:api#token}"
#: A suite for the keyed engine whose token comes from the site (dq.toml) ...
BARE_KEYED_SUITE = """
name = "orders"
source = "good.csv"
rules = "rules.toml"
engine = "keyed"

[output]
format = "json"
"""
#: ... and one that names it itself.
KEYED_SUITE = BARE_KEYED_SUITE + f'\n[engine_config]\ntoken = "{TOKEN_REF}"\n'


def seed_token(secret_site: Any, **backend: Any) -> str:
    """Store the token the keyed engine expects; return the store's path."""
    store = str(secret_site.store)
    config = dq.secrets_config({"backends": {"file": {"path": store, **backend}}}, "test")
    resolver = dq.SecretResolver(secret_site.host(), config, tenant=dq.TenantId("acme"))
    anyio.run(resolver.backend("file").set, "api", {"token": dq.SecretValue("s3cret-token")})
    return store


def site_with_engine_token(work: Path, store: str) -> None:
    (work / "dq.toml").write_text(
        f'[engines.keyed]\ntoken = "{TOKEN_REF}"\n\n'
        f'[secrets.backends.file]\npath = "{store}"\ntenant_scoped = false\n'
    )


def test_a_secret_reference_in_the_engine_config_is_resolved_at_run_time(
    spy, secret_site, capsys
) -> None:
    store = seed_token(secret_site)
    (spy / "suite.toml").write_text(KEYED_SUITE + f'\n[secrets.backends.file]\npath = "{store}"\n')

    code, out, err = run(capsys, "run", "suite.toml", "--tenant", "acme")

    assert code == 0, err
    assert seen_tenant(out) == "token ok=True"
    assert "s3cret-token" not in out + err


def test_a_secret_reference_without_that_backend_says_which_table_to_add(spy, capsys) -> None:
    (spy / "suite.toml").write_text(KEYED_SUITE)

    code, _, err = run(capsys, "run", "suite.toml")

    assert code == 2
    assert "no secret backend named 'file'" in err and "[secrets.backends.file]" in err


def test_dq_check_resolves_references_in_dq_toml_engine_tables(spy, secret_site, capsys) -> None:
    site_with_engine_token(spy, seed_token(secret_site, tenant_scoped=False))

    code, out, err = run(
        capsys, "check", "good.csv", "-r", "rules.toml", "-e", "keyed", "-f", "json"
    )

    assert code == 0, err
    assert seen_tenant(out) == "token ok=True"


def test_run_suite_takes_dq_toml_engine_tables_as_dq_run_does(spy, secret_site) -> None:
    site_with_engine_token(spy, seed_token(secret_site, tenant_scoped=False))
    (spy / "suite.toml").write_text(BARE_KEYED_SUITE)

    result = dq.run_suite(dq.load_suite(spy / "suite.toml"))

    assert {r.message for r in result.results} == {"token ok=True"}
