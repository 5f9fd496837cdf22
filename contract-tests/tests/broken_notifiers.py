"""Deliberately broken notifiers: each breaks exactly one rule of docs/contracts/notifier.md.

A contract is only as good as what it catches (DESIGN.md §4). Each class subclasses the
correct reference WebhookNotifier and overrides one method with a mistake a real notifier
author could plausibly make; tests/test_broken_notifiers.py runs the contract against each
and asserts that it fails, and in the test that pins the broken rule.
"""

from __future__ import annotations

from typing import Any

import attrs
import dq
import httpx
from dq_contract import reference_notifier
from dq_contract.reference_notifier import WebhookNotifier, _encode


class RetriesClientErrors(WebhookNotifier):
    """Treats every error status as transient, so a bad payload is sent five times."""

    def is_retryable(self, status: int) -> bool:
        return status >= 400


class IgnoresRetryAfter(WebhookNotifier):
    """Backs off on its own schedule after a 429, hammering a rate-limited service."""

    def retry_delay(self, response: httpx.Response, attempt: int) -> float:
        return self.backoff_delay(attempt)


class UrlInError(WebhookNotifier):
    """Helpfully says where it posted when a delivery fails."""

    def _delivery(
        self,
        notification: dq.Notification,
        status: dq.DeliveryStatus,
        attempts: int,
        response_status: int | None,
        error: str = "",
    ) -> dq.Delivery:
        delivery = super()._delivery(notification, status, attempts, response_status, error)
        if status is dq.DeliveryStatus.FAILED:
            url = self._url.reveal_text()
            return attrs.evolve(delivery, error=f"{error} (POST {url})")
        return delivery


class NewDedupKeyPerAttempt(WebhookNotifier):
    """Makes the idempotency key unique per attempt, so each retry can page again."""

    def headers(self, notification: dq.Notification, attempt: int) -> dict[str, str]:
        headers = super().headers(notification, attempt)
        headers["Idempotency-Key"] = f"{notification.dedup_key}-{attempt}"
        return headers


class NeverTruncates(WebhookNotifier):
    """Sends the whole message whatever its size; the service answers 413."""

    def render(self, notification: dq.Notification) -> bytes:
        return _encode(self.payload(notification))


class LetsHttpxLogTheUrl(WebhookNotifier):
    """Forgets that httpx logs every request line, URL and token included, at INFO."""

    def __init__(self, url: Any, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)
        reference_notifier._REDACT.secrets -= self._secrets


class IgnoresTheDeadline(WebhookNotifier):
    """Retries a failing service forever (for as long as Retry-After says, too)."""

    def __init__(self, url: Any, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)
        self.max_attempts = 10**6
        self.deadline = 10.0**6


class ResolvesAsATrigger(WebhookNotifier):
    """Ignores ``Notification.kind``: a resolve goes out as one more trigger."""

    def payload(self, notification: dq.Notification) -> dict[str, Any]:
        return {**super().payload(notification), "kind": "trigger"}


class ResolvesAnotherKey(WebhookNotifier):
    """Derives a fresh key for the resolve, so the incident the trigger opened stays open."""

    def payload(self, notification: dq.Notification) -> dict[str, Any]:
        payload = super().payload(notification)
        if notification.kind is dq.NotificationKind.RESOLVE:
            payload["dedup_key"] = f"{notification.dedup_key}-resolved"
        return payload

    def headers(self, notification: dq.Notification, attempt: int) -> dict[str, str]:
        headers = super().headers(notification, attempt)
        if notification.kind is dq.NotificationKind.RESOLVE:
            headers["Idempotency-Key"] = f"{notification.dedup_key}-resolved"
        return headers


class DeclaresNoLimits(WebhookNotifier):
    """Truncates correctly, but never tells dq what its service's limits are."""

    def __init__(self, url: Any, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)
        del self.limits


class SendsMoreThanItDeclares(WebhookNotifier):
    """Declares a quarter of the size it actually fits its bodies into."""

    def __init__(self, url: Any, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)
        self.limits = {"request_bytes": self.max_body_bytes // 4}
