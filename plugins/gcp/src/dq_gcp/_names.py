"""dq paths ↔ Secret Manager secret ids, one documented, collision-free rule.

Secret ids allow ``[A-Za-z0-9_-]{1,255}``
(https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets/create);
dq paths are segments of ``A-Za-z0-9_.@+=-`` joined by ``/``. The rule:

* each ``/`` becomes ``--``: ``app/db/password`` → ``app--db--password``;
* a path is refused (``dq.InvalidSecretPath``, before any request) if a segment contains
  ``--``, starts or ends with ``-``, or contains ``. @ + =`` (characters ids cannot hold), or
  if the id would be longer than 255 characters.

Why it is collision-free: with those refusals no segment contains ``--`` and none touches a
separator with a ``-``, so every ``--`` in an id is a separator and ``id.split("--")`` gives
back exactly the segments. Two different paths always make two different ids, and
:func:`path_of` inverts :func:`secret_id` (a hypothesis property tests both).
"""

from __future__ import annotations

import re

import dq

MAX_ID = 255
SEPARATOR = "--"
_SEGMENT = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?")


def _check_segments(path: str) -> list[str]:
    segments = path.split("/")
    for segment in segments:
        if SEPARATOR in segment or not _SEGMENT.fullmatch(segment):
            raise dq.InvalidSecretPath(
                f"secret path {path[:80]!r} cannot be a Google Secret Manager id: segments "
                "hold letters, digits, '_' and single '-' (not first or last), because '/' "
                "maps to '--' and ids allow only [A-Za-z0-9_-]"
            )
    return segments


def secret_id(prefix: str, path: str) -> str:
    """The secret id for dq *path* under folder *prefix* (validated, before anything else)."""
    path = dq.validate_secret_path(path)
    full = f"{prefix}/{path}" if prefix else path
    identifier = SEPARATOR.join(_check_segments(full))
    if len(identifier) > MAX_ID:
        raise dq.InvalidSecretPath(
            f"secret path {path[:60]!r}... makes an id of {len(identifier)} characters; "
            f"Google Secret Manager allows {MAX_ID}"
        )
    return identifier


def folder_id(prefix: str, folder: str) -> str:
    """The id prefix every secret below *folder* starts with (``""`` for the root)."""
    folder = dq.validate_secret_prefix(folder)
    full = "/".join(part for part in (prefix, folder) if part)
    start = SEPARATOR.join(_check_segments(full)) + SEPARATOR if full else ""
    if len(start) >= MAX_ID:
        raise dq.InvalidSecretPath(
            f"list prefix {folder[:60]!r}... is too long: no secret id of at most {MAX_ID} "
            "characters can lie below it"
        )
    return start


def path_of(identifier: str) -> str | None:
    """The dq path a secret id stands for, or ``None`` if no dq path maps to it."""
    segments = identifier.split(SEPARATOR)
    try:
        path = dq.validate_secret_path("/".join(segments))
        _check_segments(path)
    except dq.InvalidSecretPath:
        return None
    return path
