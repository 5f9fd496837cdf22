"""One send, retried only when a retry can help, and never past the deadline.

The loop is service-neutral; what an HTTP answer *means* is decided by a ``judge``
(``WebhookNotifier.judge``) that turns each response into a :class:`Verdict`:

* success — DELIVERED;
* final failure (any 4xx but 429) — FAILED at once: it would fail the
  same way again, and each repeat delays the outbox;
* retryable (429, 5xx) with a wait — ``Retry-After`` when the service sent one, else
  exponential backoff with jitter.

Timeouts and transport errors (refused, reset, a response broken off) are retried with
backoff: the dedup key makes a repeat harmless even when the first attempt did land. A wait
that would end past the deadline is not started: FAILED now, so dq's outbox can replay it.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime

import anyio
import attrs
import httpx

logger = logging.getLogger("dq_webhook")

#: The longest single backoff wait, however many attempts came before.
MAX_BACKOFF = 30.0


@attrs.frozen
class Verdict:
    """What one HTTP answer means: ``error`` is "" on success; ``retry`` says whether to try
    again (after ``wait`` seconds, or the backoff when None)."""

    status: int | None
    error: str = ""
    retry: bool = False
    wait: float | None = None


@attrs.frozen
class Outcome:
    """How a whole send ended."""

    delivered: bool
    attempts: int
    status: int | None
    error: str = ""


@attrs.frozen(kw_only=True)
class Policy:
    timeout: float
    deadline: float
    max_attempts: int
    backoff: float

    def backoff_delay(self, attempt: int) -> float:
        """Exponential with "equal jitter": half fixed, half random, so that senders throttled
        together do not all come back in the same instant."""
        base = min(self.backoff * 2 ** (attempt - 1), MAX_BACKOFF)
        return base / 2 + random.uniform(0, base / 2)


async def post_until_settled(
    client: httpx.AsyncClient,
    request: Callable[[float], httpx.Request],
    judge: Callable[[httpx.Response], Verdict],
    policy: Policy,
) -> Outcome:
    """POST ``request(timeout)`` until it succeeds, fails for good, or the deadline nears.

    *request* builds the same bytes every time (same body, same dedup key): a retry is the
    same event, never a new one.
    """
    give_up_at = time.monotonic() + policy.deadline
    attempts = 0
    while True:
        attempts += 1
        remaining = give_up_at - time.monotonic()
        timeout = max(min(policy.timeout, remaining), 0.001)
        try:
            response = await client.send(request(timeout))
            verdict = judge(response)
        except httpx.TimeoutException:
            verdict = Verdict(None, f"timed out after {timeout:.3g} s", retry=True)
        except httpx.TransportError as exc:  # refused, reset, a response broken off …
            verdict = Verdict(None, f"connection failed ({_kind(exc)})", retry=True)
        except httpx.HTTPError as exc:  # e.g. an invalid URL: its message may embed it
            verdict = Verdict(None, f"request could not be sent ({_kind(exc)})")
        if not verdict.error:
            return Outcome(True, attempts, verdict.status)
        if not verdict.retry:
            return Outcome(False, attempts, verdict.status, verdict.error)
        wait = verdict.wait if verdict.wait is not None else policy.backoff_delay(attempts)
        if attempts >= policy.max_attempts:
            reason = f"gave up after {attempts} attempts; last: {verdict.error}"
        elif time.monotonic() + wait >= give_up_at:
            reason = (
                f"gave up after {attempts} attempt(s): waiting {wait:.3g} s more would pass "
                f"the {policy.deadline:g} s deadline; last: {verdict.error}"
            )
        else:
            logger.debug(
                "attempt %d failed (%s); retrying in %.2f s", attempts, verdict.error, wait
            )
            await anyio.sleep(wait)
            continue
        return Outcome(False, attempts, verdict.status, reason)


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date), or None."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if math.isnan(seconds):
        return None
    return max(seconds, 0.0)


def _kind(exc: BaseException) -> str:
    """An exception's class name, plus its cause's: never its message (httpx puts the URL
    into some messages)."""
    cause = exc.__cause__ or exc.__context__
    if cause is not None and type(cause).__name__ != type(exc).__name__:
        return f"{type(exc).__name__} from {type(cause).__name__}"
    return type(exc).__name__
