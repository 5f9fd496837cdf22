"""No value, key or token in any log line, repr or error (botocore's DEBUG output included),
and the config: built by dq's host from a table, without I/O, validated with clear lines."""

from __future__ import annotations

import logging
import secrets
import subprocess
import sys
from typing import Any

import dq
import pytest
from dq_aws import AwsConfig, AwsSecretsBackend
from dq_aws.testing import MotoServer

V = dq.SecretValue


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    return caplog.text + "".join(
        f"{r.getMessage()} {r.args!r} {r.__dict__!r}" for r in caplog.records
    )


@pytest.mark.anyio
async def test_debug_logs_errors_and_reprs_never_show_values_keys_or_session_tokens(
    moto: MotoServer, make_backend: Any, folder: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    canary = f"dq-canary-{secrets.token_hex(8)}"
    keys = moto.identities["assumer"]  # type: ignore[attr-defined]
    backend = make_backend(
        "assumer",
        role_arn=moto.role_arn,
        sts_endpoint_url=moto.url,  # type: ignore[attr-defined]
    )
    errors: list[BaseException] = []
    await backend.set(f"{folder}/leak", {"k": V(canary), "b": V(canary.encode() + b"\xff")})
    assert (await backend.get(f"{folder}/leak", field="k")).reveal_text() == canary
    for call in (
        lambda: backend.get(f"{folder}/leak"),
        lambda: backend.get(f"{folder}/leak", field="nope"),
        lambda: backend.set(f"{folder}/leak", {"k": V(canary)}, cas=0),
        lambda: backend.set(f"{folder}/leak", {"k": V(canary)}, cas=9),
        lambda: backend.get("dq-forbidden/secret"),
    ):
        try:
            await call()
        except dq.SecretError as exc:
            errors.append(exc)
    assert len(errors) == 5
    role_credentials = backend._aws.client()._request_signer._credentials.get_frozen_credentials()
    forbidden = {
        canary,
        keys["secret_access_key"],
        role_credentials.secret_key,
        role_credentials.token,
    }
    texts = [everything_logged(caplog), repr(backend), repr(backend.config)]
    for exc in errors:
        texts += [str(exc), repr(exc), repr(exc.args), repr(exc.__dict__)]
        assert exc.__context__ is None and exc.__cause__ is None, "an SDK error hangs off it"
    for text in texts:
        for secret in forbidden:
            assert secret not in text
    assert "botocore.endpoint: [detail withheld" in caplog.text, "botocore did log: guarded"


def test_the_component_is_built_from_a_table_by_dqs_host_without_io(moto: MotoServer) -> None:
    before = moto.count()
    backend = dq.Host(dq.discover()).component(
        "secrets",
        "aws",
        {
            "region": "eu-west-1",
            "endpoint_url": moto.url,
            "access_key_id": "AKIADQ00000000000000",
            "secret_access_key": "table-canary-secret",
            "name_prefix": "dq/",
            "retry_mode": "adaptive",
        },
    )
    assert isinstance(backend, AwsSecretsBackend)
    assert isinstance(backend, dq.protocols.SecretBackend)
    assert backend.secret_name("app/db") == "dq/app/db"
    assert "table-canary-secret" not in repr(backend) + repr(backend.config)
    assert moto.count() == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"retry_mode": "legacy"}, "retry_mode must be one of standard, adaptive"),
        ({"max_attempts": 0}, "max_attempts must be 1..20"),
        ({"recovery_window_days": 3}, "recovery_window_days must be 7..30, or 0"),
        ({"access_key_id": "AKIA"}, "need both `access_key_id` and `secret_access_key`"),
        ({"role_arn": "my-role"}, "role_arn must look like arn:aws:iam::"),
        ({"endpoint_url": "127.0.0.1:4566"}, "must start with http:// or https://"),
        ({"endpoint_url": "http://u:p@h"}, "must not carry credentials"),
        ({"name_prefix": "../x"}, "name_prefix: secret path"),
        ({"role_session_name": "x y"}, "role_session_name must be"),
    ],
)
def test_bad_config_is_one_clear_line(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        AwsConfig(**fields)


def test_config_marks_its_secret_fields() -> None:
    import attrs

    secret = {f.name for f in attrs.fields(AwsConfig) if f.metadata.get("secret")}
    assert secret == {"secret_access_key", "session_token"}


def test_importing_the_plugin_does_not_import_boto3() -> None:
    code = "import sys, dq_aws; print('boto3' in sys.modules, 'botocore' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
