"""The block helpers and the context mapping, in process (no Mage run: fast, exhaustive).

What a real Mage run adds is pinned in test_pipeline.py; here every data kind a block may
hand over, every error's one-line message, and the mapping of Mage's kwargs for all inputs.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import dq
import dq_mage
import pandas as pd
import polars as pl
import pytest
from dq_mage._context import run_context
from hypothesis import given, settings
from hypothesis import strategies as st

SECRET = "hunter2-s3cr3t-token"


def kwargs(project: Any, **extra: Any) -> dict[str, Any]:
    return {
        "pipeline_uuid": "dq_orders",
        "block_uuid": "check_orders",
        "pipeline_run_id": 42,
        "repo_path": project.repo,
        "tenant": "acme",
        "api_token": SECRET,
        "event": {"token": SECRET},
        "logger": logging.getLogger("mage-test"),
        **extra,
    }


def frame() -> pl.DataFrame:
    """The orders the fixture's CSV holds, as a frame a block would hand over."""
    return pl.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "email": ["a@example.com", "b@example.com", None, "d@example.com"],
            "amount": [10, 20, 30, -5],
        }
    )


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda p: frame(), id="polars"),
        pytest.param(lambda p: frame().lazy(), id="polars-lazy"),
        pytest.param(lambda p: frame().to_pandas(), id="pandas"),
        pytest.param(lambda p: str(p.data), id="path"),
        pytest.param(lambda p: None, id="suite-source"),
    ],
)
def test_every_data_kind_gives_the_counts_of_dq_run(project: Any, make: Any) -> None:
    with pytest.raises(dq_mage.DqGateFailed) as raised:
        dq_mage.dq_check(make(project), project.suite("failing"), kwargs(project))
    want = dq.run_suite(dq.load_suite(Path(project.repo) / project.suite("failing")))
    got = [(r.rule_id, r.status, r.failed_count) for r in raised.value.result.results]
    assert got == [(r.rule_id, r.status, r.failed_count) for r in want.results]
    assert raised.value.summary["run_id"] == "42"


def test_a_pandas_frame_keeps_its_nulls(project: Any) -> None:
    df = pd.DataFrame({"id": [1, 2, None], "email": ["a", None, "c"], "amount": [1, 2, 3]})
    summary = dq_mage.dq_check(df, project.suite("passing"), kwargs(project), fail_on="never")
    assert summary["status"] == "failed"
    assert {r["rule_id"]: r["failed_count"] for r in summary["rules"]}["ids_present"] == 1


def test_dq_transform_returns_the_same_object_when_it_passes(project: Any) -> None:
    df = frame()
    assert dq_mage.dq_transform(df, project.suite("passing"), kwargs(project)) is df


def test_condition_and_sensor_return_the_verdict(project: Any) -> None:
    assert dq_mage.dq_condition(frame(), project.suite("passing"), kwargs(project)) is True
    assert dq_mage.dq_condition(frame(), project.suite("failing"), kwargs(project)) is False
    assert dq_mage.dq_condition(frame(), project.suite("warnings"), kwargs(project)) is True
    assert (
        dq_mage.dq_condition(frame(), project.suite("warnings"), kwargs(project), fail_on="warning")
        is False
    )
    assert dq_mage.dq_sensor(project.suite("passing"), kwargs(project)) is True
    assert dq_mage.dq_sensor(project.suite("failing"), kwargs(project)) is False


def test_a_sensor_waits_while_the_data_is_not_there(project: Any, tmp_path: Path) -> None:
    missing = dq.Source(path=str(tmp_path / "not-yet.csv"))
    result = dq_mage.dq_sensor(project.suite("passing"), kwargs(project), data=missing)
    assert result is False


@pytest.mark.parametrize("helper", ["dq_condition", "dq_sensor"])
def test_condition_and_sensor_raise_on_a_config_error(project: Any, helper: str) -> None:
    args = (project.suite("bad_engine"), kwargs(project))
    call = getattr(dq_mage, helper)
    with pytest.raises(dq_mage.DqConfigError, match="no-such-engine"):
        call(frame(), *args) if helper == "dq_condition" else call(*args)


@pytest.mark.parametrize(
    ("data", "suite", "extra", "options", "match"),
    [
        ({"a": 1}, "passing", {}, {}, "is a builtins.dict, which dq cannot check"),
        (None, "nope", {}, {}, "nope.suite.toml"),
        (None, "passing", {"tenant": "ACME"}, {}, "not a tenant id"),
        (None, "passing", {"tenant": 7}, {}, "tenant must be text"),
        (None, "passing", {}, {"fail_on": "always"}, "fail_on must be one of"),
        (None, "passing", {"execution_date": "yesterday"}, {}, "not an ISO 8601 date"),
    ],
)
def test_bad_input_is_one_clear_line(
    project: Any,
    data: Any,
    suite: str,
    extra: dict[str, Any],
    options: dict[str, Any],
    match: str,
) -> None:
    with pytest.raises(dq_mage.DqConfigError, match=match) as raised:
        dq_mage.dq_check(data, project.suite(suite), kwargs(project, **extra), **options)
    assert "\n" not in str(raised.value)
    assert raised.value.retryable is False


