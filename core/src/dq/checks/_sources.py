"""Sources other than files: naming them, keeping credentials out of them, and handing them to
an engine that can open them.

A file source is read here, by polars (``checks._data.scan``). A ``sql`` or ``spark`` source
is never read by dq: it becomes a :class:`dq.SourceRef` — the table, query or path, and the
connection URL as a :class:`dq.SecretValue` resolved from ``${secret:...}`` references — and
an engine that declares it accepts that kind (``Engine.accepts``, see
:func:`dq.protocols.engine_accepts`) opens it where the data lives. An engine that cannot is
told so in one line, before any connection is made (exit 2).

Credentials come only from secret references: a literal password in ``url`` or in the
``dsn`` fields is refused, so it can never reach a suite file, a log or an echoed config.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from dq.model._errors import ConfigError, UsageError
from dq.model._jobs import Source, SourceRef
from dq.model._secrets import REF_MARKER, SecretValue

#: ``sql:TABLE`` / ``spark:TABLE`` as DATA on the command line: a table in the engine's own
#: default connection (``[engines.sql] url``, the Spark session).
_DATA_PREFIX = re.compile(r"^(?P<type>sql|spark):(?P<table>[A-Za-z_][\w.$]*)$")
_URL_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@\s]*:[^@\s]+@", re.I)

#: Resolves the secret references in a config tree (``SecretResolver.resolve_tree_sync``).
Resolve = Callable[..., Any]


def source_for_data(data: str) -> Source:
    """DATA of ``dq check``: ``sql:TABLE`` / ``spark:TABLE``, else a file or glob."""
    match = _DATA_PREFIX.match(data)
    if match and not Path(data).exists():
        return Source(type=match["type"], table=match["table"], name=data)
    return Source(path=data)


def named_source(site: Mapping[str, Any], name: str, *, source: str) -> Source:
    """``[sources.NAME]`` of dq.toml as a :class:`dq.Source`."""
    from dq.config._converter import structure

    table = (site.get("sources") or {}).get(name)
    if not isinstance(table, Mapping):
        known = ", ".join(sorted(site.get("sources") or {})) or "none"
        raise UsageError(
            f"{source}: no [sources.{name}] table (sources defined: {known}); "
            "define it in dq.toml, see docs/data-sources.md"
        )
    return structure({"name": name, **table}, Source, source=f"{source}: sources.{name}")


def refuse_literal_credentials(src: Source, *, where: str) -> None:
    """A password written into ``url`` or ``dsn`` (rather than referenced) is a config error."""
    problems = []
    if src.url and REF_MARKER not in src.url and _URL_PASSWORD.match(src.url):
        problems.append("url: holds a literal password; write it as ${secret:...}")
    for key, value in src.dsn.items():
        if key.lower() in ("password", "passfile", "sslpassword") and REF_MARKER not in str(value):
            problems.append(f"dsn.{key}: a credential must be a ${{secret:...}} reference")
    if problems:
        raise ConfigError(f"{where}: source {src.label}", problems)


def _dsn_text(fields: Mapping[str, Any]) -> SecretValue:
    """libpq ``key=value`` text from resolved *fields* (values quoted as libpq requires)."""

    def text(value: Any) -> str:
        raw = value.reveal_text() if isinstance(value, SecretValue) else str(value)
        return "'" + raw.replace("\\", "\\\\").replace("'", "\\'") + "'"

    return SecretValue(" ".join(f"{k}={text(v)}" for k, v in fields.items()))


def source_ref(src: Source, resolve: Resolve | None, *, where: str) -> SourceRef:
    """*src* with its references resolved: what an engine opens (never a file source)."""
    refuse_literal_credentials(src, where=where)
    url: Any = None
    if src.url is not None or src.dsn:
        if resolve is None:
            resolved = {"url": src.url, "dsn": dict(src.dsn)}
        else:
            tree = {"url": src.url, "dsn": dict(src.dsn)}
            resolved = resolve(tree, where=f"source.{src.name or src.type}")
        url = resolved["url"] if src.url is not None else _dsn_text(resolved["dsn"])
        if isinstance(url, str):
            url = SecretValue(url)
    return SourceRef(
        type=src.type,
        label=src.label,
        table=src.table,
        query=src.query,
        path=src.path,
        format=src.format,
        url=url,
        options=dict(src.options),
    )


def require_accepts(engine: Any, engine_name: str, kind: str, label: str) -> None:
    """One clear line (exit 2) when *engine* cannot read a source of *kind*."""
    from dq.protocols import engine_accepts

    accepts = engine_accepts(engine)
    if kind not in accepts:
        raise UsageError(
            f"engine {engine_name!r} cannot read {kind} source {label!r} (it reads: "
            f"{', '.join(sorted(accepts))}); choose an engine that reads {kind} sources, "
            f"e.g. --engine {'sql' if kind == 'sql' else kind}"
        )


class PendingSource:
    """A source named but not yet opened. :func:`read_source` returns one so that the engine
    is built once, by :func:`dq.checks._engines.check`, which asks that engine whether it
    reads :attr:`kind` *before* :meth:`open` scans a file or resolves a secret reference."""

    __slots__ = ("kind", "label", "_open")

    def __init__(self, kind: str, label: str, opener: Callable[[], tuple[Any, list[Path]]]):
        self.kind, self.label, self._open = kind, label, opener

    def open(self) -> tuple[Any, list[Path]]:
        """The ``data`` to hand the engine, and the files read (for error messages)."""
        return self._open()

    def __repr__(self) -> str:
        return f"PendingSource({self.kind}, {self.label!r})"


def open_for(engine: Any, engine_name: str, data: Any, paths: list[Path]) -> tuple[Any, list[Path]]:
    """*data* opened for *engine*, refused in one line (exit 2) if it cannot read it: a
    :class:`PendingSource` is checked, then opened; a :class:`dq.SourceRef` handed in
    directly is checked; anything else (a frame) is passed on as it is."""
    if isinstance(data, PendingSource):
        require_accepts(engine, engine_name, data.kind, data.label)
        return data.open()
    if isinstance(data, SourceRef):
        require_accepts(engine, engine_name, data.type, data.label)
    return data, paths


def read_source(
    src: Source,
    *,
    resolve: Resolve | None,
    where: str,
) -> tuple[PendingSource, list[Path]]:
    """*src* as a :class:`PendingSource` for :func:`dq.checks._engines.check`, and no files
    yet (``check`` reports the files it read, after building the engine and asking it
    whether it accepts the source)."""
    from dq.checks._data import scan

    if src.type == "file":
        path, fmt = src.path, src.format
        assert path is not None  # checked by Source
        return PendingSource("polars", src.label, lambda: scan(path, fmt)), []
    return PendingSource(
        src.type, src.label, lambda: (source_ref(src, resolve, where=where), [])
    ), []
