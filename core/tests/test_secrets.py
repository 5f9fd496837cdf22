"""Secret values never show themselves; secret paths are validated before any I/O."""

from __future__ import annotations

import pickle

import dq
import pytest
from dq import InvalidSecretPath, validate_secret_path
from hypothesis import given
from hypothesis import strategies as st


@given(st.binary(max_size=64))
def test_a_secret_value_never_appears_in_repr_str_or_format(raw: bytes) -> None:
    value = dq.SecretValue(raw)
    formatted = "{}".format(value)  # noqa: UP032 (str.format is its own code path)
    for shown in (repr(value), str(value), f"{value}", f"{value!r}", formatted):
        assert "***" in shown
        if len(raw) >= 4:
            assert repr(raw)[2:-1] not in shown
    assert value.reveal() == raw


def test_secret_values_compare_by_content_and_refuse_pickling() -> None:
    assert dq.SecretValue("a") == dq.SecretValue(b"a") != dq.SecretValue("b")
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(dq.SecretValue("hunter2"))


@pytest.mark.parametrize("good", ["db", "db/prod", "tenants/acme/db", "a.b/c-d_e", "x@y+z=1"])
def test_ordinary_paths_are_accepted(good: str) -> None:
    assert validate_secret_path(good) == good


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("", "empty"),
        ("/etc/passwd", "absolute"),
        ("tenants/acme/../globex", "'..' segment"),
        ("./db", "'.' segment"),
        ("a//b", "empty segment"),
        ("a/b/", "empty segment"),
        ("%2e%2e/globex", "outside letters"),
        ("a\\b", "outside letters"),
        ("a b", "outside letters"),
        ("a\x00b", "outside letters"),
        ("a\nb", "outside letters"),
        ("x" * 513, "longer than"),
    ],
)
def test_dangerous_paths_are_refused_with_the_reason(bad: str, why: str) -> None:
    with pytest.raises(InvalidSecretPath, match=why):
        validate_secret_path(bad)


@given(st.text(max_size=40))
def test_every_accepted_path_is_relative_and_traversal_free(path: str) -> None:
    try:
        validate_secret_path(path)
    except InvalidSecretPath as exc:
        assert str(exc).startswith("secret path")  # names what is wrong, never crashes
        return
    segments = path.split("/")
    assert not path.startswith("/") and "" not in segments
    assert not {".", ".."} & set(segments)
    assert "%" not in path and not any(ord(c) < 0x20 or c.isspace() for c in path)


@given(st.lists(st.sampled_from(["a", "b", "..", ".", "", "%2e", "c"]), min_size=1, max_size=6))
def test_any_path_with_traversal_pieces_is_refused(parts: list[str]) -> None:
    path = "/".join(parts)
    if {"..", ".", "", "%2e"} & set(parts):
        with pytest.raises(InvalidSecretPath):
            validate_secret_path(path)


def test_secret_errors_are_distinct_and_denied_is_not_not_found() -> None:
    assert not issubclass(dq.SecretAccessDenied, dq.SecretNotFound)
    assert not issubclass(dq.SecretNotFound, dq.SecretAccessDenied)
    assert issubclass(dq.InvalidSecretPath, dq.UsageError)
    assert dq.SecretNotFound("gone", reason="destroyed").reason == "destroyed"


def test_list_prefixes_allow_the_root_and_one_trailing_slash() -> None:
    assert dq.validate_secret_prefix("") == ""
    assert dq.validate_secret_prefix("tenants/acme/") == "tenants/acme"
    with pytest.raises(InvalidSecretPath):
        dq.validate_secret_prefix("tenants//")
    with pytest.raises(InvalidSecretPath):
        dq.validate_secret_prefix("../x/")


def test_secret_fields_gives_the_bytes_of_each_field() -> None:
    values = {"user": dq.SecretValue("ada"), "key": dq.SecretValue(b"\x00\xff")}
    assert dq.secret_fields("db", values) == {"user": b"ada", "key": b"\x00\xff"}


@pytest.mark.parametrize(
    ("values", "error", "text"),
    [
        ({}, dq.UsageError, "set 'db' needs at least one field"),
        ({"": dq.SecretValue("x")}, dq.UsageError, "field names are non-empty strings"),
        ({"pw": "hunter2-plain"}, TypeError, "field 'pw' must be a dq.SecretValue, not str"),
    ],
)
def test_secret_fields_refuses_bad_shapes_without_showing_a_value(values, error, text) -> None:
    with pytest.raises(error) as info:
        dq.secret_fields("db", values)
    assert text in str(info.value) and "hunter2" not in str(info.value)


def test_pick_secret_field_takes_the_named_or_the_only_field() -> None:
    assert dq.pick_secret_field("vault", "db", {"pw": b"x", "user": b"y"}, "user") == b"y"
    assert dq.pick_secret_field("vault", "db", {"pw": b"x"}, None) == b"x"


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        (
            {"pw": b"hunter2", "user": b"u"},
            None,
            "has 2 fields ('pw', 'user'); name one with #FIELD",
        ),
        ({}, None, "has 0 fields (none); name one with #FIELD"),
        ({"pw": b"hunter2"}, "token", "has no field 'token' (fields: 'pw')"),
    ],
)
def test_pick_secret_field_names_fields_never_values(fields, field, text) -> None:
    with pytest.raises(dq.SecretNotFound) as info:
        dq.pick_secret_field("aws-sm (eu-west-1)", "db", fields, field)
    message = str(info.value)
    assert message.startswith("aws-sm (eu-west-1): secret 'db' ") and text in message
    assert info.value.reason == "field" and "hunter2" not in message
