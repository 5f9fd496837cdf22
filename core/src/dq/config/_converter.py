"""The one cattrs converter: config in, results out, errors at exact paths.

Structuring is *strict* on purpose: ``pattern = 5`` in a rules file is a
mistake to report (``rules[3].pattern: expected str``), not a value to coerce
into ``"5"``. Unknown keys are refused for the same reason: a misspelt
``mostly`` must not silently become "every row must pass".
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any, Literal

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn

from dq.config._problems import (
    ChoiceError,
    problem_lines,
    structure_enum,
    structure_literal,
    unknown,
)
from dq.model._errors import ConfigError
from dq.model._results import Scalar
from dq.model._rule_fields import Bound
from dq.model._rules import CHECKS, RULE_CLASSES, Rule
from dq.model._secrets import SecretRef, SecretValue
from dq.model._tenants import TenantId

_SCALAR_TYPES = (str, int, float, bool)
_TYPE_WORDS = {str: "str", int: "int", float: "float", bool: "bool"}


def _expect(kind: type) -> Any:
    def structure(value: Any, _type: Any) -> Any:
        if isinstance(value, SecretValue):
            raise TypeError(_NOT_A_SECRET_FIELD)
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not ok:
            raise TypeError(f"expected {_TYPE_WORDS[kind]}, got {_describe(value)}")
        return value

    return structure


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"bool ({str(value).lower()})"
    if isinstance(value, (Mapping, list, tuple)):
        return type(value).__name__
    return f"{type(value).__name__} ({value!r})"


def _structure_scalar(value: Any, _type: Any) -> Any:
    if value is None or isinstance(value, _SCALAR_TYPES):
        return value
    raise TypeError(f"expected a string, number or boolean, got {_describe(value)}")


def _structure_set_value(value: Any, _type: Any) -> Any:
    if isinstance(value, _SCALAR_TYPES):
        return value
    raise TypeError(f"expected a string, number or boolean, got {_describe(value)}")


def _structure_datetime(value: Any, _type: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expected an ISO 8601 date-time, got {value!r}") from None
    raise TypeError(f"expected an ISO 8601 date-time, got {_describe(value)}")


def _structure_bound(value: Any, _type: Any) -> Any:
    """A ``between`` bound: a number, or a date, date-time or time (TOML has all three;
    JSON and YAML may spell them as ISO 8601 strings)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(f"expected a number, date, date-time or time, got {_describe(value)}")
    if isinstance(value, int | float):
        return float(value) if isinstance(value, int) else value
    if isinstance(value, datetime | date | time):
        return value
    if isinstance(value, str):
        for kind in (date, datetime, time):
            try:
                return kind.fromisoformat(value)
            except ValueError:
                continue
        raise ValueError(f"expected a number, date, date-time or time, got {_describe(value)}")
    raise TypeError(f"expected a number, date, date-time or time, got {_describe(value)}")


_NOT_A_SECRET_FIELD = (
    "holds a secret reference but is not a secret field; a plugin types such fields "
    "dq.SecretValue (so they are never printed), or write a plain value here"
)


def _structure_secret(value: Any, _type: Any) -> SecretValue:
    """A secret field takes a resolved :class:`SecretValue` or a literal string.

    An unresolved ``${secret:...}`` string is refused rather than kept: it would
    become a "secret" whose value is the reference text, and fail far away.
    """
    if isinstance(value, SecretValue):
        return value
    if not isinstance(value, str):
        raise TypeError(
            f"expected a secret (a string or a ${{secret:...}} reference), got "
            f"{type(value).__name__}"
        )
    if "${secret:" in value:
        raise ValueError(
            "holds an unresolved secret reference; resolve the table with "
            "dq.SecretResolver.resolve_tree before building the component"
        )
    return SecretValue(value)


def _default_rule_id(value: Any) -> Any:
    """Rules may omit ``id``; derive a readable one from the check and column."""
    if isinstance(value, Mapping) and "id" not in value and isinstance(value.get("check"), str):
        column = value.get("column")
        columns = value.get("columns")
        if isinstance(column, str):
            derived = f"{value['check']}_{column}"
        elif isinstance(columns, list | tuple) and all(isinstance(c, str) for c in columns):
            derived = "_".join([value["check"], *columns])  # unique over a composite key
        else:
            derived = value["check"]
        return {**value, "id": derived}
    return value


def _type_tags(union: Any) -> dict[str, type] | None:
    """``{tag: class}`` when *union* is a union of attrs classes each with a one-value
    ``type: Literal[...]`` field (how plugins spell "one of these configs"), else None."""
    if typing.get_origin(union) not in (typing.Union, types.UnionType):
        return None
    tags: dict[str, type] = {}
    for member in typing.get_args(union):
        if not (isinstance(member, type) and attrs.has(member)):
            return None
        field = attrs.fields_dict(attrs.resolve_types(member)).get("type")
        literal = None if field is None else field.type
        if typing.get_origin(literal) is not Literal or len(typing.get_args(literal)) != 1:
            return None
        tags[typing.get_args(literal)[0]] = member
    return tags


