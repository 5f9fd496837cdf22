"""Secret references, secret values, and the audit event of a secret access."""

from __future__ import annotations

import enum
import re
from datetime import datetime

import attrs

from dq._tenancy import TenantId

_REF_RE = re.compile(
    r"\$\{secret:(?P<backend>[a-z][a-z0-9_-]*):(?P<path>[^#}@]+)"
    r"(?:#(?P<field>[^}@]+))?(?:@(?P<version>[1-9]\d*))?\}"
)


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


@attrs.frozen(kw_only=True)
class SecretAccess:
    """An audit record: who touched which secret, how, and with what outcome. Never the value."""

    backend: str
    path: str
    operation: SecretOperation
    outcome: str
    tenant: TenantId | None = None
    actor: str | None = None
    at: datetime | None = None
