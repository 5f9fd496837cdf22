"""Helpers of the secret backend contract, importable for a backend's own tests.

* :func:`unsafe_paths` - hypothesis strategy: a path with one thing a transport would
  reinterpret (``..``/``.`` segments, encoded dots, ``//``, a leading ``/``, a backslash, a
  control character).
* :func:`assert_only` - the error is this dq category and none of the other four.
"""

from __future__ import annotations

import string

import dq
from hypothesis import strategies as st

#: The five error categories callers must be able to tell apart.
CATEGORIES: tuple[type[Exception], ...] = (
    dq.InvalidSecretPath,
    dq.SecretNotFound,
    dq.SecretAccessDenied,
    dq.SecretBackendUnavailable,
    dq.SecretConflict,
)

SEGMENT = st.text(alphabet=string.ascii_letters + string.digits + "_-", min_size=1, max_size=8)
FIELD_NAME = st.text(alphabet=string.ascii_letters, min_size=1, max_size=12)
ENCODED_DOTS = ["%2e%2e", "%2E%2E", "%2e%2E", "%2e.", ".%2e", "%252e%252e", "..%2f"]


@st.composite
def unsafe_paths(draw: st.DrawFn) -> str:
    """A path with one thing a transport would reinterpret: it must never reach one."""
    parts = draw(st.lists(SEGMENT, min_size=2, max_size=4))
    kind = draw(st.sampled_from(["dots", "encoded", "double", "absolute", "backslash", "control"]))
    where = draw(st.integers(0, len(parts)))
    if kind == "dots":
        parts.insert(where, draw(st.sampled_from(["..", "."])))
    elif kind == "encoded":
        parts.insert(where, draw(st.sampled_from(ENCODED_DOTS)))
    elif kind == "double":
        parts[min(max(where, 1), len(parts) - 1) - 1] += "/"
        return "/".join(parts)
    elif kind == "absolute":
        return "/" + "/".join(parts)
    path = "/".join(parts)
    if kind in ("backslash", "control"):
        bad = "\\" if kind == "backslash" else draw(st.characters(categories=["Cc"]))
        at = draw(st.integers(0, len(path)))
        path = path[:at] + bad + path[at:]
    return path


def assert_only(exc: BaseException, expected: type[Exception]) -> None:
    """*exc* is *expected* and no other category: one error must not be two things at once."""
    assert isinstance(exc, expected), f"expected {expected.__name__}, got {type(exc).__name__}"
    also = [c.__name__ for c in CATEGORIES if c is not expected and isinstance(exc, c)]
    assert not also, f"{type(exc).__name__} is also {also}: callers cannot tell them apart"


def value(data: bytes | str) -> dq.SecretValue:
    return dq.SecretValue(data)
