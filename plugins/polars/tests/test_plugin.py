"""dq-polars as an installed plugin: metadata, loading through the real Host, import cost."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

import dq
import dq_polars
import polars as pl
import pytest


def test_the_distribution_declares_its_engine_and_hook_api_range() -> None:
    eps = metadata.distribution("dq-polars").entry_points
    assert {(ep.group, ep.name, ep.value) for ep in eps} == {
        ("dq.engines", "polars", "dq_polars"),
        ("dq.hook_api", "^1.0", "dq_polars"),
    }
    assert metadata.version("dq-polars") == dq_polars.__version__ == "0.1.0"


def test_discovery_lists_it_as_ok_without_importing_it() -> None:
    records = [r for r in dq.discover().records if r.distribution == "dq-polars"]
    assert [(r.kind, r.name, r.status) for r in records] == [("engine", "polars", "ok")]


def test_the_host_builds_a_working_engine() -> None:
    host = dq.Host(dq.discover())
    engine = host.component("engine", "polars")
    assert isinstance(engine, dq.protocols.Engine)
    frame = pl.DataFrame({"x": [1, None, 1]})
    result = engine.check(frame, dq.RuleSet(rules=(dq.Unique(id="u", column="x"),)))
    assert result.by_id("u").failed_count == 2
    assert result.status is dq.RunStatus.FAILED


@pytest.mark.parametrize("streaming", [True, False])
def test_the_host_structures_the_config(streaming: bool) -> None:
    engine = dq.Host(dq.discover()).component("engine", "polars", {"streaming": streaming})
    assert engine.config == dq_polars.PolarsConfig(streaming=streaming)
    assert engine.streams is streaming


def test_a_bad_config_value_is_a_config_error_at_its_path() -> None:
    with pytest.raises(dq.ConfigError, match="streaming"):
        dq.Host(dq.discover()).component("engine", "polars", {"streaming": "sometimes"})


def test_hooks_answer_only_for_their_own_names() -> None:
    assert dq_polars.dq_component_config(kind="engine", name="other") is None
    assert dq_polars.dq_component_config(kind="notifier", name="polars") is None
    assert dq_polars.dq_engine(name="other", config=None) is None
    assert dq_polars.dq_engine(name="polars", config=None) is not None


def test_importing_the_plugin_module_does_not_import_polars() -> None:
    code = "import sys, dq_polars; print('polars' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
