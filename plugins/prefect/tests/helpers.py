"""Suites and readers shared by the tests (the tests folder is on sys.path via conftest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dq

DATA = "id,email,amount\n1,a@example.com,10\n2,b@example.com,20\n3,,30\n4,d@example.com,-5\n"
RULES = {
    "passing": """rules = [
  {id = "ids_present", check = "not_null", column = "id"},
  {id = "ids_unique", check = "unique", column = "id"},
  {id = "amount_range", check = "between", column = "amount", min = -10, max = 100},
]""",
    "failing": """rules = [
  {id = "ids_unique", check = "unique", column = "id"},
  {id = "emails_present", check = "not_null", column = "email"},
  {id = "amount_positive", check = "between", column = "amount", min = 0},
  {id = "amount_small", check = "between", column = "amount", max = 25, severity = "warning"},
]""",
    "warnings": """rules = [
  {id = "ids_present", check = "not_null", column = "id"},
  {id = "emails_present", check = "not_null", column = "email", severity = "warning"},
  {id = "amount_positive", check = "between", column = "amount", min = 0, severity = "warning"},
]""",
    "erroring": """rules = [
  {id = "ids_present", check = "not_null", column = "id"},
  {id = "no_such_column", check = "not_null", column = "customer"},
]""",
}
#: A flow parameter that must never reach an artifact or the summary (they can hold credentials).
SECRET = "hunter2-5f3a9c1e-do-not-log"


def write_suites(folder: Path) -> dict[str, Path]:
    """The four suites above on orders.csv (engine polars), plus probe and flaky variants."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "orders.csv").write_text(DATA)
    suites = {}
    for name, rules in RULES.items():
        (folder / f"{name}.rules.toml").write_text(rules)
        suites[name] = folder / f"{name}.suite.toml"
        suites[name].write_text(
            f'name = "{name}"\nsource = "orders.csv"\nrules = "{name}.rules.toml"\n'
        )
    for engine in ("tenant-probe", "flaky"):
        suites[engine] = folder / f"{engine}.suite.toml"
        suites[engine].write_text(
            f'name = "{engine}"\nsource = "orders.csv"\nrules = "passing.rules.toml"\n'
            f'engine = "{engine}"\n'
        )
    return suites


def direct(suite: Path) -> dq.CheckResult:
    """What ``dq run`` gives for the suite file: what a task must reproduce."""
    return dq.run_suite(dq.load_suite(suite), notify=False)


def verdicts(result: dq.CheckResult) -> list[tuple[Any, ...]]:
    """The per-rule verdict a binding must agree on."""
    return [
        (r.rule_id, r.status.value, r.severity.value, r.failed_count, r.element_count)
        for r in result.results
    ]


def summary_verdicts(summary: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (r["rule_id"], r["status"], r["severity"], r["failed_count"], r["element_count"])
        for r in summary["rules"]
    ]
