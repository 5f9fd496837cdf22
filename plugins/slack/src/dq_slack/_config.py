"""The configuration of the ``slack`` notifier: what users write under ``[notify.channels.X]``.

dq structures the user's table into :class:`SlackConfig` with its strict shared converter before
calling the factory, so unknown keys and wrong types are reported at their exact path. This
module stays light (attrs and dq only): ``dq plugins info`` imports it to list the fields.

Only options Slack still honours for app-created incoming webhooks are offered. Such a
webhook is bound to one channel and one app identity when it is created; Slack ignores
``channel``, ``username``, ``icon_emoji`` and ``icon_url`` in the payload (they worked only for
the legacy custom integrations). ``unfurl_links``/``unfurl_media`` are honoured, hence
:attr:`SlackConfig.unfurl`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import attrs
import dq


def _positive(_inst: object, attribute: attrs.Attribute, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


def _webhook_url(_inst: object, attribute: attrs.Attribute, value: dq.SecretValue) -> None:
    """Fail at configuration time, naming the field but never echoing the (secret) value."""
    if not isinstance(value, dq.SecretValue):
        raise TypeError(f"{attribute.name} must be a dq.SecretValue (the webhook URL is a secret)")
    try:
        text = value.reveal_text()
        parts = urlsplit(text)
        ok = parts.scheme in ("https", "http") and bool(parts.hostname) and text.isprintable()
    except (UnicodeDecodeError, ValueError):
        ok = False
    if not ok or any(c.isspace() for c in text):
        raise ValueError(
            f"{attribute.name} must be an https URL such as "
            "https://hooks.slack.com/services/T…/B…/…; the value given is not one "
            "(not shown: it is a secret). Copy it again from the app's Incoming Webhooks page "
            "or check the ${secret:…} reference it came from"
        )


@attrs.frozen(kw_only=True)
class SlackConfig:
    """Where and how to post.

    ``url`` is the webhook URL, which *is* the credential (anyone holding it can post), so it
    is a :class:`dq.SecretValue`: masked in repr, logs and ``dq plugins info``, and revealed
    only when a request is sent. Write it as a reference, ``url = "${secret:vault:slack#url}"``.
    """

    url: dq.SecretValue = attrs.field(metadata={"secret": True}, validator=_webhook_url)
    #: Seconds one HTTP attempt may take (connect + send + answer).
    timeout: float = attrs.field(default=10.0, validator=_positive)
    #: Seconds one send may take, retries and waits included; then the delivery is FAILED
    #: (and kept by dq's outbox for replay) rather than late.
    deadline: float = attrs.field(default=60.0, validator=_positive)
    #: Attempts per send, the first included.
    max_attempts: int = attrs.field(default=6, validator=_positive)
    #: First backoff in seconds after a 5xx or a timeout, doubled per attempt, with jitter.
    backoff: float = attrs.field(default=0.5, validator=_positive)
    #: The most failing rules listed one per line; the rest are counted ("… and 37 more").
    max_failures: int = attrs.field(default=20, validator=_positive)
    #: Upper bound of one request body. Slack documents no byte limit for webhooks; this keeps
    #: a message that is within every Block Kit limit from being huge (it is shrunk to fit).
    max_body_bytes: int = attrs.field(default=256_000, validator=_positive)
    #: Let Slack expand links (run pages, dashboards) into previews. Off: alerts stay compact.
    unfurl: bool = False
    #: The channel name reported in each ``dq.Delivery`` (dq sets it to the channel's name).
    channel: str = "slack"
