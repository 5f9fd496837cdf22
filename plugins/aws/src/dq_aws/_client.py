"""The boto3 side of the backend: building the client, calling it off the event loop, and
turning every SDK failure into one of dq's error categories.

* **Threads.** boto3 is synchronous; every call runs in a worker thread
  (``anyio.to_thread.run_sync``) so a run's event loop keeps serving other tasks. One client
  is built on first use (clients are thread-safe; building one is not cheap) under a lock.
* **Retries** are botocore's own: ``Config(retries={"mode": "standard" | "adaptive",
  "max_attempts": n})`` retries throttling (``ThrottlingException``), 5xx, and connection
  errors with jittered exponential backoff; adaptive mode also rate-limits the client. dq
  does not retry on top of it.
* **Credentials.** Explicit keys, else the profile, else boto3's default chain. With a
  ``role_arn`` those call STS ``AssumeRole`` through botocore's own
  ``AssumeRoleCredentialFetcher``, whose temporary credentials botocore refreshes before
  they expire.
* **Errors.** ``ResourceNotFoundException`` → :class:`dq.SecretNotFound`;
  ``AccessDeniedException`` and rejected credentials → :class:`dq.SecretAccessDenied`
  (never "not found": a resolver must not fall through); connection failures, timeouts and
  throttling/5xx left after the retries → :class:`dq.SecretBackendUnavailable`. dq's error is
  raised *outside* the ``except`` block, so no SDK exception (which carries request metadata)
  hangs off it as ``__context__``.
* **Logs.** botocore's DEBUG lines print request bodies (``SecretString``), response bodies
  (the value, or AssumeRole's ``SecretAccessKey``) and canonical requests (the session token).
  :func:`guard_botocore_logs` withholds those lines' arguments; see decision 0038.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
import dq

from dq_aws._config import AwsConfig
from dq_aws._errors import AwsConfigurationError, AwsRequestError

log = logging.getLogger("dq_aws")
T = TypeVar("T")

DENIED_CODES = frozenset(
    {
        "AccessDeniedException",
        "AccessDenied",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "ExpiredTokenException",
        "ExpiredToken",
        "IncompleteSignature",
        "MissingAuthenticationToken",
    }
)
UNAVAILABLE_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "InternalServiceError",
        "InternalFailure",
        "ServiceUnavailable",
        "ServiceUnavailableException",
    }
)
#: botocore loggers whose DEBUG lines carry bodies, headers or signing material.
GUARDED_LOGGERS = ("botocore.endpoint", "botocore.parsers", "botocore.auth", "botocore.hooks")
WITHHELD = "[detail withheld by dq-aws: botocore debug lines can carry secret values or tokens]"


class _Withhold(logging.Filter):
    """Keeps the record (so a DEBUG log still shows that a call happened) minus its details."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno <= logging.DEBUG:
            record.msg, record.args = "%s: %s", (record.name, WITHHELD)
        return True


_GUARD = _Withhold("dq_aws")
_guard_lock = threading.Lock()


def guard_botocore_logs() -> None:
    """Install the filter once per process on each botocore logger that can leak."""
    with _guard_lock:
        for name in GUARDED_LOGGERS:
            logger = logging.getLogger(name)
            if _GUARD not in logger.filters:
                logger.addFilter(_GUARD)


@functools.cache
def _botocore() -> Any:
    """botocore's modules, imported on first use (``dq plugins info`` never pays for them)."""
    import boto3.session
    import botocore.config
    import botocore.credentials
    import botocore.exceptions
    import botocore.session

    return boto3.session, botocore.config, botocore.credentials, botocore.exceptions


def _fixed_provider(credentials: Any) -> Any:
    """A botocore credential provider that hands out *credentials* (the assumed role's)."""
    _, _, credentials_mod, _ = _botocore()

    class Fixed(credentials_mod.CredentialProvider):  # type: ignore[misc, name-defined]
        METHOD = CANONICAL_NAME = "dq-assume-role"

        def load(self) -> Any:
            return credentials

    return Fixed()


