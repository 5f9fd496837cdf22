"""``python -m dq_file`` (exit codes 0/2/3, one-line errors, nothing secret printed), and
what the operating system refuses: a store the user may not read is access denied."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import anyio
import dq
import pytest
from conftest import write_key
from dq_file import FileBackend, Keyring
from dq_file._cli import main

V = dq.SecretValue


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dq_file", *args], capture_output=True, text=True, timeout=60
    )


def one_line_error(result: subprocess.CompletedProcess[str], code: int, match: str) -> None:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert match in lines[0], lines[0]


def test_init_key_writes_an_owner_only_key_and_the_store_and_never_overwrites(
    tmp_path: Path,
) -> None:
    key, store = tmp_path / "k.key", tmp_path / "store"
    done = cli("init-key", str(key), "--store", str(store))
    assert done.returncode == 0 and "wrote a new 256-bit key" in done.stdout
    assert key.stat().st_mode & 0o777 == 0o600 and store.stat().st_mode & 0o777 == 0o700
    raw = base64.b64decode(key.read_bytes().strip(), validate=True)
    assert len(raw) == 32
    assert key.read_text().strip() not in done.stdout + done.stderr
    one_line_error(cli("init-key", str(key)), 2, "already exists")
    assert base64.b64decode(key.read_bytes().strip()) == raw


def test_rotate_key_then_reencrypt_through_the_command_line(
    store_dir: Path, key_files: dict[str, str], keys: dict[str, bytes]
) -> None:
    backend = FileBackend.open(str(store_dir), Keyring({"k1": keys["k1"], "k2": keys["k2"]}))
    anyio.run(lambda: backend.set("app/db", {"pw": V("cli-canary-value")}))
    ring = ["--key", f"k1={key_files['k1']}", "--key", f"k2={key_files['k2']}"]
    rotated = cli("rotate-key", "--store", str(store_dir), *ring, "--to", "k2")
    assert rotated.returncode == 0, rotated.stderr
    assert "new writes now use key 'k2' (was 'k1')" in rotated.stdout
    moved = cli("reencrypt", "--store", str(store_dir), *ring)
    assert moved.returncode == 0, moved.stderr
    assert "1 entries: 1 versions re-encrypted under key 'k2'" in moved.stdout
    assert "key ids in use: k2" in moved.stdout
    for output in (rotated.stdout + rotated.stderr, moved.stdout + moved.stderr):
        assert "cli-canary-value" not in output and "app/db" not in output
        for key in keys.values():
            assert base64.b64encode(key).decode() not in output


def test_reencrypt_that_leaves_versions_behind_exits_3(
    store_dir: Path, key_files: dict[str, str], keys: dict[str, bytes]
) -> None:
    admin = FileBackend.open(str(store_dir), Keyring({"k1": keys["k1"], "admin": keys["admin"]}))

    async def prepare() -> None:
        await admin.rotate_key("admin")
        await admin.set("locked", {"k": V("x")})
        await admin.rotate_key("k1")

    anyio.run(prepare)
    result = cli("reencrypt", "--store", str(store_dir), "--key", f"k1={key_files['k1']}")
    one_line_error(result, 3, "1 unreadable")
    assert "'locked'" in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "match"),
    [
        ([], 2, "required"),
        (["rotate-key", "--store", "S", "--key", "k1"], 2, "ID=KEYFILE"),
        (["rotate-key", "--store", "S", "--key", "k1=F"], 2, "--to"),
        (["reencrypt", "--store", "S", "--key", "bad id=F"], 2, "not a key id"),
        (["reencrypt", "--store", "S", "--key", "k1=/nonexistent.key"], 2, "does not exist"),
    ],
)
def test_usage_errors_exit_2_in_one_line(
    args: list[str], code: int, match: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # In-process (the same main() `python -m dq_file` runs) to keep the env fast.
    try:
        result = main(args)
    except SystemExit as exit_:  # argparse's own usage errors
        result = exit_.code
    err = capsys.readouterr().err
    assert result == code
    assert "Traceback" not in err and match in err


def test_a_group_readable_key_file_is_refused_in_one_line(tmp_path: Path) -> None:
    key = tmp_path / "open.key"
    material = write_key(key, mode=0o640)
    result = cli("reencrypt", "--store", str(tmp_path), "--key", f"k1={key}")
    one_line_error(result, 2, "accessible to group or others (mode 0640)")
    assert base64.b64encode(material).decode() not in result.stderr


def test_runtime_errors_exit_3_in_one_line(
    store_dir: Path, key_files: dict[str, str], keys: dict[str, bytes]
) -> None:
    ring = ["--key", f"k1={key_files['k1']}"]
    one_line_error(cli("reencrypt", "--store", str(store_dir / "gone"), *ring), 3, "unmounted")
    backend = FileBackend.open(str(store_dir), Keyring({"k1": keys["k1"]}))
    anyio.run(lambda: backend.set("a", {"k": V("x")}))
    (store_dir / "store.json").write_text("{")
    one_line_error(cli("reencrypt", "--store", str(store_dir), *ring), 3, "integrity check")
    one_line_error(
        cli("rotate-key", "--store", str(store_dir), *ring, "--to", "k7"), 2, "not in the keyring"
    )


CHILD = """
import sys, anyio, dq
from dq_file import FileBackend, Keyring
backend = FileBackend.open(sys.argv[1], Keyring({"k1": bytes.fromhex(sys.argv[2])}))
for op in ("get", "exists", "set"):
    call = {"get": lambda: backend.get("a"), "exists": lambda: backend.exists("a"),
            "set": lambda: backend.set("a", {"k": dq.SecretValue("y")})}[op]
    try:
        anyio.run(call)
        print(op, "ok")
    except dq.SecretError as exc:
        print(op, type(exc).__name__)
