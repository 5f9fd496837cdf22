"""The table of dq types a plugin author builds, generated from the classes themselves.

docs/contracts/helpers.md holds the rendered table between ``<!-- types:begin -->`` and
``<!-- types:end -->``; test_docs_blocks.py fails when it differs from :func:`render`, so
the page can never drift from dq-core. Rewrite it with::

    uv run python contract-tests/tests/doc_types.py --write
"""

from __future__ import annotations

import enum
import inspect
import sys
from pathlib import Path
from typing import Any

import attrs
import dq

PAGE = Path(__file__).resolve().parents[2] / "docs" / "contracts" / "helpers.md"
BEGIN, END = "<!-- types:begin -->", "<!-- types:end -->"

#: (kind, what the author does with it, dq names) in the order the page shows them.
TYPES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "engine",
        "`check` returns a `CheckResult` of `RuleResult`s; `profile` a `Profile`; `learn` a "
        "`RuleSet` (its rule classes are in [rules.md](../rules.md))",
        (
            "CheckResult",
            "RuleResult",
            "SampleRow",
            "RunStatus",
            "RuleStatus",
            "Severity",
            "Profile",
            "ColumnProfile",
            "ValueCount",
            "RuleSet",
            "QualityGate",
        ),
    ),
    (
        "notifier",
        "`send` receives a `Notification` and returns a `Delivery`; build notifications in "
        "your own tests",
        (
            "Notification",
            "NotificationKind",
            "Level",
            "Link",
            "RuleFailure",
            "Delivery",
            "DeliveryStatus",
        ),
    ),
    (
        "secrets",
        "`get` returns a `SecretValue`; failures are these errors (callers tell them apart)",
        (
            "SecretValue",
            "SecretRef",
            "SecretNotFound",
            "SecretAccessDenied",
            "SecretBackendUnavailable",
            "SecretConflict",
            "InvalidSecretPath",
        ),
    ),
    (
        "tenant",
        "`resolve` receives `RequestFacts` and returns a `TenantId`, or raises `TenantRejected`",
        ("RequestFacts", "TenantId", "TenantRejected"),
    ),
    (
        "orchestrator",
        "`context` returns a `RunContext`; a failing gate raises `SuiteFailed`",
        ("RunContext", "SuiteFailed"),
    ),
)


def _default(value: Any) -> str:
    if value is attrs.NOTHING or value is inspect.Parameter.empty:
        return "**required**"
    if isinstance(value, attrs.Factory):  # type: ignore[arg-type]
        return f"`{value.factory.__name__}()`"  # type: ignore[union-attr]
    if isinstance(value, enum.Enum):
        return f"`{type(value).__name__}.{value.name}`"
    return f"`{value!r}`".replace("|", "\\|")


def _type(annotation: Any) -> str:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    return f"`{text}`".replace("|", "\\|") if text else ""  # a table cell: escape the pipe


def rows(name: str) -> list[str]:
    """One markdown row per field (attrs), parameter (other classes) or member (enums)."""
    cls = getattr(dq, name)
    if isinstance(cls, type) and issubclass(cls, enum.Enum):
        members = ", ".join(f"`{m.name}` (`{m.value!r}`)" for m in cls)
        return [f"| `dq.{name}` | enum | {members} | |"]
    if attrs.has(cls):
        shape = "frozen attrs" if cls.__setattr__ is not object.__setattr__ else "attrs"
        keyword = all(f.kw_only for f in attrs.fields(cls))
        # The annotation as written: attrs replaces Field.type by the resolved object once
        # anything calls attrs.resolve_types (cattrs does), the class's annotations stay text.
        written: dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            written.update(vars(klass).get("__annotations__", {}))
        params = [
            (f"`{f.name}`", written.get(f.name, f.type), f.default) for f in attrs.fields(cls)
        ]
        kind = f"{shape}{', keywords only' if keyword else ''}"
    else:
        try:
            found = inspect.signature(cls).parameters.values()
            params = [
                (f"`{p.name}`" + (" (keyword)" if p.kind is p.KEYWORD_ONLY else ""),
                 p.annotation, p.default)
                for p in found
            ]  # fmt: skip
        except ValueError:  # BaseException.__init__: the message is the only argument
            params = [("`message`", "str", inspect.Parameter.empty)]
        kind = "exception" if issubclass(cls, BaseException) else "class"
    out = [f"| `dq.{name}` | {kind} | | |"]
    out += [f"| | {field} | {_type(typ)} | {_default(default)} |" for field, typ, default in params]
    return out


def render() -> str:
    """The generated section, markers included."""
    lines = [BEGIN, ""]
    for kind, what, names in TYPES:
        lines += [f"**{kind}** — {what}.", ""]
        lines += ["| type | field | annotation | default |", "|---|---|---|---|"]
        for name in names:
            lines += rows(name)
        lines.append("")
    return "\n".join([*lines, END])


def current(text: str) -> str:
    """The section as the page has it now."""
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[start:end]


def main() -> int:
    text = PAGE.read_text()
    if "--write" in sys.argv:
        PAGE.write_text(text.replace(current(text), render()))
        return 0
    print(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
