"""The version bump check: on this repository, and on a scratch repository where it must fail.

A distribution whose shipped files changed since its last tag ``<name>-v<version>`` must have a
higher version and a CHANGELOG.md entry for it. No tag yet: skipped, saying so.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from _distributions import REPO, all_distributions
from check_versions import check, last_tag


@pytest.mark.parametrize("dist", all_distributions(), ids=lambda d: d.name)
def test_a_changed_distribution_bumped_its_version_and_changelog(dist) -> None:
    verdict = check(REPO, dist.rel, dist.name)
    if verdict.skipped:
        pytest.skip(verdict.skipped)
    assert not verdict.problems, "\n".join(verdict.problems)


# -- the check itself, on a scratch repository ------------------------------------------------

PYPROJECT = """[project]
name = "dq-demo"
version = "{version}"
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with plugins/demo released as dq-demo 0.1.0 (tag dq-demo-v0.1.0)."""
    folder = tmp_path / "plugins" / "demo"
    (folder / "src" / "dq_demo").mkdir(parents=True)
    (folder / "tests").mkdir()
    (folder / "pyproject.toml").write_text(PYPROJECT.format(version="0.1.0"))
    (folder / "CHANGELOG.md").write_text("# Changelog\n\n## 0.1.0\n\n- first release\n")
    (folder / "src" / "dq_demo" / "__init__.py").write_text("VALUE = 1\n")
    (folder / "tests" / "test_demo.py").write_text("def test(): pass\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "add", ".")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")
    _git(tmp_path, "tag", "dq-demo-v0.1.0")
    return tmp_path


def _edit_code(repo: Path) -> None:
    (repo / "plugins/demo/src/dq_demo/__init__.py").write_text("VALUE = 2\n")


def _bump(repo: Path, version: str = "0.2.0") -> None:
    (repo / "plugins/demo/pyproject.toml").write_text(PYPROJECT.format(version=version))


def _changelog(repo: Path, version: str = "0.2.0") -> None:
    path = repo / "plugins/demo/CHANGELOG.md"
    path.write_text(path.read_text().replace("# Changelog\n", f"# Changelog\n\n## {version}\n\n"
                                             "- VALUE is 2\n"))


def test_an_untagged_distribution_is_skipped_with_the_reason(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    verdict = check(tmp_path, "plugins/demo", "dq-demo")
    assert verdict.skipped and "no release tag yet" in verdict.skipped


def test_unchanged_since_the_tag_passes(repo: Path) -> None:
    verdict = check(repo, "plugins/demo", "dq-demo")
    assert (verdict.tag, verdict.changed, verdict.problems) == ("dq-demo-v0.1.0", [], [])


def test_code_changed_without_a_bump_fails_naming_version_and_changelog(repo: Path) -> None:
    _edit_code(repo)
    problems = check(repo, "plugins/demo", "dq-demo").problems
    assert len(problems) == 2
    assert "still 0.1.0" in problems[0] and "src/dq_demo/__init__.py" in problems[0]
    assert "CHANGELOG.md did not" in problems[1]


def test_a_bump_without_a_changelog_entry_fails(repo: Path) -> None:
    _edit_code(repo)
    _bump(repo)
    problems = check(repo, "plugins/demo", "dq-demo").problems
    assert problems == [p for p in problems if "CHANGELOG" in p] and problems


def test_a_changelog_without_the_new_versions_heading_fails(repo: Path) -> None:
    _edit_code(repo)
    _bump(repo, "0.2.0")
    _changelog(repo, "0.3.0")
    problems = check(repo, "plugins/demo", "dq-demo").problems
    assert any("no '## 0.2.0' heading" in p for p in problems)


def test_a_lower_version_is_not_a_bump(repo: Path) -> None:
    _edit_code(repo)
    _bump(repo, "0.0.9")
    _changelog(repo, "0.0.9")
    assert any("still 0.0.9" in p for p in check(repo, "plugins/demo", "dq-demo").problems)


def test_code_changed_with_bump_and_changelog_passes(repo: Path) -> None:
    _edit_code(repo)
    _bump(repo)
    _changelog(repo)
    verdict = check(repo, "plugins/demo", "dq-demo")
    assert verdict.problems == [] and "src/dq_demo/__init__.py" in verdict.changed


def test_a_tests_only_change_needs_no_release(repo: Path) -> None:
    (repo / "plugins/demo/tests/test_demo.py").write_text("def test(): assert True\n")
    assert check(repo, "plugins/demo", "dq-demo").problems == []


def test_the_last_tag_is_the_highest_version_not_the_latest_text(repo: Path) -> None:
    for version in ("0.9.0", "0.10.0", "0.2.0"):
        _git(repo, "tag", f"dq-demo-v{version}")
    _git(repo, "tag", "dq-demo-extra-v9.0.0")  # another distribution's prefix is not ours
    assert last_tag(repo, "dq-demo") == "dq-demo-v0.10.0"


def test_every_distribution_has_its_publish_workflow_and_no_other() -> None:
    from publish_workflows import main

    assert main(["--check"]) == 0, "run: uv run python scripts/publish_workflows.py"
