"""The template exported as its own tagged repository: render at one version, update to the next.

``scripts/export_template.py`` is what makes ``copier update`` possible for plugins rendered
from this repository. This renders a plugin from the exported version A, commits an author's
edit, exports version B (a changed README and a new file) into the same repository, runs
``copier update`` and checks the plugin moved to B and kept the edit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

copier = pytest.importorskip("copier", reason="the template tests need copier 9.x")

TEMPLATE = Path(__file__).resolve().parents[1]
REPO = TEMPLATE.parent
EXPORT = REPO / "scripts" / "export_template.py"


@pytest.fixture
def git_env(monkeypatch: pytest.MonkeyPatch) -> str:
    found = shutil.which("git")
    if found is None:
        pytest.skip("the export test needs git")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "dq template test")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "template-test@example.invalid")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    return found


def _run(*cmd: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True)


def _export(dest: Path, source: Path) -> subprocess.CompletedProcess[str]:
    return _run(sys.executable, EXPORT, dest, "--source", source)


def _version_b(tmp_path: Path, version: str) -> Path:
    """A copy of the template as its next version would be: a README line, a new file."""
    source = tmp_path / "template-b"
    shutil.copytree(TEMPLATE, source, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    (source / "VERSION").write_text(version + "\n")
    readme = source / "template" / "README.md.jinja"
    readme.write_text(readme.read_text() + "\nNew in template {{ name }} B.\n")
    (source / "template" / "SECURITY.md").write_text("Report problems privately.\n")
    return source


@pytest.mark.slow
def test_copier_update_moves_a_plugin_from_exported_version_a_to_b_keeping_the_edit(
    git_env: str, tmp_path: Path
) -> None:
    a = (TEMPLATE / "VERSION").read_text().strip()
    b = ".".join([*a.split(".")[:2], str(int(a.split(".")[2]) + 1)])
    exported = tmp_path / "dq-plugin-template"
    done = _export(exported, TEMPLATE)
    assert done.returncode == 0, done.stderr
    assert not (exported / "tests").exists(), "the template's own tests must not be exported"
    assert (exported / "copier.yml").is_file()

    project = tmp_path / "dq-acme"
    copier.run_copy(str(exported), str(project), data={"kind": "notifier", "name": "acme"},
                    defaults=True, unsafe=True, quiet=True)
    assert f"_commit: v{a}" in (project / ".copier-answers.yml").read_text()
    readme = (project / "README.md").read_text()
    assert "--find-links /path/to/dq/dist/wheelhouse" in readme  # dq not on an index yet
    _run(git_env, "init", "--quiet", "-b", "main", cwd=project)
    init = next((project / "src").glob("*/__init__.py"))
    init.write_text(init.read_text() + "\nAUTHOR_EDIT = True\n")
    for cmd in (("add", "-A"), ("commit", "--quiet", "--no-verify", "-m", "mine")):
        assert _run(git_env, *cmd, cwd=project).returncode == 0

    done = _export(exported, _version_b(tmp_path, b))
    assert done.returncode == 0, done.stderr
    copier.run_update(str(project), defaults=True, overwrite=True, unsafe=True, quiet=True)

    assert f"_commit: v{b}" in (project / ".copier-answers.yml").read_text()
    assert "New in template acme B." in (project / "README.md").read_text()
    assert (project / "SECURITY.md").is_file()
    assert "AUTHOR_EDIT = True" in init.read_text(), "the update lost the author's edit"


def test_exporting_a_version_already_tagged_is_refused_with_what_to_do(
    git_env: str, tmp_path: Path
) -> None:
    exported = tmp_path / "t"
    assert _export(exported, TEMPLATE).returncode == 0
    again = _export(exported, TEMPLATE)
    assert again.returncode == 1
    assert "already has v" in again.stderr and "bump" in again.stderr
    assert "Traceback" not in again.stderr


def test_the_template_version_has_a_changelog_entry() -> None:
    version = (TEMPLATE / "VERSION").read_text().strip()
    assert f"## {version}" in (TEMPLATE / "CHANGELOG.md").read_text()
