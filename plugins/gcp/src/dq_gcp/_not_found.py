"""Which answers mean "this secret value is not there", and how dq-gcp words them.

A resolver falls through to its next backend only on :class:`dq.SecretNotFound`, so the reason
matters: ``missing`` (404), ``deleted`` (the version is disabled; ``undelete`` brings it back),
``destroyed`` (its data is gone); ``field`` (the version has no such field) is dq-core's
:func:`dq.pick_secret_field`. Anything else the caller did not expect is a
:class:`~dq_gcp.GcpRequestError`, which stops the run.
"""

from __future__ import annotations

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
