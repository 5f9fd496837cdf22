"""dq's secret-backend contract against dq-env, with no skipped case.

The backend under contract is the real, shipped ``EnvBackend`` over a mapping the test owns.
dq-env cannot write (a process cannot change its parent's environment), so the contract
writes through ``secret_writer``: :class:`EnvExporter`, a test-only stand-in for whoever
exports the variables, putting each secret into that same mapping exactly as a user would
(the JSON object of ``dq_env.encode_fields`` under the variable the naming rule gives).
Every read the contract checks is the production code reading a variable.

The declared capabilities say what an environment is: not writable, not versioned, no access
control, in-process. So instead of skipping, the contract proves the opposite of each:
``set``/``delete`` (and check-and-set) refuse with ``SecretAccessDenied`` saying read-only and
change nothing; ``get(version=2)`` is not found, naming the version; no near-miss path (case,
``-``/``_``, ``__``, look-alike letters) reads another path's variable, and nothing is ever
denied; and no operation opens a file, a socket or a process. ``io_calls`` counts every touch
of the mapping, so "validated before any I/O" is proven for every operation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import dq
import pytest
from dq_env import EnvBackend, encode_fields, variable_name
from dq_env._contract import EnvContract

from conftest import DECOYS, RecordingEnviron


class EnvExporter:
    """Writes secrets into the environment mapping as a user exports them (test-only)."""

    def __init__(self, environ: RecordingEnviron, prefix: str) -> None:
        self.environ = environ
        self.prefix = prefix

    async def set(self, path: str, values: Mapping[str, dq.SecretValue]) -> None:
        name = variable_name(self.prefix, path)  # validates, as the reader does
        self.environ.data[name] = encode_fields({k: v.reveal() for k, v in values.items()})

    async def delete(self, path: str) -> None:
        self.environ.data.pop(variable_name(self.prefix, path), None)


class TestEnvBackendContract(EnvContract):
    """dq-env's own contract class (what ``dq plugins verify env`` runs), over a mapping the
    test owns instead of ``os.environ``; its declared capabilities are the shipped ones."""

    @pytest.fixture
    def secret_environ(self) -> RecordingEnviron:
        return RecordingEnviron(dict(DECOYS))

    @pytest.fixture
    def secret_backend(self, secret_environ: RecordingEnviron) -> EnvBackend:
        return EnvBackend(environ=secret_environ)

    @pytest.fixture
    def secret_writer(
        self, secret_backend: EnvBackend, secret_environ: RecordingEnviron
    ) -> EnvExporter:
        return EnvExporter(secret_environ, secret_backend.prefix)

    @pytest.fixture
    def io_calls(self, secret_environ: RecordingEnviron) -> Callable[[], int]:
        return secret_environ.io
