"""EnvBackend: secrets read from environment variables, never written.

Why read-only: a process cannot change its parent's environment, so a ``set`` would last only
until the process exits and every other process (the next CI step, the orchestrator's worker)
would keep the old value. Reporting success for that would be a lie; ``set`` and ``delete``
raise :class:`dq.SecretAccessDenied` telling the caller where the value must be changed.

Every method validates its path first (``dq.validate_secret_path``, then the one-to-one naming
rule of :mod:`dq_env._naming`) and only then touches the environment mapping. The mapping is
``os.environ`` unless one is injected, and it is read live, so a variable exported after the
backend was built is seen (dq-core's cache decides how long a read value is kept).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import dq

from dq_env._codec import decode_fields
from dq_env._config import EnvConfig
from dq_env._naming import check_segments, folder_stem, path_of, variable_name

READ_ONLY = "read-only: set the variable in the process environment"


class EnvBackend:
    """The ``env`` secret backend (``dq.protocols.SecretBackend``), read-only.

    *environ* is the mapping read (default ``os.environ``); tests inject their own.
    """

    def __init__(
        self,
        config: EnvConfig | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        name: str = "env",
    ) -> None:
        self.config = config if config is not None else EnvConfig()
        self.name = name
        self._environ: Mapping[str, str] = os.environ if environ is None else environ

    def __repr__(self) -> str:  # the prefix only: never the environment or a value
        return f"EnvBackend({self.name!r}, prefix={self.config.prefix!r})"

    @property
    def prefix(self) -> str:
        return self.config.prefix

    def variable_name(self, path: str) -> str:
        """The variable *path* maps to (validated; raises dq.InvalidSecretPath)."""
        return variable_name(self.prefix, path)

    # -- the SecretBackend protocol -----------------------------------------------------

    async def get(
        self, path: str, *, field: str | None = None, version: int | None = None
    ) -> dq.SecretValue:
        name = self.variable_name(path)
        if version is not None and version != 1:
            raise dq.SecretNotFound(
                f"{self.name}: secret {path!r} has no version {version}: environment variables "
                "are not versioned, the current value is version 1",
                reason="missing",
            )
        raw = self._environ.get(name)
        if raw is None:
            raise dq.SecretNotFound(
                f"{self.name}: no secret {path!r}: variable {name} is not set; export it in "
                "the process environment",
                reason="missing",
            )
        fields = decode_fields(name, raw)
        return dq.SecretValue(self._field(path, name, fields, field))

    async def set(
        self, path: str, values: Mapping[str, dq.SecretValue], *, cas: int | None = None
    ) -> int | None:
        name = self.variable_name(path)
        raise dq.SecretAccessDenied(f"{self.name}: cannot write {path!r} ({name}): {READ_ONLY}")

    async def delete(self, path: str) -> None:
        name = self.variable_name(path)
        raise dq.SecretAccessDenied(
            f"{self.name}: cannot delete {path!r} ({name}): {READ_ONLY} (unset it there)"
        )

    async def list(self, prefix: str = "") -> Sequence[str]:
        """Direct children of folder *prefix*: secrets by last segment, folders with ``/``.

        Only variable *names* are looked at, and only those that start with the prefix and
        decode to an accepted path; no value is read.
        """
        folder = dq.validate_secret_prefix(prefix)
        if folder:
            check_segments(folder)
        stem = folder_stem(self.prefix, folder)
        depth = len(folder.split("/")) if folder else 0
        children: set[str] = set()
        for name in list(self._environ.keys()):
            if not name.startswith(stem):
                continue
            path = path_of(self.prefix, name)
            if path is None:
                continue
            below = path.split("/")[depth:]
            children.add(below[0] if len(below) == 1 else f"{below[0]}/")
        return sorted(children)

    async def exists(self, path: str) -> bool:
        return self.variable_name(path) in self._environ

    # -- helpers ------------------------------------------------------------------------

    def _field(
        self, path: str, name: str, fields: Mapping[str, bytes], field: str | None
    ) -> bytes:
        """``field=None`` means the only field; an absent field is not-found (reason field)."""
        if field is None:
            if len(fields) != 1:
                raise dq.SecretNotFound(
                    f"{self.name}: secret {path!r} ({name}) has {len(fields)} fields "
                    f"({', '.join(sorted(fields)) or 'none'}); name one with #FIELD",
                    reason="field",
                )
            return next(iter(fields.values()))
        if field not in fields:
            shown = ", ".join(sorted(fields)) or "none"
            raise dq.SecretNotFound(
                f"{self.name}: secret {path!r} ({name}) has no field {field!r} (fields: {shown})",
                reason="field",
            )
        return fields[field]
