"""The one rule that turns a secret path into an environment variable name, and back.

``db/primary-replica/password`` under the prefix ``DQ_SECRET_`` is
``DQ_SECRET_DB__PRIMARY_REPLICA__PASSWORD``: upper-case, ``/`` becomes ``__``, ``-`` becomes
``_``. Upper-casing and those two replacements merge spellings (``a-b`` and ``a_b``, ``a--b``
and ``a/b``, ``db`` and ``DB``), and a secret store where two paths name one secret lets one
caller read another's value (``tenants/acme/...`` vs ``tenants/globex/...`` is exactly such a
pair of paths). So instead of escaping, the backend *accepts only the paths the rule maps
one-to-one*: every segment is lowercase letters and digits, with single ``-`` between them::

    segment = [a-z0-9]+ ( "-" [a-z0-9]+ )*

Then a variable's remainder after the prefix splits on ``__`` into segments that hold no
``__`` and neither start nor end with ``_``, so :func:`path_of` inverts :func:`variable_name`
exactly, and distinct accepted paths have distinct variable names (property-tested). Variables
that do not decode (``DQ_SECRET__X``, ``DQ_SECRET_a``, ``DQ_SECRET_A___B``) belong to no path
and are never listed or read.
"""

from __future__ import annotations

import re

import dq

#: A path segment the rule maps one-to-one (lowercase, digits, single inner hyphens).
SEGMENT_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
#: The same segment after mapping: what a variable name must hold between ``__`` separators.
_NAME_SEGMENT_RE = re.compile(r"[A-Z0-9]+(?:_[A-Z0-9]+)*")
#: A prefix: POSIX-portable name characters, a letter first, ending in ``_``.
PREFIX_RE = re.compile(r"[A-Z][A-Z0-9_]*_")

DEFAULT_PREFIX = "DQ_SECRET_"


def check_prefix(prefix: str) -> str:
    """Return *prefix* if it can start variable names, else raise ValueError saying why."""
    if not isinstance(prefix, str) or PREFIX_RE.fullmatch(prefix) is None:
        raise ValueError(
            f"prefix {prefix!r} must be upper-case letters, digits and '_', start with a "
            f"letter and end with '_' (like {DEFAULT_PREFIX!r})"
        )
    return prefix


def check_segments(path: str) -> list[str]:
    """Split an already validated path and refuse segments the rule cannot map one-to-one."""
    segments = path.split("/")
    for segment in segments:
        if SEGMENT_RE.fullmatch(segment) is None:
            raise dq.InvalidSecretPath(
                f"secret path {path!r}: segment {segment!r} cannot name an environment "
                "variable; the env backend accepts lowercase letters, digits and single '-' "
                "between them (no '_', '.', upper case, '--' or '-' at a segment's edge), so "
                "that no two paths map to one variable"
            )
    return segments


def to_name_segment(segment: str) -> str:
    return segment.upper().replace("-", "_")


def variable_name(prefix: str, path: str) -> str:
    """The variable that holds *path*: validate (dq's allow-list, then this rule), then map."""
    dq.validate_secret_path(path)
    return prefix + "__".join(to_name_segment(s) for s in check_segments(path))


def folder_stem(prefix: str, folder: str) -> str:
    """What every variable below *folder* starts with (``""`` is the root: the prefix)."""
    if not folder:
        return prefix
    return prefix + "__".join(to_name_segment(s) for s in check_segments(folder)) + "__"


def path_of(prefix: str, name: str) -> str | None:
    """The path whose variable is *name*, or None if *name* is not one this rule makes."""
    if not name.startswith(prefix):
        return None
    parts = name[len(prefix) :].split("__")
    if not all(_NAME_SEGMENT_RE.fullmatch(part) for part in parts):
        return None
    return "/".join(part.lower().replace("_", "-") for part in parts)
