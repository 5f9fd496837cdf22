"""Which file a ``reference`` rule's ``dataset`` names — decided before any data is read.

A rules file is data and may come from someone less trusted than the person running dq
(decision 20, decision 27), so its ``dataset`` must not become a way to read a file it
was not meant to. The rules, applied to the text as written and then to the real path:

* a name of ``[sources.NAME]`` in dq.toml is that source (the operator wrote it: trusted);
  it must be a file source;
* anything else is a path **relative to the rules file's folder**: no URL or ``scheme:``,
  no absolute path, no ``~``, no drive, no hidden file or folder (``.ssh``), no control
  character; ``\\`` counts as a separator, so no spelling differs between platforms;
* the path, normalised (``..`` applied), must lie inside an allowed folder *before* the
  file system is asked anything (so an outside file's existence is never revealed), and
  every file it names, with symlinks followed, must still lie inside one;
* the allowed folders are dq.toml's ``[policy] data_locations`` when set; without a policy,
  the rules file's folder and the folder of the data being checked;
* the file must be of a format dq reads (CSV, Parquet, NDJSON, JSON, by suffix).

A refusal is one config error naming ``rules[N].dataset`` (exit 2).
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from dq.model._errors import ConfigError, DqError

#: ``http:``, ``file:``, ``s3:``, ``C:`` (a drive) ...: never a path under the rules folder.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAGIC = "*?["


@attrs.frozen(kw_only=True)
class ResolvedReference:
    """Where a reference dataset is: its real files (already checked) and their format."""

    dataset: str
    files: tuple[Path, ...]
    format: str | None = None


class _Refused(Exception):
    """One reason a dataset is refused; becomes a ``rules[N].dataset`` problem line."""


def _real(path: str | Path) -> Path:
    return Path(os.path.realpath(os.path.expanduser(str(path))))


def _folder_of(pattern: str) -> Path:
    """The folder a data path or glob reads from: before the first wildcard, else its parent."""
    cut = min((i for i, c in enumerate(pattern) if c in _MAGIC), default=None)
    if cut is not None:
        head = pattern[:cut]
        return Path(head if head.endswith(("/", os.sep)) else os.path.dirname(head) or ".")
    path = Path(pattern)
    return path if path.is_dir() else path.parent


def allowed_folders(
    base: Path, data_path: str | None, site: Mapping[str, Any], site_source: str
) -> tuple[tuple[Path, ...], str]:
    """The real folders a rules file's references may read, and how messages name them."""
    from dq.config._policy import policy_from

    policy = policy_from(site, site_source)
    if policy.data_locations is not None:
        roots = tuple(_real(folder) for folder in policy.data_locations)
        return roots, f"{policy.source} [policy] data_locations"
    roots = [_real(base)]
    if data_path:
        roots.append(_real(_folder_of(data_path)))
    return tuple(dict.fromkeys(roots)), "the rules file's folder or the data's folder"


