"""Turning a check result into the notification that tells people about it.

Two choices here decide whether alerts arrive "once — not zero times, not five":

* *whether* to notify is the run status against the ``notify_on`` set (failed and
  error runs by default): a passing nightly run is not news;
* the ``dedup_key`` of a failing run names the *incident*, not the attempt, the run
  or the set of failing rules: a hash of the suite, the tenant and the ids of every
  rule in the suite's rule set (since 1.2; before, the run status and the failing
  rules were part of it). Services that group by it (PagerDuty ``dedup_key``,
  Opsgenie ``alias``) keep one incident open while its failing rules change, and the
  RESOLVE a later passing run sends (:func:`resolution_for`) carries the same key.
  Whether a repeat is *news* is the cooldown's business: the dispatcher keys it by
  this key plus what the notification says, so another rule breaking still goes out.
* a passing run notifies (when ``on`` includes ``passed``) under a key of its own,
  never the incident's: an "all rules passed" message must not open an incident.

Row samples are never copied into a notification: they are row values, which may be
personal data, and a chat channel is the wrong place for them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable
from datetime import UTC, datetime

from dq.model._notifications import Level, Notification, NotificationKind, RuleFailure
from dq.model._results import CheckResult, RuleResult, RuleStatus, RunStatus
from dq.model._rules import Severity
from dq.model._tenants import TenantId

#: Run statuses that notify when a suite does not say otherwise.
DEFAULT_NOTIFY_ON: frozenset[RunStatus] = frozenset({RunStatus.FAILED, RunStatus.ERROR})

_VERB = {
    RunStatus.PASSED: "passed",
    RunStatus.FAILED: "failed",
    RunStatus.ERROR: "could not be checked",
}


def dedup_key(
    suite_name: str,
    tenant: TenantId | None,
    status: RunStatus,
    failing_rule_ids: Iterable[str],
) -> str:
    """The stable identity of an alert event (``dq-`` + 32 hex digits).

    JSON-encoding the parts before hashing keeps the key unambiguous: a suite
    called ``a:b`` with rule ``c`` cannot collide with suite ``a`` and rule ``b:c``.
    """
    parts = [suite_name, str(tenant) if tenant else None, status.value, sorted(failing_rule_ids)]
    digest = hashlib.sha256(json.dumps(parts, separators=(",", ":")).encode()).hexdigest()
    return f"dq-{digest[:32]}"


def incident_key(suite_name: str, tenant: TenantId | None, rule_ids: Iterable[str]) -> str:
    """The key of the incident a failing run opens (``dq-`` + 32 hex digits): suite, tenant
    and the rule set (every rule id, passing or not), nothing that changes between runs."""
    parts = ["incident", suite_name, str(tenant) if tenant else None, sorted(set(rule_ids))]
    digest = hashlib.sha256(json.dumps(parts, separators=(",", ":")).encode()).hexdigest()
    return f"dq-{digest[:32]}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _failure(result: RuleResult) -> RuleFailure:
    return RuleFailure(
        rule_id=result.rule_id,
        check=result.check,
        column=result.column,
        severity=result.severity.value,
        failed_count=result.failed_count,
        element_count=result.element_count,
        message=result.message,
    )


def _worst_first(results: Iterable[RuleResult]) -> list[RuleResult]:
    # sorted() is stable: rules that tie keep the suite's order.
    return sorted(results, key=lambda r: (r.severity is not Severity.ERROR, -r.failed_count))


def _level(result: CheckResult, not_passed: list[RuleResult]) -> Level:
    if result.status is RunStatus.PASSED:
        return Level.INFO
    if result.status is RunStatus.ERROR:
        return Level.ERROR
    if any(r.severity is Severity.ERROR for r in not_passed):
        return Level.ERROR
    return Level.WARNING


def _summary(suite_name: str, result: CheckResult, not_passed: list[RuleResult]) -> str:
    rows = f" on {_plural(result.row_count, 'row')}" if result.row_count is not None else ""
    if not not_passed:
        return f"{suite_name}: all {_plural(len(result.results), 'rule')} passed{rows}"
    failed = [r for r in not_passed if r.status is RuleStatus.FAILED]
    errored = [r for r in not_passed if r.status is RuleStatus.ERROR]
    unsupported = [r for r in not_passed if r.status is RuleStatus.UNSUPPORTED]
    parts = []
    if failed:
        errors = sum(1 for r in failed if r.severity is Severity.ERROR)
        warnings = len(failed) - errors
        kinds = [_plural(n, w) for n, w in ((errors, "error"), (warnings, "warning")) if n]
        parts.append(f"{_plural(len(failed), 'rule')} failed ({', '.join(kinds)})")
    if errored:
        parts.append(f"{_plural(len(errored), 'rule')} could not be evaluated")
    if unsupported:
        parts.append(f"{_plural(len(unsupported), 'rule')} unsupported by {result.engine}")
    return f"{suite_name}: {', '.join(parts)}{rows}"


def notification_for(
    result: CheckResult,
    suite_name: str,
    *,
    tenant: TenantId | None = None,
    run_id: str | None = None,
    notify_on: Collection[RunStatus] = DEFAULT_NOTIFY_ON,
) -> Notification | None:
    """The notification for *result*, or ``None`` when its status is not in *notify_on*."""
    if result.status not in notify_on:
        return None
    not_passed = [r for r in result.results if r.status is not RuleStatus.PASSED]
    ordered = _worst_first(not_passed)
    fields = {"suite": suite_name, "engine": result.engine}
    if tenant is not None:
        fields["tenant"] = str(tenant)
    if run_id:
        fields["run id"] = run_id
    if result.row_count is not None:
        fields["rows"] = str(result.row_count)
    where = f" [{tenant}]" if tenant is not None else ""
    if result.status is RunStatus.PASSED:
        key = dedup_key(suite_name, tenant, result.status, ())
    else:
        key = incident_key(suite_name, tenant, (r.rule_id for r in result.results))
    return Notification(
        title=f"dq{where}: {suite_name} {_VERB[result.status]}",
        summary=_summary(suite_name, result, ordered),
        level=_level(result, ordered),
        dedup_key=key,
        tenant=tenant,
        fields=fields,
        failures=tuple(_failure(r) for r in ordered),
        created_at=datetime.now(UTC),
    )


def resolution_for(
    result: CheckResult,
    suite_name: str,
    *,
    tenant: TenantId | None = None,
    run_id: str | None = None,
) -> Notification | None:
    """The RESOLVE that closes the incident of *suite_name* for *tenant*, or ``None`` when
    *result* did not pass. It carries the incident's key (:func:`incident_key` over the
    same rule set), so it closes exactly what a failing run of this suite opened."""
    if result.status is not RunStatus.PASSED:
        return None
    fields = {"suite": suite_name, "engine": result.engine}
    if tenant is not None:
        fields["tenant"] = str(tenant)
    if run_id:
        fields["run id"] = run_id
    if result.row_count is not None:
        fields["rows"] = str(result.row_count)
    where = f" [{tenant}]" if tenant is not None else ""
    return Notification(
        title=f"dq{where}: {suite_name} resolved",
        summary=f"{_summary(suite_name, result, [])}: the incident is resolved",
        level=Level.INFO,
        dedup_key=incident_key(suite_name, tenant, (r.rule_id for r in result.results)),
        tenant=tenant,
        fields=fields,
        created_at=datetime.now(UTC),
        kind=NotificationKind.RESOLVE,
    )
