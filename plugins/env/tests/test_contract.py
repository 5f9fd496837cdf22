"""dq's secret-backend contract against dq-env.

The contract writes through ``set`` and ``delete``; the env backend refuses both (it is
read-only). So the contract gets :class:`SeededEnvBackend`: the **real** ``EnvBackend`` for
``get``, ``list`` and ``exists``, over a mapping the test owns, plus a test-only writer that
puts each secret into that same mapping exactly as a user would export it (the JSON object of
``dq_env.encode_fields`` under the variable the naming rule gives). Every read the contract
checks is the production code reading a variable; only the writing is the test's.

What cannot apply to a read-only, unversioned store is skipped by the contract itself, with its
reason: the three version/check-and-set tests (``set`` returns ``None``: variables have no
versions), the denial test (no path is denied for reading: the environment has no ACL, and a
variable outside the prefix is unnameable rather than denied) and the unavailable test (the
process environment cannot be down). ``io_calls`` counts every touch of the mapping, so
"validated before any I/O" is proven for every operation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import dq
import pytest
from dq_contract.secrets import SecretBackendContract
from dq_env import EnvBackend, encode_fields, variable_name

from conftest import DECOYS, RecordingEnviron


class SeededEnvBackend:
    """EnvBackend for reading; a test-only writer into the same mapping (never shipped)."""

    def __init__(self, environ: RecordingEnviron) -> None:
        self.environ = environ
        self.reader = EnvBackend(environ=environ)

    async def get(
        self, path: str, *, field: str | None = None, version: int | None = None
    ) -> dq.SecretValue:
        return await self.reader.get(path, field=field, version=version)

    async def list(self, prefix: str = "") -> Sequence[str]:
        return await self.reader.list(prefix)

    async def exists(self, path: str) -> bool:
        return await self.reader.exists(path)

    async def set(
        self, path: str, values: Mapping[str, dq.SecretValue], *, cas: int | None = None
    ) -> int | None:
        name = variable_name(self.reader.prefix, path)  # validates, as the reader does
        if cas is not None and (cas != 0 or name in self.environ.data):
            raise dq.SecretConflict(f"{path!r}: check-and-set {cas} lost (no versions here)")
        self.environ.data[name] = encode_fields({k: v.reveal() for k, v in values.items()})
        return None

    async def delete(self, path: str) -> None:
        name = variable_name(self.reader.prefix, path)
        if self.environ.data.pop(name, None) is None:
            raise dq.SecretNotFound(f"no secret at {path!r} to delete", reason="missing")


class TestEnvBackendContract(SecretBackendContract):
    #: Unsetting a variable forgets it: a deleted secret reads as reason "missing".
    soft_delete = False

    @pytest.fixture
    def secret_environ(self) -> RecordingEnviron:
        return RecordingEnviron(dict(DECOYS))

    @pytest.fixture
    def secret_backend(self, secret_environ: RecordingEnviron) -> SeededEnvBackend:
        return SeededEnvBackend(secret_environ)

    @pytest.fixture
    def io_calls(self, secret_environ: RecordingEnviron) -> Callable[[], int]:
        return secret_environ.io

