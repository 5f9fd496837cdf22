"""Operator policy: dq.toml's [policy] locks what a suite file cannot loosen (issue: a suite
replaced the site's secret backend, switched tenant scoping off and read another tenant)."""

from __future__ import annotations

import os
from pathlib import Path

import dq
import pytest
from dq.cli import main
from dq.config._policy import Policy, policy_from, policy_problems
from hypothesis import given
from hypothesis import strategies as st

SITE = {
    "secrets": {"backends": {"vault": {"address": "https://vault.internal:8200"}}},
    "policy": {
        "tenant_scoping": "required",
        "secret_backends": ["vault"],
        "notifier_types": ["slack", "pagerduty"],
        "engines": ["polars"],
        "data_locations": ["/data"],
    },
}


def problems(**suite: object) -> list[str]:
    parts = {
        "suite_secrets": {},
        "suite_notify": {},
        "engine": "polars",
        "data_path": "/data/a.csv",
    }
    parts.update(suite)
    return policy_problems(policy_from(SITE, "dq.toml"), site=SITE, **parts)  # type: ignore[arg-type]


def test_a_suite_within_the_policy_passes() -> None:
    assert problems() == []


def test_without_a_policy_table_nothing_is_locked() -> None:
    site = {"secrets": SITE["secrets"]}
    secrets = {"backends": {"vault": {"type": "file", "tenant_scoped": False}}}
    assert (
        policy_problems(
            policy_from(site, "dq.toml"),
            site=site,
            suite_secrets=secrets,
            suite_notify={"channels": {"x": {"type": "webhook"}}},
            engine="gx",
            data_path="/etc/passwd",
        )
        == []
    )


def test_a_suite_may_not_redefine_the_sites_backend() -> None:
    found = problems(suite_secrets={"backends": {"vault": {"tenant_scoped": False}}})
    assert found == [
        "secrets.backends.vault: defined by dq.toml; a suite may not redefine it "
        '(locked by dq.toml [policy] tenant_scoping = "required")'
    ]


def test_a_suite_may_not_switch_tenant_scoping_off_or_move_the_prefix() -> None:
    found = problems(
        suite_secrets={
            "tenant_prefix": "shared/{tenant}",
            "backends": {"mine": {"type": "vault", "tenant_scoped": False}},
        }
    )
    assert any(p.startswith("secrets.tenant_prefix: locked") for p in found)
    assert any(p.startswith("secrets.backends.mine.tenant_scoped: may not be false") for p in found)


def test_backend_and_notifier_types_outside_the_lists_are_named() -> None:
    found = problems(
        suite_secrets={"backends": {"loot": {"type": "file", "path": "/tmp/x"}}},
        suite_notify={
            "channels": {"ops": {"type": "slack"}, "hook": {"type": "webhook"}},
            "tenants": {"acme": {"channels": {"teams": {}}}},
        },
    )
    assert "secrets.backends.loot: backend type 'file' is not allowed" in found[0]
    assert [p.split(":")[0] for p in found[1:]] == [
        "notify.channels.hook",
        "notify.tenants.acme.channels.teams",
    ]


def test_an_engine_outside_the_list_is_named() -> None:
    assert problems(engine="gx") == [
        "engine: 'gx' is not allowed (locked by dq.toml [policy] engines = ['polars'])"
    ]


@pytest.mark.parametrize(
    "path", ["/etc/passwd", "/data/../etc/passwd", "/database/x.csv", "/dat*", "relative.csv"]
)
def test_a_source_outside_the_data_locations_is_refused(path: str) -> None:
    found = problems(data_path=path)
    assert len(found) == 1 and found[0].startswith("source.path:")


@pytest.mark.parametrize("path", ["/data/a.csv", "/data/2026/*.parquet", "/data"])
def test_a_source_inside_the_data_locations_passes(path: str) -> None:
    assert problems(data_path=path) == []


def test_a_symlink_out_of_an_allowed_folder_is_refused(tmp_path: Path) -> None:
    allowed = tmp_path / "data"
    allowed.mkdir()
    (allowed / "escape").symlink_to("/etc")
    site = {"policy": {"data_locations": [str(allowed)]}}
    found = policy_problems(
        policy_from(site, "dq.toml"),
        site=site,
        suite_secrets={},
        suite_notify={},
        engine=None,
        data_path=str(allowed / "escape" / "passwd"),
    )
    assert found and found[0].startswith("source.path:")


@given(st.text(alphabet="abc./_*", max_size=30))
def test_no_path_outside_the_folder_is_ever_allowed(tail: str) -> None:
    path = "/data/" + tail
    allowed = not problems(data_path=path)
    resolved = os.path.realpath(path.split("*")[0] or ".")
    assert allowed == (resolved == "/data" or resolved.startswith("/data/"))


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ({"tenant_scoping": "off"}, 'policy.tenant_scoping: expected "required" or "suite"'),
        ({"engines": "polars"}, "policy.engines: expected a list of names"),
        ({"notifiers": ["slack"]}, "policy.notifiers: unknown setting"),
    ],
)
def test_a_bad_policy_table_is_a_config_error_at_its_key(table: dict, problem: str) -> None:
    with pytest.raises(dq.ConfigError) as err:
        policy_from({"policy": table}, "dq.toml")
    assert any(p.startswith(problem) for p in err.value.problems)


def test_the_empty_policy_is_empty() -> None:
    assert Policy().empty and not policy_from(SITE, "dq.toml").empty


def test_dq_run_refuses_a_suite_that_breaks_a_lock_before_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for var in ("DQ_CONFIG", "DQ_TENANT", "DQ_PLUGINS_DENY", "DQ_PLUGINS_ALLOW"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dq.toml").write_text(
        '[secrets.backends.vault]\naddress = "https://vault.internal:8200"\n'
        '[policy]\ntenant_scoping = "required"\n'
    )
    (tmp_path / "steal.suite.toml").write_text(
        'name = "steal"\n[source]\npath = "missing.csv"\n'
        '[[rules.rules]]\ncheck = "not_null"\ncolumn = "a"\n'
        '[secrets.backends.vault]\ntype = "file"\npath = "/tmp/x.json"\ntenant_scoped = false\n'
    )
    code = main(["run", "steal.suite.toml", "--tenant", "acme"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "secrets.backends.vault: defined by dq.toml; a suite may not redefine it" in err
    assert "Traceback" not in err
