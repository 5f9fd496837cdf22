"""``generate(rule_set) -> schema.yml``: dq rules as tests of the dq dbt package.

Each rule becomes one generic test of the package (``dq.dq_<check>``), under its column
(column checks) or under the model (``row_count``, ``expression``), with

* ``name`` = the dq rule id, so dbt's node name, its ``run_results.json`` entry and its
  failures table all carry the id a dq user knows;
* ``config.severity`` = ``error`` / ``warn`` from the rule's severity (dbt's vocabulary;
  https://docs.getdbt.com/reference/resource-configs/severity);
* ``config.meta`` = ``dq_rule_id``, ``dq_check`` and, where it is not 1, ``dq_mostly``:
  what :mod:`dq_dbt._results` reads back from ``manifest.json``.

``dtype`` has no warehouse equivalent (dq's dtypes are polars types): such rules are left
out and listed in a comment at the top of the file, never silently dropped. ``mostly``
below 1 cannot be expressed through dbt's count thresholds without the row count: the
test is written strictly (every failing row fails it) and ``dq_mostly`` is recorded.
"""

from __future__ import annotations

from typing import Any

import dq

#: dq check -> the dq package's generic test
TESTS = {
    "not_null": "dq.dq_not_null",
    "unique": "dq.dq_unique",
    "between": "dq.dq_between",
    "regex": "dq.dq_regex",
    "in_set": "dq.dq_in_set",
    "max_length": "dq.dq_max_length",
    "min_length": "dq.dq_min_length",
    "column_exists": "dq.dq_column_exists",
    "row_count": "dq.dq_row_count",
    "expression": "dq.dq_expression",
}
UNSUPPORTED = {"dtype": "dq dtypes are polars types; a warehouse column type is not one"}
MODEL_LEVEL = {"row_count", "expression"}


def _arguments(rule: Any, check: str) -> dict[str, Any]:
    if check == "between":
        args = {"min": rule.min, "max": rule.max}
        if not rule.min_inclusive:
            args["min_inclusive"] = False
        if not rule.max_inclusive:
            args["max_inclusive"] = False
        return {k: v for k, v in args.items() if v is not None}
    if check == "regex":
        return {"pattern": rule.pattern}
    if check == "in_set":
        return {"values": list(rule.values)}
    if check in ("max_length", "min_length"):
        return {"length": rule.length}
    if check == "row_count":
        return {k: v for k, v in {"min": rule.min, "max": rule.max}.items() if v is not None}
    if check == "expression":
        return {"expression": rule.expression}
    return {}


def _test(rule: Any, check: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"dq_rule_id": rule.id, "dq_check": check}
    if rule.mostly < 1:
        meta["dq_mostly"] = rule.mostly
    body: dict[str, Any] = {
        "name": rule.id,
        **_arguments(rule, check),
        "config": {
            "severity": "warn" if rule.severity is dq.Severity.WARNING else "error",
            "meta": meta,
        },
    }
    if rule.description:
        body["description"] = rule.description
    return {TESTS[check]: body}


def schema(rule_set: dq.RuleSet, model: str) -> tuple[dict[str, Any], list[str]]:
    """The schema.yml document and the ids of the rules left out (with why)."""
    columns: dict[str, list[dict[str, Any]]] = {}
    model_tests: list[dict[str, Any]] = []
    skipped: list[str] = []
    for rule in rule_set.rules:
        check = type(rule).CHECK
        if check not in TESTS:
            skipped.append(f"{rule.id} ({check}: {UNSUPPORTED.get(check, 'no dbt test')})")
            continue
        if check in MODEL_LEVEL:
            model_tests.append(_test(rule, check))
        else:
            columns.setdefault(rule.column, []).append(_test(rule, check))
    entry: dict[str, Any] = {"name": model}
    if model_tests:
        entry["data_tests"] = model_tests
    if columns:
        entry["columns"] = [{"name": name, "data_tests": tests} for name, tests in columns.items()]
    return {"version": 2, "models": [entry]}, skipped


def generate(rule_set: dq.RuleSet, model: str = "orders") -> str:
    """schema.yml text declaring *rule_set*'s rules as dq-package tests on *model*."""
    import yaml

    if not model or not model.replace("_", "a").isalnum():
        raise dq.UsageError(f"--model {model!r}: give the dbt model's name (letters, digits, '_')")
    document, skipped = schema(rule_set, model)
    head = [
        "# written by dq-dbt from a dq rule set; needs the dq dbt package (dq dbt path)",
        *(f"# left out: {line}" for line in skipped),
    ]
    return "\n".join(head) + "\n" + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
