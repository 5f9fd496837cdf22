"""Find installed plugins from entry-point metadata alone, without importing them.

This module is the hot path of ``dq plugins list`` and of every command's
start-up, so it imports nothing beyond the standard library's metadata reader
and uses plain slotted classes rather than attrs (importing attrs alone costs
more than the whole scan). Everything a status depends on is decided here, from
metadata: the hook-API range, the user's allow/deny lists, and name collisions.
Import failures can only be seen by importing, which :mod:`dq.plugins._host` does on use.
"""

from __future__ import annotations

import importlib.metadata as metadata
from collections.abc import Iterable

from dq._version import HOOK_API_VERSION
from dq.plugins._apiversion import ApiRange, RangeSyntaxError, Version, parse_range, parse_version
from dq.plugins._names import (
    GROUP_KINDS,
    HOOK_API_GROUP,
    KIND_GROUPS,
    is_component_name,
    is_module_reference,
    normalize_dist_name,
)
from dq.plugins._settings import PluginSettings

OK = "ok"
DISABLED = "disabled"
INCOMPATIBLE = "incompatible"
BROKEN = "broken"
STATUSES = (OK, DISABLED, INCOMPATIBLE, BROKEN)

_RANGE_HINT = (
    'declare it in pyproject.toml: [project.entry-points."dq.hook_api"] "^1.0" = "<your package>"'
)


class PluginRecord:
    """One component offered by one distribution, and what dq makes of it."""

    __slots__ = (
        "name",
        "kind",
        "group",
        "value",
        "distribution",
        "version",
        "api_range",
        "status",
        "reason",
        "finding",
    )

    def __init__(
        self,
        *,
        name: str,
        kind: str,
        group: str,
        value: str,
        distribution: str,
        version: str,
        api_range: str | None,
    ) -> None:
        self.name = name
        self.kind = kind
        self.group = group
        self.value = value
        self.distribution = distribution
        self.version = version
        self.api_range = api_range
        self.status = OK
        self.reason = ""
        #: True when strict mode must fail because of this record. A plugin the
        #: user switched off is not a finding; a collision nobody settled is.
        self.finding = False

    def mark(self, status: str, reason: str, *, finding: bool = True) -> None:
        self.status = status
        self.reason = reason
        self.finding = finding

    @property
    def module(self) -> str:
        return self.value.partition(":")[0].strip()

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "kind": self.kind,
            "distribution": self.distribution,
            "version": self.version,
            "hook_api": self.api_range,
            "status": self.status,
            "reason": self.reason,
            "entry_point": f"{self.group}:{self.name} = {self.value}",
        }

    def __repr__(self) -> str:
        return (
            f"PluginRecord({self.kind}:{self.name} from {self.distribution} {self.version}, "
            f"{self.status}{': ' + self.reason if self.reason else ''})"
        )


class Inventory:
    """Every dq component found in the environment, plus environment-level problems."""

    __slots__ = ("records", "problems", "settings")

    def __init__(
        self, records: list[PluginRecord], problems: list[str], settings: PluginSettings
    ) -> None:
        self.records = records
        #: Problems that belong to no single record (e.g. a deny entry matching nothing).
        self.problems = problems
        self.settings = settings

    def find(self, name: str, kind: str | None = None) -> list[PluginRecord]:
        """Records for *name* (optionally ``kind:name``), the usable one first."""
        if kind is None and ":" in name:
            from dq.plugins._names import parse_kind

            kind_text, _, name = name.partition(":")
            try:
                kind = parse_kind(kind_text)
            except ValueError:
                return []
        found = [r for r in self.records if r.name == name and (kind is None or r.kind == kind)]
        found.sort(key=lambda r: r.status != OK)
        return found

    def usable(self, kind: str, name: str) -> PluginRecord | None:
        for record in self.records:
            if record.kind == kind and record.name == name and record.status == OK:
                return record
        return None

    @property
    def findings(self) -> list[str]:
        """Every problem strict mode turns into a failure, each naming its distribution."""
        out = [
            f"{r.kind} {r.name!r} from {r.distribution}: {r.status}: {r.reason}"
            for r in self.records
            if r.finding
        ]
        return out + self.problems


def _read_name_version(dist: metadata.Distribution) -> tuple[str, str]:
    """Name and version from the head of METADATA, without the email parser.

    Core metadata puts ``Name`` and ``Version`` in the first lines; parsing only
    those is several times cheaper than ``dist.metadata`` and keeps the listing
    near the cost of the bare entry-point scan.
    """
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    name = version = ""
    for line in text.splitlines():
        if not line.strip():
            break
        key, _, val = line.partition(":")
        key = key.strip().lower()
        if key == "name":
            name = val.strip()
        elif key == "version":
            version = val.strip()
        if name and version:
            break
    if not name:  # unusual layout: fall back to the full parser
        name = dist.metadata["Name"] or "<unknown>"
        version = dist.metadata["Version"] or "?"
    return normalize_dist_name(name), version


def _closest_group(group: str) -> str:
    import difflib

    matches = difflib.get_close_matches(group, [*GROUP_KINDS, HOOK_API_GROUP], n=1)
    return f"; did you mean {matches[0]!r}?" if matches else ""


