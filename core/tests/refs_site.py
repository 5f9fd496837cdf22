"""A small engine that supports ``reference`` and ``row_count`` through dq's public API only,
installed as real metadata, so dq-core's plumbing for both is tested without dq-polars."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_dist_info

ENGINE = '''
import polars as pl
import dq
from dq import hookimpl


class RefsEngine:
    """reference (Python set membership, nulls ignored) and row_count; nothing else."""

    supported_checks = frozenset({"reference", "row_count"})
    streams = False

    def __init__(self, report_rows=True):
        self.report_rows = report_rows

    def check(self, data, rules):
        frame = data.collect() if isinstance(data, pl.LazyFrame) else data
        results = []
        for rule in rules.rules:
            if rule.check == "row_count":
                results.append(dq.row_count_result(rule, frame.height))
            elif rule.check == "reference":
                try:
                    other = dq.reference_data(rule).collect()
                except dq.DqError as exc:
                    results.append(dq.make_result(rule, dq.RuleStatus.ERROR, str(exc)))
                    continue
                allowed = set(other[rule.target_column].drop_nulls().to_list())
                values = frame[rule.column].drop_nulls().to_list()
                bad = [v for v in values if v not in allowed]
                results.append(dq.judge(rule, len(bad), len(values),
                                        samples=dq.distinct_samples(bad, rules.sample_size)))
            else:
                results.append(dq.make_result(rule, dq.RuleStatus.UNSUPPORTED, "no"))
        return dq.CheckResult(status=dq.run_status(results, rules.gate), engine="refs",
                              results=tuple(results),
                              row_count=frame.height if self.report_rows else None)

    def profile(self, data):
        raise NotImplementedError

    def learn(self, data):
        raise NotImplementedError


@hookimpl
def dq_engine(name, config):
    if name == "refs":
        return RefsEngine()
    if name == "norows":
        return RefsEngine(report_rows=False)
    return None
'''


@pytest.fixture
def refs_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The engines ``refs`` and ``norows`` installed; a clean env; a private state dir.
    Returns the work folder (the current directory)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "dq_refs_engine.py").write_text(ENGINE)
    write_dist_info(
        site,
        "dq-refs",
        "1.0.0",
        {
            "dq.engines": {"refs": "dq_refs_engine", "norows": "dq_refs_engine"},
            "dq.hook_api": {"^1.0": "x"},
        },
    )
    monkeypatch.syspath_prepend(str(site))
    for var in ("DQ_CONFIG", "DQ_STRICT", "DQ_PLUGINS_DENY", "DQ_PLUGINS_ALLOW", "DQ_TENANT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DQ_STATE_DIR", str(tmp_path / "state"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work
