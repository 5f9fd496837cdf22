"""The version bump check: a distribution changed since its last tag must bump and say why.

    uv run python scripts/check_versions.py [NAME ...]
    uv run python scripts/check_versions.py --version-of NAME     # print its current version

For each distribution, its last release is the highest tag ``<name>-v<version>``
(``git tag -l 'dq-slack-v*'``). If any file in its folder outside ``tests/`` differs from that
tag (the working tree is compared, so an uncommitted change counts), then its version must be
higher than the tagged one and its CHANGELOG.md must have changed and carry a ``## <version>``
heading for the new version. A distribution with no tag yet has nothing to compare against:
it is reported as skipped, with that reason. Exit 1 when any distribution fails.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _distributions import REPO, read_version, select  # noqa: E402

#: Files under these folders of a distribution are not shipped code (tests are in the sdist,
#: but changing a test alone is no reason to release).
IGNORED_PREFIXES = ("tests/",)


@dataclass
class Verdict:
    """What the check found for one distribution: problems (empty = fine) or why it skipped."""

    name: str
    tag: str | None = None
    changed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: str | None = None


def _git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout


def _version_key(version: str) -> tuple[tuple[int, str], ...]:
    """Orders 0.10.0 after 0.9.1; a non-numeric part (rc1) sorts by its text."""
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in re.split(r"[.\-+]", version))


def last_tag(repo: Path, name: str) -> str | None:
    prefix = f"{name}-v"
    tags = [t for t in _git(repo, "tag", "-l", f"{prefix}*").split() if t.startswith(prefix)]
    return max(tags, key=lambda t: _version_key(t[len(prefix):])) if tags else None


def _at(repo: Path, ref: str, path: str) -> str | None:
    proc = subprocess.run(["git", "-C", str(repo), "show", f"{ref}:{path}"],
                          capture_output=True, text=True)
    return proc.stdout if proc.returncode == 0 else None


def check(repo: Path, folder: str, name: str) -> Verdict:
    """Check the distribution ``name`` kept in ``folder`` (relative to ``repo``)."""
    verdict = Verdict(name)
    tag = last_tag(repo, name)
    if tag is None:
        verdict.skipped = (f"{name} has no release tag yet ({name}-v*): nothing to compare "
                           "against; its first release creates one")
        return verdict
    verdict.tag = tag
    diff = _git(repo, "diff", "--name-only", tag, "--", folder).split()
    inside = [p[len(folder) + 1:] for p in diff]
    verdict.changed = [p for p in inside if not p.startswith(IGNORED_PREFIXES)]
    if not verdict.changed:
        return verdict
    folder_path = repo / folder
    now_text = (folder_path / "pyproject.toml").read_text()
    then_text = _at(repo, tag, f"{folder}/pyproject.toml")
    if then_text is None:
        verdict.problems.append(f"{tag} has no {folder}/pyproject.toml: is the tag on the "
                                "right commit?")
        return verdict

    def version_files(text: str, read: Callable[[str], str | None]) -> dict[str, str]:
        """The version file hatch's ``[tool.hatch.version] path`` names, if any, via ``read``."""
        match = re.search(r'^path\s*=\s*"([^"]+)"', text, re.MULTILINE)
        content = read(match.group(1)) if match else None
        return {match.group(1): content} if match and content is not None else {}

    def read_now(rel: str) -> str | None:
        path = folder_path / rel
        return path.read_text() if path.is_file() else None

    now, _ = read_version(now_text, version_files(now_text, read_now))
    then, _ = read_version(then_text, version_files(
        then_text, lambda rel: _at(repo, tag, f"{folder}/{rel}")))
    shown = ", ".join(verdict.changed[:5]) + (" …" if len(verdict.changed) > 5 else "")
    if _version_key(now) <= _version_key(then):
        verdict.problems.append(
            f"{name}: {shown} changed since {tag} but its version is still {now}; bump it "
            f"(above {then}) and add a '## {'<new version>' if now == then else now}' entry "
            "to its CHANGELOG.md")
    if "CHANGELOG.md" not in verdict.changed:
        verdict.problems.append(f"{name}: {shown} changed since {tag} but CHANGELOG.md did "
                                "not; say what changed under the new version's heading")
    else:
        changelog = (folder_path / "CHANGELOG.md").read_text()
        if not re.search(rf"^##\s+v?{re.escape(now)}\b", changelog, re.MULTILINE):
            verdict.problems.append(f"{name}: CHANGELOG.md has no '## {now}' heading for the "
                                    "version being released")
    return verdict


def main(argv: list[str] | None = None) -> int:
    names = sys.argv[1:] if argv is None else argv
    if names[:1] == ["--version-of"] and len(names) == 2:  # for the publish workflows
        print(select(names[1:])[0].version)
        return 0
    failed = 0
    for dist in select(names):
        verdict = check(REPO, dist.rel, dist.name)
        if verdict.skipped:
            print(f"skip  {dist.name}: {verdict.skipped}")
        elif verdict.problems:
            failed += 1
            for problem in verdict.problems:
                print(f"FAIL  {problem}")
        else:
            state = "changed, bumped" if verdict.changed else "unchanged"
            print(f"ok    {dist.name} {dist.version} ({state} since {verdict.tag})")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
