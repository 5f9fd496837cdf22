"""Standard Webhooks signing and ``verify``: the spec's published example, and each way a
request must be refused (tampered, wrong secret, stale or future timestamp, missing header)."""

from __future__ import annotations

import base64
import time

import dq
import pytest
from dq_webhook import WebhookVerificationError, new_secret, sign, verify
from dq_webhook._signing import signing_key
from hypothesis import given, settings
from hypothesis import strategies as st

# The example in the Standard Webhooks specification's "Signature scheme" section.
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def headers(msg_id: str, stamp: int, signature: str) -> dict[str, str]:
    return {"Webhook-Id": msg_id, "Webhook-Timestamp": str(stamp), "Webhook-Signature": signature}


def test_sign_reproduces_the_specifications_example() -> None:
    assert sign(signing_key(SPEC_SECRET), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


def test_verify_accepts_the_specifications_example_within_the_window() -> None:
    found = verify(
        SPEC_BODY,
        headers(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE),
        SPEC_SECRET,
        now=SPEC_TIMESTAMP + 10,
    )
    assert found == {"test": 2432232314}


def test_one_valid_signature_among_several_is_enough() -> None:
    other = "v1,Ceb6r9f0yzdEDp0ywD3SjWKJ4vsJXpSHt6AM5Zk2cJ4="
    value = f"v2,abc {other} {SPEC_SIGNATURE}"
    verify(SPEC_BODY, headers(SPEC_ID, SPEC_TIMESTAMP, value), SPEC_SECRET, now=SPEC_TIMESTAMP)


@pytest.mark.parametrize(
    ("body", "secret", "now", "message"),
    [
        (b'{"test": 2432232315}', SPEC_SECRET, SPEC_TIMESTAMP, "no matching v1 signature"),
        (SPEC_BODY, new_secret(), SPEC_TIMESTAMP, "no matching v1 signature"),
        (SPEC_BODY, SPEC_SECRET, SPEC_TIMESTAMP + 301, "too old"),
        (SPEC_BODY, SPEC_SECRET, SPEC_TIMESTAMP - 301, "too new"),
    ],
)
def test_verify_refuses_what_must_not_be_trusted(
    body: bytes, secret: str, now: int, message: str
) -> None:
    with pytest.raises(WebhookVerificationError, match=message):
        verify(body, headers(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE), secret, now=now)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_verify_names_a_missing_header(missing: str) -> None:
    sent = {
        k: v
        for k, v in headers(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE).items()
        if k.lower() != missing
    }
    with pytest.raises(WebhookVerificationError, match=f"missing header {missing}"):
        verify(SPEC_BODY, sent, SPEC_SECRET, now=SPEC_TIMESTAMP)


def test_a_replayed_request_is_refused_once_the_window_has_passed() -> None:
    secret = new_secret()
    stamp = int(time.time()) - 600
    sent = headers("m1", stamp, sign(signing_key(secret), "m1", stamp, b"{}"))
    with pytest.raises(WebhookVerificationError, match="too old"):
        verify(b"{}", sent, secret)
    assert verify(b"{}", sent, secret, tolerance=900) == {}


def test_errors_never_show_the_secret() -> None:
    secret = new_secret()
    with pytest.raises(WebhookVerificationError) as caught:
        verify(
            SPEC_BODY, headers(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE), secret, now=SPEC_TIMESTAMP
        )
    assert secret.removeprefix("whsec_") not in str(caught.value)
    with pytest.raises(ValueError) as bad:
        signing_key("whsec_" + base64.b64encode(b"short").decode())
    assert "24-64 bytes" in str(bad.value)


@settings(max_examples=50, deadline=None)
@given(
    body=st.binary(max_size=2_000),
    msg_id=st.text(min_size=1, max_size=40).filter(lambda s: s.isascii() and s.isprintable()),
)
def test_any_signed_body_verifies_and_any_changed_byte_does_not(body: bytes, msg_id: str) -> None:
    secret = dq.SecretValue(new_secret())
    stamp = int(time.time())
    sent = headers(msg_id, stamp, sign(signing_key(secret), msg_id, stamp, body))
    try:
        verify(body, sent, secret)
    except WebhookVerificationError as exc:
        assert str(exc) == "the signed body is not JSON"  # signature itself was accepted
    tampered = body + b" " if body else b"x"
    with pytest.raises(WebhookVerificationError):
        verify(tampered, sent, secret)
