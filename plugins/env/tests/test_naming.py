"""The path <-> variable rule: one-to-one on every path it accepts, refusing the rest."""

from __future__ import annotations

import string

import dq
import pytest
from dq_env import DEFAULT_PREFIX, EnvConfig, path_of, variable_name
from hypothesis import given
from hypothesis import strategies as st

SEGMENT = st.from_regex(r"[a-z0-9]+(-[a-z0-9]+){0,3}", fullmatch=True).filter(
    lambda s: len(s) <= 20
)
ACCEPTED = st.lists(SEGMENT, min_size=1, max_size=5).map("/".join)
#: Anything dq's own validator lets through, including what this backend must refuse.
DQ_VALID = st.lists(
    st.text(alphabet=string.ascii_letters + string.digits + "_.@+=-", min_size=1, max_size=8),
    min_size=1,
    max_size=4,
).map("/".join)


def test_the_documented_examples() -> None:
    assert variable_name(DEFAULT_PREFIX, "db/password") == "DQ_SECRET_DB__PASSWORD"
    assert (
        variable_name(DEFAULT_PREFIX, "a/b-c/d") == "DQ_SECRET_A__B_C__D"
    ), "'-' is '_', '/' is '__'"
    assert variable_name("CI_", "tenants/acme/db") == "CI_TENANTS__ACME__DB"


@given(path=ACCEPTED)
def test_every_accepted_path_round_trips_through_its_variable_name(path: str) -> None:
    name = variable_name(DEFAULT_PREFIX, path)
    assert name.startswith(DEFAULT_PREFIX)
    assert path_of(DEFAULT_PREFIX, name) == path


@given(a=DQ_VALID, b=DQ_VALID)
def test_distinct_accepted_paths_never_share_a_variable(a: str, b: str) -> None:
    names = {}
    for path in (a, b):
        try:
            names[path] = variable_name(DEFAULT_PREFIX, path)
        except dq.InvalidSecretPath:
            continue
    if len(names) == 2 and a != b:
        assert names[a] != names[b], f"{a!r} and {b!r} collide on {names[a]}"


@given(path=DQ_VALID)
def test_a_path_is_accepted_exactly_when_it_is_the_inverse_of_its_name(path: str) -> None:
    try:
        name = variable_name(DEFAULT_PREFIX, path)
    except dq.InvalidSecretPath as exc:
        assert str(exc).count("\n") == 0
        return
    assert path_of(DEFAULT_PREFIX, name) == path


@pytest.mark.parametrize(
    ("path", "collides_with"),
    [
        ("a_b", "a-b"),
        ("a--b", "a/b"),
        ("a-/b", "a/-b"),
        ("a/-b", "a-/b"),
        ("DB", "db"),
        ("Db/password", "db/password"),
        ("a.b", None),
        ("a@b", None),
        ("a=b", None),
        ("a+b", None),
        ("-a", None),
        ("a-", None),
    ],
)
def test_paths_whose_mapping_could_collide_are_refused(
    path: str, collides_with: str | None
) -> None:
    with pytest.raises(dq.InvalidSecretPath, match="lowercase letters, digits and single '-'"):
        variable_name(DEFAULT_PREFIX, path)


@pytest.mark.parametrize(
    "name",
    [
        "DQ_SECRET__X",
        "DQ_SECRET_x",
        "DQ_SECRET_A___B",
        "DQ_SECRET_A__",
        "DQ_SECRET_",
        "DQ_SECRET_A__B_",
        "DQ_SECRET_\u0130",
        "dq_secret_a",
        "DQ_SECRETS_A",
    ],
)
def test_names_no_path_maps_to_decode_to_nothing(name: str) -> None:
    assert path_of(DEFAULT_PREFIX, name) is None


@pytest.mark.parametrize("prefix", ["", "dq_secret_", "DQ_SECRET", "1DQ_", "DQ-SECRET_", "DQ SECRET_"])
def test_a_prefix_that_cannot_start_a_variable_name_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="must be upper-case"):
        EnvConfig(prefix=prefix)


def test_the_default_prefix() -> None:
    assert EnvConfig().prefix == "DQ_SECRET_"
