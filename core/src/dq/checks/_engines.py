"""Running an engine over data: the one place that turns engine behaviour into a verdict.

Engines compute rule results; the core checks that what came back honours the
contract (one result per rule, in order) and applies the quality gate itself,
so every engine's run is judged the same way. Exceptions are sorted by who is
at fault: polars failing to parse the data is a data error naming the file; any
other exception from the engine is a plugin error naming its distribution.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

from dq.checks._data import data_error
from dq.checks._gate import run_status
from dq.checks._sources import open_for
from dq.model._errors import DqError, PluginError, UsageError
from dq.model._failures import FailingRows
from dq.model._results import CheckResult, Profile
from dq.model._rules import RuleSet
from dq.plugins._host import Host
from dq.runtime._redact import scrub, secret_texts


def _engine_fault(
    host: Host,
    name: str,
    exc: BaseException,
    paths: list[Path],
    engine_config: dict[str, Any] | None = None,
) -> DqError:
    """The error for an engine's crash, scrubbed of every value in its config: an engine
    that echoes its connection string must not print the password it was given."""
    secrets = secret_texts(engine_config or {}, set())
    if type(exc).__module__.split(".")[0] == "polars":
        return data_error(exc, paths) if paths else DqError(scrub(f"polars: {exc}", secrets))
    record = host.record_for("engine", name)
    return PluginError(
        scrub(
            f"engine {name!r} from {record.distribution} {record.version} crashed: "
            f"{type(exc).__name__}: {exc}",
            secrets,
        ),
        distribution=record.distribution,
        component=name,
    )


def check(
    host: Host,
    engine_name: str,
    data: Any,
    rules: RuleSet,
    *,
    engine_config: dict[str, Any] | None = None,
    paths: list[Path] | None = None,
) -> CheckResult:
    """Check *data* against *rules* with the named engine and judge it with the rule set's gate.

    *data* may be a source :func:`dq.checks._sources.read_source` named but did not open: the
    engine built here is asked whether it reads it (one line, exit 2, if not) before the file
    is scanned or the source's secrets resolved, so the engine is built once per check."""
    engine = host.component("engine", engine_name, engine_config)
    data, paths = open_for(engine, engine_name, data, paths or [])
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    try:
        result = engine.check(data, rules)
    except DqError:
        raise
    except Exception as exc:
        raise _engine_fault(host, engine_name, exc, paths or [], engine_config) from None
    return _judged(host, engine_name, rules, result, started_at, time.perf_counter() - started)


def check_failures(
    host: Host,
    engine_name: str,
    data: Any,
    rules: RuleSet,
    *,
    limit: int | None,
    engine_config: dict[str, Any] | None = None,
    paths: list[Path] | None = None,
) -> tuple[CheckResult, FailingRows]:
    """:func:`check`, plus the failing rows, from an engine that has ``check_failures``.

    The method is optional (decision 0024): an engine without it is refused in one line
    (exit 2) before the source is opened.
    """
    engine = host.component("engine", engine_name, engine_config)
    method = getattr(engine, "check_failures", None)
    if not callable(method):
        record = host.record_for("engine", engine_name)
        raise UsageError(
            f"--failures: engine {engine_name!r} ({record.distribution}) cannot export failing "
            "rows; use an engine that can (e.g. --engine polars) or leave out --failures"
        )
    data, paths = open_for(engine, engine_name, data, paths or [])
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    try:
        answer = method(data, rules, limit=limit)
    except DqError:
        raise
    except Exception as exc:
        raise _engine_fault(host, engine_name, exc, paths or [], engine_config) from None
    elapsed = time.perf_counter() - started
    record = host.record_for("engine", engine_name)
    if not (isinstance(answer, tuple) and len(answer) == 2 and isinstance(answer[1], FailingRows)):
        raise PluginError(
            f"engine {engine_name!r} from {record.distribution} returned "
            f"{type(answer).__name__} from check_failures, not (dq.CheckResult, dq.FailingRows)",
            distribution=record.distribution,
            component=engine_name,
        )
    result, failing = answer
    return _judged(host, engine_name, rules, result, started_at, elapsed), failing


def _judged(
    host: Host,
    engine_name: str,
    rules: RuleSet,
    result: Any,
    started_at: datetime,
    elapsed: float,
) -> CheckResult:
    """*result* checked against the engine contract and judged by the rule set's gate."""
    record = host.record_for("engine", engine_name)
    if not isinstance(result, CheckResult):
        raise PluginError(
            f"engine {engine_name!r} from {record.distribution} returned "
            f"{type(result).__name__}, not a dq.CheckResult",
            distribution=record.distribution,
            component=engine_name,
        )
    expected = [rule.id for rule in rules.rules]
    got = [r.rule_id for r in result.results]
    if got != expected:
        raise PluginError(
            f"engine {engine_name!r} from {record.distribution} broke the engine contract: "
            f"it must return one result per rule, in order (expected {expected}, got {got})",
            distribution=record.distribution,
            component=engine_name,
        )
    # A rule's description is the rules file's words: core attaches it, so every engine's
    # results carry it into every format whether or not the engine copied it.
    results = tuple(
        attrs.evolve(r, description=rule.description)
        if rule.description and r.description != rule.description
        else r
        for rule, r in zip(rules.rules, result.results, strict=True)
    )
    return attrs.evolve(
        result,
        results=results,
        status=run_status(results, rules.gate),
        started_at=result.started_at or started_at,
        duration_seconds=result.duration_seconds
        if result.duration_seconds is not None
        else elapsed,
    )


def _call(
    host: Host,
    engine_name: str,
    method: str,
    data: Any,
    paths: list[Path] | None,
    engine_config: dict[str, Any] | None,
) -> Any:
    engine = host.component("engine", engine_name, engine_config)
    try:
        return getattr(engine, method)(data)
    except DqError:
        raise
    except Exception as exc:
        raise _engine_fault(host, engine_name, exc, paths or [], engine_config) from None


def profile(
    host: Host,
    engine_name: str,
    data: Any,
    *,
    paths: list[Path] | None = None,
    engine_config: dict[str, Any] | None = None,
) -> Profile:
    return _call(host, engine_name, "profile", data, paths, engine_config)


def learn(
    host: Host,
    engine_name: str,
    data: Any,
    *,
    paths: list[Path] | None = None,
    engine_config: dict[str, Any] | None = None,
) -> RuleSet:
    return _call(host, engine_name, "learn", data, paths, engine_config)
