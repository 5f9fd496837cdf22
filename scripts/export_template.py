"""Export plugin-template/ as its own git repository, tagged ``v<version>``, for copier.

    uv run python scripts/export_template.py DEST [--source plugin-template]

copier versions a template by the git tags of the repository whose root holds copier.yml;
in this repository the template is a subfolder and the tags name distributions, so
``copier update`` cannot work from here. This copies the template (without its own tests,
which need this checkout) into DEST's root, commits, and tags ``v<VERSION>``. Run it again
into the same DEST after bumping plugin-template/VERSION to publish the next version: plugins
rendered from DEST then move to it with ``copier update``. Push DEST to a repository of its own
(``git -C DEST push --tags URL main``) to let others use ``copier copy --trust URL my-plugin``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: Not part of the exported template: its tests need this repository's core and contract.
IGNORED = shutil.ignore_patterns("tests", "__pycache__", ".pytest_cache", "*.py[co]")
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def _git(dest: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(dest), "-c", "user.name=dq template export",
         "-c", "user.email=template-export@example.invalid", "-c", "commit.gpgsign=false",
         "-c", "tag.gpgsign=false", *args],
        capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} in {dest} failed: {proc.stderr.strip()}")
    return proc.stdout


def export(dest: Path, source: Path = REPO / "plugin-template") -> str:
    """Copy ``source`` into the git repository ``dest`` (made if needed); return the tag."""
    version = (source / "VERSION").read_text().strip()
    if not _VERSION.match(version):
        raise SystemExit(f"{source / 'VERSION'} must hold a version like 0.2.0, not {version!r}")
    tag = f"v{version}"
    dest.mkdir(parents=True, exist_ok=True)
    if not (dest / ".git").exists():
        _git(dest, "init", "--quiet", "-b", "main")
    elif tag in _git(dest, "tag", "-l", tag).split():
        raise SystemExit(f"{dest} already has {tag}: bump {source / 'VERSION'} and add a "
                         "CHANGELOG entry for the new template version")
    for child in dest.iterdir():  # the new version replaces the old one entirely
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    shutil.copytree(source, dest, ignore=IGNORED, dirs_exist_ok=True)
    _git(dest, "add", "-A")
    _git(dest, "commit", "--quiet", "--allow-empty", "-m", f"dq plugin template {tag}")
    _git(dest, "tag", "-a", tag, "-m", f"dq plugin template {tag}")
    return tag


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path, help="the template repository (made if missing)")
    parser.add_argument("--source", type=Path, default=REPO / "plugin-template",
                        help="the template folder (default: plugin-template/)")
    args = parser.parse_args(argv)
    tag = export(args.dest.resolve(), args.source.resolve())
    print(f"exported {args.source} to {args.dest} as {tag}")
    print(f"render:  copier copy --trust {args.dest} my-plugin")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
