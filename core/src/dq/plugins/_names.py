"""Names: plugin kinds, component names and distribution names.

Component names are what users type (``--engine polars``, ``[notify.slack]``), so
they are restricted to a shape that is unambiguous on a command line, in a TOML
key and in an environment variable list: lowercase ASCII letters, digits, ``-``
and ``_``, starting with a letter, at most 64 characters.
"""

from __future__ import annotations

import re

#: The kind of an audit sink: a plugin loaded for its ``dq_secret_accessed`` hook alone.
#: It has no factory and builds no component (decision 0017).
AUDIT_KIND = "audit"

#: The kind of a command plugin: its entry point is ``module:register``, a function that adds
#: one argparse command group to ``dq`` (``dq dbt ...``). No factory, no component.
COMMAND_KIND = "command"

#: kind -> entry-point group. The order is the order kinds are listed in. Every kind but
#: ``audit`` and ``command`` is a component kind with a factory hook
#: (:data:`dq.protocols.KIND_FACTORIES`).
KIND_GROUPS: dict[str, str] = {
    "engine": "dq.engines",
    "notifier": "dq.notifiers",
    "secrets": "dq.secrets",
    "tenant": "dq.tenants",
    "orchestrator": "dq.orchestrators",
    AUDIT_KIND: "dq.audit",
    COMMAND_KIND: "dq.commands",
}
GROUP_KINDS: dict[str, str] = {group: kind for kind, group in KIND_GROUPS.items()}

#: The group whose single entry *name* is the hook-API range a distribution accepts.
HOOK_API_GROUP = "dq.hook_api"

_COMPONENT_RE = re.compile(r"[a-z][a-z0-9_-]{0,63}")
_DIST_SEP_RE = re.compile(r"[-_.]+")
_MODULE_REF_RE = re.compile(
    r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:\s*:\s*[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)?"
)


def is_component_name(name: str) -> bool:
    """True if *name* may name a component (see the module docstring for the shape)."""
    return _COMPONENT_RE.fullmatch(name) is not None


def normalize_dist_name(name: str) -> str:
    """Normalise a distribution name as PEP 503 does (``Dq_Slack`` -> ``dq-slack``)."""
    return _DIST_SEP_RE.sub("-", name).lower()


def is_module_reference(value: str) -> bool:
    """True if an entry-point value is ``package.module`` or ``package.module:attr``."""
    return _MODULE_REF_RE.fullmatch(value.strip()) is not None


def parse_kind(text: str) -> str:
    """Accept a kind by its name, its plural or its entry-point group."""
    key = text.strip().lower()
    if key in KIND_GROUPS:
        return key
    if key in GROUP_KINDS:
        return GROUP_KINDS[key]
    for candidate in (key[:-1], key + "s"):
        if candidate in KIND_GROUPS:
            return candidate
    choices = ", ".join(KIND_GROUPS)
    raise ValueError(f"unknown plugin kind {text!r}; choose one of: {choices}")
