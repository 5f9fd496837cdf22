"""Under tenant acme, no spelling of a path reads globex's variable.

The backend is wrapped the way dq-core wraps every backend (``dq.TenantScopedBackend``), so
``db`` under acme is ``tenants/acme/db`` is ``DQ_SECRET_TENANTS__ACME__DB``.
"""

from __future__ import annotations

import dq
import pytest
from dq_env import EnvBackend
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DECOYS, RecordingEnviron

pytestmark = pytest.mark.anyio

ACME = "DQ_SECRET_TENANTS__ACME__"
THEIRS = "globex-secret-value"

TRICKY = [
    "../globex/db",
    "../../tenants/globex/db",
    "%2e%2e/globex/db",
    "%2E%2E/globex/db",
    "%252e%252e/globex/db",
    "..%2fglobex/db",
    "./../globex/db",
    "x//../globex/db",
    "//tenants/globex/db",
    "/tenants/globex/db",
    "\\..\\globex\\db",
    "..\\globex\\db",
    "GLOBEX/db",
    "../GLOBEX/DB",
    "TENANTS__GLOBEX__DB",
    "tenants__globex__db",
    "_/globex/db",
    "-/globex/db",
    "--/globex/db",
    "\u2024\u2024/globex/db",  # one-dot leader x2
    "\uff0e\uff0e/globex/db",  # fullwidth full stop x2
    "\u0261lobex/db",  # latin small letter script g
    "glob\u0435x/db",  # cyrillic e
    "\u2215globex\u2215db",  # division slash
    "db\x00/../../globex/db",
    "\x00",
    "db\n../globex/db",
]


def scoped(environ: RecordingEnviron, tenant: str = "acme") -> dq.TenantScopedBackend:
    return dq.TenantScopedBackend(
        EnvBackend(environ=environ), backend="env", tenant=dq.TenantId(tenant)
    )


@pytest.fixture
def two_tenants(environ: RecordingEnviron) -> RecordingEnviron:
    environ["DQ_SECRET_TENANTS__ACME__DB"] = "acme-own-value"
    environ["DQ_SECRET_TENANTS__GLOBEX__DB"] = THEIRS
    environ["DQ_SECRET_DB"] = "unscoped-value"
    return environ


async def test_a_tenant_reads_its_own_folder(two_tenants: RecordingEnviron) -> None:
    backend = scoped(two_tenants)
    assert (await backend.get("db")).reveal() == b"acme-own-value"
    assert await backend.list() == ["db"]
    assert (await scoped(two_tenants, "globex").get("db")).reveal_text() == THEIRS


@pytest.mark.parametrize("path", TRICKY)
async def test_no_tricky_spelling_reads_another_tenant(
    two_tenants: RecordingEnviron, path: str
) -> None:
    backend = scoped(two_tenants)
    for call in (
        lambda: backend.get(path),
        lambda: backend.exists(path),
        lambda: backend.list(path),
    ):
        try:
            result = await call()
        except (dq.InvalidSecretPath, dq.SecretNotFound):
            continue
        assert THEIRS not in repr(result)
        assert not (isinstance(result, dq.SecretValue) and result.reveal_text() == THEIRS)
    assert all(name.startswith(ACME) for name in two_tenants.reads), two_tenants.reads


async def test_a_path_naming_the_other_tenant_stays_inside_acme(
    two_tenants: RecordingEnviron,
) -> None:
    backend = scoped(two_tenants)
    with pytest.raises(dq.SecretNotFound):
        await backend.get("tenants/globex/db")
    assert two_tenants.reads == ["DQ_SECRET_TENANTS__ACME__TENANTS__GLOBEX__DB"]


@settings(max_examples=300, deadline=None)
@given(path=st.text(max_size=40) | st.sampled_from(TRICKY))
async def test_any_string_under_acme_reads_only_acme_variables(path: str) -> None:
    environ = RecordingEnviron(
        {**DECOYS, "DQ_SECRET_TENANTS__GLOBEX__DB": THEIRS, "DQ_SECRET_GLOBEX__DB": THEIRS}
    )
    backend = scoped(environ)
    for call in (lambda: backend.get(path), lambda: backend.exists(path)):
        try:
            result = await call()
        except (dq.InvalidSecretPath, dq.SecretNotFound):
            continue
        assert result is False, path
    try:
        listed = await backend.list(path)
    except dq.InvalidSecretPath:
        listed = []
    assert listed == []
    assert all(name.startswith(ACME) for name in environ.reads), environ.reads
