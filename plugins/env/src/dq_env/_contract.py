"""The secrets contract as dq-env is judged by it: one class for its own tests and for
``dq plugins verify env`` (``DQ_CONTRACT`` in the hook module points here).

An environment is not writable, not versioned, has no access control and lives in the
process, so the class declares exactly that and the contract proves the opposite of each
instead of skipping (decision 47). What only dq-env can give, it gives here, for the
backend ``verify`` builds over ``os.environ``:

* ``secret_writer`` exports each secret as a user would (``encode_fields`` under the
  variable the naming rule gives), with pytest's ``monkeypatch``, so the process
  environment is restored after every test;
* ``io_calls`` counts the backend's every touch of the environment (a read, a presence
  test, a scan of the names), so "validated before any I/O" is proven per operation.

Only the tests and verify import this module (it needs dq-contract-tests).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import dq
import pytest
from dq_contract.secrets import SecretBackendContract, SecretsCapabilities

from dq_env._backend import EnvBackend
from dq_env._codec import encode_fields
from dq_env._naming import variable_name


class CountingEnviron(Mapping[str, str]):
    """A live view of an environment mapping that counts every touch (the backend's I/O)."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ
        self.touches = 0

    def __getitem__(self, name: str) -> str:
        self.touches += 1
        return self._environ[name]

    def __contains__(self, name: object) -> bool:
        self.touches += 1
        return name in self._environ

    def __iter__(self) -> Iterator[str]:
        self.touches += 1
        return iter(list(self._environ))

    def __len__(self) -> int:
        return len(self._environ)


class EnvironExporter:
    """Writes secrets into the process environment the way a user exports them."""

    def __init__(self, prefix: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.prefix = prefix
        self.monkeypatch = monkeypatch

    async def set(self, path: str, values: Mapping[str, dq.SecretValue]) -> None:
        name = variable_name(self.prefix, path)  # validates, as the reader does
        self.monkeypatch.setenv(name, encode_fields({k: v.reveal() for k, v in values.items()}))

    async def delete(self, path: str) -> None:
        self.monkeypatch.delenv(variable_name(self.prefix, path), raising=False)


class EnvContract(SecretBackendContract):
    capabilities = SecretsCapabilities(
        writable=False, versioned=False, can_deny=False, external=False
    )
    #: Unsetting a variable forgets it: a deleted secret reads as reason "missing".
    soft_delete = False

    @pytest.fixture
    def secret_writer(
        self, secret_backend: EnvBackend, monkeypatch: pytest.MonkeyPatch
    ) -> EnvironExporter:
        return EnvironExporter(secret_backend.prefix, monkeypatch)

    @pytest.fixture
    def io_calls(self, secret_backend: EnvBackend) -> Callable[[], int]:
        counting = CountingEnviron(secret_backend._environ)
        secret_backend._environ = counting  # its own backend: every touch now counts
        return lambda: counting.touches
