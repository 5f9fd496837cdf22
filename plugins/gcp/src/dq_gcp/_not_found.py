"""Which answers mean "this secret value is not there", and how dq-gcp words them.

A resolver falls through to its next backend only on :class:`dq.SecretNotFound`, so the reason
matters: ``missing`` (404), ``deleted`` (the version is disabled; ``undelete`` brings it back),
``destroyed`` (its data is gone), ``field`` (the version has no such field). Anything else the
caller did not expect is a :class:`~dq_gcp.GcpRequestError`, which stops the run. Messages
name fields, never values.
"""

from __future__ import annotations

from collections.abc import Mapping

import dq

from dq_gcp._client import GcpHttp, Reply


def unexpected(http: GcpHttp, reply: Reply, what: str) -> Exception:
    """A 404 or 400 the caller did not expect, as a dq error."""
    where = http.where()
    if reply.status == 404:
        return dq.SecretNotFound(f"{where}: {what}: not found ({reply.message})", reason="missing")
    state = reply.message.upper()
    if reply.code == "FAILED_PRECONDITION" and "DESTROYED" in state:
        return dq.SecretNotFound(
            f"{where}: {what}: the version is destroyed; its data is gone "
            "(read another version, or write a new one)",
            reason="destroyed",
        )
    if reply.code == "FAILED_PRECONDITION" and "DISABLED" in state:
        return dq.SecretNotFound(
            f"{where}: {what}: the version is disabled (deleted); `undelete` enables it",
            reason="deleted",
        )
    return http.fail(reply, what)


def pick_field(where: str, path: str, fields: Mapping[str, bytes], field: str | None) -> bytes:
    """Pick a field; errors list field *names* only, never a value."""
    names = ", ".join(repr(n) for n in sorted(fields))
    if field is None:
        if len(fields) != 1:
            raise dq.SecretNotFound(
                f"{where}: secret {path!r} has {len(fields)} fields "
                f"({names or 'none'}); name one with #FIELD",
                reason="field",
            )
        return next(iter(fields.values()))
    if field not in fields:
        raise dq.SecretNotFound(
            f"{where}: secret {path!r} has no field {field!r} (fields: {names or 'none'})",
            reason="field",
        )
    return fields[field]
