"""Fields <-> one Key Vault value: every byte string round-trips, the contentType (not an
in-band marker) decides, and secrets written by other tools read as one field."""

from __future__ import annotations

import string

import pytest
from dq_azure import _codec
from hypothesis import example, given
from hypothesis import strategies as st

FIELDS = st.dictionaries(st.text(string.ascii_letters, min_size=1, max_size=8), st.binary(max_size=64), min_size=1, max_size=4)


@given(fields=FIELDS)
@example(fields={"v": b"dq-base64:AAAA"})
@example(fields={"v": b"\xff"})
@example(fields={"a": b"x", "b": b"\x80"})
def test_any_fields_round_trip(fields: dict[str, bytes]) -> None:
    value, content_type, tags = _codec.encode(fields)
    assert _codec.decode(value, content_type, tags) == fields


def test_one_text_field_is_stored_as_the_text_itself() -> None:
    assert _codec.encode({"password": b"hunter2"}) == ("hunter2", _codec.TEXT, {"dq-field": "password"})


def test_one_binary_field_is_base64_with_octet_stream() -> None:
    assert _codec.encode({"key": b"\xff\x00"})[:2] == ("/wA=", _codec.BINARY)


def test_a_secret_written_by_another_tool_is_one_unnamed_field_even_if_it_looks_encoded() -> None:
    assert _codec.decode("/wA=", None, None) == {"": b"/wA="}
    assert _codec.decode('{"a":"b"}', "application/json", {}) == {"": b'{"a":"b"}'}


@pytest.mark.parametrize(
    ("value", "content_type"),
    [("not base64!", _codec.BINARY), ("not json", _codec.FIELDS), ("[1]", _codec.FIELDS), ('{"a": 1}', _codec.FIELDS)],
)
def test_a_value_that_contradicts_its_content_type_is_an_error_without_the_value(value: str, content_type: str) -> None:
    with pytest.raises(_codec.UndecodableSecret) as info:
        _codec.decode(value, content_type, {})
    assert value not in str(info.value)
