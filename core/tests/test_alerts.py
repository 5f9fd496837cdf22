"""From a check result to the notification: when, how loud, what it says, and its event key."""

from __future__ import annotations

import dq
from dq import CheckResult, Level, RuleResult, RuleStatus, RunStatus, Severity, TenantId
from dq.notify._alerts import notification_for
from hypothesis import given
from hypothesis import strategies as st


def rule(
    rule_id: str,
    status: RuleStatus = RuleStatus.FAILED,
    severity: Severity = Severity.ERROR,
    failed: int = 1,
) -> RuleResult:
    return RuleResult(
        rule_id=rule_id,
        check="not_null",
        column=rule_id,
        status=status,
        severity=severity,
        failed_count=failed if status is not RuleStatus.PASSED else 0,
        element_count=500,
        message=f"{rule_id} broke",
        samples=("alice@example.com", "555-0100"),
    )


def result(status: RunStatus, *rules: RuleResult, rows: int | None = 500) -> CheckResult:
    return CheckResult(status=status, engine="polars", results=rules, row_count=rows)


FAILED = result(
    RunStatus.FAILED,
    rule("id"),
    rule("email", severity=Severity.WARNING, failed=40),
    rule("amount", failed=7),
    rule("ok", status=RuleStatus.PASSED),
)


def test_passed_runs_do_not_notify_by_default_but_failed_and_error_runs_do() -> None:
    assert notification_for(result(RunStatus.PASSED, rule("a", RuleStatus.PASSED)), "s") is None
    assert notification_for(FAILED, "orders") is not None
    assert notification_for(result(RunStatus.ERROR, rule("a", RuleStatus.ERROR)), "s") is not None


def test_notify_on_passed_gives_an_info_notification() -> None:
    passed = result(RunStatus.PASSED, rule("a", RuleStatus.PASSED), rule("b", RuleStatus.PASSED))
    note = notification_for(passed, "orders", notify_on=frozenset({RunStatus.PASSED}))
    assert note is not None
    assert note.level is Level.INFO
    assert note.summary == "orders: all 2 rules passed on 500 rows"
    assert note.failures == ()


def test_level_is_error_when_an_error_rule_failed_and_warning_when_only_warnings() -> None:
    assert notification_for(FAILED, "s").level is Level.ERROR
    warnings_only = result(RunStatus.FAILED, rule("w", severity=Severity.WARNING))
    assert notification_for(warnings_only, "s").level is Level.WARNING
    errored = result(RunStatus.ERROR, rule("w", RuleStatus.ERROR, severity=Severity.WARNING))
    assert notification_for(errored, "s").level is Level.ERROR


def test_summary_counts_failures_by_severity_in_words() -> None:
    note = notification_for(FAILED, "orders")
    assert note.summary == "orders: 3 rules failed (2 errors, 1 warning) on 500 rows"
    assert note.title == "dq: orders failed"


def test_summary_names_rules_that_could_not_be_evaluated_or_are_unsupported() -> None:
    mixed = result(
        RunStatus.ERROR,
        rule("a", RuleStatus.ERROR),
        rule("b", RuleStatus.UNSUPPORTED),
        rule("c"),
        rows=None,
    )
    note = notification_for(mixed, "orders")
    assert note.summary == (
        "orders: 1 rule failed (1 error), 1 rule could not be evaluated, "
        "1 rule unsupported by polars"
    )
    assert note.title == "dq: orders could not be checked"


def test_failures_are_worst_first_and_carry_no_row_samples() -> None:
    note = notification_for(FAILED, "orders")
    assert [f.rule_id for f in note.failures] == ["amount", "id", "email"]
    assert note.failures[0] == dq.RuleFailure(
        rule_id="amount",
        check="not_null",
        column="amount",
        severity="error",
        failed_count=7,
        element_count=500,
        message="amount broke",
    )
    assert "alice@example.com" not in repr(note)


def test_fields_name_suite_engine_tenant_run_and_rows() -> None:
    note = notification_for(FAILED, "orders", tenant=TenantId("acme"), run_id="r-1")
    assert note.fields == {
        "suite": "orders",
        "engine": "polars",
        "tenant": "acme",
        "run id": "r-1",
        "rows": "500",
    }
    assert note.tenant == TenantId("acme")
    assert note.title == "dq [acme]: orders failed"


