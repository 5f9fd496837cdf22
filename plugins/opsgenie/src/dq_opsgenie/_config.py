"""The configuration of the ``opsgenie`` notifier: what users write under ``[notify.channels.X]``.

dq structures the user's table into :class:`OpsgenieConfig` with its strict shared converter
before calling the factory, so unknown keys and wrong types are reported at their exact path.
This module stays light (attrs and dq only): ``dq plugins info`` imports it to list the fields.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import attrs
import dq

#: Alert API hosts (Opsgenie's Alert API reference: US and EU instances).
HOSTS = {"us": "https://api.opsgenie.com", "eu": "https://api.eu.opsgenie.com"}
#: Opsgenie documents field limits, not a body limit; the fields' limits bound a body at
#: about 25,000 characters, and we keep each request under this many bytes.
MAX_REQUEST_BYTES = 64_000


def _positive(_inst: object, attribute: attrs.Attribute, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


def _api_key(_inst: object, attribute: attrs.Attribute, value: dq.SecretValue) -> None:
    """A key that cannot go in a header is refused here, naming the field, never the value."""
    if not isinstance(value, dq.SecretValue):
        raise TypeError(f"{attribute.name} must be a dq.SecretValue (the API key is a secret)")
    try:
        text = value.reveal_text()
    except UnicodeDecodeError:
        text = ""
    if not text or not text.isascii() or not text.isprintable() or " " in text:
        raise ValueError(
            f"{attribute.name} must be the API key of an Opsgenie API integration (printable "
            "ASCII, no spaces; not shown: it is a secret); copy it from Settings > "
            "Integrations > API, or check the ${secret:…} reference it came from"
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
            f"{attribute.name} must be the http(s) base URL of an Opsgenie API such as "
            f"https://api.opsgenie.com (no credentials), got {value!r}"
        )


@attrs.frozen(kw_only=True)
class OpsgenieConfig:
    """Where and how to create and close alerts.

    ``api_key`` is the key of an *API integration* (with create-and-update access); it is a
    :class:`dq.SecretValue`: masked in repr, logs and ``dq plugins info``, and revealed only
    into the ``Authorization: GenieKey …`` header. Write it as a reference:
    ``api_key = "${secret:vault:opsgenie#api_key}"``.
    """

    api_key: dq.SecretValue = attrs.field(metadata={"secret": True}, validator=_api_key)
    #: ``us`` (api.opsgenie.com) or ``eu`` (api.eu.opsgenie.com): your account's instance.
    region: str = attrs.field(default="us", validator=_region)
    #: Overrides the API's base URL (a proxy, a local stand-in in tests); wins over ``region``.
    url: str | None = attrs.field(default=None, validator=_url)
    #: ``source`` of alerts and closes (at most 100 characters).
    source: str = "dq"
    #: Extra tags on every alert (the tenant and suite are added as ``tenant:…``, ``suite:…``).
    tags: tuple[str, ...] = ()
    #: Seconds one HTTP attempt may take (connect + send + answer).
    timeout: float = attrs.field(default=10.0, validator=_positive)
    #: Seconds one send may take, retries and waits included; then the delivery is FAILED
    #: (and kept by dq's outbox for replay) rather than late.
    deadline: float = attrs.field(default=60.0, validator=_positive)
    #: Attempts per send, the first included.
    max_attempts: int = attrs.field(default=6, validator=_positive)
    #: First backoff in seconds after a 5xx, a 429 or a timeout; doubled, with jitter.
    backoff: float = attrs.field(default=0.5, validator=_positive)
    #: The most failing rules listed in the description; the rest are counted.
    max_failures: int = attrs.field(default=50, validator=_positive)
    #: Upper bound of one request body; texts are shrunk to fit.
    max_body_bytes: int = attrs.field(default=MAX_REQUEST_BYTES)
    #: The channel name reported in each ``dq.Delivery`` (dq sets it to the channel's name).
    channel: str = "opsgenie"

    @max_body_bytes.validator
    def _check_body(self, attribute: attrs.Attribute, value: int) -> None:
        if not 16_384 <= value <= 1_000_000:
            raise ValueError(f"{attribute.name} must be between 16384 and 1000000, got {value!r}")

    @property
    def base_url(self) -> str:
        return (self.url or HOSTS[self.region]).rstrip("/")
