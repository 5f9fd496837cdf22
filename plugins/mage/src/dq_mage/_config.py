"""The binding's configuration: which verdicts fail the Mage block.

Kept in its own module with no Mage import so ``dq plugins info`` can show the fields
without paying for mage-ai (about six seconds to import).
"""

from __future__ import annotations

from typing import Literal, get_args

import attrs

#: When a finished run fails its block (raises) or makes a condition/sensor return False:
#: ``"error"`` -- when the suite's quality gate says FAILED or the run ERRORed (with the
#: default gate: an error-severity rule failed; failed warnings only log);
#: ``"warning"`` -- additionally when any rule did not pass, warnings included;
#: ``"never"`` -- never; the verdict is only logged and returned (observe-only runs).
FailOn = Literal["error", "warning", "never"]
FAIL_ON_VALUES: tuple[str, ...] = get_args(FailOn)


def check_fail_on(value: object, name: str = "fail_on") -> str:
    """*value* if it is a known policy, else a ValueError naming the choices."""
    if value not in FAIL_ON_VALUES:
        raise ValueError(
            f"{name} must be one of {', '.join(map(repr, FAIL_ON_VALUES))}, not {value!r}"
        )
    return str(value)


def _validate(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    check_fail_on(value, attribute.name)


@attrs.frozen(kw_only=True)
class MageConfig:
    """``[orchestrator.mage]``: the default policy of every dq block helper.

    ``tenant_variable`` names the pipeline variable (runtime variable) holding the tenant.
    """

    fail_on: FailOn = attrs.field(default="error", validator=_validate)
    tenant_variable: str = attrs.field(default="tenant")
