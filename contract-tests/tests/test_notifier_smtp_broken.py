"""Deliberately broken email notifiers must fail the SMTP contract, in the test pinning the bug
(run in a nested pytest session, as test_broken_notifiers.py does for HTTP)."""

from __future__ import annotations

from collections.abc import Iterator

import aiosmtplib  # noqa: F401  (imported before the nested sessions, see broken_harness)
import dq_contract.smtp_sink  # noqa: F401
import pytest
import test_notifier_smtp_reference  # noqa: F401
from broken_harness import fresh_import, run_contract

MODULE = """
import pytest
from dq_contract.notifier_smtp import SmtpNotifierContract
from test_notifier_smtp_reference import ReferenceSmtpNotifier


class OpportunisticTls(ReferenceSmtpNotifier):
    '''start_tls=None: upgrades only "if supported", so a stripped server gets plain text.'''

    def start_tls(self):
        return None

    async def send(self, note):
        self._user = None  # no AUTH either, or the plain server would refuse before MAIL
        return await super().send(note)


class Retries5xx(ReferenceSmtpNotifier):
    '''Treats every error reply as transient, so a rejected message is sent again.'''

    def retryable(self, code):
        return code >= 400


class TestBroken(SmtpNotifierContract):
    timeout_seconds = 0.5
    deadline_seconds = 3.0

    @pytest.fixture
    def notifier(self, smtp_sink):
        return {name}(smtp_sink, self.sender, self.recipients)
"""

CASES = {
    "Retries5xx": ({"test_5xx_is_not_retried"}, {"test_4xx_is_retried"}),
    "OpportunisticTls": (
        {"test_a_server_that_stops_offering_starttls_gets_nothing"},
        {"test_satisfies_the_notifier_protocol"},
    ),
}


@pytest.fixture
def fresh_contract(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    yield from fresh_import(monkeypatch, "dq_contract.notifier_smtp")


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_email_notifier_fails_the_smtp_contract_where_it_is_broken(
    pytester: pytest.Pytester, fresh_contract: None, name: str
) -> None:
    must_fail, must_pass = CASES[name]
    passed, failed = run_contract(
        pytester, MODULE.replace("{name}", name), "-k", " or ".join(sorted(must_fail | must_pass))
    )
    assert must_fail <= failed, f"not caught: {sorted(must_fail - failed)}"
    assert must_pass <= passed, f"collateral failures: {sorted(must_pass - passed)}"