"""


def test_a_store_the_os_refuses_is_access_denied_never_not_found(keys: dict[str, bytes]) -> None:
    """The store belongs to another user (mode 0700). As root, the child runs without the
    capabilities that bypass file permissions (util-linux ``setpriv``), as any other user
    it meets the mode as it is."""
    parent = Path(tempfile.mkdtemp(prefix="dq-file-perm-"))
    store = parent / "store"
    try:
        parent.chmod(0o711)
        store.mkdir(mode=0o700)
        backend = FileBackend.open(str(store), Keyring({"k1": keys["k1"]}))
        anyio.run(lambda: backend.set("a", {"k": V("x")}))
        command = [sys.executable, "-c", CHILD, str(store), keys["k1"].hex()]
        if os.geteuid() == 0:
            for path in [store, *store.rglob("*")]:
                os.chown(path, 65534, 65534)
            drop = "-dac_override,-dac_read_search,-fowner"
            command = ["setpriv", f"--bounding-set={drop}", *command]
        else:
            store.chmod(0o000)
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr[-2000:]
        assert result.stdout.split("\n")[:3] == [
            "get SecretAccessDenied",
            "exists SecretAccessDenied",
            "set SecretAccessDenied",
        ]
    finally:
        store.chmod(0o700)
        shutil.rmtree(parent)


def test_dq_secrets_set_get_list_through_dq_toml_under_a_tenant(
    tmp_path: Path, store_dir: Path, key_files: dict[str, str]
) -> None:
    """The real `dq` command finds the plugin by its entry point, builds it from dq.toml,
    scopes it to the tenant, and never prints the value unless asked."""
    (tmp_path / "dq.toml").write_text(
        "[secrets.backends.file]\n"
        'type = "file"\n'
        f'path = "{store_dir}"\n'
        f'key_file = "{key_files["k1"]}"\n'
        'key_id = "k1"\n'
    )
    dq_cli = [sys.executable, "-m", "dq"]

    def run_dq(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*dq_cli, *args], input=stdin, capture_output=True, text=True,
                              cwd=tmp_path, timeout=60)  # fmt: skip

    ref = "${secret:file:warehouse/db#password}"
    wrote = run_dq("secrets", "set", ref, "--value-stdin", "--tenant", "acme", stdin="e2e-canary\n")
    assert wrote.returncode == 0, wrote.stderr
    shown = run_dq("secrets", "get", ref, "--tenant", "acme")
    assert shown.returncode == 0 and "e2e-canary" not in shown.stdout + shown.stderr
    revealed = run_dq("secrets", "get", ref, "--tenant", "acme", "--reveal")
    assert revealed.stdout.strip() == "e2e-canary"
    other = run_dq("secrets", "get", ref, "--tenant", "globex", "--reveal")
    assert other.returncode != 0 and "e2e-canary" not in other.stdout + other.stderr
    listed = run_dq("secrets", "list", "file:warehouse", "--tenant", "acme")
    assert listed.returncode == 0 and "db" in listed.stdout
    backend = FileBackend.open(str(store_dir), Keyring({"k1": base64.b64decode(
        Path(key_files["k1"]).read_bytes())}))  # fmt: skip
    assert anyio.run(lambda: backend.list("tenants")) == ["acme/"]
    assert b"e2e-canary" not in b"".join(
        p.read_bytes() for p in store_dir.rglob("*") if p.is_file()
    )


def test_dq_secrets_rotate_key_then_reencrypt_through_the_dq_command(
    tmp_path: Path, store_dir: Path, key_files: dict[str, str]
) -> None:
    """`dq secrets rotate-key` / `reencrypt` (dq-core) drive this store's key methods."""
    (tmp_path / "dq.toml").write_text(
        "[secrets.backends.file]\n"
        'type = "file"\n'
        f'path = "{store_dir}"\n'
        f'keys = [{{id = "k1", file = "{key_files["k1"]}"}}, '
        f'{{id = "k2", file = "{key_files["k2"]}"}}]\n'
    )

    def run_dq(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "dq", *args], input=stdin,
                              capture_output=True, text=True, cwd=tmp_path, timeout=60)  # fmt: skip

    ref = "${secret:file:db#password}"
    assert (
        run_dq("secrets", "set", ref, "--value-stdin", "--tenant", "acme", stdin="old\n").returncode
        == 0
    )
    rotated = run_dq("secrets", "rotate-key", "file", "k2")
    assert rotated.returncode == 0, rotated.stderr
    assert "new writes now use key 'k2'" in rotated.stdout
    migrated = run_dq("secrets", "reencrypt", "file")
    assert migrated.returncode == 0, migrated.stderr
    assert "re-encrypted under key 'k2'" in migrated.stdout
    revealed = run_dq("secrets", "get", ref, "--tenant", "acme", "--reveal")
    assert revealed.stdout.strip() == "old"
    unknown = run_dq("secrets", "rotate-key", "file", "k9")
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr


