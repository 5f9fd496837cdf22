"""Where in a config file a fault is: the 1-based line of a key path such as ``rules[3].check``.

``tomllib`` and ``json`` return plain values without positions, and dq's errors are found
on those values (by the converter, the policy, the notify table), so the line is looked up
afterwards: a light scan of the source text maps every key path to the line where its key
(or array element) starts. The scan only ever sees text its parser has already accepted, so
it can be lax; anything it cannot place is left without a line rather than guessed. YAML
keeps positions itself (``yaml.compose``).

Why not a position-keeping parser (tomlkit): one more dependency on the import path of every
command, for the one moment an error is printed — and this scan is about 200 lines.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from dq.config._problems import path_text
from dq.config._suffixes import FORMATS
from dq.model._errors import ConfigError

Key = str | int
Index = dict[tuple[Key, ...], int]

#: Files bigger than this are not scanned for lines (config files are kilobytes).
MAX_SCAN_BYTES = 4_000_000

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_PATH_HEAD = re.compile(r"[A-Za-z0-9_][\w-]*")
_PATH_NEXT = re.compile(r"\.([A-Za-z0-9_][\w-]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]")


# -- key paths ------------------------------------------------------------------------------


def split_problem(problem: str) -> tuple[tuple[Key, ...], str] | None:
    """``rules[3].check: unknown ...`` -> ``(('rules', 3, 'check'), 'unknown ...')``; None
    when the problem does not start with a path (``TOML syntax error: ...``)."""
    head = _PATH_HEAD.match(problem)
    if head is None:
        return None
    keys: list[Key] = [head.group()]
    at = head.end()
    while True:
        step = _PATH_NEXT.match(problem, at)
        if step is None:
            break
        name, index, quoted = step.groups()
        keys.append(name if name is not None else int(index) if index is not None else quoted)
        at = step.end()
    if not problem.startswith(": ", at):
        return None
    return tuple(keys), problem[at + 2 :]


def line_of(index: Index, keys: tuple[Key, ...]) -> int | None:
    """The line of *keys*, else of its longest prefix that is in *index*."""
    for end in range(len(keys), 0, -1):
        line = index.get(keys[:end])
        if line is not None:
            return line
    return None


# -- TOML -----------------------------------------------------------------------------------


class _TomlScan:
    """Walks valid TOML once, recording the line of every key and array element."""

    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.line = 1
        self.index: Index = {}
        self.tables: dict[tuple[Key, ...], int] = {}  # array-of-tables path -> count

    def record(self, path: tuple[Key, ...]) -> None:
        for end in range(1, len(path) + 1):
            self.index.setdefault(path[:end], self.line)

    def peek(self, n: int = 1) -> str:
        return self.s[self.i : self.i + n]

    def skip_blank(self, newlines: bool) -> None:
        s = self.s
        while self.i < len(s):
            c = s[self.i]
            if c in " \t\r":
                self.i += 1
            elif c == "\n" and newlines:
                self.line += 1
                self.i += 1
            elif c == "#":
                end = s.find("\n", self.i)
                self.i = len(s) if end < 0 else end
            else:
                return

    def run(self) -> Index:
        table: tuple[Key, ...] = ()
        while self.i < len(self.s):
            self.skip_blank(newlines=True)
            if self.i >= len(self.s):
                break
            if self.peek() == "[":
                table = self.header()
            else:
                keys = self.key()
                self.record(table + keys)
                self.skip_blank(newlines=False)
                self.i += 1  # '='
                self.skip_blank(newlines=False)
                self.value(table + keys)
        return self.index

    def header(self) -> tuple[Key, ...]:
        many = self.peek(2) == "[["
        self.i += 2 if many else 1
        self.skip_blank(newlines=False)
        keys = self.key()
        self.skip_blank(newlines=False)
        self.i += 2 if many else 1
        path: tuple[Key, ...] = ()
        for key in keys[:-1]:
            path += (key,)
            if path in self.tables:
                path += (self.tables[path] - 1,)
        path += (keys[-1],)
        if many:
            count = self.tables.get(path, 0)
            self.tables[path] = count + 1
            path += (count,)
        self.record(path)
        return path

    def key(self) -> tuple[Key, ...]:
        keys: list[Key] = []
        while True:
            self.skip_blank(newlines=False)
            c = self.peek()
            if c in ('"', "'"):
                start = self.i
                self.string()
                keys.append(_unquote(self.s[start : self.i]))
            else:
                bare = _BARE.match(self.s, self.i)
                if bare is None:
                    raise ValueError("unexpected text where a key should be")
                keys.append(bare.group())
                self.i = bare.end()
            self.skip_blank(newlines=False)
            if self.peek() != ".":
                return tuple(keys)
            self.i += 1

    def string(self) -> None:
        s, quote = self.s, self.s[self.i]
        if s.startswith(quote * 3, self.i):
            self.i += 3
            while self.i < len(s):
                c = s[self.i]
                if c == "\\" and quote == '"':
                    if s[self.i + 1 : self.i + 2] == "\n":
                        self.line += 1
                    self.i += 2
                    continue
                if s.startswith(quote * 3, self.i):
                    self.i += 3
                    while self.peek() == quote:  # up to two quotes may end the content
                        self.i += 1
                    return
                if c == "\n":
                    self.line += 1
                self.i += 1
            return
        self.i += 1
        while self.i < len(s) and s[self.i] not in (quote, "\n"):
            self.i += 2 if s[self.i] == "\\" and quote == '"' else 1
        self.i += 1

    def value(self, path: tuple[Key, ...]) -> None:
        c = self.peek()
        if c in ('"', "'"):
            self.string()
        elif c == "[":
            self.i += 1
            position = 0
            while True:
                self.skip_blank(newlines=True)
                if self.peek() in ("]", ""):
                    self.i += 1
                    return
                self.record(path + (position,))
                self.value(path + (position,))
                self.skip_blank(newlines=True)
                if self.peek() == ",":
                    self.i += 1
                    position += 1
        elif c == "{":
            self.i += 1
            while True:
                self.skip_blank(newlines=True)
                if self.peek() in ("}", ""):
                    self.i += 1
                    return
                keys = self.key()
                self.record(path + keys)
                self.skip_blank(newlines=False)
                self.i += 1  # '='
                self.skip_blank(newlines=False)
                self.value(path + keys)
                self.skip_blank(newlines=True)
                if self.peek() == ",":
                    self.i += 1
        else:  # number, boolean, date: up to the next delimiter
            end = re.compile(r"[,\]}#\n]").search(self.s, self.i)
            self.i = len(self.s) if end is None else end.start()


def _unquote(raw: str) -> str:
    if raw.startswith("'"):
        return raw[1:-1]
    try:
        return str(json.loads(raw))
    except ValueError:
        return raw[1:-1]


# -- JSON -----------------------------------------------------------------------------------


class _JsonScan:
    """Walks valid JSON once, recording the line of every member name and array element."""

    _SCALAR_END = re.compile(r"[,\]}\s]")

    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.line = 1
        self.index: Index = {}

    def blank(self) -> None:
        s = self.s
        while self.i < len(s) and s[self.i] in " \t\r\n":
            if s[self.i] == "\n":
                self.line += 1
            self.i += 1

    def string(self) -> str:
        start = self.i
        self.i += 1
        while self.s[self.i] != '"':
            self.i += 2 if self.s[self.i] == "\\" else 1
        self.i += 1
        return str(json.loads(self.s[start : self.i]))

    def value(self, path: tuple[Key, ...]) -> None:
        self.blank()
        c = self.s[self.i]
        if c == '"':
            self.string()
        elif c in "{[":
            self.i += 1
            position = 0
            while True:
                self.blank()
                if self.s[self.i] in "}]":
                    self.i += 1
                    return
                if c == "{":
                    name = self.string()
                    self.index.setdefault(path + (name,), self.line)
                    self.blank()
                    self.i += 1  # ':'
                    self.value(path + (name,))
                else:
                    self.blank()
                    self.index.setdefault(path + (position,), self.line)
                    self.value(path + (position,))
                position += 1
                self.blank()
                if self.s[self.i] == ",":
                    self.i += 1
        else:
            end = self._SCALAR_END.search(self.s, self.i)
            self.i = len(self.s) if end is None else end.start()


# -- YAML -----------------------------------------------------------------------------------


def _yaml_index(text: str) -> Index:
    import yaml

    index: Index = {}
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    stack: list[tuple[Any, tuple[Key, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                where = path + (str(key.value),)
                index.setdefault(where, key.start_mark.line + 1)
                stack.append((value, where))
        elif isinstance(node, yaml.SequenceNode):
            for position, item in enumerate(node.value):
                where = path + (position,)
                index.setdefault(where, item.start_mark.line + 1)
                stack.append((item, where))
    return index


# -- putting lines on errors ----------------------------------------------------------------


def index_text(text: str, fmt: str) -> Index:
    """Every key path of the document *text* (in *fmt*) and its line; partial on surprise."""
    if fmt == "yaml":
        try:
            return _yaml_index(text)
        except Exception:  # noqa: BLE001 - a line is a courtesy; no line beats a crash
            return {}
    scan: Any = _TomlScan(text) if fmt == "toml" else _JsonScan(text)
    try:
        if fmt == "toml":
            scan.run()
        else:
            scan.value(())
    except (IndexError, ValueError, RecursionError):
        pass
    return scan.index


def _file_and_prefix(source: str) -> tuple[Path, tuple[Key, ...]] | None:
    """``suite.toml: secrets`` -> (suite.toml, ('secrets',)); the file must exist."""
    head, _, rest = source.partition(": ")
    path = Path(head)
    if path.suffix.lower() not in FORMATS:
        return None
    prefix: tuple[Key, ...] = ()
    if rest:
        parsed = split_problem(rest + ": x")
        if parsed is None:
            return None
        prefix = parsed[0]
    try:
        if not path.is_file() or path.stat().st_size > MAX_SCAN_BYTES:
            return None
    except OSError:
        return None
    return path, prefix


def located(error: ConfigError, text: str | None = None) -> ConfigError:
    """*error* with the line of each fault filled in from its source file, when the source
    is a config file (``rules.toml``, or ``suite.toml: notify`` for a table in it).

    A source naming a table (``suite.toml: secrets``) becomes the file, and the table is put
    in front of each path, so the line reads ``suite.toml:9: secrets.backends.v.type: ...``.
    Faults already placed keep their line; anything that goes wrong leaves *error* as it is.
    """
    if all(error.lines):
        return error
    found = _file_and_prefix(error.source)
    if found is None:
        return error
    path, prefix = found
    fmt = FORMATS[path.suffix.lower()]
    try:
        index = index_text(text if text is not None else path.read_text(encoding="utf-8"), fmt)
    except (OSError, UnicodeDecodeError):
        return error
    problems, lines = [], []
    for problem, line in zip(error.problems, error.lines, strict=True):
        parsed = split_problem(problem)
        if prefix:
            problem = (
                f"{path_text(prefix)}: {problem}"
                if parsed is None
                else (f"{path_text(prefix + parsed[0])}: {parsed[1]}")
            )
            parsed = split_problem(problem)
        if line is None and parsed is not None:
            line = line_of(index, parsed[0])
        elif line is None and prefix:
            line = line_of(index, prefix)
        problems.append(problem)
        lines.append(line)
    fresh = ConfigError(str(path), problems, lines=lines)
    fresh.__cause__ = error.__cause__
    return fresh
