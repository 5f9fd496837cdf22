"""The wheelhouse installs on its own: dq-core plus one plugin of each kind, into a fresh venv.

Built by ``scripts/build_wheelhouse.py`` exactly as a release is (sdist, then the wheel from the
sdist, no workspace sources). The dq-* distributions are installed with ``--no-index`` from the
wheelhouse only; their third-party requirements — read from the installed wheels' own metadata,
nothing else — come from the package index. A final ``--no-index`` install of the whole set must
then resolve with nothing more: every distribution declares all it needs. Commands run from a
scratch folder with a clean environment, so nothing can reach into this checkout.

The wheelhouse is built in full (every distribution, as the documented command does: ~25 s);
set DQ_WHEELHOUSE to a folder already built by it to skip the build.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from _distributions import all_distributions
from build_wheelhouse import build

REPO = Path(__file__).resolve().parents[2]

#: dq-core and one light plugin of each kind: engine, notifier, secrets, tenant, orchestrator.
INSTALLED = ["core", "polars", "slack", "vault", "tenancy", "kestra"]
#: The component each plugin must list as ok, once imported and validated.
COMPONENTS = {
    ("engine", "polars"): "dq-polars",
    ("notifier", "slack"): "dq-slack",
    ("secrets", "vault"): "dq-vault",
    ("tenant", "jwt"): "dq-tenancy",
    ("orchestrator", "kestra"): "dq-kestra",
}


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)


def _ok(proc: subprocess.CompletedProcess[str], what: str) -> str:
    assert proc.returncode == 0, f"{what} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("DQ_WHEELHOUSE")
    if given:
        return Path(given).resolve()
    out = tmp_path_factory.mktemp("wheelhouse")
    build([], out)
    return out


def test_every_distribution_builds_a_wheel_and_an_sdist(wheelhouse: Path) -> None:
    for dist in all_distributions():
        stem = f"{dist.name.replace('-', '_')}-{dist.version}"
        assert (wheelhouse / f"{stem}.tar.gz").is_file(), f"no sdist of {dist.name}"
        assert list(wheelhouse.glob(f"{stem}-py3-none-any.whl")), f"no wheel of {dist.name}"


@pytest.fixture(scope="module")
def clean_env() -> dict[str, str]:
    """This environment without PYTHONPATH, VIRTUAL_ENV or any DQ_* setting (TLS settings stay)."""
    drop = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "CONDA_PREFIX")
    keep = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("DQ_")}
    return keep


@pytest.fixture(scope="module")
def installed(wheelhouse: Path, clean_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[Path, Path]:
    """(venv python, scratch folder) with the INSTALLED set from the wheelhouse."""
    uv = shutil.which("uv")
    assert uv, "the release env needs uv"
    scratch = tmp_path_factory.mktemp("outside-the-repo")
    venv = scratch / "venv"
    _ok(_run([uv, "venv", str(venv), "--python", sys.executable, "--quiet"], scratch, clean_env),
        "uv venv")
    python = venv / "bin" / "python"
    wheels = {w.name.split("-")[0]: w for w in wheelhouse.glob("dq_*.whl")}
    names = [f"dq_{n.replace('-', '_')}" for n in INSTALLED]
    missing = [n for n in names if n not in wheels]
    assert not missing, f"wheelhouse {wheelhouse} lacks {missing}"
    pins = [f"{n.replace('_', '-')}=={wheels[n].name.split('-')[1]}" for n in names]
    # --no-cache: uv caches a find-links wheel by its path, and pytest reuses temp paths, so
    # a wheel built from another checkout could stand in for this wheelhouse's build
    offline = ["--no-index", "--no-cache", "--find-links", str(wheelhouse)]
    pip = [uv, "pip", "install", "--python", str(python), "--quiet"]
    # 1. the dq-* distributions, from the wheelhouse alone
    _ok(_run([*pip, *offline, "--no-deps", *pins], scratch, clean_env), "install dq-* --no-deps")
    # 2. exactly what their metadata declares (not extras), third-party only, from the index
    declared = _ok(_run([str(python), "-c", _DECLARED], scratch, clean_env), "read Requires-Dist")
    requirements = sorted(set(declared.split("\n")) - {""})
    assert requirements, "the installed dq-* declare no third-party requirement at all?"
    _ok(_run([*pip, *requirements], scratch, clean_env), "install declared requirements")
    # 3. the whole set again with no index: it resolves from what is installed and the wheelhouse
    _ok(_run([*pip, *offline, *pins], scratch, clean_env), "no-index install of the set")
    _ok(_run([uv, "pip", "check", "--python", str(python)], scratch, clean_env), "uv pip check")
    return python, scratch


# the fresh venv has no `packaging`: Requires-Dist is read with the standard library alone
_DECLARED = """
import importlib.metadata as md
for dist in md.distributions():
    if not (dist.metadata["Name"] or "").lower().startswith("dq-"):
        continue
    for req in dist.requires or []:
        name = req.split(";")[0].strip()
        marker = req.partition(";")[2]
        if "extra==" in marker.replace(" ", ""):
            continue
        if name.lower().replace("_", "-").startswith("dq-"):
            continue
        print(req)
