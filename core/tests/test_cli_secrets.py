"""``dq secrets get|set|list``: the real ``dq`` entry function in-process, over the file-backed
store plugin installed as real metadata on sys.path and configured in a real dq.toml."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from dq.cli import main

VALUE = "pw-ACME-7f3e-never-printed"


@pytest.fixture
def workdir(secret_site: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var in ("DQ_CONFIG", "DQ_STRICT", "DQ_PLUGINS_DENY", "DQ_PLUGINS_ALLOW", "DQ_TENANT"):
        monkeypatch.delenv(var, raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    store = json.dumps(str(secret_site.store))
    (work / "dq.toml").write_text(
        f"""
[secrets.backends.vault]
type = "file"
path = {store}
deny = ["tenants/acme/hr"]

[secrets.backends.shared]
type = "file"
tenant_scoped = false
path = {store}
"""
    )
    return work


def run(capsys: pytest.CaptureFixture[str], *args: str, stdin: bytes | None = None) -> Any:
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr()
    assert VALUE not in err, "a secret value reached stderr"
    return code, out, err


def stored(secret_site: Any) -> dict[str, Any]:
    return json.loads(secret_site.store.read_text())


def test_set_from_stdin_then_get_masked_then_reveal(workdir, capsys, secret_site) -> None:
    code, out, _ = run(
        capsys, "secrets", "set", "vault:db#password", "--value-stdin", "--tenant", "acme",
        stdin=f"{VALUE}\n".encode(),
    )  # fmt: skip
    assert code == 0 and out.strip() == "wrote vault:db#password (version 1)"
    assert list(stored(secret_site)) == ["tenants/acme/db"]

    code, out, _ = run(capsys, "secrets", "get", "${secret:vault:db#password}", "--tenant", "acme")
    assert code == 0 and out.strip() == "${secret:vault:db#password} = ***"
    assert VALUE not in out

    code, out, _ = run(
        capsys, "secrets", "get", "vault:db#password", "--tenant", "acme", "--reveal"
    )
    assert code == 0 and out == VALUE  # the value alone: one trailing newline was stripped


def test_set_from_a_file_keeps_bytes_exactly(workdir, capsys, secret_site) -> None:
    (workdir / "key.pem").write_bytes(b"line1\nline2\n\x00\xff")
    code, _, _ = run(capsys, "secrets", "set", "shared:tls#key", "--value-file", "key.pem")
    assert code == 0
    import base64

    assert base64.b64decode(stored(secret_site)["tls"][0]["key"]) == b"line1\nline2\n\x00\xff"


def test_the_tenant_comes_from_dq_tenant_when_not_given(workdir, capsys, monkeypatch) -> None:
    monkeypatch.setenv("DQ_TENANT", "globex")
    run(capsys, "secrets", "set", "vault:api", "--value-stdin", stdin=b"g")
    code, out, _ = run(capsys, "secrets", "list", "vault")
    assert (code, out) == (0, "api\n")
    monkeypatch.setenv("DQ_TENANT", "acme")
    assert run(capsys, "secrets", "list", "vault")[1] == ""


def test_list_shows_children_of_a_prefix(workdir, capsys) -> None:
    for ref in ("vault:db/main#pw", "vault:db/replica#pw", "vault:api#token"):
        run(capsys, "secrets", "set", ref, "--value-stdin", "--tenant", "acme", stdin=b"v")
    code, out, _ = run(capsys, "secrets", "list", "vault", "--tenant", "acme")
    assert (code, out.split()) == (0, ["api", "db/"])
    code, out, _ = run(capsys, "secrets", "list", "vault:db/", "--tenant", "acme")
    assert out.split() == ["main", "replica"]


def test_check_and_set_conflict_exits_3_and_says_so(workdir, capsys) -> None:
    run(capsys, "secrets", "set", "shared:k", "--value-stdin", stdin=b"1")
    code, out, _ = run(
        capsys, "secrets", "set", "shared:k", "--value-stdin", "--cas", "1", stdin=b"2"
    )
    assert code == 0 and "version 2" in out
    code, _, err = run(
        capsys, "secrets", "set", "shared:k", "--value-stdin", "--cas", "1", stdin=b"3"
    )
    assert code == 3 and "check-and-set conflict: ${secret:shared:k}" in err


@pytest.mark.parametrize(
    ("ref", "extra", "needle"),
    [
        ("vault:nope#pw", ("--tenant", "acme"), "not found (missing): ${secret:vault:nope#pw}"),
        ("vault:hr/payroll", ("--tenant", "acme"), "access denied: ${secret:vault:hr/payroll}"),
    ],
    ids=["missing", "denied"],
)
def test_runtime_failures_exit_3_and_say_which_and_where(
    workdir, capsys, ref, extra, needle
) -> None:
    code, out, err = run(capsys, "secrets", "get", ref, *extra)
    assert code == 3 and needle in err and out == ""


def test_an_unavailable_backend_exits_3(workdir, capsys, secret_site) -> None:
    (workdir / "down.toml").write_text(
        f"[secrets.backends.vault]\ntype = 'file'\ndown = true\n"
        f"path = {json.dumps(str(secret_site.store))}\n"
    )
    code, _, err = run(
        capsys, "--config", "down.toml", "secrets", "get", "vault:db", "--tenant", "a"
    )
    assert code == 3 and "backend unavailable: ${secret:vault:db}" in err


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("get", "vault"), "is not a secret reference"),
        (("get", "Vault:db"), "is not a secret reference"),
        (("get", "vault:../globex/db", "--tenant", "acme"), "contains a '..' segment"),
        (("get", "vault:%2e%2e/globex", "--tenant", "acme"), "outside letters"),
        (("get", "valt:db"), "no secret backend named 'valt'"),
        (("get", "vault:db"), "no tenant is bound"),
        (("get", "vault:db", "--tenant", "ACME!"), "--tenant: 'ACME!' is not a tenant id"),
        (("set", "vault:db@3", "--value-stdin", "--tenant", "a"), "drop '@3'"),
        (("set", "shared:x", "--value-file", "missing.txt"), "--value-file missing.txt"),
        (("list", "Not A Backend"), "expected BACKEND[:PREFIX]"),
        (("get", "shared:x", "--suite", "nope.toml"), "suite file not found"),
    ],
)
def test_usage_and_config_errors_exit_2(workdir, capsys, args, needle) -> None:
    code, _, err = run(capsys, "secrets", *args, stdin=b"v")
    assert code == 2, err
    assert needle in err


def test_a_value_on_the_command_line_is_refused_and_not_echoed(workdir, capsys) -> None:
    code, _, err = run(capsys, "secrets", "set", "shared:k", VALUE.replace("pw", "xx"))
    assert code == 2 and "--value-stdin" in err
    code, _, err = run(capsys, "secrets", "set", "shared:k", "--value-stdin", VALUE)
    assert code == 2 and "1 unexpected argument(s), not shown" in err  # VALUE: checked by run()
    code, _, err = run(capsys, "secrets", "get", "shared:k", VALUE)
    assert code == 2 and "not shown" in err
    code, _, err = run(capsys, "secrets", "set", "shared:k", "--value-stdin", "--value-file", "f")
    assert code == 2 and "not allowed with" in err


def test_without_any_backend_configured_the_error_says_where_to_add_one(workdir, capsys) -> None:
    (workdir / "dq.toml").write_text("")
    code, _, err = run(capsys, "secrets", "get", "vault:db")
    assert code == 2 and "add a [secrets.backends.NAME] table" in err


def test_a_suite_table_overrides_dq_toml(workdir, capsys, secret_site, tmp_path) -> None:
    other = tmp_path / "other.json"
    (workdir / "orders.suite.toml").write_text(
        f"source = 'x.csv'\n[secrets.backends.shared]\ntype = 'file'\ntenant_scoped = false\n"
        f"path = {json.dumps(str(other))}\n"
    )
    run(capsys, "secrets", "set", "shared:k", "--value-stdin", "--suite", "orders.suite.toml",
        stdin=b"v")  # fmt: skip
    assert other.exists() and not secret_site.store.exists()


def test_cli_accesses_are_audited_as_the_cli_user(workdir, capsys, secret_site) -> None:
    run(capsys, "secrets", "set", "vault:db", "--value-stdin", "--tenant", "acme", stdin=b"v")
    run(capsys, "secrets", "get", "vault:db", "--tenant", "acme")
    events = secret_site.module().EVENTS
    assert [e.operation.value for e in events] == ["set", "get"]
    assert all(e.actor and e.actor.startswith("cli") for e in events)
    assert events[1].effective_path == "tenants/acme/db" and str(events[1].tenant) == "acme"


def test_the_group_without_a_command_prints_help_and_exits_2(workdir, capsys) -> None:
    code, _, err = run(capsys, "secrets")
    assert code == 2 and "get" in err and "list" in err


@pytest.mark.parametrize("command", [["rotate-key", "vault", "k2"], ["reencrypt", "vault"]])
def test_key_commands_on_a_store_without_its_own_keys_explain_and_exit_2(
    workdir, capsys, command
) -> None:
    code, out, err = run(capsys, "secrets", *command)
    assert (code, out) == (2, "")
    assert "secret backend 'vault' (file) keeps no keys of its own" in err


def test_key_commands_name_an_unknown_backend(workdir, capsys) -> None:
    code, _, err = run(capsys, "secrets", "rotate-key", "nope", "k2")
    assert code == 2 and "no secret backend named 'nope' is configured" in err


def test_a_suite_cannot_loosen_dq_tomls_policy_for_dq_secrets(workdir, capsys, tmp_path) -> None:
    site = (workdir / "dq.toml").read_text()
    (workdir / "dq.toml").write_text(site + '\n[policy]\ntenant_scoping = "required"\n')
    suite = tmp_path / "loose.suite.toml"
    suite.write_text('[secrets.backends.vault]\ntype = "file"\npath = "x.json"\n')
    code, out, err = run(capsys, "secrets", "get", "vault:db#password", "--suite", str(suite))
    assert (code, out) == (2, "")
    assert (
        f"{suite}:1: secrets.backends.vault: defined by dq.toml; a suite may not redefine it" in err
    )
