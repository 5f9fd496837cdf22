"""What the store reports about itself: version metadata, rotation and re-encryption results.

Plain frozen values with no secret in them (ids, counts, times, paths), safe to print and log.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from dq_file._format import Version


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


@attrs.frozen(kw_only=True)
class VersionInfo:
    """One version of a secret, from its metadata (never its value)."""

    version: int
    key_id: str
    created_time: datetime | None
    deletion_time: datetime | None
    destroyed: bool

    @property
    def live(self) -> bool:
        return self.deletion_time is None and not self.destroyed

    @classmethod
    def of(cls, record: Version) -> VersionInfo:
        return cls(
            version=record.version,
            key_id=record.key_id,
            created_time=_time(record.created),
            deletion_time=_time(record.deleted),
            destroyed=record.state == "destroyed",
        )


@attrs.frozen(kw_only=True)
class SecretMetadata:
    """What ``versions(path)`` returns: the current version and every version kept."""

    path: str
    current_version: int
    versions: tuple[VersionInfo, ...]


@attrs.frozen(kw_only=True)
class RotationReport:
    """``rotate_key``: new writes now use ``current_key_id`` (``previous_key_id`` is
    ``None`` when the rotation created the store)."""

    previous_key_id: str | None
    current_key_id: str

    def summary(self) -> str:
        was = f" (was {self.previous_key_id!r})" if self.previous_key_id else " (new store)"
        return f"new writes now use key {self.current_key_id!r}{was}"


@attrs.frozen(kw_only=True)
class ReencryptReport:
    """``reencrypt``: how many entries and versions moved to the current key.

    ``versions_unreadable`` counts versions under a key id this keyring lacks (left as they
    are; ``unreadable_entries`` names their paths). ``key_ids_in_use`` are the key ids that
    still encrypt some version afterwards: a key not listed there can be retired.
    """

    current_key_id: str | None
    entries: int = 0
    entries_rewritten: int = 0
    versions_reencrypted: int = 0
    versions_already_current: int = 0
    versions_unreadable: int = 0
    unreadable_entries: tuple[str, ...] = ()
    key_ids_in_use: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return self.versions_unreadable == 0

    def summary(self) -> str:
        if self.current_key_id is None:
            return "empty store: nothing to re-encrypt"
        text = (
            f"{self.entries} entries: {self.versions_reencrypted} versions re-encrypted under "
            f"key {self.current_key_id!r} ({self.entries_rewritten} entries rewritten), "
            f"{self.versions_already_current} already current, "
            f"{self.versions_unreadable} unreadable; "
            f"key ids in use: {', '.join(self.key_ids_in_use) or 'none'}"
        )
        if self.unreadable_entries:
            shown = ", ".join(repr(p) for p in self.unreadable_entries[:5])
            text += f"; add the missing keys and run again for: {shown}"
        return text