def test_the_stores_key_is_read_from_another_backend_named_in_dq_toml(
    tmp_path: Path, store_dir: Path, key_files: dict[str, str], keys: dict[str, bytes]
) -> None:
    """keys = [{id, value = "${secret:keys:...}"}]: dq-core resolves the reference first."""
    holder = tmp_path / "holder"
    holder.mkdir(mode=0o700)
    (tmp_path / "dq.toml").write_text(
        "[secrets.backends.keys]\n"
        'type = "file"\n'
        "tenant_scoped = false\n"
        f'path = "{holder}"\n'
        f'key_file = "{key_files["admin"]}"\n'
        'key_id = "admin"\n'
        "[secrets.backends.file]\n"
        f'path = "{store_dir}"\n'
        'keys = [{id = "k1", value = "${secret:keys:file-key#key}"}]\n'
    )

    def run_dq(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "dq", *args], input=stdin,
                              capture_output=True, text=True, cwd=tmp_path, timeout=60)  # fmt: skip

    key_text = base64.b64encode(keys["k1"]).decode() + "\n"
    put = run_dq("secrets", "set", "${secret:keys:file-key#key}", "--value-stdin", stdin=key_text)
    assert put.returncode == 0, put.stderr
    wrote = run_dq("secrets", "set", "${secret:file:db#pw}", "--value-stdin", "--tenant", "acme",
                   stdin="via-ref\n")  # fmt: skip
    assert wrote.returncode == 0, wrote.stderr
    backend = FileBackend.open(str(store_dir), Keyring({"k1": keys["k1"]}))
    assert anyio.run(lambda: backend.get("tenants/acme/db", field="pw")).reveal() == b"via-ref"
    assert key_text.strip() not in put.stdout + put.stderr + wrote.stdout + wrote.stderr