def test_the_same_failure_rerun_has_the_same_key_whatever_the_counts_or_run() -> None:
    again = result(
        RunStatus.FAILED,
        rule("amount", failed=900),
        rule("email", severity=Severity.WARNING, failed=1),
        rule("id", failed=3),
        rule("ok", status=RuleStatus.PASSED),
        rows=10_000,
    )
    first = notification_for(FAILED, "orders", run_id="run-1")
    second = notification_for(again, "orders", run_id="run-2")
    assert first.dedup_key == second.dedup_key
    assert first.dedup_key.startswith("dq-") and len(first.dedup_key) == 35


def test_a_different_incident_has_a_different_key() -> None:
    base = notification_for(FAILED, "orders").dedup_key
    other_rules = result(RunStatus.FAILED, rule("id"), rule("email", severity=Severity.WARNING))
    assert notification_for(other_rules, "orders").dedup_key != base  # another rule set
    assert notification_for(FAILED, "customers").dedup_key != base
    assert notification_for(FAILED, "orders", tenant=TenantId("acme")).dedup_key != base


def test_the_incident_key_stays_while_its_failing_rules_change() -> None:
    """1.2: the key names the incident (suite, tenant, rule set), not the failing rules, so
    PagerDuty keeps one incident open and the resolve closes it whatever failed last."""
    base = notification_for(FAILED, "orders").dedup_key
    now_ok = result(
        RunStatus.FAILED,
        rule("id", RuleStatus.PASSED),
        rule("email", RuleStatus.PASSED),
        rule("amount", failed=7),
        rule("ok"),
    )
    assert notification_for(now_ok, "orders").dedup_key == base
    as_error = result(RunStatus.ERROR, *FAILED.results)
    assert notification_for(as_error, "orders").dedup_key == base


def test_a_pass_resolves_with_the_incidents_key_and_a_failure_has_no_resolution() -> None:
    passed = result(RunStatus.PASSED, *(rule(r.rule_id, RuleStatus.PASSED) for r in FAILED.results))
    resolution = dq.resolution_for(passed, "orders", tenant=TenantId("acme"), run_id="r-9")
    assert resolution is not None
    assert resolution.kind is dq.NotificationKind.RESOLVE
    assert resolution.level is Level.INFO
    assert resolution.title == "dq [acme]: orders resolved"
    opened = notification_for(FAILED, "orders", tenant=TenantId("acme"))
    assert resolution.dedup_key == opened.dedup_key
    assert opened.kind is dq.NotificationKind.TRIGGER
    assert dq.resolution_for(FAILED, "orders") is None


def test_a_passed_info_notification_never_shares_the_incidents_key() -> None:
    passed = result(RunStatus.PASSED, *(rule(r.rule_id, RuleStatus.PASSED) for r in FAILED.results))
    info = notification_for(passed, "orders", notify_on=frozenset({RunStatus.PASSED}))
    assert info is not None and info.kind is dq.NotificationKind.TRIGGER
    assert info.dedup_key != notification_for(FAILED, "orders").dedup_key


@given(
    st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), min_size=1, unique=True),
    st.randoms(),
    st.lists(st.integers(0, 10**6), min_size=5, max_size=5),
    st.lists(st.booleans(), min_size=5, max_size=5),
)
def test_key_depends_on_the_rule_set_not_order_counts_or_which_rules_fail(
    ids: list[str], rnd, counts: list[int], passing: list[bool]
) -> None:
    shuffled = list(ids)
    rnd.shuffle(shuffled)
    one = result(RunStatus.FAILED, *(rule(i) for i in ids))
    two = result(
        RunStatus.FAILED,
        *(
            rule(i, RuleStatus.PASSED if ok else RuleStatus.FAILED, failed=c + 1)
            for i, c, ok in zip(shuffled, counts, passing, strict=False)
        ),
    )
    assert notification_for(one, "s").dedup_key == notification_for(two, "s").dedup_key
