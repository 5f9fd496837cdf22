"""The configuration of the ``pagerduty`` notifier: what users write under ``[notify.channels.X]``.

dq structures the user's table into :class:`PagerDutyConfig` with its strict shared converter
before calling the factory, so unknown keys and wrong types are reported at their exact path.
This module stays light (attrs and dq only): ``dq plugins info`` imports it to list the fields.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import attrs
import dq

#: Events API v2 hosts (PagerDuty's "Send an Alert Event" reference; EU service region).
HOSTS = {"us": "https://events.pagerduty.com", "eu": "https://events.eu.pagerduty.com"}
ENQUEUE_PATH = "/v2/enqueue"
#: The largest body PagerDuty accepts for one event (512 KB), kept with a little headroom.
MAX_REQUEST_BYTES = 512_000


def _positive(_inst: object, attribute: attrs.Attribute, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


def _routing_key(_inst: object, attribute: attrs.Attribute, value: dq.SecretValue) -> None:
    """PagerDuty answers 400 to a key that is not 32 alphanumerics; say so before sending,
    naming the field but never echoing the (secret) value."""
    if not isinstance(value, dq.SecretValue):
        raise TypeError(f"{attribute.name} must be a dq.SecretValue (the routing key is a secret)")
    try:
        text = value.reveal_text()
    except UnicodeDecodeError:
        text = ""
    if len(text) != 32 or not (text.isascii() and text.isalnum()):
        raise ValueError(
            f"{attribute.name} must be the 32-character Integration Key of an Events API v2 "
            f"integration (got {len(text)} characters, not shown: it is a secret); copy it "
            "from the service's Integrations tab, not a REST API key, or check the "
            "${secret:…} reference it came from"
        )


def _region(_inst: object, attribute: attrs.Attribute, value: str) -> None:
    if value not in HOSTS:
        raise ValueError(f"{attribute.name} must be one of {sorted(HOSTS)}, got {value!r}")


def _url(_inst: object, attribute: attrs.Attribute, value: str | None) -> None:
    if value is None:
        return
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username:
        raise ValueError(
            f"{attribute.name} must be an http(s) URL of an Events API v2 endpoint such as "
            f"https://events.pagerduty.com{ENQUEUE_PATH} (no credentials in it), got {value!r}"
        )


@attrs.frozen(kw_only=True)
class PagerDutyConfig:
    """Where and how to send events.

    ``routing_key`` is the integration key of an *Events API v2* integration on a service; it
    is a :class:`dq.SecretValue`: masked in repr, logs and ``dq plugins info``, and revealed
    only into the request body. Write it as a reference:
    ``routing_key = "${secret:vault:pagerduty#routing_key}"``.
    """

    routing_key: dq.SecretValue = attrs.field(metadata={"secret": True}, validator=_routing_key)
    #: ``us`` (events.pagerduty.com) or ``eu`` (events.eu.pagerduty.com): your account's region.
    region: str = attrs.field(default="us", validator=_region)
    #: Overrides the endpoint (a proxy, a local stand-in in tests); wins over ``region``.
    url: str | None = attrs.field(default=None, validator=_url)
    #: ``payload.source``: the affected system as PagerDuty shows it.
    source: str = "dq"
    #: ``client``: the monitoring tool's name shown on the alert.
    client: str = "dq"
    #: ``client_url``: a link back to dq (a run browser); empty to leave it out.
    client_url: str = ""
    #: Seconds one HTTP attempt may take (connect + send + answer).
    timeout: float = attrs.field(default=10.0, validator=_positive)
    #: Seconds one send may take, retries and waits included; then the delivery is FAILED
    #: (and kept by dq's outbox for replay) rather than late.
    deadline: float = attrs.field(default=60.0, validator=_positive)
    #: Attempts per send, the first included.
    max_attempts: int = attrs.field(default=6, validator=_positive)
    #: First backoff in seconds after a 5xx, 429 without Retry-After or a timeout; doubled
    #: per attempt, with jitter.
    backoff: float = attrs.field(default=0.5, validator=_positive)
    #: The most failing rules listed in ``custom_details``; the rest are counted.
    max_failures: int = attrs.field(default=50, validator=_positive)
    #: Upper bound of one request body (PagerDuty's is 512 KB); smaller values shrink events.
    max_body_bytes: int = attrs.field(default=MAX_REQUEST_BYTES)
    #: The channel name reported in each ``dq.Delivery`` (dq sets it to the channel's name).
    channel: str = "pagerduty"

    @max_body_bytes.validator
    def _check_body(self, attribute: attrs.Attribute, value: int) -> None:
        if not 8_192 <= value <= MAX_REQUEST_BYTES:
            raise ValueError(
                f"{attribute.name} must be between 8192 and {MAX_REQUEST_BYTES} (PagerDuty's "
                f"limit), got {value!r}"
            )

    @property
    def endpoint(self) -> str:
        return self.url or HOSTS[self.region] + ENQUEUE_PATH
