"""Fixtures: one faithful local Secret Manager + OAuth2 token endpoint + metadata server for
the session, and backends that authenticate as service accounts registered on it.

Identities (grants are roles on secret-id patterns, as IAM conditions on names would be):

* ``dq-app`` — ``roles/secretmanager.admin`` on ``dq-contract--*``, ``dq-tests--*`` and
  ``tenants--*``: what the backend under test uses, so ``dq-forbidden/secret`` is a real 403;
* ``dq-reader`` — ``roles/secretmanager.secretAccessor`` on ``dq-tests--*`` only;
* ``dq-admin`` — admin on everything (test set-up);
* the metadata server's default account ``dq-vm`` — accessor + version adder on ``dq-tests--*``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import dq
import pytest
from dq_gcp import GcpConfig, GcpSecretsBackend
from dq_gcp.testing import FakeSecretManager

FORBIDDEN = "dq-forbidden/secret"
ADMIN = "roles/secretmanager.admin"


@pytest.fixture(scope="session")
def gsm() -> Iterator[FakeSecretManager]:
    with FakeSecretManager() as server:
        server.keys_json = {  # type: ignore[attr-defined]
            "app": server.service_account(
                "dq-app",
                (ADMIN, "dq-contract--*"),
                (ADMIN, "dq-tests--*"),
                (ADMIN, "tenants--*"),
            ),
            "reader": server.service_account(
                "dq-reader", ("roles/secretmanager.secretAccessor", "dq-tests--*")
            ),
            "admin": server.service_account("dq-admin", (ADMIN, "*")),
        }
        vm = f"dq-vm@{server.project}.iam.gserviceaccount.com"
        server.grant(
            vm,
            ("roles/secretmanager.secretAccessor", "dq-tests--*"),
            ("roles/secretmanager.secretVersionAdder", "dq-tests--*"),
        )
        server.metadata_identity = vm
        yield server


@pytest.fixture(scope="session")
def forbidden_path(gsm: FakeSecretManager) -> str:
    """A secret that exists, and that dq-app may not read."""
    import anyio

    admin = GcpSecretsBackend(
        GcpConfig(
            project=gsm.project,
            endpoint=gsm.url,
            credentials_json=dq.SecretValue(json.dumps(gsm.keys_json["admin"])),  # type: ignore[attr-defined]
        )
    )
    anyio.run(lambda: admin.set(FORBIDDEN, {"k": dq.SecretValue("not for you")}))
    return FORBIDDEN


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def folder() -> str:
    return f"dq-tests/{uuid.uuid4().hex}"


@pytest.fixture
def make_backend(gsm: FakeSecretManager) -> Any:
    """A GcpSecretsBackend on the fake server, as service account *identity*."""

    def make(identity: str = "app", **overrides: Any) -> GcpSecretsBackend:
        fields: dict[str, Any] = {
            "project": gsm.project,
            "endpoint": gsm.url,
            "backoff": 0.01,
        }
        if identity != "none":
            key = gsm.keys_json[identity]  # type: ignore[attr-defined]
            fields["credentials_json"] = dq.SecretValue(json.dumps(key))
        fields.update(overrides)
        return GcpSecretsBackend(GcpConfig(**fields))

    return make


@pytest.fixture
def backend(make_backend: Any) -> GcpSecretsBackend:
    return make_backend()
