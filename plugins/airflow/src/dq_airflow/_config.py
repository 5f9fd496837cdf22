"""The binding's configuration: which verdicts fail the Airflow task.

Kept in its own module with no Airflow import so ``dq plugins info`` can show the fields
without paying for Airflow (a second or more to import).
"""

from __future__ import annotations

from typing import Literal, get_args

import attrs

#: When a finished run fails its task:
#: ``"error"`` -- when the suite's quality gate says FAILED or the run ERRORed (with the
#: default gate: an error-severity rule failed; failed warnings only log);
#: ``"warning"`` -- additionally when any rule failed, warnings included;
#: ``"never"`` -- never; the verdict is only logged and published (observe-only runs).
FailOn = Literal["error", "warning", "never"]
FAIL_ON_VALUES: tuple[str, ...] = get_args(FailOn)


def _check_fail_on(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in FAIL_ON_VALUES:
        raise ValueError(
            f"{attribute.name} must be one of {', '.join(map(repr, FAIL_ON_VALUES))}, not {value!r}"
        )


@attrs.frozen(kw_only=True)
class AirflowConfig:
    """``[orchestrator.airflow]``: the defaults of every :class:`DqSuiteOperator`."""

    fail_on: FailOn = attrs.field(default="error", validator=_check_fail_on)
