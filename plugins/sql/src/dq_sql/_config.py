"""``[engines.sql]``: the default connection for sources that do not carry their own."""

from __future__ import annotations

import attrs
import dq


@attrs.frozen(kw_only=True)
class SqlConfig:
    """``url``: ``duckdb:///file``, ``duckdb:`` or ``postgresql://...``; a secret (mask it)."""

    url: dq.SecretValue | None = attrs.field(default=None, metadata={"secret": True}, repr=False)
