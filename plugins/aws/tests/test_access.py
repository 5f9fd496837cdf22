"""Identity and failure: IAM denials (per secret and per action), assumed roles, rejected
keys, a dead endpoint, and throttling retried by botocore's standard mode."""

from __future__ import annotations

import json
from typing import Any

import dq
import pytest
from dq_aws import AwsConfig, AwsConfigurationError, AwsSecretsBackend
from dq_aws.testing import REGION, MotoServer, free_port
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

pytestmark = pytest.mark.anyio
V = dq.SecretValue


async def test_a_secret_outside_the_policy_is_denied_for_every_operation(
    backend: AwsSecretsBackend, forbidden_path: str
) -> None:
    for call in (
        lambda: backend.get(forbidden_path),
        lambda: backend.exists(forbidden_path),
        lambda: backend.set(forbidden_path, {"k": V("mine now")}),
        lambda: backend.delete(forbidden_path),
        lambda: backend.versions(forbidden_path),
    ):
        with pytest.raises(dq.SecretAccessDenied, match="access denied") as info:
            await call()
        assert not isinstance(info.value, dq.SecretNotFound)


async def test_an_action_the_policy_lacks_is_denied(make_backend: Any, folder: str) -> None:
    writer, reader = make_backend(), make_backend("reader")
    await writer.set(f"{folder}/db", {"k": V("x")})
    assert (await reader.get(f"{folder}/db")).reveal_text() == "x"
    with pytest.raises(dq.SecretAccessDenied):
        await reader.set(f"{folder}/db", {"k": V("y")})
    with pytest.raises(dq.SecretAccessDenied):
        await reader.delete(f"{folder}/db")
    assert await reader.list(folder) == ["db"]  # ListSecrets is allowed on "*"


async def test_rejected_keys_are_denied_never_not_found(make_backend: Any, folder: str) -> None:
    stranger = make_backend(access_key_id="AKIADQUNKNOWN0000000")
    for call in (lambda: stranger.get(f"{folder}/x"), lambda: stranger.exists(f"{folder}/x")):
        with pytest.raises(dq.SecretAccessDenied):
            await call()


async def test_an_assumed_role_signs_requests_within_the_roles_policy(
    moto: MotoServer, make_backend: Any, folder: str
) -> None:
    role = make_backend(
        "assumer",
        role_arn=moto.role_arn,  # type: ignore[attr-defined]
        sts_endpoint_url=moto.url,
        role_session_name="dq-test",
    )
    await role.set(f"{folder}/via-role", {"k": V("x")})
    assert (await role.get(f"{folder}/via-role")).reveal_text() == "x"
    with pytest.raises(dq.SecretAccessDenied):  # the role's policy covers dq-tests/* only
        await role.get("dq-contract/elsewhere")
    without_role = make_backend("assumer")
    with pytest.raises(dq.SecretAccessDenied):  # the user itself may only assume the role
        await without_role.get(f"{folder}/via-role")


async def test_a_role_the_identity_may_not_assume_is_denied(
    moto: MotoServer, make_backend: Any, folder: str
) -> None:
    backend = make_backend(
        "reader",
        role_arn=moto.role_arn,
        sts_endpoint_url=moto.url,  # type: ignore[attr-defined]
    )
    with pytest.raises(dq.SecretAccessDenied):
        await backend.get(f"{folder}/x")


async def test_a_dead_endpoint_is_unavailable_for_reads_and_writes() -> None:
    backend = AwsSecretsBackend(
        AwsConfig(
            region=REGION,
            endpoint_url=f"http://127.0.0.1:{free_port()}",
            access_key_id="AKIADQNEVERUSED00000",
            secret_access_key=V("never-used"),
            max_attempts=2,
            connect_timeout=1.0,
        )
    )
    for call in (
        lambda: backend.get("a/b"),
        lambda: backend.exists("a/b"),
        lambda: backend.set("a/b", {"k": V("x")}),
        lambda: backend.list("a"),
    ):
        with pytest.raises(dq.SecretBackendUnavailable, match="2 attempt.*reachable"):
            await call()


def aws_json(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/x-amz-json-1.1")


def fake_backend(httpserver: HTTPServer, **overrides: Any) -> AwsSecretsBackend:
    fields: dict[str, Any] = {
        "region": REGION,
        "endpoint_url": httpserver.url_for("/").rstrip("/"),
        "access_key_id": "AKIADQFAKE0000000000",
        "secret_access_key": V("fake"),
        "max_attempts": 3,
    }
    fields.update(overrides)
    return AwsSecretsBackend(AwsConfig(**fields))


THROTTLED = {"__type": "ThrottlingException", "message": "Rate exceeded"}
VALUE = {
    "ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:a/b-AbCdEf",
    "Name": "a/b",
    "VersionId": "v",
    "SecretString": '{"k":"ok"}',
    "VersionStages": [],
}


async def test_throttling_is_retried_by_botocore_and_then_succeeds(httpserver: HTTPServer) -> None:
    """AWS's JSON protocol, served by a local HTTP server: two throttles, then the value."""
    targets: list[str] = []

    def handler(request: Request) -> Response:
        targets.append(request.headers.get("X-Amz-Target", ""))
        return aws_json(400, THROTTLED) if len(targets) < 3 else aws_json(200, VALUE)

    httpserver.expect_request("/", method="POST").respond_with_handler(handler)
    got = await fake_backend(httpserver).get("a/b", field="k")
    assert got.reveal_text() == "ok"
    assert targets == ["secretsmanager.GetSecretValue"] * 3


async def test_throttling_past_max_attempts_is_unavailable(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/", method="POST").respond_with_response(aws_json(400, THROTTLED))
    backend = fake_backend(httpserver, max_attempts=2, retry_mode="adaptive")
    with pytest.raises(dq.SecretBackendUnavailable, match="ThrottlingException after 2"):
        await backend.get("a/b")
    assert len(httpserver.log) == 2


async def test_a_server_error_is_unavailable_and_an_odd_name_back_is_not_the_secret(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_ordered_request("/").respond_with_response(
        aws_json(500, {"__type": "InternalServiceError", "message": "boom"})
    )
    with pytest.raises(dq.SecretBackendUnavailable):
        await fake_backend(httpserver, max_attempts=1).get("a/b")
    # a partial-ARN match of another secret ("a/b-AbCdEf" asked, "a/b" answered)
    httpserver.expect_ordered_request("/").respond_with_response(aws_json(200, VALUE))
    with pytest.raises(dq.SecretNotFound):
        await fake_backend(httpserver, max_attempts=1).get("a/b-AbCdEf")


async def test_a_malformed_request_is_a_request_error_naming_the_code(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/").respond_with_response(
        aws_json(400, {"__type": "InvalidParameterException", "message": "bad KMS key"})
    )
    with pytest.raises(dq.SecretError, match="InvalidParameterException: bad KMS key") as info:
        await fake_backend(httpserver).set("a/b", {"k": V("x")})
    assert not isinstance(
        info.value, dq.SecretNotFound | dq.SecretAccessDenied | dq.SecretBackendUnavailable
    )


async def test_no_region_and_an_unknown_profile_are_configuration_errors(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    with pytest.raises(AwsConfigurationError, match="no AWS region.*AWS_REGION"):
        await AwsSecretsBackend(AwsConfig()).get("a/b")
    with pytest.raises(AwsConfigurationError, match="profile 'nope'"):
        await AwsSecretsBackend(AwsConfig(region=REGION, profile="nope")).get("a/b")
