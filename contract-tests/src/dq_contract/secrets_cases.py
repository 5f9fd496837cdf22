"""Helpers of the secret backend contract, importable for a backend's own tests.

* :func:`unsafe_paths` - hypothesis strategy: a path with one thing a transport would
  reinterpret (``..``/``.`` segments, encoded dots, ``//``, a leading ``/``, a backslash, a
  control character).
* :func:`near_misses` - hypothesis strategy: a path one plausible slip away from
  :data:`NEAR_MISS_BASE` (case, ``-``/``_``, separators, look-alike letters, one more or one
  less character or segment), which must never read that secret.
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


#: The secret the near-miss case writes: a letter with a case-folding look-alike each (k, i,
#: s), a hyphen and a folder, all of which a store's name mapping may fold.
NEAR_MISS_BASE = "kits/db-token"

#: Look-alikes that fold to ASCII under upper()/lower()/NFKC: KELVIN SIGN, DOTLESS I,
#: LONG S, CYRILLIC A, FULLWIDTH T.
LOOK_ALIKES = {"k": "\u212a", "i": "\u0131", "s": "\u017f", "a": "\u0430", "t": "\uff54"}


@st.composite
def near_misses(draw: st.DrawFn, base: str = NEAR_MISS_BASE) -> str:
    """A path one slip away from *base*: a store must treat it as a different secret."""
    kind = draw(
        st.sampled_from(
            ["upper-one", "upper-all", "hyphen", "separator", "look-alike", "edge", "length"]
        )
    )
    if kind == "upper-one":
        at = draw(st.sampled_from([i for i, c in enumerate(base) if c.isalpha()]))
        return base[:at] + base[at].upper() + base[at + 1 :]
    if kind == "upper-all":
        return base.upper()
    if kind == "hyphen":
        return base.replace("-", draw(st.sampled_from(["_", "--", "", ".", "+"])))
    if kind == "separator":
        return base.replace("/", draw(st.sampled_from(["__", "_", "-", ".", "", "--"])))
    if kind == "look-alike":
        letter = draw(st.sampled_from(sorted(c for c in LOOK_ALIKES if c in base)))
        return base.replace(letter, LOOK_ALIKES[letter], 1)
    if kind == "edge":
        folder, name = base.split("/")
        return draw(
            st.sampled_from(
                [f"{folder}-/{name}", f"{folder}/-{name}", f"{base}-", f"-{base}", f"{base}_"]
            )
        )
    extra = draw(st.sampled_from(string.ascii_lowercase + string.digits))
    folder, name = base.split("/")
    return draw(
        st.sampled_from(
            [
                base + extra,
                base[:-1],
                f"{folder}/{extra}{name}",
                folder,
                f"{base}/{extra}",
                f"{extra}/{base}",
                f"{folder}/{name[:2]}/{name[3:]}",
            ]
        )
    )


def assert_only(exc: BaseException, expected: type[Exception]) -> None:
    """*exc* is *expected* and no other category: one error must not be two things at once."""
    assert isinstance(exc, expected), f"expected {expected.__name__}, got {type(exc).__name__}"
    also = [c.__name__ for c in CATEGORIES if c is not expected and isinstance(exc, c)]
    assert not also, f"{type(exc).__name__} is also {also}: callers cannot tell them apart"


def value(data: bytes | str) -> dq.SecretValue:
    return dq.SecretValue(data)
