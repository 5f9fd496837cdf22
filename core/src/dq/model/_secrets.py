"""Secret references, secret values, and the audit event of a secret access."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from datetime import datetime
from typing import TypeVar

import attrs

from dq.model._errors import DqError, UsageError
from dq.model._tenants import TenantId

V = TypeVar("V")

#: What every secret reference starts with: a string without it holds none.
REF_MARKER = "${secret:"

_REF_RE = re.compile(
    r"\$\{secret:(?P<backend>[a-z][a-z0-9_-]*):(?P<path>[^#}@]+)"
    r"(?:#(?P<field>[^}@]+))?(?:@(?P<version>[1-9]\d*))?\}"
)


def has_secret_references(value: object) -> bool:
    """Whether any string in *value* (walking mappings, lists and tuples) holds a reference.

    Here, beside :class:`SecretRef`, so callers can skip the whole secret machinery for a
    table with none (``dq check`` builds no backend for a dq.toml without references)."""
    if isinstance(value, str):
        return REF_MARKER in value
    if isinstance(value, Mapping):
        return any(has_secret_references(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(has_secret_references(item) for item in value)
    return False


@attrs.frozen(kw_only=True)
class SecretRef:
    """Where a secret lives: ``${secret:BACKEND:PATH[#FIELD][@VERSION]}``.

    A reference is safe to log; the value it resolves to is not. Path validation
    (no ``..``, no absolute paths) is the backend contract's job, done before I/O.
    """

    backend: str
    path: str
    field: str | None = None
    version: int | None = None

    @classmethod
    def parse(cls, text: str) -> SecretRef:
        match = _REF_RE.fullmatch(text.strip())
        if match is None:
            raise ValueError(
                f"{text!r} is not a secret reference; write ${{secret:BACKEND:PATH#FIELD}}"
            )
        version = match["version"]
        return cls(
            backend=match["backend"],
            path=match["path"],
            field=match["field"],
            version=int(version) if version else None,
        )

    def __str__(self) -> str:
        field = f"#{self.field}" if self.field else ""
        version = f"@{self.version}" if self.version is not None else ""
        return f"${{secret:{self.backend}:{self.path}{field}{version}}}"


class SecretValue:
    """Secret bytes that refuse to show themselves.

    ``repr``, ``str`` and ``format`` print a mask, so a value that reaches a log
    line, a traceback or an f-string leaks nothing; call :meth:`reveal` at the one
    place the real value is needed. Equality is constant-time.
    """

    __slots__ = ("_value",)

    def __init__(self, value: bytes | str) -> None:
        self._value = value.encode() if isinstance(value, str) else bytes(value)

    def reveal(self) -> bytes:
        return self._value

    def reveal_text(self, encoding: str = "utf-8") -> str:
        return self._value.decode(encoding)

    def __repr__(self) -> str:
        return "SecretValue('***')"

    __str__ = __repr__

    def __format__(self, _spec: str) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        import hmac

        return isinstance(other, SecretValue) and hmac.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash(SecretValue)

    def __len__(self) -> int:
        return len(self._value)

    def __reduce__(self) -> object:
        raise TypeError("SecretValue cannot be pickled: it would write the secret out")


class SecretOperation(enum.Enum):
    GET = "get"
    SET = "set"
    DELETE = "delete"
    LIST = "list"
    EXISTS = "exists"


#: What :attr:`SecretAccess.outcome` can say, one per error class a backend raises
#: (``error`` is a backend that broke its contract by raising something else).
SECRET_OUTCOMES = ("ok", "not_found", "denied", "unavailable", "invalid", "conflict", "error")


@attrs.frozen(kw_only=True)
class SecretAccess:
    """An audit record: who touched which secret, how, and with what outcome. Never the value.

    ``path`` is the path as the caller named it (``db``); ``effective_path`` the one
    the store was asked for after tenant scoping (``tenants/acme/db``), so an auditor
    can answer both "what did the suite ask for" and "which stored secret was read".
    ``cached`` is true when the value came from dq's cache and the store saw nothing.
    """

    backend: str
    path: str
    operation: SecretOperation
    outcome: str
    tenant: TenantId | None = None
    actor: str | None = None
    at: datetime | None = None
    effective_path: str | None = None
    field: str | None = None
    version: int | None = None
    cached: bool = False


# -- errors every backend raises, so callers can tell them apart ---------------------------


class SecretError(DqError):
    """Base of secret-backend errors. Messages name the backend and path, never a value."""


class InvalidSecretPath(SecretError, UsageError):
    """The path was refused before any I/O (traversal, absolute, encoded, control chars)."""


class SecretNotFound(SecretError):
    """No such secret (or it was deleted/destroyed: ``reason`` says which)."""

    def __init__(self, message: str, *, reason: str = "missing") -> None:
        self.reason = reason
        super().__init__(message)


class SecretAccessDenied(SecretError):
    """The backend refused access. Never to be treated as not-found: callers must not
    fall through to another backend, or a denial becomes a silent substitution."""


class SecretBackendUnavailable(SecretError):
    """The backend could not be reached or failed (timeout, 5xx); retrying may help."""


class SecretConflict(SecretError):
    """A check-and-set write lost the race: the secret changed since it was read."""


_SEGMENT_RE = re.compile(r"[A-Za-z0-9_.@+=-]+")
MAX_PATH_LENGTH = 512


def validate_secret_path(path: str) -> str:
    """Return *path* if it is a safe relative secret path, else raise InvalidSecretPath.

    Every backend calls this before any I/O, because transports rewrite what they
    are given: httpx collapses a literal ``..`` (``tenants/acme/../globex`` reaches
    the server as ``tenants/globex``), servers decode ``%2e%2e``, and ``//``
    redirects. So the rule is an allow-list: segments of letters, digits and
    ``_ . @ + = -`` separated by single ``/``; no ``.`` or ``..`` segment, no leading
    or trailing ``/``, no ``%``, backslash, whitespace or control characters.
    """
    if not isinstance(path, str) or not path:
        raise InvalidSecretPath("secret path is empty")
    shown = path.encode("unicode_escape").decode("ascii")[:80]
    if len(path) > MAX_PATH_LENGTH:
        raise InvalidSecretPath(f"secret path is longer than {MAX_PATH_LENGTH} characters")
    if path.startswith("/"):
        raise InvalidSecretPath(f"secret path {shown!r} is absolute; give it relative to the mount")
    for segment in path.split("/"):
        if segment == "":
            raise InvalidSecretPath(
                f"secret path {shown!r} has an empty segment ('//' or a trailing '/')"
            )
        if segment in (".", ".."):
            raise InvalidSecretPath(f"secret path {shown!r} contains a {segment!r} segment")
        if _SEGMENT_RE.fullmatch(segment) is None:
            raise InvalidSecretPath(
                f"secret path {shown!r} contains a character outside letters, digits and "
                "'_ . @ + = -' (no '%', '\\', spaces or control characters)"
            )
    return path


def secret_fields(path: str, values: Mapping[str, SecretValue]) -> dict[str, bytes]:
    """The bytes of each field a backend's ``set`` was given, after checking the shape.

    Every backend needs this same gate before writing: at least one field, names that
    are non-empty strings, and values that are :class:`SecretValue` (a plain ``str``
    or ``bytes`` would have travelled unmasked through every layer above). Errors name
    the path, the field and the *type* given, never a value.
    """
    if not isinstance(values, Mapping) or not values:
        raise UsageError(f"set {path!r} needs at least one field")
    out: dict[str, bytes] = {}
    for key, value in values.items():
        if not isinstance(key, str) or not key:
            raise UsageError(f"set {path!r}: field names are non-empty strings")
        if not isinstance(value, SecretValue):
            raise TypeError(
                f"set {path!r}: field {key!r} must be a dq.SecretValue, not {type(value).__name__}"
            )
        out[key] = value.reveal()
    return out


def pick_secret_field(where: str, path: str, fields: Mapping[str, V], field: str | None) -> V:
    """The value of ``path#field`` among a secret's *fields* (no ``#field``: the only one).

    A missing field, or no ``#field`` on a secret of several, is :class:`SecretNotFound`
    with reason ``field``; the message lists field *names* only, never a value.
    """
    names = ", ".join(repr(n) for n in sorted(fields)) or "none"
    if field is None:
        if len(fields) != 1:
            raise SecretNotFound(
                f"{where}: secret {path!r} has {len(fields)} fields ({names}); "
                "name one with #FIELD",
                reason="field",
            )
        return next(iter(fields.values()))
    if field not in fields:
        raise SecretNotFound(
            f"{where}: secret {path!r} has no field {field!r} (fields: {names})",
            reason="field",
        )
    return fields[field]


def validate_secret_prefix(prefix: str) -> str:
    """Validate a ``list`` prefix: ``""`` (the root) or a path with at most one trailing ``/``.

    Returns the prefix without its trailing slash, so backends join it one way.
    """
    if prefix == "":
        return ""
    trimmed = prefix[:-1] if prefix.endswith("/") else prefix
    return validate_secret_path(trimmed)
