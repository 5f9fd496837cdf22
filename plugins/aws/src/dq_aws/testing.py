"""A real AWS Secrets Manager protocol server for tests: moto's server mode on 127.0.0.1.

``MotoServer`` serves moto's backends (Secrets Manager, IAM, STS …) through werkzeug on a free
local port, like ``moto.server.ThreadedMotoServer``, with two additions tests need:

* **a request log** (:attr:`MotoServer.requests`): every request that reached the socket,
  with its operation (``X-Amz-Target``) and the secret id it named, so a test proves a
  refused path never reached the server;
* **resource-level IAM** (:meth:`MotoServer.enforce_iam`): moto evaluates identity policies
  per *action* only (its IAM evaluator is passed ``Resource: "*"`` for Secrets Manager).
  ``enforce_iam`` tells it the ARN of the secret each call names, as AWS evaluates it, so a
  policy scoped to ``arn:aws:secretsmanager:*:*:secret:app/*`` allows ``app/db`` and denies
  ``other/db`` with a real ``AccessDeniedException``. From then on every request must be
  signed by an IAM user's (or assumed role's) keys created on this server.

Install ``dq-aws[testing]`` for moto.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs

REGION = "us-east-1"
ACCOUNT = "123456789012"
#: Bootstrap keys: any value works until IAM is enforced.
BOOTSTRAP_KEYS = {"aws_access_key_id": "AKIADQBOOTSTRAP00000", "aws_secret_access_key": "x" * 40}


def free_port() -> int:
    """A TCP port nothing listens on right now (for "server down" tests, and to bind)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@attrs.frozen
class Recorded:
    """One request the server received (never its body beyond the secret id it named)."""

    method: str
    path: str
    target: str
    secret_id: str | None


def _secret_resource(self: Any) -> str:
    """The ARN AWS evaluates a Secrets Manager call against (``*`` for ListSecrets)."""
    secret = self._get_param("SecretId") or self._get_param("Name")
    if not secret:
        return "*"
    if str(secret).startswith("arn:"):
        return str(secret)
    return f"arn:aws:secretsmanager:{self.region}:{self.current_account}:secret:{secret}"


class MotoServer:
    """moto's server on ``127.0.0.1:<free port>``, in a thread; a context manager."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> MotoServer:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        class Quiet(MotoRequestHandler):  # type: ignore[misc, valid-type]
            def log_request(self, *_args: Any, **_kwargs: Any) -> None:
                """werkzeug prints every request to stderr; the log above is enough."""

        # The server runs in the test's process: its own DEBUG lines (moto logs whole request
        # bodies) are the server's, not the client's, and must not reach the client's caplog.
        for name in ("moto", "werkzeug"):
            logging.getLogger(name).setLevel(logging.WARNING)
        app = DomainDispatcherApplication(create_backend_app)
        self._server = make_server(
            "127.0.0.1", 0, self._recording(app), threaded=True, request_handler=Quiet
        )
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _recording(self, app: Any) -> Any:
        def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            import io

            environ["wsgi.input"] = io.BytesIO(body)
            secret_id = None
            try:
                parsed = json.loads(body) if body else {}
                if isinstance(parsed, dict):
                    secret_id = parsed.get("SecretId") or parsed.get("Name")
            except ValueError:
                pass
            with self._lock:
                self.requests.append(
                    Recorded(
                        method=environ.get("REQUEST_METHOD", ""),
                        path=environ.get("PATH_INFO", ""),
                        target=environ.get("HTTP_X_AMZ_TARGET", ""),
                        secret_id=secret_id if isinstance(secret_id, str) else None,
                    )
                )
            return app(environ, start_response)

        return wsgi

    # -- helpers ------------------------------------------------------------------------

    def client(self, service: str, **keys: Any) -> Any:
        """A boto3 client of this server (bootstrap keys unless *keys* are given)."""
        import boto3

        return boto3.client(
            service, region_name=REGION, endpoint_url=self.url, **(keys or BOOTSTRAP_KEYS)
        )

    def create_user(self, name: str, policy: dict[str, Any]) -> dict[str, str]:
        """An IAM user with *policy* inline; returns its access key id and secret key."""
        iam = self.client("iam")
        iam.create_user(UserName=name)
        iam.put_user_policy(
            UserName=name, PolicyName=f"{name}-policy", PolicyDocument=json.dumps(policy)
        )
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return {"access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"]}

    def create_role(self, name: str, policy: dict[str, Any], trusted_user: str) -> str:
        """An IAM role *trusted_user* may assume, with *policy*; returns its ARN."""
        iam = self.client("iam")
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/{trusted_user}"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"][
            "Arn"
        ]
        iam.put_role_policy(
            RoleName=name, PolicyName=f"{name}-policy", PolicyDocument=json.dumps(policy)
        )
        return str(arn)

    def enforce_iam(self) -> None:
        """From now on, authenticate every request and evaluate policies per secret ARN."""
        import requests
        from moto.secretsmanager.responses import SecretsManagerResponse

        SecretsManagerResponse._determine_resource = _secret_resource  # type: ignore[attr-defined]
        requests.post(f"{self.url}/moto-api/reset-auth", data=b"0", timeout=10).raise_for_status()

    def relax_iam(self) -> None:
        """Stop authenticating (moto's default)."""
        import requests

        requests.post(f"{self.url}/moto-api/reset-auth", data=b"inf", timeout=10).raise_for_status()

    def count(self) -> int:
        with self._lock:
            return len(self.requests)


@contextmanager
def moto_server() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server