class SecretsClient:
    """One lazily built ``secretsmanager`` client and the error mapping of its calls."""

    def __init__(self, config: AwsConfig, *, name: str = "aws") -> None:
        self.config = config
        self.name = name
        self._client: Any = None
        self._lock = threading.Lock()

    def where(self) -> str:
        region = self.config.region or "default region"
        endpoint = f" at {self.config.endpoint_url}" if self.config.endpoint_url else ""
        return f"aws secrets backend {self.name!r} ({region}{endpoint})"

    # -- building ----------------------------------------------------------------------

    def _session(self) -> Any:
        session_mod, config_mod, credentials_mod, _ = _botocore()
        import botocore.session as botocore_session_mod

        config = self.config
        kwargs: dict[str, Any] = {"region_name": config.region}
        if config.access_key_id is not None and config.secret_access_key is not None:
            kwargs["aws_access_key_id"] = config.access_key_id
            kwargs["aws_secret_access_key"] = config.secret_access_key.reveal_text()
            if config.session_token is not None:
                kwargs["aws_session_token"] = config.session_token.reveal_text()
        elif config.profile is not None:
            kwargs["profile_name"] = config.profile
        session = session_mod.Session(**kwargs)
        if config.role_arn is None:
            return session
        source = session.get_credentials()
        if source is None:
            raise _no_credentials(self.where())
        extra: dict[str, Any] = {"RoleSessionName": config.role_session_name}
        if config.external_id is not None:
            extra["ExternalId"] = config.external_id
        sts_config = config_mod.Config(
            retries={"mode": config.retry_mode, "total_max_attempts": config.max_attempts},
            connect_timeout=config.connect_timeout,
            read_timeout=config.read_timeout,
        )
        creator = functools.partial(
            session.client,  # called as creator("sts", aws_access_key_id=..., ...)
            region_name=session.region_name,
            endpoint_url=config.sts_endpoint_url,
            config=sts_config,
        )
        fetcher = credentials_mod.AssumeRoleCredentialFetcher(
            creator, source, config.role_arn, extra_args=extra
        )
        role_credentials = credentials_mod.DeferredRefreshableCredentials(
            refresh_using=fetcher.fetch_credentials, method="assume-role"
        )
        # A fresh botocore session whose first credential provider is the role.
        target = botocore_session_mod.Session()
        resolver = target.get_component("credential_provider")
        resolver.insert_before("env", _fixed_provider(role_credentials))
        return session_mod.Session(botocore_session=target, region_name=session.region_name)

    def client(self) -> Any:
        """The ``secretsmanager`` client, built once (in a worker thread: it reads files)."""
        with self._lock:
            if self._client is None:
                _, config_mod, _, _ = _botocore()
                guard_botocore_logs()
                config = self.config
                boto_config = config_mod.Config(
                    retries={"mode": config.retry_mode, "total_max_attempts": config.max_attempts},
                    connect_timeout=config.connect_timeout,
                    read_timeout=config.read_timeout,
                    user_agent_extra="dq-aws/0.1.0",
                )
                session = self._session()
                if session.region_name is None and config.endpoint_url is None:
                    raise AwsConfigurationError(
                        f"{self.where()}: no AWS region; set `region` in the backend's table "
                        "or export AWS_REGION"
                    )
                self._client = session.client(
                    "secretsmanager",
                    region_name=session.region_name or "us-east-1",
                    endpoint_url=config.endpoint_url,
                    config=boto_config,
                )
            return self._client

    # -- calling -----------------------------------------------------------------------

    async def call(
        self,
        operation: str,
        what: str,
        *,
        on_error: Callable[[str, str], BaseException | None] | None = None,
        **params: Any,
    ) -> dict[str, Any]:
        """Run ``client.<operation>(**params)`` in a worker thread; map failures to dq errors.

        *on_error(code, message)* may return the error to raise for an AWS error code (or
        ``None`` to use the default mapping); it sees AWS's message, which never holds a value.
        """
        return await anyio.to_thread.run_sync(
            functools.partial(self._call_sync, operation, what, on_error, params)
        )

    def _call_sync(
        self,
        operation: str,
        what: str,
        on_error: Callable[[str, str], BaseException | None] | None,
        params: dict[str, Any],
    ) -> dict[str, Any]:
        _, _, _, exc_mod = _botocore()
        error: BaseException | None = None
        try:
            reply: dict[str, Any] = getattr(self.client(), operation)(**params)
            log.debug("%s: %s ok", self.where(), what)
            return reply
        except exc_mod.ClientError as exc:
            info = exc.response.get("Error") or {}
            code, message = str(info.get("Code") or "Unknown"), str(info.get("Message") or "")
            status = (exc.response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
            error = (on_error(code, message) if on_error else None) or self._mapped(
                code, message[:300], status, what
            )
        except (exc_mod.NoCredentialsError, exc_mod.PartialCredentialsError):
            error = _no_credentials(self.where())
        except exc_mod.ProfileNotFound:
            error = AwsConfigurationError(
                f"{self.where()}: AWS profile {self.config.profile!r} is not in the shared "
                "config or credentials files; fix `profile` or AWS_CONFIG_FILE"
            )
        except exc_mod.NoRegionError:
            error = AwsConfigurationError(
                f"{self.where()}: no AWS region; set `region` or export AWS_REGION"
            )
        except (
            exc_mod.EndpointConnectionError,
            exc_mod.ConnectTimeoutError,
            exc_mod.ReadTimeoutError,
            exc_mod.ConnectionClosedError,
            exc_mod.HTTPClientError,
        ) as exc:
            error = dq.SecretBackendUnavailable(
                f"{self.where()}: {what} failed after {self.config.max_attempts} attempt(s): "
                f"{type(exc).__name__}; is the endpoint reachable?"
            )
        except exc_mod.ParamValidationError as exc:
            error = AwsRequestError(
                f"{self.where()}: {what}: the request was refused before sending: "
                f"{str(exc).splitlines()[-1][:200]}",
                code="ParamValidationError",
            )
        raise error  # outside the except blocks: no SDK exception chained as __context__

    def _mapped(self, code: str, message: str, status: Any, what: str) -> BaseException:
        where = self.where()
        if code == "ResourceNotFoundException":
            return dq.SecretNotFound(f"{where}: {what}: not found", reason="missing")
        if code in DENIED_CODES or status in (401, 403):
            # An error body botocore could not parse still has its HTTP status: AWS's JSON
            # protocol answers 403 only for a refused identity or policy.
            hint = (
                "the credentials were rejected; check the keys, profile or role"
                if code not in ("AccessDeniedException", "AccessDenied")
                else "the IAM policy does not allow it (see the README for the policy)"
            )
            return dq.SecretAccessDenied(f"{where}: {what}: access denied ({code}): {hint}")
        if code == "DecryptionFailure":
            return dq.SecretAccessDenied(
                f"{where}: {what}: the secret's KMS key refused to decrypt it (DecryptionFailure);"
                " the identity needs kms:Decrypt on that key"
            )
        if code in UNAVAILABLE_CODES or (isinstance(status, int) and status >= 500):
            return dq.SecretBackendUnavailable(
                f"{where}: {what}: {code} after {self.config.max_attempts} attempt(s); "
                "try again later, or raise max_attempts / use retry_mode = 'adaptive'"
            )
        return AwsRequestError(f"{where}: {what}: {code}: {message}", code=code)


def _no_credentials(where: str) -> AwsConfigurationError:
    return AwsConfigurationError(
        f"{where}: no AWS credentials found; set `profile`, or `access_key_id` and "
        "`secret_access_key`, or provide them the usual boto3 way (environment, "
        "~/.aws/credentials, an instance or container role)"
    )
