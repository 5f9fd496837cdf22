"""Hook-API versions and the caret/tilde ranges plugins declare, checked against semver."""

from __future__ import annotations

import pytest
import semver
from dq.plugins._apiversion import RangeSyntaxError, parse_range, parse_version
from hypothesis import given
from hypothesis import strategies as st

nums = st.integers(min_value=0, max_value=40)
versions = st.tuples(nums, nums, nums)


def _text(v: tuple[int, int, int]) -> str:
    return ".".join(map(str, v))


@given(versions)
def test_parse_version_round_trips_and_agrees_with_semver(v: tuple[int, int, int]) -> None:
    assert parse_version(_text(v)) == v
    parsed = semver.Version.parse(_text(v))
    assert (parsed.major, parsed.minor, parsed.patch) == v


@pytest.mark.parametrize("bad", ["1", "1.2", "01.2.3", "1.2.3-rc1", "v1.2.3", "", "1.2.3.4"])
def test_parse_version_rejects_anything_but_plain_triples(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_version(bad)


def _caret_oracle(declared: tuple[int, int, int], v: semver.Version) -> bool:
    """npm's definition of ^M.m.p: the left-most non-zero component is fixed."""
    major, minor, patch = declared
    if not v.match(f">={_text(declared)}"):
        return False
    if major:
        return v.major == major
    if minor:
        return v.major == 0 and v.minor == minor
    return (v.major, v.minor, v.patch) == (0, 0, patch)


@given(versions, versions)
def test_caret_range_matches_npm_semantics(
    declared: tuple[int, int, int], current: tuple[int, int, int]
) -> None:
    rng = parse_range("^" + _text(declared))
    assert (current in rng) == _caret_oracle(declared, semver.Version(*current))


@given(versions, versions)
def test_tilde_range_admits_patch_updates_only(
    declared: tuple[int, int, int], current: tuple[int, int, int]
) -> None:
    rng = parse_range("~" + _text(declared))
    v = semver.Version(*current)
    expected = v.match(f">={_text(declared)}") and (v.major, v.minor) == declared[:2]
    assert (current in rng) == expected


@given(nums, nums, versions)
def test_bare_major_minor_means_caret(
    major: int, minor: int, current: tuple[int, int, int]
) -> None:
    assert (current in parse_range(f"{major}.{minor}")) == (
        current in parse_range(f"^{major}.{minor}")
    )


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        ("1.x", [(1, 0, 0), (1, 99, 3)], [(0, 9, 9), (2, 0, 0)]),
        ("1.2.x", [(1, 2, 0), (1, 2, 7)], [(1, 3, 0), (1, 1, 9)]),
        ("^0.3", [(0, 3, 0), (0, 3, 9)], [(0, 4, 0), (1, 0, 0)]),
        ("~1", [(1, 0, 0), (1, 5, 0)], [(2, 0, 0)]),
    ],
)
def test_wildcards_and_zero_majors(text: str, inside: list, outside: list) -> None:
    rng = parse_range(text)
    assert all(v in rng for v in inside)
    assert not any(v in rng for v in outside)


@pytest.mark.parametrize("bad", ["", ">=1.0", "^1.x", "1.x.3", "latest", "^", "1.2.3.4", "^v1"])
def test_unreadable_ranges_raise_with_the_syntax_to_use(bad: str) -> None:
    with pytest.raises(RangeSyntaxError):
        parse_range(bad)


@given(st.text(max_size=20))
def test_parse_range_never_raises_anything_but_range_syntax_error(text: str) -> None:
    try:
        parse_range(text)
    except RangeSyntaxError:
        pass