def discover(
    settings: PluginSettings | None = None,
    *,
    distributions: Iterable[metadata.Distribution] | None = None,
    api_version: str = HOOK_API_VERSION,
) -> Inventory:
    """Build the inventory of installed components from metadata only.

    *distributions* replaces the scan of ``sys.path`` (tests pass their own).
    """
    settings = settings or PluginSettings()
    current: Version = parse_version(api_version)

    ranges: dict[str, list[str]] = {}
    offered: list[tuple[metadata.EntryPoint, str, str]] = []
    records: list[PluginRecord] = []
    seen_dists: set[str] = set()

    for dist in metadata.distributions() if distributions is None else distributions:
        # Cheap pre-filter on the raw text: most distributions have no dq entry
        # points, and parsing theirs is most of what a full scan costs.
        text = dist.read_text("entry_points.txt")
        if not text or "[dq." not in text:
            continue
        dist_name, version = _read_name_version(dist)
        if dist_name in seen_dists:  # shadowed by an earlier sys.path entry, as imports are
            continue
        seen_dists.add(dist_name)
        for ep in dist.entry_points:
            group = ep.group
            if not group.startswith("dq."):
                continue
            if group == HOOK_API_GROUP:
                ranges.setdefault(dist_name, []).append(ep.name)
            elif group in GROUP_KINDS:
                offered.append((ep, dist_name, version))
            else:
                record = PluginRecord(
                    name=ep.name,
                    kind="unknown",
                    group=group,
                    value=ep.value,
                    distribution=dist_name,
                    version=version,
                    api_range=None,
                )
                why = settings.denied_by("unknown", ep.name, dist_name)
                if why:
                    record.mark(DISABLED, why, finding=False)
                else:
                    record.mark(
                        BROKEN,
                        f"entry-point group {group!r} is not a dq group{_closest_group(group)}",
                    )
                records.append(record)

    parsed: dict[str, ApiRange | str] = {}
    for dist_name, texts in ranges.items():
        if len(texts) > 1:
            parsed[dist_name] = (
                f"declares {len(texts)} hook-API ranges ({', '.join(texts)}); keep one"
            )
            continue
        try:
            parsed[dist_name] = parse_range(texts[0])
        except RangeSyntaxError as exc:
            parsed[dist_name] = str(exc)

    seen: set[tuple[str, str, str]] = set()
    for ep, dist_name, version in offered:
        kind = GROUP_KINDS[ep.group]
        if (kind, ep.name, dist_name) in seen:
            continue
        seen.add((kind, ep.name, dist_name))
        declared = parsed.get(dist_name)
        record = PluginRecord(
            name=ep.name,
            kind=kind,
            group=ep.group,
            value=ep.value,
            distribution=dist_name,
            version=version,
            api_range=declared.text if isinstance(declared, ApiRange) else None,
        )
        records.append(record)
        # The user's choice comes first: a plugin switched off is not a problem to
        # report, whatever else is wrong with it.
        why = settings.denied_by(kind, ep.name, dist_name)
        if why:
            record.mark(DISABLED, why, finding=False)
        elif not is_component_name(ep.name):
            record.mark(
                BROKEN,
                f"{ep.name!r} is not a valid component name (lowercase letters, digits, "
                "'-' and '_', starting with a letter)",
            )
        elif not is_module_reference(ep.value):
            record.mark(BROKEN, f"entry-point value {ep.value!r} is not 'module' or 'module:attr'")
        elif declared is None:
            record.mark(INCOMPATIBLE, f"declares no hook-API range; {_RANGE_HINT}")
        elif isinstance(declared, str):
            record.mark(INCOMPATIBLE, f"bad hook-API range: {declared}")
        elif current not in declared:
            record.mark(
                INCOMPATIBLE,
                f"needs hook API {declared.text}, this dq-core provides {api_version}",
            )

    _settle_collisions(records, settings)
    problems = settings.unmatched((r.kind, r.name, r.distribution) for r in records)
    kind_order = {kind: i for i, kind in enumerate(KIND_GROUPS)}
    records.sort(key=lambda r: (kind_order.get(r.kind, 99), r.name, r.distribution))
    return Inventory(records, problems, settings)


def _settle_collisions(records: list[PluginRecord], settings: PluginSettings) -> None:
    """Two usable distributions offering one component name: pick one, deterministically.

    An explicit ``prefer`` choice wins; otherwise the distribution whose normalised
    name sorts first. Either way both sides are told, and an unsettled collision is
    a finding so ``--strict`` fails until someone chooses.
    """
    by_key: dict[tuple[str, str], list[PluginRecord]] = {}
    for record in records:
        if record.status == OK:
            by_key.setdefault((record.kind, record.name), []).append(record)
    for (kind, name), contenders in by_key.items():
        if len(contenders) < 2:
            continue
        contenders.sort(key=lambda r: r.distribution)
        chosen = settings.prefer.get(name) or settings.prefer.get(f"{kind}:{name}")
        winner = next((r for r in contenders if r.distribution == chosen), None)
        settled = winner is not None
        winner = winner or contenders[0]
        others = [r.distribution for r in contenders if r is not winner]
        how = (
            f"chosen by prefer {name}={winner.distribution}"
            if settled
            else "first by distribution name"
        )
        hint = (
            ""
            if settled
            else f"; choose with DQ_PLUGINS_PREFER={name}=<distribution> "
            f'or [plugins.prefer] {name} = "<distribution>"'
        )
        winner.mark(
            OK,
            f"{kind} name {name!r} is also provided by {', '.join(others)}; "
            f"this one wins ({how}){hint}",
            finding=not settled,
        )
        for loser in contenders:
            if loser is not winner:
                loser.mark(
                    DISABLED,
                    f"shadowed: {kind} name {name!r} is provided by {winner.distribution} "
                    f"too, which wins ({how}){hint}",
                    finding=not settled,
                )
