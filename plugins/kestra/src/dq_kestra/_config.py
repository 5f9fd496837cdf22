"""The binding's configuration: which verdicts fail the Kestra task (exit non-zero).

No Kestra and no I/O here, so ``dq plugins info kestra`` shows the fields cheaply.
"""

from __future__ import annotations

from typing import Literal, get_args

import attrs

#: ``"error"`` -- exit non-zero when the suite's gate says FAILED or the run ERRORed (with
#: the default gate: an error-severity rule failed; failed warnings only log);
#: ``"warning"`` -- also when any rule failed, warnings included;
#: ``"never"`` -- never on the verdict (observe-only); config and runtime errors still fail.
FailOn = Literal["error", "warning", "never"]
FAIL_ON_VALUES: tuple[str, ...] = get_args(FailOn)


def _check_fail_on(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in FAIL_ON_VALUES:
        raise ValueError(
            f"{attribute.name} must be one of {', '.join(map(repr, FAIL_ON_VALUES))}, not {value!r}"
        )


@attrs.frozen(kw_only=True)
class KestraConfig:
    """``[orchestrator.kestra]``: the default policy of ``dq-kestra run``."""

    fail_on: FailOn = attrs.field(default="error", validator=_check_fail_on)
