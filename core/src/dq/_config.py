"""The dq config file: where it is, its ``[plugins]`` and ``[engines.NAME]`` tables.

Looked up in this order: ``--config PATH``, ``$DQ_CONFIG``, ``./dq.toml``. A
missing default file is fine (dq works with no config); a missing file that was
named explicitly is a usage error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dq._errors import ConfigError, UsageError
from dq._settings import PluginSettings, SettingsError, load_settings

DEFAULT_CONFIG = "dq.toml"


def config_path(explicit: str | None, environ: Mapping[str, str] | None = None) -> Path | None:
    env = os.environ if environ is None else environ
    named = explicit or env.get("DQ_CONFIG")
    if named:
        path = Path(named)
        if not path.is_file():
            raise UsageError(
                f"{path}: config file not found (named by "
                f"{'--config' if explicit else 'DQ_CONFIG'})"
            )
        return path
    default = Path(DEFAULT_CONFIG)
    return default if default.is_file() else None


def site_config() -> tuple[dict[str, Any], str]:
    """dq.toml's table and its name for errors, found as the CLI finds it without --config."""
    path = config_path(None)
    return read_config(path), str(path) if path else "settings"


def read_config(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    from dq._documents import load_document

    data = load_document(path)
    if not isinstance(data, dict):
        raise ConfigError(str(path), ["expected a table at the top level"])
    return data


def plugin_settings(
    config: Mapping[str, Any],
    *,
    source: str,
    strict: bool | None = None,
    environ: Mapping[str, str] | None = None,
) -> PluginSettings:
    table = config.get("plugins")
    if table is not None and not isinstance(table, Mapping):
        raise ConfigError(source, ["plugins: expected a table"])
    try:
        return load_settings(table, environ, strict=strict)
    except SettingsError as exc:
        if str(exc).startswith("DQ_"):  # an environment variable, not the file
            raise UsageError(f"environment: {exc}") from None
        raise ConfigError(source, [str(exc)]) from None


def engine_table(config: Mapping[str, Any], name: str, *, source: str) -> dict[str, Any]:
    """The ``[engines.NAME]`` table of the config file (empty when there is none)."""
    engines = config.get("engines", {})
    if not isinstance(engines, Mapping) or not isinstance(engines.get(name, {}), Mapping):
        raise ConfigError(source, [f"engines.{name}: expected a table"])
    return dict(engines.get(name, {}))
