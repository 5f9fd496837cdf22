"""Importing a plugin on purpose to find out whether it works: ``plugins ... --check``.

Listing only reads metadata; this goes further, in the order a real use would:
import the module, validate its hook implementations against the specs, ask for
its config class, and - when the config has no required fields - build the
component and check it satisfies its kind's protocol. The first failure ends the
check with the distribution named; nothing here can take the host down. An audit
sink stops after the hooks: it has no config and builds nothing (decision 0017).
"""

from __future__ import annotations

import attrs

from dq.model._errors import DqError
from dq.plugins._discovery import BROKEN, OK, PluginRecord
from dq.plugins._host import ConfigField, Host, config_fields
from dq.plugins._names import AUDIT_KIND, COMMAND_KIND
from dq.protocols import AUDIT_HOOK


@attrs.define
class CheckReport:
    record: PluginRecord
    status: str
    reason: str = ""
    import_seconds: float | None = None
    hooks: tuple[str, ...] = ()
    config: list[ConfigField] = attrs.field(factory=list)
    constructed: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "reason": self.reason,
            "import_ms": None
            if self.import_seconds is None
            else round(self.import_seconds * 1000, 2),
            "hooks": list(self.hooks),
            "config": [attrs.asdict(field) for field in self.config],
            "constructed": self.constructed,
        }


def import_bound() -> float:
    """Seconds a plugin's import may take under ``--check`` (``DQ_PLUGIN_IMPORT_TIMEOUT``)."""
    import os

    try:
        return max(0.1, float(os.environ.get("DQ_PLUGIN_IMPORT_TIMEOUT", "60")))
    except ValueError:
        return 60.0


def check_component(host: Host, record: PluginRecord) -> CheckReport:
    """Import and validate one component; never raises for a plugin's fault."""
    report = CheckReport(record=record, status=record.status, reason=record.reason)
    if record.status != OK:
        report.reason = f"not imported: {record.status}: {record.reason}"
        return report
    try:
        loaded = host.load(record.kind, record.name, bound=import_bound())
        report.import_seconds = loaded.import_seconds
        report.hooks = loaded.hooks
        if record.kind == COMMAND_KIND:
            report.constructed = f"none: adds 'dq {record.name} ...' to the dq command"
            return report
        if record.kind == AUDIT_KIND:
            report.constructed = f"none: dq calls its {AUDIT_HOOK} on every secret access"
            return report
        cls = host.config_class(record.kind, record.name)
        if cls is not None:
            report.config = config_fields(cls)
        required = [f.name for f in report.config if f.default is None]
        if required:
            report.constructed = f"not built: config needs {', '.join(required)}"
        else:
            built = host.component(record.kind, record.name, {}, bound=import_bound())
            report.constructed = f"built {type(built).__module__}.{type(built).__qualname__}"
            report.constructed += _engine_abilities(built) if record.kind == "engine" else ""
    except DqError as exc:
        report.status = BROKEN
        report.reason = str(exc)
    return report


def _engine_abilities(engine: object) -> str:
    """The optional engine abilities a user can ask for (decision 0024), or nothing."""
    abilities = []
    if getattr(engine, "locates_rows", False):
        abilities.append("locates failing rows (sample rows by key or row number)")
    if callable(getattr(engine, "check_failures", None)):
        abilities.append("exports failing rows (--failures)")
    return f"; {', '.join(abilities)}" if abilities else ""
