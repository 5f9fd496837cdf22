"""A secret version as dq-gcp reports it: its number and state, never its payload.

Secret Manager names a version ``projects/P/secrets/S/versions/N``; the number is the last
segment. Parsing is lenient (an answer that names no number gives None, not an error)
because the list endpoint is paginated and one odd entry must not hide the others.
"""

from __future__ import annotations

from typing import Any

import attrs
import dq


@attrs.frozen(kw_only=True)
class GcpSecretVersion:
    """One version's metadata (never its payload)."""

    number: int
    state: str
    create_time: str | None
    destroy_time: str | None


def version_number(name: Any) -> int | None:
    """The number at the end of a version's resource name, or None."""
    tail = str(name or "").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


def require_positive(value: Any, what: str) -> int:
    """*value* if it is a version number a caller may ask for (an int >= 1), else UsageError."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise dq.UsageError(f"{what} must be a positive integer, got {value!r}")
    return value


def parse_version(body: Any) -> GcpSecretVersion | None:
    """A ``SecretVersion`` JSON object as :class:`GcpSecretVersion`; None if it names none."""
    if not isinstance(body, dict):
        return None
    number = version_number(body.get("name"))
    if number is None:
        return None
    return GcpSecretVersion(
        number=number,
        state=str(body.get("state") or "STATE_UNSPECIFIED"),
        create_time=body.get("createTime"),
        destroy_time=body.get("destroyTime"),
    )
