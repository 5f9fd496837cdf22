"""dq-sql: a dq engine that runs a whole rule set as one SQL query inside DuckDB or PostgreSQL.

Public names: :class:`SqlEngine`, :class:`SqlConfig`, :class:`SqlTable` (a table or query to
check in place), and the two source errors. The module is also the ``dq.engines`` entry point
(``sql``); importing it loads neither DuckDB nor psycopg.
"""

from __future__ import annotations

from typing import Any

import dq

from dq_sql._config import SqlConfig
from dq_sql._connect import SqlTable
from dq_sql._engine import SqlEngine
from dq_sql._errors import SqlSourceError, SqlSourceNotFound

__all__ = ["SqlConfig", "SqlEngine", "SqlSourceError", "SqlSourceNotFound", "SqlTable"]


@dq.hookimpl
def dq_component_config(kind: str, name: str) -> type | None:
    if (kind, name) == ("engine", "sql"):
        return SqlConfig
    return None


@dq.hookimpl
def dq_engine(name: str, config: Any) -> SqlEngine | None:
    if name != "sql":
        return None
    return SqlEngine(config)