def _register_type_tagged_unions(conv: cattrs.Converter) -> None:
    """Structure such unions by their ``type`` value, so a typo reads as one.

    cattrs alone would try to guess the class from the keys present and report a
    misspelt ``type = "hedaer"`` as "required field missing".
    """

    def structure(value: Any, union: Any) -> Any:
        tags = _type_tags(union) or {}
        choices = ", ".join(repr(tag) for tag in tags)
        if not isinstance(value, Mapping):
            raise TypeError(
                f"expected a table with a 'type' (one of {choices}), got {_describe(value)}"
            )
        if "type" not in value:
            raise ChoiceError(
                f"required field missing (choices: {', '.join(map(str, tags))})", field="type"
            )
        tag = value["type"]
        if tag not in tags:
            raise ChoiceError(unknown("type", tag, list(tags)), field="type")
        return conv.structure(value, tags[tag])

    conv.register_structure_hook_func(lambda t: _type_tags(t) is not None, structure)


def make_converter() -> cattrs.Converter:
    """Build the converter; a function so tests and plugins can get a fresh one."""
    conv = cattrs.Converter(forbid_extra_keys=True)
    # a value outside a fixed set names the set and the close match (severity = "critcal")
    conv.register_structure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum), structure_enum
    )
    conv.register_structure_hook_func(lambda t: typing.get_origin(t) is Literal, structure_literal)
    for kind in _SCALAR_TYPES:
        conv.register_structure_hook(kind, _expect(kind))
    conv.register_structure_hook(Scalar, _structure_scalar)
    conv.register_structure_hook(str | int | float | bool, _structure_set_value)
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_structure_hook(Bound | None, _structure_bound)
    for kind in (date, time):
        conv.register_unstructure_hook(kind, kind.isoformat)
    conv.register_unstructure_hook(datetime, datetime.isoformat)
    conv.register_structure_hook(TenantId, lambda v, _t: TenantId(_expect(str)(v, str)))
    conv.register_unstructure_hook(TenantId, str)
    conv.register_structure_hook(SecretRef, lambda v, _t: SecretRef.parse(_expect(str)(v, str)))
    conv.register_unstructure_hook(SecretRef, str)
    # A literal secret in a config file is structured, but never written back out.
    conv.register_structure_hook(SecretValue, _structure_secret)
    conv.register_unstructure_hook(SecretValue, lambda _v: "***")

    # A rule unstructures with its ``check`` tag first, whether it is reached through
    # a RuleSet (typed as the union) or on its own, so written files read naturally.
    # Hooks for rule classes are generated on first use, not here: cattrs compiles one
    # function per class and direction, and ``dq check`` reads a handful of the checks
    # and writes none (eager generation cost ~50 ms of every command's start-up).
    rule_classes = frozenset(RULE_CLASSES)

    def unstructure_rule_class(cls: type) -> Any:
        fields = make_dict_unstructure_fn(cls, conv)
        return lambda obj: {"check": cls.CHECK, **fields(obj)}

    conv.register_unstructure_hook_factory(lambda t: t in rule_classes, unstructure_rule_class)
    conv.register_unstructure_hook(Rule, lambda obj: conv.unstructure(obj, type(obj)))

    def structure_rule(value: Any, _type: Any) -> Any:
        if not isinstance(value, Mapping):
            raise TypeError(f"expected a table, got {_describe(value)}")
        check = value.get("check")
        if check is None:
            raise ChoiceError(
                f"required field missing (choices: {', '.join(CHECKS)})", field="check"
            )
        if not isinstance(check, str) or check not in CHECKS:
            raise ChoiceError(unknown("check", check, CHECKS), field="check")
        fields = {key: item for key, item in _default_rule_id(value).items() if key != "check"}
        return conv.structure(fields, CHECKS[check])

    conv.register_structure_hook(Rule, structure_rule)
    _register_type_tagged_unions(conv)
    return conv


converter = make_converter()


def error_paths(exc: BaseException) -> list[str]:
    """Turn a cattrs failure into ``path: message`` lines (``rules[3].pattern: expected str``),
    each at the key at fault, with the valid choices where there is a fixed set."""
    return problem_lines(exc)


def structure(data: Any, cls: type, *, source: str = "<config>") -> Any:
    """Structure *data* into *cls*, raising :class:`ConfigError` naming every bad path."""
    try:
        return converter.structure(data, cls)
    except AttributeError:  # cattrs' generated code calls .keys() on what should be a table
        if isinstance(data, Mapping):
            raise
        raise ConfigError(source, [f"expected a table, got {_describe(data)}"]) from None
    except (cattrs.BaseValidationError, TypeError, ValueError, KeyError) as exc:
        raise ConfigError(source, error_paths(exc)) from None


def unstructure(obj: Any) -> Any:
    return converter.unstructure(obj)
