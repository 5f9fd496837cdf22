"""The claim a check-and-set writer leaves on a secret before it adds the next version.

Secret Manager has no conditional ``addVersion``; dq-gcp makes one from the secret's etag. A
writer with ``cas=n`` patches the secret's annotation :data:`CAS_ANNOTATION` to
``"{n+1}@{unix seconds}"`` carrying the etag it read, so of two racers only the first patch
succeeds. The etag alone cannot stop a writer that read the etag *after* a racer's patch: the
live claim in the annotation does. A claim expires after :data:`CLAIM_SECONDS` so that a writer
that died between its claim and its add never blocks check-and-set for good.
"""

from __future__ import annotations

CAS_ANNOTATION = "dq-cas-version"
#: How long a writer's claim on the next version holds (``N@unix-seconds``): long enough to
#: add the version after the claim, short enough that a writer that died in between never
#: blocks check-and-set for more than this.
CLAIM_SECONDS = 60.0


def live_claim(annotation: object, now: float) -> int | None:
    """The version number a writer claimed and has not had time to add yet, or None."""
    if not isinstance(annotation, str):
        return None
    number, _, at = annotation.partition("@")
    try:
        claimed, since = int(number), float(at)
    except ValueError:  # no timestamp (an older dq-gcp) or not ours: not a live claim
        return None
    return claimed if 0 <= now - since < CLAIM_SECONDS else None


def claim(version: int, now: float) -> str:
    """The annotation value that claims *version* at time *now*."""
    return f"{version}@{now:.3f}"