def test_kwargs_must_be_a_mapping(project: Any) -> None:
    with pytest.raises(dq_mage.DqConfigError, match="as a mapping"):
        dq_mage.dq_check(None, project.suite("passing"), ["not", "kwargs"])  # type: ignore[arg-type]


def test_no_variable_or_event_payload_reaches_the_summary_or_the_log(
    project: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    summary = dq_mage.dq_check(frame(), project.suite("warnings"), kwargs(project))
    with pytest.raises(dq_mage.DqGateFailed) as raised:
        dq_mage.dq_check(frame(), project.suite("failing"), kwargs(project))
    for text in (repr(summary), repr(raised.value.summary), str(raised.value), caplog.text):
        assert SECRET not in text


def test_a_relative_suite_is_the_mage_projects(project: Any, monkeypatch: Any) -> None:
    monkeypatch.chdir(project.root)
    no_repo = {k: v for k, v in kwargs(project).items() if k != "repo_path"}
    monkeypatch.setenv("MAGE_RUNTIME__REPO_PATH", project.repo)
    assert dq_mage.dq_check(None, project.suite("passing"), no_repo)["status"] == "passed"


# -- the context mapping ------------------------------------------------------------------


def test_mage_objects_and_the_event_are_not_params() -> None:
    ctx = run_context(
        {
            "pipeline_uuid": "p",
            "block_uuid": "b",
            "logger": object(),
            "context": {},
            "configuration": {"k": 1},
            "event": {"x": 1},
            "retry": {"attempts": 1},
            "region": "eu",
            "n": 3,
            "flags": [1, 2],
        }
    )
    assert ctx.params == {
        "region": "eu",
        "n": "3",
        "flags": "[1, 2]",
        "pipeline_uuid": "p",
        "block_uuid": "b",
    }


def test_mage_ids_win_over_a_variable_of_the_same_name() -> None:
    ctx = run_context({"pipeline_uuid": "real", "block_uuid": "b", "pipeline_run_id": 9})
    assert ctx.params["pipeline_uuid"] == "real" and ctx.run_id == "9"


def test_a_naive_execution_date_is_utc_and_an_aware_one_is_kept() -> None:
    naive = run_context({"execution_date": datetime(2026, 11, 25, 6)})
    assert naive.logical_date == datetime(2026, 11, 25, 6, tzinfo=UTC)
    ist = timezone(timedelta(hours=5, minutes=30))
    aware = run_context({"execution_date": datetime(2026, 11, 25, tzinfo=ist)})
    assert aware.logical_date is not None and aware.logical_date.utcoffset() == timedelta(
        hours=5, minutes=30
    )


def test_without_a_pipeline_run_the_run_id_names_the_pipeline_and_partition() -> None:
    assert run_context({"pipeline_uuid": "p", "execution_partition": "3/x"}).run_id == "p/3/x"
    first = run_context({"pipeline_uuid": "p"}).run_id
    assert first.startswith("p/manual__")


def test_the_helpers_tenant_wins_over_the_variable() -> None:
    assert run_context({"tenant": "acme"}, tenant="globex").tenant == dq.TenantId("globex")
    assert run_context({"tenant": "acme"}, tenant="").tenant == dq.TenantId("acme")


@settings(max_examples=80, deadline=None)
@given(
    variables=st.dictionaries(
        st.from_regex(r"[a-z_][a-z0-9_]{0,15}", fullmatch=True),
        st.one_of(
            st.text(max_size=20),
            st.integers(),
            st.booleans(),
            st.none(),
            st.lists(st.integers(), max_size=3),
        ),
        max_size=8,
    )
)
def test_any_runtime_variables_map_to_text_params_or_are_refused(
    variables: dict[str, Any],
) -> None:
    try:
        ctx = run_context({**variables, "pipeline_uuid": "p", "block_uuid": "b"})
    except dq.UsageError as exc:  # only the tenant or the date may be refused
        assert "tenant" in str(exc) or "execution_date" in str(exc)
        return
    assert all(isinstance(v, str) for v in ctx.params.values())
    assert ctx.params["pipeline_uuid"] == "p"
    assert "tenant" not in ctx.params
