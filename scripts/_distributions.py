"""The distributions this repository publishes, found from its folders.

Shared by the release scripts (build, publish workflows, version check) so they agree on
one list: ``core``, ``contract-tests`` and every folder under ``plugins/`` holding a
``pyproject.toml``. Only the standard library is used, so any Python 3.11+ runs these.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: Where a distribution whose version is dynamic (hatch's ``[tool.hatch.version] path``) keeps it.
_VERSION_LINE = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.MULTILINE)


@dataclass(frozen=True)
class Distribution:
    """One publishable distribution: its project name, folder and version file."""

    name: str  # the project name, e.g. "dq-slack"
    folder: Path  # absolute
    version: str
    version_file: Path  # the file a release bump edits (pyproject.toml or hatch's version path)

    @property
    def rel(self) -> str:
        """The folder relative to the repository root, with forward slashes."""
        return self.folder.relative_to(REPO).as_posix()

    @property
    def tag_prefix(self) -> str:
        """Tags of this distribution are ``<name>-v<version>``, e.g. ``dq-slack-v0.3.0``."""
        return f"{self.name}-v"

    @property
    def tag(self) -> str:
        return f"{self.tag_prefix}{self.version}"


def read_version(pyproject_text: str, folder_files: dict[str, str]) -> tuple[str, str]:
    """(version, relative version file) from a pyproject's text.

    ``folder_files`` maps a relative path to its text, for a dynamic version read from the
    file hatch names; the caller supplies it so this works on a checkout or on ``git show``.
    """
    data = tomllib.loads(pyproject_text)
    project = data["project"]
    if "version" in project:
        return str(project["version"]), "pyproject.toml"
    path = data.get("tool", {}).get("hatch", {}).get("version", {}).get("path")
    if not path or "version" not in project.get("dynamic", []):
        raise ValueError(f"{project['name']}: neither project.version nor hatch's version path")
    text = folder_files.get(path)
    if text is None:
        raise ValueError(f"{project['name']}: version file {path} is missing")
    found = _VERSION_LINE.search(text)
    if found is None:
        raise ValueError(f"{project['name']}: no __version__ = '...' line in {path}")
    return found.group(1), path


def _load(folder: Path) -> Distribution:
    text = (folder / "pyproject.toml").read_text()
    data = tomllib.loads(text)
    path = data.get("tool", {}).get("hatch", {}).get("version", {}).get("path")
    files = {path: (folder / path).read_text()} if path and (folder / path).exists() else {}
    version, version_file = read_version(text, files)
    return Distribution(data["project"]["name"], folder, version, folder / version_file)


def all_distributions(repo: Path = REPO) -> list[Distribution]:
    """core, contract-tests, then plugins/* in name order."""
    folders = [repo / "core", repo / "contract-tests"]
    folders += sorted(p.parent for p in (repo / "plugins").glob("*/pyproject.toml"))
    return [_load(folder) for folder in folders]


def select(names: list[str], repo: Path = REPO) -> list[Distribution]:
    """The distributions named by project name (``dq-slack``) or folder (``slack``)."""
    every = all_distributions(repo)
    if not names:
        return every
    by_key = {d.name: d for d in every} | {d.folder.name: d for d in every}
    unknown = [n for n in names if n not in by_key]
    if unknown:
        known = ", ".join(d.name for d in every)
        raise SystemExit(f"unknown distribution(s) {', '.join(unknown)}; known: {known}")
    picked: list[Distribution] = []
    for name in names:
        if by_key[name] not in picked:
            picked.append(by_key[name])
    return picked
