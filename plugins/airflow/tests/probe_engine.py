"""``engine:tenant-probe``: an engine that records the tenant bound while it checks.

It proves, from inside the engine call a real Airflow task makes, that the tenant templated
from the DAG's params is what :func:`dq.current_tenant` returns during the run. It checks with
dq-contract-tests' TrivialEngine and appends the bound tenant to the file named by
``$DQ_AIRFLOW_TEST_PROBE``. Installed for the session by conftest (a dist-info on sys.path).
"""

from __future__ import annotations

import os
from typing import Any

import dq
from dq_contract.trivial import TrivialEngine

PROBE_ENGINE = "tenant-probe"


class TenantProbeEngine(TrivialEngine):
    name = PROBE_ENGINE

    def check(self, data: Any, rules: dq.RuleSet) -> dq.CheckResult:
        with open(os.environ["DQ_AIRFLOW_TEST_PROBE"], "a", encoding="utf-8") as out:
            out.write(f"{dq.current_tenant()}\n")
        return super().check(data, rules)


@dq.hookimpl
def dq_engine(name: str, config: Any) -> Any:
    return TenantProbeEngine() if name == PROBE_ENGINE else None
