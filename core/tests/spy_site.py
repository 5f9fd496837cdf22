"""A spy engine and a notifier, installed as real distribution metadata, and a ``work`` folder:
shared by the tests that drive ``dq`` in-process on small files (load errors, CSV reading,
the no-traceback property)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import write_dist_info

ENGINE = """
import dq
from dq import hookimpl


class SpyEngine:
    supported_checks = frozenset({"not_null"})
    streams = False

    def check(self, data, rules):
        frame = data.collect()
        results = tuple(
            dq.RuleResult(rule_id=r.id, check=r.check, column=r.column, severity=r.severity,
                          status=dq.RuleStatus.PASSED, failed_count=0,
                          element_count=frame.height)
            for r in rules.rules)
        return dq.CheckResult(status=dq.run_status(results, rules.gate), engine="spy",
                              results=results, row_count=frame.height)

    def profile(self, data):
        raise NotImplementedError

    def learn(self, data):
        raise NotImplementedError


@hookimpl
def dq_engine(name, config):
    return SpyEngine() if name == "spy" else None
"""

NOTIFIER = """
import attrs
from dq import hookimpl


@attrs.frozen
class Config:
    url: str = "http://127.0.0.1:9"


@hookimpl
def dq_component_config(kind, name):
    return Config if (kind, name) == ("notifier", "chatter") else None


@hookimpl
def dq_notifier(name, config):
    return None
"""


def make_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "dq_spy_engine.py").write_text(ENGINE)
    (site / "dq_chatter.py").write_text(NOTIFIER)
    write_dist_info(
        site,
        "dq-spy",
        "1.0.0",
        {"dq.engines": {"spy": "dq_spy_engine"}, "dq.hook_api": {"^1.0": "x"}},
    )
    write_dist_info(
        site,
        "dq-chatter",
        "1.0.0",
        {"dq.notifiers": {"chatter": "dq_chatter"}, "dq.hook_api": {"^1.0": "x"}},
    )
    monkeypatch.syspath_prepend(str(site))
    for var in ("DQ_CONFIG", "DQ_STRICT", "DQ_PLUGINS_DENY", "DQ_PLUGINS_ALLOW", "DQ_TENANT"):
        monkeypatch.delenv(var, raising=False)
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    (folder / "data.csv").write_text("a,b\n1,x\n2,y\n")
    return folder


def watch_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every data file dq scans, in order."""
    from dq.checks import _data

    seen: list[str] = []
    real = _data.scan

    def spy(pattern: str, declared: str | None = None) -> Any:
        seen.append(pattern)
        return real(pattern, declared)

    monkeypatch.setattr(_data, "scan", spy)
    return seen
