"""Tests of the plugin template: every kind renders into a plugin that installs and passes.

A template is only proven by what it generates, so the slow tests do what a plugin author
does on day one: render each kind, install it into a fresh virtual environment with nothing
but dq-core and dq-contract-tests from this checkout plus its own declared dependencies, run
the generated ``tests/`` (the kind's dq contract) and ask ``dq plugins list`` whether dq
sees it. All kinds share one venv and one ``uv pip install`` (installs dominate otherwise).
A kind whose contract module does not exist in ``dq_contract`` yet is skipped, not passed.

Run from the repository root::

    python -m pytest plugin-template/tests -q           # needs copier, uv, git, pytest

``-m "not slow"`` keeps only the render checks (no venv, a few seconds).
"""

from __future__ import annotations

import json
import os
import py_compile
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

copier = pytest.importorskip("copier", reason="the template tests need copier 9.x")
yaml = pytest.importorskip("yaml")  # a dependency of copier

TEMPLATE = Path(__file__).resolve().parents[1]
REPO = TEMPLATE.parent
CONTRACTS = REPO / "contract-tests" / "src" / "dq_contract"

KINDS = ("engine", "notifier", "secrets", "tenant", "orchestrator")
GROUPS = {
    "engine": "dq.engines",
    "notifier": "dq.notifiers",
    "secrets": "dq.secrets",
    "tenant": "dq.tenants",
    "orchestrator": "dq.orchestrators",
}
CONTRACT_NAMES = {
    "engine": "EngineContract",
    "notifier": "NotifierContract",
    "secrets": "SecretBackendContract",
    "tenant": "TenantResolverContract",
    "orchestrator": "OrchestratorBindingContract",
}
#: Each kind's implementation module; a rendered plugin must hold its own and no other.
MODULES = {
    "engine": "_engine.py",
    "notifier": "_notifier.py",
    "secrets": "_secrets.py",
    "tenant": "_tenant.py",
    "orchestrator": "_orchestrator.py",
}
#: Generous bounds; a hang must fail the test, not the CI job.
INSTALL_TIMEOUT = 300
RUN_TIMEOUT = 240


def component_name(kind: str) -> str:
    # A hyphen and a digit on purpose: entry-point keys and package names must cope.
    return f"acme-{kind}2"


def render(kind: str, dst: Path, src: Path = TEMPLATE, **data: str) -> Path:
    copier.run_copy(
        str(src),
        str(dst),
        data={"kind": kind, "name": component_name(kind), **data},
        defaults=True,
        unsafe=True,
        quiet=True,
    )
    return dst


def uv() -> str:
    try:
        from uv import find_uv_bin
    except ImportError:
        found = shutil.which("uv")
    else:
        found = find_uv_bin()
    if not found:
        pytest.skip("the install tests need uv (pip install uv)")
    return found


def run(cmd: list[str], cwd: Path | None = None, timeout: float = RUN_TIMEOUT) -> str:
    """Run *cmd*; on failure, fail the test with its whole output (the useful part)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "VIRTUAL_ENV"))}
    done = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, cmd))} exited {done.returncode}\n"
            f"--- stdout\n{done.stdout[-6000:]}\n--- stderr\n{done.stderr[-6000:]}"
        )
    return done.stdout


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every kind rendered with the defaults, once per module."""
    root = tmp_path_factory.mktemp("rendered")
    return {kind: render(kind, root / kind) for kind in KINDS}


