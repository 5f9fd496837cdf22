"""The wire form: one ``::{json}::`` line per message, JSON-native, read back as Kestra reads it."""

from __future__ import annotations

import io
import json
import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import dq
import pytest
from dq_kestra import KESTRA_LINE, frame, native, parse, read_outputs
from dq_kestra._wire import Emitter, metric
from hypothesis import given, settings
from hypothesis import strategies as st

#: Any JSON value, with text that includes every line terminator Java knows and NaN/inf.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(st.characters(exclude_categories=["Cs"]))
    | st.sampled_from(["\n", "\r", "\r\n", "\u0085", "\u2028", "\u2029", "::{}::", "}::\n::{"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(values=st.dictionaries(st.text(max_size=10), json_values, max_size=5))
def test_any_outputs_are_one_line_kestra_matches_and_reads_back(values: dict) -> None:
    line = frame({"outputs": values})
    assert KESTRA_LINE.fullmatch(line), "the frame is not one line Kestra's rule matches"
    assert len(line.splitlines()) == 1
    assert line.isascii()  # ensure_ascii: no Unicode line separator can sneak in
    [message] = list(parse(line + "\n"))
    assert message == {"outputs": native(values)}


def test_non_finite_floats_become_text_because_jackson_rejects_nan() -> None:
    assert native([math.nan, math.inf, -math.inf, 1.5]) == ["NaN", "Infinity", "-Infinity", 1.5]
    assert "NaN" not in frame({"outputs": {"x": 1.0}})  # finite floats stay numbers


def test_python_values_become_json_native() -> None:
    when = datetime(2026, 11, 25, tzinfo=UTC)
    assert native(
        {
            "status": dq.RunStatus.FAILED,
            "when": when,
            "took": timedelta(seconds=1.5),
            "amount": Decimal("2.50"),
            "ids": (1, 2),
            "tags": {"b", "a"},
            3: "key",
        }
    ) == {
        "status": "failed",
        "when": "2026-11-25T00:00:00+00:00",
        "took": 1.5,
        "amount": 2.5,
        "ids": [1, 2],
        "tags": ["a", "b"],
        "3": "key",
    }


def test_numpy_like_scalars_are_unwrapped() -> None:
    class Scalar:
        def item(self) -> int:
            return 7

    assert native({"n": Scalar()}) == {"n": 7}


def test_the_bytes_are_those_of_kestras_own_python_library() -> None:
    kestra = pytest.importorskip("kestra", reason="the PyPI kestra library is a test dependency")
    message = {"outputs": {"status": "failed", "n": 3, "rate": 0.25, "ok": False, "x": None,
                           "rules": [{"rule_id": "é", "failed_count": 1}]}}
    assert frame(message) == kestra.Kestra.format(message)
    entry = metric("dq.rows", 500, tags={"suite": "orders"})
    assert frame({"metrics": [entry]}) == kestra.Kestra.format(
        {"metrics": [{"name": "dq.rows", "type": "counter", "value": 500, "tags": {"suite": "orders"}}]}
    )


def test_later_outputs_overwrite_earlier_keys_and_other_lines_are_logs() -> None:
    text = "\n".join(
        [
            frame({"outputs": {"a": 1, "b": 1}}),
            "plain log line ::{\"outputs\":{\"a\":9}}:: not a frame",
            "::{\"outputs\":{\"a\":9}}:: trailing",
            frame({"outputs": {"b": 2}}),
            "",
        ]
    )
    assert read_outputs(text) == {"a": 1, "b": 2}


def test_a_frame_split_by_a_carriage_return_is_not_matched() -> None:
    # Java's readLine splits on \r too: a raw \r inside would break the frame in two
    assert list(parse('::{"outputs":{"a":"x\ry"}}::')) == []


def test_the_emitter_flushes_each_line() -> None:
    class Counting(io.StringIO):
        flushes = 0

        def flush(self) -> None:
            Counting.flushes += 1
            super().flush()

    stream = Counting()
    Emitter(stream).outputs({"a": 1})
    Emitter(stream).log("INFO", "done")
    assert Counting.flushes == 2
    assert [json.loads(KESTRA_LINE.match(l).group(1)) for l in stream.getvalue().splitlines()] == [
        {"outputs": {"a": 1}},
        {"logs": [{"level": "INFO", "message": "done"}]},
    ]