"""


def _record_hashes(wheel: Path) -> dict[str, str]:
    """path -> 'sha256=...' for the package files a wheel's RECORD lists."""
    with zipfile.ZipFile(wheel) as archive:
        record = next(n for n in archive.namelist() if n.endswith(".dist-info/RECORD"))
        rows = archive.read(record).decode().splitlines()
    found = {}
    for row in rows:
        path, digest, _ = row.rsplit(",", 2)
        if digest and ".dist-info/" not in path:
            found[path] = digest
    return found


def test_each_dq_distribution_is_the_wheelhouse_build(installed: tuple[Path, Path],
                                                      wheelhouse: Path) -> None:
    """Every installed dq-* file has the hash its wheelhouse wheel records, inside the venv."""
    python, _ = installed
    site = Path(subprocess.check_output(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        text=True).strip())
    for name in INSTALLED:
        stem = f"dq_{name.replace('-', '_')}"
        wheel = next(wheelhouse.glob(f"{stem}-*.whl"))
        hashes = _record_hashes(wheel)
        assert hashes, f"{wheel.name} records no files"
        for path, digest in hashes.items():
            installed_file = site / path
            assert installed_file.is_file(), f"{path} from {wheel.name} is not installed in {site}"
            data = installed_file.read_bytes()
            actual = "sha256=" + base64.urlsafe_b64encode(
                hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert actual == digest, f"{path} differs from {wheel.name}: not the wheelhouse build"


def test_imports_resolve_inside_the_venv_not_the_checkout(installed: tuple[Path, Path],
                                                          clean_env: dict[str, str]) -> None:
    python, scratch = installed
    code = ("import dq, dq_polars, dq_slack, dq_vault, dq_tenancy, dq_kestra, json; "
            "print(json.dumps([m.__file__ for m in (dq, dq_polars, dq_slack, dq_vault, "
            "dq_tenancy, dq_kestra)]))")
    files = json.loads(_ok(_run([str(python), "-c", code], scratch, clean_env), "import"))
    venv = python.parent.parent.resolve()
    for file in files:
        assert Path(file).resolve().is_relative_to(venv), f"{file} is not from the venv"
        assert not Path(file).resolve().is_relative_to(REPO), f"{file} reaches into the checkout"


def test_plugins_list_check_reports_every_installed_plugin_ok(installed: tuple[Path, Path],
                                                              clean_env: dict[str, str]) -> None:
    python, scratch = installed
    dq = str(python.parent / "dq")
    proc = _run([dq, "--strict", "plugins", "list", "--check", "--json"], scratch, clean_env)
    report = json.loads(_ok(proc, "dq plugins list --check --strict"))
    rows = {(p["kind"], p["name"]): p for p in report["plugins"]}
    for key, distribution in COMPONENTS.items():
        assert key in rows, f"{key} is not listed: {sorted(rows)}"
        row = rows[key]
        assert row["distribution"] == distribution
        assert row["status"] == "ok", f"{key}: {row['status']} {row['reason']}"
        assert row["check"]["status"] == "ok", f"{key}: {row['check']}"
    not_ok = [(k, p["status"], p["reason"]) for k, p in rows.items() if p["status"] != "ok"]
    assert not not_ok


def test_dq_check_runs_the_example_from_the_installed_distributions(
        installed: tuple[Path, Path], clean_env: dict[str, str]) -> None:
    python, scratch = installed
    for name in ("orders.csv", "orders.rules.toml"):
        shutil.copy(REPO / "examples" / name, scratch / name)
    dq = str(python.parent / "dq")
    proc = _run([dq, "check", "orders.csv", "--rules", "orders.rules.toml", "--format", "json"],
                scratch, clean_env)
    # the example data carries deliberate defects: exit 1 means "rules failed", not an error
    assert proc.returncode == 1, f"dq check exited {proc.returncode}:\n{proc.stdout}{proc.stderr}"
    result = json.loads(proc.stdout)
    text = json.dumps(result)
    assert "unique_order_id" in text and "not_null_order_id" in text
    assert "Traceback" not in proc.stderr