def _inside(path: Path, roots: tuple[Path, ...]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def _check_spelling(raw: str) -> str:
    """The dataset with ``/`` separators, or the reason its spelling is refused."""
    if not raw.strip():
        raise _Refused("is empty; give a data file relative to the rules file")
    if _CONTROL.search(raw):
        raise _Refused("holds a control character")
    text = raw.replace("\\", "/")
    if _SCHEME.match(text) or text.startswith("//"):
        raise _Refused(
            "is a URL or names a drive; a reference dataset is a file relative to the rules "
            "file, or a [sources.NAME] of dq.toml"
        )
    if text.startswith(("/", "~")) or Path(raw).is_absolute():
        raise _Refused("is an absolute path; write it relative to the rules file's folder")
    parts = text.split("/")
    hidden = [part for part in parts if part.startswith(".") and part not in (".", "..")]
    if hidden:
        raise _Refused(f"names a hidden file or folder ({hidden[0]!r}); dq does not read those")
    wild = next((i for i, part in enumerate(parts) if any(c in part for c in _MAGIC)), len(parts))
    if ".." in parts[wild:]:
        raise _Refused("has '..' after a wildcard; put the folder before the wildcard")
    return text


def _resolve_path(
    raw: str, base: Path, roots: tuple[Path, ...], where: str
) -> tuple[tuple[Path, ...], str]:
    """The real files *raw* names under *base*, each inside *roots*, and their format."""
    from dq.checks._data import data_format

    text = _check_spelling(raw)
    joined = os.path.join(str(_real(base)), text)
    cut = min((i for i, c in enumerate(joined) if c in _MAGIC), default=len(joined))
    lexical = Path(os.path.normpath(joined[:cut] or "/"))
    if not _inside(lexical, roots):
        raise _Refused(f"lies outside {where}")
    if cut == len(joined):
        matches = [joined] if os.path.isfile(joined) else []
        if os.path.isdir(joined):
            raise _Refused("is a folder; give a file or a glob such as 'folder/*.parquet'")
    else:
        matches = sorted(p for p in glob.glob(joined, recursive=True) if os.path.isfile(p))
    if not matches:
        what = "matches no file" if cut < len(joined) else "no such file"
        raise _Refused(f"{what} (looked in {base})")
    files = tuple(_real(match) for match in matches)
    for real, match in zip(files, matches, strict=True):
        if not _inside(real, roots):
            raise _Refused(f"{Path(match).name!r} is a link to a file outside {where}")
        rest = [p for root in roots if _inside(real, (root,)) for p in real.relative_to(root).parts]
        if any(part.startswith(".") for part in rest):
            raise _Refused("resolves to a hidden file or folder; dq does not read those")
    try:
        fmt = data_format(list(files))
    except DqError as exc:
        raise _Refused(str(exc).split(": ", 1)[-1]) from None
    return files, fmt


def _named_source(
    raw: str, site: Mapping[str, Any], site_source: str
) -> tuple[tuple[Path, ...], str | None] | None:
    """The files of ``[sources.RAW]`` when *raw* names one (trusted: the operator wrote it)."""
    sources = site.get("sources")
    if not isinstance(sources, Mapping) or raw not in sources:
        return None
    from dq.checks._data import expand
    from dq.checks._sources import named_source

    src = named_source(site, raw, source=site_source)
    if src.type != "file" or src.path is None:
        raise _Refused(
            f"[sources.{raw}] is a {src.type} source; a reference dataset is a file (a path, "
            "or a [sources.NAME] of type file)"
        )
    try:
        files = tuple(_real(p) for p in expand(src.path))
    except DqError as exc:
        raise _Refused(f"[sources.{raw}]: {exc}") from None
    return files, src.format


def resolve_references(
    rules: Any,
    *,
    rules_source: str,
    base: Path,
    data_path: str | None,
    site: Mapping[str, Any],
    site_source: str,
) -> dict[str, ResolvedReference]:
    """Every ``reference`` rule's dataset, resolved and checked; refusals raise one
    :class:`dq.ConfigError` naming each ``rules[N].dataset`` (nothing has been read)."""
    wanted = [(i, r) for i, r in enumerate(rules.rules) if r.check == "reference"]
    if not wanted:
        return {}
    roots, where = allowed_folders(base, data_path, site, site_source)
    resolved: dict[str, ResolvedReference] = {}
    problems: list[str] = []
    for index, rule in wanted:
        raw = rule.dataset
        if raw in resolved:
            continue
        try:
            named = _named_source(raw, site, site_source)
            files, fmt = named if named is not None else _resolve_path(raw, base, roots, where)
        except _Refused as why:
            problems.append(f"rules[{index}].dataset: {raw!r} {why}")
            continue
        resolved[raw] = ResolvedReference(dataset=raw, files=files, format=fmt)
    if problems:
        raise ConfigError(rules_source, problems)
    return resolved


def suite_rules_file(suite_file: str | None) -> tuple[Path, str]:
    """The folder a suite's rules are relative to, and the file that names them.

    ``rules = "checks/orders.toml"`` in the suite: that file's folder; inline rules: the
    suite file's folder; a suite built in Python (no file): the current directory.
    """
    if not suite_file or not Path(suite_file).is_file():
        return Path.cwd(), suite_file or "rules"
    from dq.config._files import load_document

    path = Path(suite_file)
    data = load_document(path)
    rules = data.get("rules") if isinstance(data, Mapping) else None
    if isinstance(rules, str):
        rules_file = path.parent / rules
        return rules_file.parent, str(rules_file)
    return path.parent, str(path)
