"""Audit sinks (entry-point group ``dq.audit``): plugins loaded for ``dq_secret_accessed`` alone.

The sinks are real metadata on a tmp sys.path entry (``install_audit`` in conftest), next to
the file-backed secret store; the CLI runs in-process through the real ``dq`` entry function,
so discovery scans sys.path exactly as an installed ``dq`` would.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import anyio
import dq
import pytest
from dq.cli import main
from dq.plugins._discovery import discover
from dq.plugins._host import Host
from dq.plugins._names import parse_kind
from dq.plugins._settings import load_settings
from test_cli_check import workdir  # noqa: F401  (used by name through `spy`)
from test_suite_run import KEYED_SUITE, seen_tenant, spy  # noqa: F401

VALUE = "audit-s3cret-never-logged"


@pytest.fixture
def marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "imports.txt"
    monkeypatch.setenv("DQ_TEST_IMPORT_MARKER", str(path))
    for var in ("DQ_CONFIG", "DQ_STRICT", "DQ_PLUGINS_DENY", "DQ_PLUGINS_ALLOW", "DQ_TENANT"):
        monkeypatch.delenv(var, raising=False)
    return path


def imported(marker: Path) -> list[str]:
    return marker.read_text().split() if marker.exists() else []


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def resolver(host: Any, secret_site: Any) -> dq.SecretResolver:
    config = dq.secrets_config({"backends": {"file": {"path": str(secret_site.store)}}}, "test")
    return dq.SecretResolver(host, config, tenant=dq.TenantId("acme"), actor="test:audit")


def access_three_times(host: Any, secret_site: Any) -> None:
    """set, get, exists: through two separately built backends of one host."""
    first = resolver(host, secret_site).backend("file")
    second = resolver(host, secret_site).backend("file")

    async def go() -> None:
        await first.set("db", {"v": dq.SecretValue(VALUE)})
        assert (await second.get("db")).reveal_text() == VALUE
        assert await first.exists("db")

    anyio.run(go)


def no_value_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        assert VALUE not in record.getMessage() and VALUE not in repr(record.__dict__)


# -- delivery -----------------------------------------------------------------------------------


def test_an_audit_only_plugin_receives_every_access_of_a_real_run(
    spy,  # noqa: F811
    secret_site,
    install_audit,
    capsys,
    marker,
) -> None:
    install_audit("dq_audit_recorder")
    store = secret_site.store
    anyio.run(
        resolver(secret_site.host(), secret_site).backend("file").set,
        "api",
        {"token": dq.SecretValue("s3cret-token")},
    )
    (spy / "suite.toml").write_text(KEYED_SUITE + f'\n[secrets.backends.file]\npath = "{store}"\n')

    code, out, err = cli(capsys, "run", "suite.toml", "--tenant", "acme")

    assert code == 0, err
    assert seen_tenant(out) == "token ok=True"
    recorded = sys.modules["dq_audit_recorder"].EVENTS
    # The store plugin implements the hook too and is loaded by both hosts: it sees every access.
    assert recorded == secret_site.module().EVENTS
    assert [(e.operation.value, e.outcome, e.effective_path) for e in recorded] == [
        ("set", "ok", "tenants/acme/api"),
        ("get", "ok", "tenants/acme/api"),
    ]
    assert str(recorded[1].tenant) == "acme" and recorded[1].field == "token"
    assert "s3cret-token" not in repr(recorded) + out + err


def test_audit_sinks_load_on_the_first_access_not_with_the_host(
    secret_site, install_audit, marker
) -> None:
    install_audit("dq_audit_recorder")
    host = secret_site.host()
    backend = resolver(host, secret_site).backend("file")  # built: the store is imported
    assert "dq_audit_recorder" not in imported(marker)
    assert "dq_audit_recorder" not in sys.modules

    anyio.run(backend.exists, "nothing")
    anyio.run(backend.exists, "nothing")

    assert imported(marker) == ["dq_audit_recorder"]  # once, on the first access
    assert [e.outcome for e in sys.modules["dq_audit_recorder"].EVENTS] == ["not_found"] * 2


@pytest.mark.parametrize("pattern", ["recorder", "audit:recorder", "dq-audit-recorder"])
def test_a_denied_audit_sink_is_never_imported_and_gets_no_events(
    secret_site, install_audit, marker, pattern
) -> None:
    install_audit("dq_audit_recorder")
    settings = load_settings(environ={"DQ_PLUGINS_DENY": pattern})
    host = Host(discover(settings, distributions=secret_site.dists))
    (record,) = host.inventory.find("recorder", "audit")
    assert record.status == "disabled" and pattern in record.reason

    access_three_times(host, secret_site)

    assert len(secret_site.module().EVENTS) == 3  # the accesses did happen, and were audited
    assert "dq_audit_recorder" not in imported(marker) and "dq_audit_recorder" not in sys.modules


def test_an_allow_list_without_the_sink_leaves_it_out(
    secret_site, install_audit, marker, workdir_secrets, capsys
) -> None:
    install_audit("dq_audit_recorder")
    (workdir_secrets / "dq.toml").write_text(
        (workdir_secrets / "dq.toml").read_text() + '\n[plugins]\nallow = ["file"]\n'
    )
    code, _, err = cli(capsys, "secrets", "get", "vault:db", "--tenant", "acme")
    assert code == 3 and "no secret at" in err  # the access ran (and found nothing)
    assert [e.outcome for e in secret_site.module().EVENTS] == ["not_found"]
    assert "dq_audit_recorder" not in imported(marker)


@pytest.fixture
def workdir_secrets(secret_site: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "secrets-work"
    work.mkdir()
    monkeypatch.chdir(work)
    (work / "dq.toml").write_text(
        f"[secrets.backends.vault]\ntype = 'file'\npath = {json.dumps(str(secret_site.store))}\n"
    )
    return work


def test_a_raising_sink_neither_blocks_the_access_nor_silences_the_others(
    secret_site, install_audit, marker, caplog
) -> None:
    install_audit("dq_audit_raises", "dq_audit_recorder")
    caplog.set_level(logging.INFO)

    access_three_times(secret_site.host(), secret_site)

    assert len(sys.modules["dq_audit_raises"].CALLS) == 3
    assert len(sys.modules["dq_audit_recorder"].EVENTS) == 3
    warnings = [
        r.getMessage() for r in caplog.records if "raised ConnectionError" in r.getMessage()
    ]
    assert len(warnings) == 3 and all("dq-audit-raises" in w for w in warnings)
    assert not any("audit database is down" in r.getMessage() for r in caplog.records)
    no_value_in_logs(caplog)


@pytest.mark.parametrize(
    ("module", "dist", "why"),
    [
        ("dq_audit_import_fails", "dq-audit-import-fails", "ModuleNotFoundError"),
        ("dq_audit_without_hook", "dq-audit-without-hook", "implements no dq_secret_accessed"),
    ],
    ids=["import-fails", "no-hook"],
)
def test_a_sink_that_cannot_load_is_warned_about_once_and_the_access_proceeds(
    secret_site, install_audit, marker, caplog, module, dist, why
) -> None:
    install_audit(module, "dq_audit_recorder")
    caplog.set_level(logging.WARNING)

    access_three_times(secret_site.host(), secret_site)

    assert len(sys.modules["dq_audit_recorder"].EVENTS) == 3
    warnings = [r.getMessage() for r in caplog.records if dist in r.getMessage()]
    assert len(warnings) == 1, warnings
    assert why in warnings[0] and "not blocked" in warnings[0] and "--check" in warnings[0]
    no_value_in_logs(caplog)


# -- the host -------------------------------------------------------------------------------


def test_loading_an_audit_sink_without_the_hook_says_it_cannot_audit(
    secret_site, install_audit
) -> None:
    install_audit("dq_audit_without_hook")
    with pytest.raises(dq.PluginError) as caught:
        secret_site.host().load("audit", "hookless")
    message = str(caught.value)
    assert "implements no dq_secret_accessed hook, so it cannot audit" in message
    assert "dq-audit-without-hook" in message and caught.value.distribution == (
        "dq-audit-without-hook"
    )


def test_an_audit_sink_is_not_a_component(secret_site, install_audit) -> None:
    install_audit("dq_audit_recorder")
    host = secret_site.host()
    for build in (
        lambda: host.component("audit", "recorder"),
        lambda: host.config_class("audit", "recorder"),
    ):
        with pytest.raises(dq.UsageError, match="audit sink 'recorder' is not a component"):
            build()


def test_broken_and_incompatible_audit_metadata_are_listed_and_never_loaded(make_dist) -> None:
    dists = [
        make_dist("dq-badname", entry_points={"dq.audit": {"Splunk": "dq_badname"}}),
        make_dist("dq-old", entry_points={"dq.audit": {"old": "dq_old"}}, api="^0.9"),
        make_dist("dq-none", entry_points={"dq.audit": {"none": "dq_none"}}, api=None),
    ]
    settings = load_settings(environ={"DQ_STRICT": "1"})
    inventory = discover(settings, distributions=dists)
    status = {r.distribution: (r.kind, r.status) for r in inventory.records}
    assert status == {
        "dq-badname": ("audit", "broken"),
        "dq-old": ("audit", "incompatible"),
        "dq-none": ("audit", "incompatible"),
    }
    assert len(inventory.findings) == 3
    assert all(f.startswith("audit ") for f in inventory.findings)
    assert Host(inventory).audit_sinks() == ()


@pytest.mark.parametrize("text", ["audit", "audits", "dq.audit", "AUDIT"])
def test_the_audit_kind_is_named_like_the_others(text: str) -> None:
    assert parse_kind(text) == "audit"


# -- the CLI ------------------------------------------------------------------------------


def test_plugins_list_kind_audit_shows_the_sink_and_imports_nothing(
    secret_site, install_audit, marker, capsys
) -> None:
    install_audit("dq_audit_recorder", "dq_audit_import_fails")

    code, out, err = cli(capsys, "plugins", "list", "--kind", "audits")
    assert code == 0, err
    rows = [line.split() for line in out.splitlines()[2:]]
    assert rows == [
        ["recorder", "audit", "dq-audit-recorder", "1.0.0", "^1.0", "ok"],
        ["vendor", "audit", "dq-audit-import-fails", "1.0.0", "^1.0", "ok"],
    ]

    code, out, _ = cli(capsys, "plugins", "list", "--kind", "audit", "--json")
    plugins = {p["name"]: p for p in json.loads(out)["plugins"]}
    assert plugins["recorder"]["entry_point"] == "dq.audit:recorder = dq_audit_recorder"
    assert plugins["recorder"]["kind"] == "audit" and plugins["recorder"]["status"] == "ok"
    assert imported(marker) == []
    assert "dq_audit_recorder" not in sys.modules


def test_strict_check_makes_a_sink_that_fails_to_import_a_finding(
    secret_site, install_audit, marker, capsys
) -> None:
    install_audit("dq_audit_recorder", "dq_audit_import_fails")
    code, out, _ = cli(
        capsys, "--strict", "plugins", "list", "--kind", "audit", "--check", "--json"
    )
    assert code == 1
    payload = json.loads(out)
    (finding,) = [f for f in payload["findings"] if f.startswith("audit ")]
    assert "dq-audit-import-fails" in finding and "ModuleNotFoundError" in finding
    status = {p["name"]: p["status"] for p in payload["plugins"]}
    assert status == {"recorder": "ok", "vendor": "broken"}


def test_plugins_info_check_validates_the_hook_and_builds_nothing(
    secret_site, install_audit, marker, capsys
) -> None:
    install_audit("dq_audit_recorder")
    code, out, err = cli(capsys, "plugins", "info", "recorder", "--check")
    assert code == 0, err
    lines = out.splitlines()
    for expected in (
        "kind          audit",
        "entry point   dq.audit: recorder = dq_audit_recorder",
        "status        ok",
        "check         ok",
        "hooks         dq_secret_accessed",
        "component     none: dq calls its dq_secret_accessed on every secret access",
    ):
        assert expected in lines, (expected, out)
    assert "config:" not in out
    assert imported(marker) == ["dq_audit_recorder"]


def test_plugins_info_check_of_a_hookless_sink_fails_and_says_why(
    secret_site, install_audit, marker, capsys
) -> None:
    install_audit("dq_audit_without_hook")
    code, out, _ = cli(capsys, "plugins", "info", "audit:hookless", "--check", "--json")
    assert code == 1
    (plugin,) = json.loads(out)["plugins"]
    assert plugin["check"]["status"] == "broken"
    assert "implements no dq_secret_accessed hook, so it cannot audit" in plugin["check"]["reason"]


def test_verify_refuses_an_audit_sink_with_exit_2(secret_site, install_audit, marker, capsys):
    install_audit("dq_audit_recorder")
    code, out, err = cli(capsys, "plugins", "verify", "recorder")
    assert code == 2 and out == ""
    assert "no contract for audit sinks yet" in err and "dq-audit-recorder" in err
    assert "dq plugins info audit:recorder --check" in err
    assert imported(marker) == []
