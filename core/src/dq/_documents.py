"""Reading TOML, YAML and JSON documents into plain data, with errors that point at the line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dq._errors import ConfigError, UsageError

FORMATS = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def document_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(
            f"{path}: cannot tell the format from the suffix {path.suffix!r}; "
            "use .toml, .yaml, .yml or .json"
        )
    return fmt


def parse_document(text: str, fmt: str, *, source: str) -> Any:
    """Parse *text* as *fmt*; syntax errors become ConfigError with line and column."""
    if fmt == "toml":
        import tomllib

        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(source, [f"TOML syntax error: {exc}"]) from None
    if fmt == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                source, [f"JSON syntax error at line {exc.lineno}, column {exc.colno}: {exc.msg}"]
            ) from None
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
            raise ConfigError(source, [f"YAML syntax error{where}: {problem}"]) from None
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
    """Read a document and structure it into *cls* (errors name file and exact path)."""
    from dq._converter import structure

    return structure(load_document(path), cls, source=str(path))
