"""The files dq reads its configuration from: which config file, and how documents parse.

dq.toml is looked up in this order: ``--config PATH``, ``$DQ_CONFIG``, ``./dq.toml``.
A missing default file is fine (dq works with no config); a missing file that was
named explicitly is a usage error. Documents (config, suites, rules) are TOML,
YAML or JSON chosen by suffix, and their syntax errors point at the line.

Kept free of attrs/cattrs at import time: ``dq plugins list`` reads dq.toml on its
fast path; :func:`load_typed` imports the converter only when called.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dq.config._suffixes import FORMATS
from dq.model._errors import ConfigError, UsageError

DEFAULT_CONFIG = "dq.toml"
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def document_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(
            f"{path}: cannot tell the format from the suffix {path.suffix!r}; "
            "use .toml, .yaml, .yml or .json"
        )
    return fmt


#: Deepest nesting of tables/arrays a document may have. dq's own files need < 10;
#: the parsers (and any code walking the result) recurse, so a document nested
#: thousands deep would otherwise end in a RecursionError traceback.
MAX_DEPTH = 64


def parse_document(text: str, fmt: str, *, source: str) -> Any:
    """Parse *text* as *fmt*; syntax errors become ConfigError with line and column.

    Nesting deeper than :data:`MAX_DEPTH` is a ConfigError too, whether the parser
    itself gives up (RecursionError) or the parsed value is merely deep.
    """
    try:
        data = _parse(text, fmt, source=source)
    except RecursionError:
        data = None
        deep = True
    else:
        deep = _deeper_than(data, MAX_DEPTH)
    if deep:
        raise ConfigError(
            source,
            [f"tables and arrays are nested more than {MAX_DEPTH} deep; dq documents are flat"],
        )
    return data


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether *data* nests containers more than *limit* deep (iterative: no recursion)."""
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list | tuple):
            children = value
        else:
            continue
        if depth + 1 > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _parse(text: str, fmt: str, *, source: str) -> Any:
    if fmt == "toml":
        import tomllib

        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line = _TOML_LINE.search(str(exc))
            raise ConfigError(
                source, [f"TOML syntax error: {exc}"], lines=[int(line[1]) if line else None]
            ) from None
        except ValueError as exc:  # a number longer than Python converts (4300 digits)
            raise ConfigError(source, [f"TOML value cannot be read: {exc}"]) from None
    if fmt == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                source,
                [f"JSON syntax error at line {exc.lineno}, column {exc.colno}: {exc.msg}"],
                lines=[exc.lineno],
            ) from None
        except ValueError as exc:  # a number longer than Python converts (4300 digits)
            raise ConfigError(source, [f"JSON value cannot be read: {exc}"]) from None
    if fmt == "yaml":
        try:
            import yaml
        except ImportError:
            raise UsageError(
                f"{source}: reading YAML needs PyYAML; install it with "
                "'pip install dq-core[yaml]' or write the file as TOML"
            ) from None
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise ConfigError(
                source,
                [f"YAML syntax error{where}: {problem}"],
                lines=[mark.line + 1 if mark else None],
            ) from None
        except (ValueError, OverflowError) as exc:  # a value PyYAML matched but cannot build
            raise ConfigError(source, [f"YAML value cannot be read: {exc}"]) from None
    raise UsageError(f"{source}: unknown document format {fmt!r}")


def load_document(path: str | Path) -> Any:
    """Read and parse a TOML/YAML/JSON file chosen by its suffix."""
    file = Path(path)
    fmt = document_format(file)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{file}: no such file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(str(file), [f"not UTF-8 text (byte {exc.start})"]) from None
    except OSError as exc:
        raise UsageError(f"{file}: cannot read: {exc.strerror}") from None
    return parse_document(text, fmt, source=str(file))


def load_typed(path: str | Path, cls: type) -> Any:
    """Read a document and structure it into *cls* (errors name file, line and exact path)."""
    from dq.config._converter import structure
    from dq.config._locate import located

    try:
        return structure(load_document(path), cls, source=str(path))
    except ConfigError as exc:
        raise located(exc) from None


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
    return read_site(path), str(path) if path else "settings"


#: The tables dq.toml may hold, and what each is for (docs/configuration.md). Anything else
#: at the top level is a mistake (``[notfy]``), refused when the file is read, before a command
#: does anything: a misspelt table would otherwise be silently ignored.
SITE_TABLES = {
    "plugins": "which plugins may load",
    "engines": "each engine's config, [engines.NAME]",
    "sources": "named data sources, [sources.NAME]",
    "secrets": "secret backends for every suite",
    "notify": "notification channels for every suite",
    "policy": "what a suite may not loosen",
}


def read_config(path: Path | None) -> dict[str, Any]:
    """The top-level table of a config document (any dq file; dq.toml: :func:`read_site`)."""
    if path is None:
        return {}
    data = load_document(path)
    if not isinstance(data, dict):
        raise ConfigError(str(path), ["expected a table at the top level"])
    return data


def read_site(path: Path | None) -> dict[str, Any]:
    """dq.toml's table, its top level checked: only :data:`SITE_TABLES`, each a table,
    and ``[policy]`` valid — so a typo there stops every command, not just the one using it."""
    data = read_config(path)
    if path is not None:
        check_site(data, str(path))
    return data


def check_site(data: Mapping[str, Any], source: str) -> None:
    """Refuse an unknown top-level table (with the close match) or a known one that is not a
    table; then ``[policy]``, whose locks must hold before any suite is looked at."""
    from dq.config._locate import located

    problems = []
    for key, value in data.items():
        if key not in SITE_TABLES:
            from dq.config._problems import unknown

            problems.append(f"{_key_text(key)}: {unknown('table', key, SITE_TABLES)}")
        elif not isinstance(value, Mapping):
            problems.append(f"{key}: expected a table ([{key}]: {SITE_TABLES[key]})")
    if problems:
        raise located(ConfigError(source, problems))
    if "policy" in data:
        from dq.config._policy import policy_from

        try:
            policy_from(data, source)
        except ConfigError as exc:
            raise located(exc) from None


def _key_text(key: Any) -> str:
    text = str(key)
    return text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else repr(text)


def engine_table(config: Mapping[str, Any], name: str, *, source: str) -> dict[str, Any]:
    """The ``[engines.NAME]`` table of the config file (empty when there is none)."""
    engines = config.get("engines", {})
    if not isinstance(engines, Mapping) or not isinstance(engines.get(name, {}), Mapping):
        raise ConfigError(source, [f"engines.{name}: expected a table"])
    return dict(engines.get(name, {}))
