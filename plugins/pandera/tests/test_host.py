"""dq-pandera as users get it: discovered from metadata and built by the real host."""

from __future__ import annotations

import subprocess
import sys

import dq
import dq_pandera
import polars as pl
import pytest
from dq.protocols import Engine


@pytest.fixture(scope="module")
def host() -> dq.Host:
    return dq.Host(dq.discover())


def test_discovered_as_a_usable_engine() -> None:
    inventory = dq.discover()
    records = [r for r in inventory.records if (r.kind, r.name) == ("engine", "pandera")]
    assert len(records) == 1
    assert records[0].status == "ok"


def test_the_host_builds_an_engine_that_satisfies_the_protocol(host: dq.Host) -> None:
    engine = host.component("engine", "pandera")
    assert isinstance(engine, Engine)
    assert engine.supported_checks <= frozenset(dq.CHECKS)
    assert {"not_null", "unique", "between", "expression", "row_count"} <= engine.supported_checks
    assert engine.streams is False
    res = engine.check(
        pl.DataFrame({"x": [1, None]}), dq.RuleSet(rules=(dq.NotNull(id="r", column="x"),))
    )
    assert res.engine == "pandera"
    assert (res.results[0].failed_count, res.status) == (1, dq.RunStatus.FAILED)


def test_an_unknown_config_key_is_a_config_error(host: dq.Host) -> None:
    with pytest.raises(dq.ConfigError):
        host.component("engine", "pandera", {"threads": 4})


def test_hooks_answer_only_for_their_own_component() -> None:
    assert dq_pandera.dq_component_config(kind="engine", name="pandera") is dq_pandera.PanderaConfig
    assert dq_pandera.dq_component_config(kind="engine", name="polars") is None
    assert dq_pandera.dq_component_config(kind="notifier", name="pandera") is None
    assert dq_pandera.dq_engine(name="polars", config=None) is None
    assert dq_pandera.dq_engine(name="pandera", config=None) is not None


def test_importing_the_plugin_does_not_import_pandera_or_polars() -> None:
    code = (
        "import sys, dq_pandera; "
        "dq_pandera.dq_component_config(kind='engine', name='pandera'); "
        "print(sorted(m for m in ('pandera', 'polars') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
