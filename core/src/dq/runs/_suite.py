"""Suite files: a source, rules (inline or a path), an engine, an output.

Relative paths in a suite are relative to the suite file, not to the current
directory, so a suite runs the same from CI, a cron job or an orchestrator. Only file
paths: a URI (``s3a://…``, ``file:///…``) or a source an engine opens itself (``type =
"spark"``) is the engine's to resolve, and is passed on as written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from dq.config._converter import structure
from dq.config._files import load_document
from dq.model._errors import ConfigError
from dq.model._jobs import Suite

#: ``scheme://`` (``s3a://``, ``hdfs://``, ``file:///``, ``abfss://``) or ``scheme:/…``: a URI
#: the engine resolves, never a path under the suite's folder. A Windows drive (``C:\\x``,
#: ``C:/x``) is one letter before the colon, so it never matches.
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:/")


def _rebases(source: dict[str, Any]) -> bool:
    """Only a file source's relative, non-URI path is relative to the suite's folder: a Spark
    path (``s3a://lake/events/``) or any other source the engine opens is passed on as
    written, and an absolute path is already where it is."""
    raw = source.get("path")
    if not isinstance(raw, str) or source.get("type", "file") != "file":
        return False
    return not (_URI.match(raw) or Path(raw).is_absolute())


def load_suite(path: str | Path) -> Suite:
    file = Path(path)
    data = load_document(file)
    if not isinstance(data, dict):
        raise ConfigError(str(file), ["expected a table at the top level"])
    base = file.parent
    data = dict(data)
    data.setdefault("name", file.stem)
    rules: Any = data.get("rules")
    if isinstance(rules, str):
        rules_file = base / rules
        loaded = load_document(rules_file)
        if not isinstance(loaded, dict):
            raise ConfigError(str(rules_file), ["expected a table at the top level"])
        data["rules"] = loaded
    source = data.get("source")
    if isinstance(source, str):
        data["source"] = {"path": source}
    if isinstance(data.get("source"), dict) and _rebases(data["source"]):
        data["source"] = {**data["source"], "path": str(base / data["source"]["path"])}
    output = data.get("output")
    for field in ("path", "failures"):  # report and failing rows: beside the suite
        if isinstance(output, dict) and isinstance(output.get(field), str):
            raw = output[field]
            output = {**output, field: raw if Path(raw).is_absolute() else str(base / raw)}
            data["output"] = output
    from dq.config._locate import located

    try:
        suite = structure(data, Suite, source=str(file))
    except ConfigError as exc:
        raise located(exc) from None
    return suite
