"""The binding's configuration: which verdicts fail the Prefect unit.

Kept in its own module with no Prefect import so ``dq plugins info`` can show the fields
without paying for Prefect (one to two seconds to import).
"""

from __future__ import annotations

from typing import Literal, get_args

import attrs

#: When a finished run fails its task (and so the flow run that awaits it):
#: ``"error"`` -- when the suite's quality gate says FAILED or the run ERRORed (with the
#: default gate: an error-severity rule failed; failed warnings only log);
#: ``"warning"`` -- additionally when any rule failed, warnings included;
#: ``"never"`` -- never; the verdict is only published (observe-only runs).
FailOn = Literal["error", "warning", "never"]
FAIL_ON_VALUES: tuple[str, ...] = get_args(FailOn)


def check_fail_on(value: str, name: str = "fail_on") -> str:
    """*value* if it is a known policy, else a ValueError naming the choices."""
    if value not in FAIL_ON_VALUES:
        raise ValueError(
            f"{name} must be one of {', '.join(map(repr, FAIL_ON_VALUES))}, not {value!r}"
        )
    return value


def _validate(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    check_fail_on(value, attribute.name)


@attrs.frozen(kw_only=True)
class PrefectConfig:
    """``[orchestrator.prefect]``: the default policy of every dq task."""

    fail_on: FailOn = attrs.field(default="error", validator=_validate)
