"""Fixtures: one moto server (Secrets Manager, IAM, STS) on 127.0.0.1 for the session, with
IAM enforced per secret ARN, and backends signed by IAM users created on it.

Identities (all created before IAM is enforced, then every request must be signed):

* ``dq-admin`` — ``secretsmanager:*`` and ``iam:*`` on everything (test set-up only);
* ``dq-app`` — the README's policy, scoped to ``dq-contract/*``, ``dq-tests/*`` and
  ``tenants/*``: what the backend under test uses, so ``dq-forbidden/secret`` is a real denial;
* ``dq-reader`` — read-only on ``dq-tests/*`` (writes are denied);
* ``dq-assumer`` — may only call ``sts:AssumeRole`` on ``dq-role``, which carries the app policy.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import dq
import pytest
from dq_aws import AwsConfig, AwsSecretsBackend
from dq_aws.testing import REGION, MotoServer

FORBIDDEN = "dq-forbidden/secret"
READ_WRITE = [
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
    "secretsmanager:ListSecretVersionIds",
    "secretsmanager:CreateSecret",
    "secretsmanager:PutSecretValue",
    "secretsmanager:DeleteSecret",
    "secretsmanager:RestoreSecret",
]


def app_policy(*folders: str, actions: list[str] | None = None) -> dict[str, Any]:
    """The README's IAM policy, for secrets under *folders*."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DqSecrets",
                "Effect": "Allow",
                "Action": actions or READ_WRITE,
                "Resource": [f"arn:aws:secretsmanager:*:*:secret:{f}/*" for f in folders],
            },
            {
                "Sid": "DqList",
                "Effect": "Allow",
                "Action": "secretsmanager:ListSecrets",
                "Resource": "*",
            },
        ],
    }


ADMIN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["secretsmanager:*", "iam:*", "sts:*"], "Resource": "*"}
    ],
}


@pytest.fixture(scope="session")
def moto() -> Iterator[MotoServer]:
    with MotoServer() as server:
        server.identities = {  # type: ignore[attr-defined]
            "admin": server.create_user("dq-admin", ADMIN_POLICY),
            "app": server.create_user("dq-app", app_policy("dq-contract", "dq-tests", "tenants")),
            "reader": server.create_user(
                "dq-reader",
                app_policy(
                    "dq-tests",
                    actions=["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                ),
            ),
            "assumer": server.create_user(
                "dq-assumer",
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
                },
            ),
        }
        server.role_arn = server.create_role(  # type: ignore[attr-defined]
            "dq-role", app_policy("dq-tests"), trusted_user="dq-assumer"
        )
        server.client("secretsmanager").create_secret(
            Name=FORBIDDEN, SecretString='{"k":"not for you"}'
        )
        server.enforce_iam()
        yield server


@pytest.fixture(scope="session")
def forbidden_path() -> str:
    """A secret that exists, and that dq-app's policy does not cover."""
    return FORBIDDEN


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def folder() -> str:
    """A fresh folder the app identity may use, so tests never see each other's secrets."""
    return f"dq-tests/{uuid.uuid4().hex}"


@pytest.fixture
def make_backend(moto: MotoServer) -> Any:
    """An AwsSecretsBackend on the moto server, signed as *identity* (default ``app``)."""

    def make(identity: str = "app", **overrides: Any) -> AwsSecretsBackend:
        keys = moto.identities[identity]  # type: ignore[attr-defined]
        fields: dict[str, Any] = {
            "region": REGION,
            "endpoint_url": moto.url,
            "access_key_id": keys["access_key_id"],
            "secret_access_key": dq.SecretValue(keys["secret_access_key"]),
            "max_attempts": 2,
        }
        fields.update(overrides)
        return AwsSecretsBackend(AwsConfig(**fields))

    return make


@pytest.fixture
def backend(make_backend: Any) -> AwsSecretsBackend:
    return make_backend()


@pytest.fixture
def admin(moto: MotoServer) -> Any:
    """A raw boto3 client signed as dq-admin: plays "another tool" writing secrets."""
    keys = moto.identities["admin"]  # type: ignore[attr-defined]
    return moto.client(
        "secretsmanager",
        aws_access_key_id=keys["access_key_id"],
        aws_secret_access_key=keys["secret_access_key"],
    )
