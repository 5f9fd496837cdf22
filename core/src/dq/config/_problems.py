"""Turning a structuring failure into ``path: message`` lines a person can act on.

Two things beyond what cattrs' own ``transform_error`` gives: the path points at the key
that is wrong (``rules[3].check``, ``rules[2].mostlyy``), not at the table holding it, and
a value or key outside a fixed set names the set and, when there is one, the close match
(``did you mean 'not_null'?``) — the first thing a person looks for after a typo.
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Iterable
from typing import Any

import attrs
import cattrs
from cattrs.errors import ClassValidationError, IterableValidationError

Key = str | int
_PLAIN = re.compile(r"[A-Za-z0-9_-]+")


class ChoiceError(ValueError):
    """A value outside a fixed set; ``field`` (when set) is the key under the table at fault.

    Raised by structure hooks that see the whole table (a rule's ``check``, a config's
    ``type``): cattrs would place the fault at the table, this puts it on the key.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def close_match(word: Any, choices: Iterable[str]) -> str | None:
    """The choice *word* was most likely meant to be (case and ``-``/``_`` forgiven)."""
    if not isinstance(word, str):
        return None
    options = list(choices)
    folded = {c.lower().replace("-", "_"): c for c in options}
    key = word.lower().replace("-", "_").strip()
    if key in folded:
        return folded[key]
    found = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.6)
    return folded[found[0]] if found else None


def unknown(what: str, value: Any, choices: Iterable[str], *, label: str = "choices") -> str:
    """``unknown check 'not_nul' — did you mean 'not_null'? (choices: a, b, c)``."""
    options = list(choices)
    shown = repr(value) if isinstance(value, str) else _describe(value)
    guess = close_match(value, options)
    hint = f" — did you mean {guess!r}?" if guess is not None and guess != value else ""
    return f"unknown {what} {shown}{hint} ({label}: {', '.join(options)})"


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"bool ({str(value).lower()})"
    return type(value).__name__ if isinstance(value, dict | list | tuple) else repr(value)


def structure_enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
    """An enum by its value, refused with the set of values (``severity = "critcal"``)."""
    if isinstance(value, cls):
        return value
    for member in cls:
        if member.value == value:
            return member
    choices = [str(member.value) for member in cls]
    raise ChoiceError(unknown(_enum_word(cls), value, choices))


def _enum_word(cls: type) -> str:
    """``Severity`` -> ``severity``, ``RunStatus`` -> ``run status``: how messages name it."""
    name = cls.__name__
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip()
    return words or "value"


def structure_literal(value: Any, literal: Any) -> Any:
    """A ``Literal["a", "b"]`` field, refused with its values."""
    import typing

    allowed = typing.get_args(literal)
    if value in allowed and type(value) in {type(a) for a in allowed}:
        return value
    raise ChoiceError(unknown("value", value, [str(a) for a in allowed]))


def _field_names(cls: Any) -> list[str]:
    try:
        return [f.name for f in attrs.fields(cls) if f.init]
    except (TypeError, attrs.exceptions.NotAnAttrsClassError):
        return []


def _message(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, (TypeError, ValueError)) and str(exc):
        return str(exc)
    return f"invalid value ({type(exc).__name__})"


def entries(exc: BaseException, path: tuple[Key, ...] = ()) -> list[tuple[tuple[Key, ...], str]]:
    """Every fault in a cattrs failure, as ``(key path, message)``, in document order."""
    found: list[tuple[tuple[Key, ...], str]] = []
    if isinstance(exc, IterableValidationError | ClassValidationError):
        with_notes, without = exc.group_exceptions()
        for inner, note in with_notes:
            step = note.index if isinstance(exc, IterableValidationError) else note.name
            found += entries(inner, (*path, step))
        for inner in without:
            found += entries(inner, path)
        return found
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        fields = _field_names(exc.cl)
        for name in sorted(exc.extra_fields, key=str):
            guess = close_match(name, fields)
            hint = f" — did you mean {guess!r}?" if guess else ""
            known = f" (fields: {', '.join(fields)})" if fields else ""
            shown = repr(name) if isinstance(name, str) else _describe(name)
            found.append(((*path, name), f"unknown field {shown}{hint}{known}"))
        return found
    if isinstance(exc, ChoiceError) and exc.field is not None:
        return [((*path, exc.field), str(exc))]
    return [(path, _message(exc))]


def path_text(keys: tuple[Key, ...]) -> str:
    """``('rules', 3, 'check')`` -> ``rules[3].check`` (a key that is not a plain name quoted)."""
    text = ""
    for key in keys:
        if isinstance(key, int) and not isinstance(key, bool):
            text += f"[{key}]"
        elif isinstance(key, str) and _PLAIN.fullmatch(key):
            text += f".{key}"
        else:
            text += f"[{key!r}]"
    return text.lstrip(".")


def problem_lines(exc: BaseException) -> list[str]:
    """``path: message`` lines for a cattrs failure (the whole value when there is no path)."""
    lines = []
    for keys, message in entries(exc):
        where = path_text(keys)
        lines.append(f"{where}: {message}" if where else message)
    return lines