@pytest.fixture(scope="module")
def venv(rendered: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One fresh venv: local dq-core and dq-contract-tests, then every plugin with [test]."""
    where = tmp_path_factory.mktemp("venv") / "venv"
    run([uv(), "venv", "--quiet", "--python", sys.executable, str(where)])
    python = where / "bin" / "python"
    plugins = [f"{path}[test]" for path in rendered.values()]
    run(
        [uv(), "pip", "install", "--quiet", "--python", str(python),
         str(REPO / "core"), str(REPO / "contract-tests"), *plugins],
        timeout=INSTALL_TIMEOUT,
    )
    return where


# -- rendering (fast) -------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_renders_a_complete_distribution_for_the_kind(
    kind: str, rendered: dict[str, Path]
) -> None:
    root = rendered[kind]
    name, package = component_name(kind), f"dq_{component_name(kind).replace('-', '_')}"
    for path in ("pyproject.toml", "README.md", "CHANGELOG.md", ".gitignore",
                 ".copier-answers.yml", ".github/workflows/contract.yml",
                 f"src/{package}/__init__.py", f"src/{package}/_config.py",
                 f"src/{package}/py.typed",
                 f"src/{package}/{MODULES[kind]}", "tests/test_contract.py"):
        assert (root / path).is_file(), f"{kind}: {path} was not rendered"
    others = {m for k, m in MODULES.items() if k != kind}
    leftovers = [p.name for p in (root / "src" / package).iterdir() if p.name in others]
    assert not leftovers, f"{kind}: modules of other kinds rendered: {leftovers}"
    assert not (root / "tests" / "test_render.py").exists(), "the template's own tests leaked"

    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert project["name"] == f"dq-{name}"
    # a notifier reads Notification.kind (hook API 1.2); the other kinds run on any 1.x
    core, api = {
        "notifier": ("dq-core>=1.2,<2", "^1.2"),  # Notification.kind
        "engine": ("dq-core>=1.3,<2", "^1.3"),  # dq.unsupported_1_3_shape
    }.get(kind, ("dq-core>=1,<2", "^1.0"))
    assert core in project["dependencies"]
    assert project["entry-points"][GROUPS[kind]] == {name: package}
    assert project["entry-points"]["dq.hook_api"] == {api: package}
    test_extra = " ".join(project["optional-dependencies"]["test"])
    for needed in ("dq-contract-tests", "pytest", "hypothesis"):
        assert needed in test_extra

    for source in root.rglob("*.py"):
        py_compile.compile(str(source), doraise=True)
    for text_file in [*root.rglob("*.py"), *root.rglob("*.toml"), *root.rglob("*.md")]:
        text = text_file.read_text()
        assert "{{" not in text and "{%" not in text, f"unrendered Jinja in {text_file}"
    workflow = (root / ".github/workflows/contract.yml").read_text()
    assert "--dq-conformance=conformance.json" in workflow
    assert "${{ matrix.python-version }}" in workflow
    steps = yaml.safe_load(workflow)["jobs"]["contract"]["steps"]
    assert any(step.get("uses", "").startswith("actions/upload-artifact") for step in steps)
    answers = (root / ".copier-answers.yml").read_text()
    assert f"kind: {kind}" in answers and f"name: {name}" in answers


def test_answers_derive_distribution_and_package_from_the_name(tmp_path: Path) -> None:
    root = render("tenant", tmp_path / "p", name="my-tenant_x")
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert project["name"] == "dq-my-tenant_x"
    assert project["entry-points"]["dq.tenants"] == {"my-tenant_x": "dq_my_tenant_x"}
    assert (root / "src" / "dq_my_tenant_x" / "__init__.py").is_file()


@pytest.mark.parametrize("bad", ["Upper", "1abc", "has space", "-lead", "a" * 65, "a.b", ""])
def test_an_invalid_component_name_is_refused(bad: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="name must match"):
        render("engine", tmp_path / "p", name=bad)
    assert not (tmp_path / "p" / "pyproject.toml").exists()


def test_rendered_code_is_ruff_clean(rendered: dict[str, Path]) -> None:
    ruff = shutil.which("ruff") or shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff is None:
        pytest.skip("ruff is not installed")
    run([ruff, "check", "--no-cache", "--select", "E,F,W,I,UP,B", "--line-length", "100",
         "--target-version", "py311", *map(str, rendered.values())])


# -- installing and running (slow) ------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_rendered_plugin_passes_its_contract(kind: str, rendered: dict[str, Path], venv: Path,
                                              tmp_path: Path) -> None:
    if not (CONTRACTS / f"{kind}.py").is_file():
        pytest.skip(f"dq_contract.{kind} does not exist yet: nothing to run the {kind} against")
    report = tmp_path / "conformance.json"
    out = run([str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
               f"--dq-conformance={report}"], cwd=rendered[kind])
    assert " passed" in out
    contract = json.loads(report.read_text())["contracts"][CONTRACT_NAMES[kind]]
    assert contract["failed"] == []
    assert contract["passed"], f"no {kind} contract test passed"


@pytest.mark.slow
def test_dq_lists_every_rendered_plugin_as_ok(venv: Path) -> None:
    listing = json.loads(run([str(venv / "bin" / "dq"), "plugins", "list", "--check", "--json"]))
    found = {(p["kind"], p["name"]): p for p in listing["plugins"]}
    for kind in KINDS:
        record = found.get((kind, component_name(kind)))
        assert record is not None, f"{kind} plugin missing from dq plugins list: {listing}"
        assert record["status"] == "ok", record
        assert record["distribution"] == f"dq-{component_name(kind)}"
    assert listing["problems"] == []


# -- copier update ----------------------------------------------------------------------


@pytest.fixture
def git(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    found = shutil.which("git")
    if found is None:
        pytest.skip("the update test needs git")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "dq template test")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "template-test@example.invalid")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)  # no user config, no signing
    yield found


def commit(git: str, repo: Path, message: str, tag: str | None = None) -> None:
    run([git, "-C", str(repo), "add", "-A"])
    run([git, "-C", str(repo), "commit", "--quiet", "--no-verify", "-m", message])
    if tag:
        run([git, "-C", str(repo), "tag", tag])


@pytest.mark.slow
def test_copier_update_brings_a_template_change_into_a_rendered_plugin(
    git: str, tmp_path: Path
) -> None:
    template = tmp_path / "template-repo"
    shutil.copytree(TEMPLATE, template, ignore=shutil.ignore_patterns(
        "__pycache__", ".pytest_cache", "tests"))
    run([git, "init", "--quiet", "-b", "main", str(template)])
    commit(git, template, "template v0.1.0", tag="v0.1.0")

    project = render("notifier", tmp_path / "plugin", src=template)
    answers = (project / ".copier-answers.yml").read_text()
    assert "_commit: v0.1.0" in answers, answers
    run([git, "init", "--quiet", "-b", "main", str(project)])
    commit(git, project, "rendered from the template")

    # The plugin's author edits their code; the template gains a README line.
    init = next((project / "src").glob("*/__init__.py"))
    init.write_text(init.read_text() + "\nAUTHOR_EDIT = True\n")
    commit(git, project, "author edit")
    readme = template / "template" / "README.md.jinja"
    readme.write_text(readme.read_text() + "\nNew in template v0.2.0: {{ name }} line.\n")
    commit(git, template, "template v0.2.0", tag="v0.2.0")

    copier.run_update(str(project), defaults=True, overwrite=True, unsafe=True, quiet=True)

    assert f"New in template v0.2.0: {component_name('notifier')} line." in (
        project / "README.md"
    ).read_text()
    assert "AUTHOR_EDIT = True" in init.read_text(), "the update lost the author's edit"
    assert "_commit: v0.2.0" in (project / ".copier-answers.yml").read_text()
