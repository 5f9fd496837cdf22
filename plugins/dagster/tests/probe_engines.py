"""Test engines, installed for the session by conftest (a dist-info on sys.path).

* ``tenant-probe`` records :func:`dq.current_tenant` while it checks, proving from inside
  the engine call a real Dagster check makes that the run's tenant is bound during the run.
* ``flaky`` fails with a runtime :class:`dq.DqError` ("warehouse not reachable") on its first
  call after a test removes its marker file, and checks normally after that: a retry
  can help, so Dagster's retries must be honoured for it.

Both check with dq-contract-tests' TrivialEngine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dq
from dq_contract.trivial import TrivialEngine


class TenantProbeEngine(TrivialEngine):
    name = "tenant-probe"

    def check(self, data: Any, rules: dq.RuleSet) -> dq.CheckResult:
        with open(os.environ["DQ_DAGSTER_TEST_PROBE"], "a", encoding="utf-8") as out:
            out.write(f"{dq.current_tenant()}\n")
        return super().check(data, rules)


class FlakyEngine(TrivialEngine):
    name = "flaky"

    def check(self, data: Any, rules: dq.RuleSet) -> dq.CheckResult:
        marker = Path(os.environ["DQ_DAGSTER_TEST_PROBE"]).with_suffix(".flaky")
        calls = int(marker.read_text()) if marker.exists() else 0
        marker.write_text(str(calls + 1))
        if calls == 0:
            raise dq.DqError("warehouse not reachable (first attempt)")
        return super().check(data, rules)


@dq.hookimpl
def dq_engine(name: str, config: Any) -> Any:
    return {"tenant-probe": TenantProbeEngine, "flaky": FlakyEngine}.get(name, lambda: None)()
