"""Notifications (what dq wants said) and deliveries (what happened when it tried)."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from dq.model._tenants import TenantId


class Level(enum.Enum):
    """Routing level of a notification; channels subscribe to levels."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    CRITICAL = "critical"


class NotificationKind(enum.Enum):
    """Where a notification sits in an incident's life.

    A TRIGGER opens (or repeats) an incident; a RESOLVE closes the incident that a
    trigger with the same ``dedup_key`` opened. Services with an incident model
    (PagerDuty, Opsgenie) map these to their own actions; chat channels render a
    resolve as an "all clear" message.
    """

    TRIGGER = "trigger"
    RESOLVE = "resolve"


@attrs.frozen(kw_only=True)
class Link:
    title: str
    url: str


@attrs.frozen(kw_only=True)
class RuleFailure:
    """One failing rule as a notification carries it: enough to render a line, no samples.

    Samples are left out on purpose: they are row values, which may be personal
    data, and a chat channel is the wrong place for them.
    """

    rule_id: str
    check: str
    column: str | None = None
    severity: str = "error"
    failed_count: int = 0
    element_count: int = 0
    message: str = ""


@attrs.frozen(kw_only=True)
class Notification:
    """A service-neutral message; each notifier renders it in its own format.

    ``dedup_key`` identifies the *event* (suite + data + failure), not the
    attempt: a retried or replayed send carries the same key so the receiving
    service (PagerDuty, Opsgenie ...) never pages twice for one event.
    """

    title: str
    summary: str
    level: Level
    dedup_key: str
    tenant: TenantId | None = None
    fields: dict[str, str] = attrs.field(factory=dict)
    links: tuple[Link, ...] = ()
    #: The failing rules of a check result, worst first; empty for other messages.
    failures: tuple[RuleFailure, ...] = ()
    created_at: datetime | None = None
    #: Trigger (open) or resolve (close) the incident named by ``dedup_key``; since hook API 1.2.
    kind: NotificationKind = NotificationKind.TRIGGER


class DeliveryStatus(enum.Enum):
    DELIVERED = "delivered"
    #: Failed after every allowed retry; kept in the outbox for replay.
    FAILED = "failed"
    #: Deliberately not sent (cooldown, routing, dedup).
    SUPPRESSED = "suppressed"


@attrs.frozen(kw_only=True)
class Delivery:
    """The outcome of one notification on one channel. ``error`` never holds a URL or token."""

    channel: str
    status: DeliveryStatus
    dedup_key: str
    attempts: int = 0
    response_status: int | None = None
    error: str = ""
    finished_at: datetime | None = None
