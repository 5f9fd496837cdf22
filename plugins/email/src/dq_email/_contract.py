"""The contract dq-email is judged by: dq-contract-tests' SMTP notifier contract (the bare
notifier contract's HTTP sink cannot speak SMTP), with the timings dq-email's tests and
``dq plugins verify email`` configure. ``DQ_CONTRACT`` in the hook module points here; only
the tests and verify import this module (it needs ``dq-contract-tests[smtp]``):

    dq plugins verify email --set host={smtp_sink.host} port={smtp_sink.port} \\
        ca_file={smtp_sink.ca_file} username={smtp_sink.username} \\
        password={smtp_sink.password} sender=dq-alerts@example.com \\
        'recipients=["oncall@example.com","data-team@example.com"]' \\
        timeout=0.5 deadline=3 backoff=0.05 max_message_bytes=200000
"""

from __future__ import annotations

from dq_contract.notifier_smtp import SmtpNotifierContract

#: What a notifier under this contract must be configured with, besides the sink's address,
#: trust and credentials (``--set`` for verify).
CONTRACT_CONFIG = {
    "sender": SmtpNotifierContract.sender,
    "recipients": list(SmtpNotifierContract.recipients),
    "timeout": 0.5,
    "deadline": 3.0,
    "backoff": 0.05,
    "max_message_bytes": 200_000,
}


class EmailContract(SmtpNotifierContract):
    timeout_seconds = CONTRACT_CONFIG["timeout"]
    deadline_seconds = CONTRACT_CONFIG["deadline"]
