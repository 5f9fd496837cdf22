"""The path <-> Key Vault name mapping: valid names, reversible, and collision-free even
under Key Vault's case folding (docs/decisions/0040-azure-key-vault.md)."""

from __future__ import annotations

import re
import string

import dq
import pytest
from dq_azure import name_to_path, path_to_name
from hypothesis import assume, example, given
from hypothesis import strategies as st

KEY_VAULT_NAME = re.compile(r"^[0-9a-zA-Z-]{1,127}$")
SEGMENT = st.text(alphabet=string.ascii_letters + string.digits + "_.@+=-", min_size=1, max_size=10)
PATHS = st.lists(SEGMENT, min_size=1, max_size=4).map("/".join)


def valid(path: str) -> bool:
    try:
        dq.validate_secret_path(path)
    except dq.InvalidSecretPath:
        return False
    return len(path_to_name(path)) <= 127 if _fits(path) else False


def _fits(path: str) -> bool:
    try:
        path_to_name(path)
    except dq.InvalidSecretPath:
        return False
    return True


@given(path=PATHS)
@example(path="a/b")
@example(path="Team/DB_url")
def test_every_valid_path_maps_to_a_key_vault_name_that_reads_back_to_it(path: str) -> None:
    assume(valid(path))
    name = path_to_name(path)
    assert KEY_VAULT_NAME.match(name), name
    assert name_to_path(name) == path
    assert name_to_path(name.upper()) == path, "Key Vault may hand the name back in any case"


@given(a=PATHS, b=PATHS)
@example(a="a/b", b="a-b")
@example(a="a-b", b="a_b")
@example(a="a.b", b="a_b")
@example(a="Db", b="db")
@example(a="a/-b", b="a-/b")
def test_distinct_paths_never_share_a_name_even_ignoring_case(a: str, b: str) -> None:
    assume(a != b and valid(a) and valid(b))
    assert path_to_name(a).lower() != path_to_name(b).lower()


@pytest.mark.parametrize(
    ("path", "name"),
    [("app/db-password", "app--db-0password"), ("Team/DB_url", "-team---d-b-1url"), ("a.b@c+d=e", "a-2b-3c-4d-5e")],
)
def test_the_documented_examples(path: str, name: str) -> None:
    assert path_to_name(path) == name


def test_a_path_too_long_for_key_vault_is_refused_naming_the_length() -> None:
    with pytest.raises(dq.InvalidSecretPath, match="becomes a Key Vault name of 130 characters"):
        path_to_name("A" * 65)


@pytest.mark.parametrize("name", ["-", "a-", "a-9", "a----b", "--a", "a-!b"])
def test_names_that_encode_no_valid_path_decode_to_none(name: str) -> None:
    assert name_to_path(name) is None


def test_names_other_tools_wrote_with_letters_and_digits_read_as_lower_case_paths() -> None:
    assert name_to_path("MyDbPassword") == "mydbpassword"
