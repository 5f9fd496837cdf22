"""Each deliberately broken notifier must fail the contract, in the test that pins its bug.

As in test_broken_engines.py: the contract runs in a nested pytest session (``pytester``), a
module subclassing NotifierContract with a ``notifier`` fixture, and we assert

* the tests named in ``must_fail`` failed (the contract catches the bug where it should), and
* the tests in ``must_pass`` passed (the failure is specific, not the suite falling over).

To keep this file fast only those tests are selected (``-k``): the whole contract against the
correct reference runs in test_notifier_contract.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import anyio
import broken_notifiers  # noqa: F401

# Imported before any nested session: pytester drops modules first imported inside
# inline_run, and a re-imported dq (enums compared with ``is``) or reference notifier (its
# log filter is module state) would not be the objects already in use.
import dq
import dq.protocols  # noqa: F401
import dq_contract.servers
import httpx  # noqa: F401
import pytest
from broken_harness import fresh_import, run_contract
from dq_contract.notifier import NotifierContract
from dq_contract.reference_notifier import WebhookNotifier
from dq_contract.servers import Reply

MODULE = """
import pytest
from dq_contract.notifier import NotifierContract
import broken_notifiers

class TestBroken(NotifierContract):
    timeout_seconds = 0.5
    deadline_seconds = 2.0

    @pytest.fixture
    def notifier(self, http_sink):
        return broken_notifiers.{name}(
            http_sink.url, timeout=0.5, deadline=2.0, backoff=0.05,
            max_body_bytes=self.max_request_bytes,
        )
"""

#: Correct behaviour that no single bug below should disturb.
ALWAYS_PASS = {"test_satisfies_the_notifier_protocol", "test_delivers_once_on_2xx"}

CASES: dict[str, dict[str, set[str]]] = {
    "RetriesClientErrors": {
        "must_fail": {"test_client_errors_are_not_retried"},
        "must_pass": {"test_5xx_is_retried", "test_every_attempt_carries_the_same_dedup_key"},
    },
    "IgnoresRetryAfter": {
        "must_fail": {"test_429_waits_for_retry_after_then_delivers"},
        "must_pass": {"test_5xx_is_retried", "test_client_errors_are_not_retried"},
    },
    "UrlInError": {
        "must_fail": {
            "test_failures_never_reveal_the_webhook_url",
            "test_client_errors_are_not_retried",
            "test_unreachable_service_is_a_failed_delivery",
        },
        "must_pass": {"test_repr_and_str_hide_the_webhook_url", "test_5xx_is_retried"},
    },
    "NewDedupKeyPerAttempt": {
        "must_fail": {"test_every_attempt_carries_the_same_dedup_key"},
        "must_pass": {"test_5xx_is_retried", "test_timeout_is_retried"},
    },
    "LetsHttpxLogTheUrl": {
        "must_fail": {"test_logs_never_contain_the_webhook_url"},
        "must_pass": {"test_failures_never_reveal_the_webhook_url"},
    },
    "ResolvesAsATrigger": {
        "must_fail": {
            "test_a_resolve_closes_the_key_its_trigger_opened",
            "test_a_retried_resolve_stays_a_resolve_of_the_same_key",
        },
        "must_pass": {"test_every_attempt_carries_the_same_dedup_key"},
    },
    "ResolvesAnotherKey": {
        "must_fail": {
            "test_a_resolve_closes_the_key_its_trigger_opened",
            "test_a_retried_resolve_stays_a_resolve_of_the_same_key",
        },
        "must_pass": {"test_every_attempt_carries_the_same_dedup_key"},
    },
    "DeclaresNoLimits": {
        "must_fail": {
            "test_declares_its_service_limits",
            "test_an_oversized_notification_stays_within_the_declared_limits",
        },
        "must_pass": {"test_messages_of_any_length_and_unicode_are_delivered"},
    },
    "SendsMoreThanItDeclares": {
        "must_fail": {
            "test_an_oversized_notification_stays_within_the_declared_limits",
            "test_messages_of_any_length_and_unicode_are_delivered",
        },
        "must_pass": {"test_declares_its_service_limits", "test_short_unicode_text_arrives_intact"},
    },
    "NeverTruncates": {
        "must_fail": {
            "test_messages_of_any_length_and_unicode_are_delivered",
            "test_an_oversized_notification_stays_within_the_declared_limits",
        },
        "must_pass": {"test_short_unicode_text_arrives_intact", "test_declares_its_service_limits"},
    },
    "IgnoresTheDeadline": {
        "must_fail": {
            "test_persistent_5xx_gives_up_within_the_deadline",
            "test_retry_after_beyond_the_deadline_is_not_waited_for",
        },
        "must_pass": {"test_5xx_is_retried", "test_client_errors_are_not_retried"},
    },
}


@pytest.fixture(scope="module")
def warm_imports() -> None:
    """Send once (a timeout, a broken response, a success) so that everything httpx, httpcore,
    anyio and dq import lazily on first use is imported out here, before the nested sessions:
    httpx maps httpcore's exception classes by identity, and dq's enums compare with ``is``."""
    sink = dq_contract.servers.HttpSink()
    with sink:
        sink.script([Reply(200, delay=1.0), Reply(502, body="x" * 8, malformed=True)])
        notifier = WebhookNotifier(sink.url, timeout=0.2, backoff=0.01)
        delivery = anyio.run(notifier.send, NotifierContract.notification())
    assert delivery.status is dq.DeliveryStatus.DELIVERED, delivery.error


@pytest.fixture
def fresh_contract(monkeypatch: pytest.MonkeyPatch, warm_imports: None) -> Iterator[None]:
    """Make the nested session import dq_contract.notifier anew, then restore hypothesis."""
    yield from fresh_import(monkeypatch, "dq_contract.notifier")


def outcomes(pytester: pytest.Pytester, name: str, selected: set[str]) -> tuple[set[str], set[str]]:
    """Run the *selected* contract tests against broken notifier *name*: (passed, failed)."""
    return run_contract(pytester, MODULE.format(name=name), "-k", " or ".join(sorted(selected)))


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_notifier_fails_the_contract_where_it_is_broken(
    pytester: pytest.Pytester, fresh_contract: None, name: str
) -> None:
    case = CASES[name]
    should_pass = case["must_pass"] | ALWAYS_PASS
    passed, failed = outcomes(pytester, name, case["must_fail"] | should_pass)
    assert case["must_fail"] <= failed, f"not caught: {sorted(case['must_fail'] - failed)}"
    assert should_pass <= passed, f"collateral failures: {sorted(should_pass - passed)}"
    # A test "passed" for one parametrization and failed for another is a failure.
    assert not (should_pass & failed), f"collateral failures: {sorted(should_pass & failed)}"
