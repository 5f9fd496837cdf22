"""Parsing versions and the hook-API ranges plugins declare.

Plugins declare their range as the *name* of an entry point in the ``dq.hook_api``
group, because entry-point names cannot contain ``=`` (so ``>=1.0,<2`` is not
expressible there). The syntax is therefore the caret/tilde one that npm and Cargo
users know: ``^1.2`` (any 1.x from 1.2), ``~1.2`` (any 1.2.x), a bare ``1.2``
meaning ``^1.2``, and ``1.x`` / ``1.2.x`` wildcards. This module is deliberately
dependency-free: it runs on the ``dq plugins list`` hot path, where importing
a general semver library would cost more than the whole scan.
"""

from __future__ import annotations

import re

_VERSION_RE = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")
_PARTIAL_RE = re.compile(r"(0|[1-9]\d*)(?:\.(0|[1-9]\d*|x|\*))?(?:\.(0|[1-9]\d*|x|\*))?")

Version = tuple[int, int, int]


class RangeSyntaxError(ValueError):
    """A declared hook-API range that dq cannot read."""


def parse_version(text: str) -> Version:
    """Parse a plain ``MAJOR.MINOR.PATCH`` version (no pre-release: hook APIs have none)."""
    match = _VERSION_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a MAJOR.MINOR.PATCH version")
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch)


class ApiRange:
    """A half-open interval ``[low, high)`` of hook-API versions, with its source text."""

    __slots__ = ("text", "low", "high")

    def __init__(self, text: str, low: Version, high: Version) -> None:
        self.text = text
        self.low = low
        self.high = high

    def __contains__(self, version: Version) -> bool:
        return self.low <= version < self.high

    def __repr__(self) -> str:
        return f"ApiRange({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiRange) and (self.low, self.high) == (other.low, other.high)

    def __hash__(self) -> int:
        return hash((self.low, self.high))


def parse_range(text: str) -> ApiRange:
    """Parse ``^1.2``, ``~1.2.3``, ``1.2`` (= ``^1.2``), ``1.x`` or ``1.2.x``.

    Caret follows semver's compatibility rule: the left-most non-zero component
    is fixed (``^0.3`` admits 0.3.x only), exactly as npm and Cargo read it.
    """
    raw = text.strip()
    if not raw:
        raise RangeSyntaxError("the hook-API range is empty")
    operator = raw[0] if raw[0] in "^~" else ""
    body = raw[len(operator) :].strip()
    match = _PARTIAL_RE.fullmatch(body)
    if match is None:
        raise RangeSyntaxError(
            f"{text!r} is not a hook-API range; write it like '^1.0', '~1.2' or '1.x'"
        )
    major_s, minor_s, patch_s = match.groups()
    wild = {"x", "*"}
    if minor_s in wild and patch_s is not None and patch_s not in wild:
        raise RangeSyntaxError(f"{text!r}: a wildcard minor cannot be followed by a patch")
    major = int(major_s)
    has_minor = minor_s is not None and minor_s not in wild
    has_patch = patch_s is not None and patch_s not in wild
    minor = int(minor_s) if has_minor else 0
    patch = int(patch_s) if has_patch else 0
    low = (major, minor, patch)
    wildcard = (minor_s in wild) or (patch_s in wild)
    if wildcard and operator:
        raise RangeSyntaxError(f"{text!r}: use either a wildcard or ^/~, not both")
    if wildcard or (not has_minor):
        # '1.x', '1', '1.2.x': everything under the stated prefix.
        high = (major, minor + 1, 0) if has_minor else (major + 1, 0, 0)
    elif operator == "~":
        high = (major, minor + 1, 0)
    elif major > 0:
        high = (major + 1, 0, 0)
    elif minor > 0:
        high = (0, minor + 1, 0)
    elif has_patch:
        high = (0, 0, patch + 1)
    else:
        high = (0, 1, 0)
    return ApiRange(raw, low, high)
