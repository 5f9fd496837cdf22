"""Blocking Dagster asset checks built from a dq suite.

``dq_asset_check(suite=..., asset=...)`` returns an ``AssetChecksDefinition`` (what
``@dagster.asset_check`` returns) whose function loads the asset's value through the
asset's IO manager, runs the suite on it with :func:`dq.execute_suite` (tenant, secrets,
engine, gate, notifications, as ``dq run``), and returns an ``AssetCheckResult``:

* passed -- every rule passed;
* failed, ``WARN`` -- rules failed but the policy tolerates them (with the default gate and
  ``fail_on="error"``: only warning-severity rules failed). Downstream assets still run;
* failed, ``ERROR`` -- the policy fails the run (the gate said FAILED, or the run ERRORed).
  With ``blocking=True`` (the default) Dagster does not materialize downstream assets.

The metadata carries the verdict, the counts, a per-rule table (``dq_rules``), the JSON
summary (``dq_summary``) and a Markdown report (``dq_report``).
"""

from __future__ import annotations

import inspect
import os
import re
import sys
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import dq

from dq_dagster._config import DagsterConfig, FailOn, check_fail_on
from dq_dagster._run import SuiteRef, check_result, execute

_NOT_NAME = re.compile(r"[^A-Za-z0-9_]+")
#: Whether this Dagster's @asset_check takes partitions_def (per-partition checks).
_CHECKS_TAKE_PARTITIONS = "partitions_def" in inspect.signature(dg.asset_check).parameters


def default_check_name(ref: SuiteRef) -> str:
    """``dq_orders`` for ``orders.suite.toml`` or a suite named ``orders``."""
    if isinstance(ref, dq.Suite):
        stem = ref.name
    else:
        stem = Path(ref).name.split(".")[0]
    return "dq_" + (_NOT_NAME.sub("_", stem).strip("_") or "suite")


def _caller_folder(depth: int) -> Path | None:
    """The folder of the module that called the factory (relative suite paths start there)."""
    frame = sys._getframe(depth + 1)
    file = frame.f_globals.get("__file__")
    return Path(file).resolve().parent if file else None


def _resolve(ref: SuiteRef, folder: Path | None) -> SuiteRef:
    if isinstance(ref, dq.Suite):
        return ref
    path = Path(ref).expanduser()
    if path.is_absolute():
        return path
    return (folder / path) if folder is not None else path.resolve()


def dq_asset_check(
    *,
    suite: SuiteRef,
    asset: Any,
    name: str | None = None,
    blocking: bool = True,
    description: str | None = None,
    tenant: str | None = None,
    fail_on: FailOn = "error",
    engine: str | None = None,
    load_value: bool = True,
    retry_policy: dg.RetryPolicy | None = None,
    op_tags: Mapping[str, Any] | None = None,
    host: dq.Host | None = None,
    _folder: Path | None = None,
) -> dg.AssetChecksDefinition:
    """A blocking asset check on *asset* that runs the dq suite *suite*.

    :param suite: the suite file (read on every run; a relative path is taken from the
        folder of the module calling this), or a :class:`dq.Suite`.
    :param asset: the asset checked (an ``AssetsDefinition``, ``AssetKey`` or key text).
    :param name: the check's name (default ``dq_<suite file stem>``).
    :param blocking: when true, an ERROR result stops downstream assets in the same run.
    :param tenant: the tenant every run belongs to; default: the run tag ``dq/tenant``.
    :param fail_on: ``"error"`` (the suite's gate), ``"warning"`` (any failing rule) or
        ``"never"`` (failing rules only give a WARN result).
    :param engine: run on this engine instead of the suite's (``dq run --engine``).
    :param load_value: load the asset's value through its IO manager and check it (a
        frame or a path); ``False`` checks the suite's own ``source`` instead.
    :param retry_policy: Dagster retries for runtime errors (a suite or config error is
        never retried; a failed verdict is a check result, not an error).
    """
    try:
        config = DagsterConfig(fail_on=check_fail_on(fail_on))
    except ValueError as exc:
        raise ValueError(f"dq_asset_check({suite_label_of(suite)}): {exc}") from None
    ref = _resolve(suite, _folder if _folder is not None else _caller_folder(1))
    check_name = name or default_check_name(suite)
    text = description or f"dq suite {suite_label_of(suite)} (fail_on={fail_on})"
    kwargs: dict[str, Any] = {
        "asset": asset,
        "name": check_name,
        "description": text,
        "blocking": blocking,
        "retry_policy": retry_policy,
        "op_tags": op_tags,
    }
    partitions = getattr(asset, "partitions_def", None)
    if partitions is not None and _CHECKS_TAKE_PARTITIONS:
        # a check of a partitioned asset runs per partition (Dagster >= 1.11), so it loads
        # the partition just materialized and its context names the partition's dates
        kwargs["partitions_def"] = partitions
    elif partitions is not None and load_value:
        # before 1.11 a check is unpartitioned: loading the asset would load every partition
        raise ValueError(
            f"dq_asset_check({suite_label_of(suite)}): checking one partition of a partitioned "
            f"asset needs Dagster >= 1.11 (this is {dg.__version__}); upgrade, or pass "
            "load_value=False to check the suite's source"
        )

    # no annotations on the decorated functions: Dagster inspects them at definition time
    # and this module's are strings (PEP 563); the context is an AssetCheckExecutionContext
    def run(context, value):  # type: ignore[no-untyped-def]
        outcome = execute(
            context,
            ref,
            value=value,
            tenant=tenant,
            config=config,
            engine=engine,
            host=host,
            log=context.log.info,
        )
        result = check_result(outcome)
        if not result.passed:
            log = context.log.error if outcome.fails else context.log.warning
            log(result.description or "")
        return result

    def run_on_source(context):  # type: ignore[no-untyped-def]
        return run(context, None)

    with warnings.catch_warnings():
        # per-partition checks are a Dagster "preview" feature (1.11+); the README says so
        # once instead of every definition warning about it
        warnings.filterwarnings("ignore", message=".*partitions_def on an AssetCheckSpec")
        return dg.asset_check(**kwargs)(run if load_value else run_on_source)


def dq_asset_checks(
    *, suites: Iterable[SuiteRef], asset: Any, **options: Any
) -> list[dg.AssetChecksDefinition]:
    """One :func:`dq_asset_check` per suite on *asset* (names must come out distinct)."""
    folder = options.pop("_folder", None) or _caller_folder(1)
    if "name" in options:
        raise ValueError("dq_asset_checks names each check after its suite: drop name=")
    checks, seen = [], set()
    for ref in suites:
        check_name = default_check_name(ref)
        if check_name in seen:
            raise ValueError(
                f"two suites give the check name {check_name!r}: rename a suite file or "
                "build the checks with dq_asset_check(name=...)"
            )
        seen.add(check_name)
        checks.append(dq_asset_check(suite=ref, asset=asset, _folder=folder, **options))
    return checks


def suite_label_of(ref: SuiteRef) -> str:
    return repr(ref.name) if isinstance(ref, dq.Suite) else os.fspath(ref)
