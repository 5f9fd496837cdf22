"""Suite files: a source, rules (inline or a path), an engine, an output.

Relative paths in a suite are relative to the suite file, not to the current
directory, so a suite runs the same from CI, a cron job or an orchestrator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dq.config._converter import structure
from dq.config._files import load_document
from dq.model._errors import ConfigError
from dq.model._jobs import Suite


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
    if isinstance(data.get("source"), dict) and isinstance(data["source"].get("path"), str):
        raw = data["source"]["path"]
        data["source"] = {
            **data["source"],
            "path": raw if Path(raw).is_absolute() else str(base / raw),
        }
    output = data.get("output")
    if isinstance(output, dict) and isinstance(output.get("path"), str):
        raw = output["path"]
        data["output"] = {**output, "path": raw if Path(raw).is_absolute() else str(base / raw)}
    return structure(data, Suite, source=str(file))
