"""The configuration of the ``aws`` secret backend: what users write in their dq config.

dq structures the user's ``[secrets.backends.NAME]`` table into :class:`AwsConfig` with its
strict shared converter before calling the factory, so unknown keys and wrong types are
reported at their exact path. Everything left unset falls back to boto3's own resolution
(``AWS_REGION``/``AWS_DEFAULT_REGION``, ``AWS_PROFILE``, the shared config and credentials
files, container and instance roles, ``AWS_ENDPOINT_URL_SECRETS_MANAGER``): a shell that
already talks to AWS needs no config at all. Kept light (attrs only): ``dq plugins info``
imports it, and nothing here does I/O.
"""

from __future__ import annotations

import re
from typing import Any

import attrs
import dq

#: botocore's retry modes (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html)
RETRY_MODES = ("standard", "adaptive")
#: DeleteSecret's RecoveryWindowInDays is 7..30; 0 here means ForceDeleteWithoutRecovery.
RECOVERY_WINDOW = (7, 30)
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}")


def _url(_inst: object, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is None:
        return
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"{attribute.name} must start with http:// or https://, got {value!r}")
    if "@" in value.split("://", 1)[1].split("/", 1)[0]:
        raise ValueError(f"{attribute.name} must not carry credentials (user:password@)")


def _positive(_inst: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


def _name_prefix(_inst: object, attribute: attrs.Attribute[Any], value: str) -> None:
    """The prefix becomes part of every secret name: same allow-list as paths."""
    if value == "":
        return
    try:
        dq.validate_secret_path(value[:-1] if value.endswith("/") else value)
    except dq.InvalidSecretPath as exc:
        raise ValueError(f"{attribute.name}: {exc}") from None


@attrs.frozen(kw_only=True)
class AwsConfig:
    """Where the secrets live (region, endpoint, name prefix) and who dq is (profile, keys, role).

    Credentials, in the order botocore uses them: explicit ``access_key_id`` +
    ``secret_access_key`` (+ ``session_token``), else the ``profile``, else boto3's default
    chain. With ``role_arn`` those credentials only call STS ``AssumeRole``, and the role's
    temporary credentials (refreshed by botocore before they expire) sign every Secrets
    Manager request. ``secret_access_key`` and ``session_token`` are :class:`dq.SecretValue`:
    masked in repr, logs and ``dq plugins info``.
    """

    #: ``eu-west-1``; default: boto3's (``AWS_REGION``, ``AWS_DEFAULT_REGION``, the profile).
    region: str | None = None
    #: A Secrets Manager endpoint (VPC endpoint, FIPS, a local test server).
    endpoint_url: str | None = attrs.field(default=None, validator=_url)
    #: A named profile of the shared AWS config/credentials files.
    profile: str | None = None
    access_key_id: str | None = None
    secret_access_key: dq.SecretValue | None = attrs.field(default=None, metadata={"secret": True})
    session_token: dq.SecretValue | None = attrs.field(default=None, metadata={"secret": True})
    #: Assume this IAM role (STS AssumeRole) with the credentials above.
    role_arn: str | None = None
    role_session_name: str = "dq-secrets"
    #: AssumeRole's ExternalId, when the role's trust policy requires one.
    external_id: str | None = None
    #: The STS endpoint for AssumeRole (default: the regional STS endpoint).
    sts_endpoint_url: str | None = attrs.field(default=None, validator=_url)
    #: Prepended to every path to make the secret name (``dq/`` → ``dq/app/db``).
    name_prefix: str = attrs.field(default="", validator=_name_prefix)
    #: Days a deleted secret stays restorable (7-30); 0 deletes at once, without recovery.
    recovery_window_days: int = 30
    #: KMS key for secrets dq creates (default: the account's ``aws/secretsmanager`` key).
    kms_key_id: str | None = None
    #: botocore's retry mode: ``standard`` or ``adaptive`` (adds client-side rate limiting).
    retry_mode: str = "standard"
    #: Total attempts of one call, the first included (botocore's ``max_attempts``).
    max_attempts: int = 3
    connect_timeout: float = attrs.field(default=5.0, validator=_positive)
    read_timeout: float = attrs.field(default=10.0, validator=_positive)

    def __attrs_post_init__(self) -> None:
        if self.retry_mode not in RETRY_MODES:
            raise ValueError(
                f"aws: retry_mode must be one of {', '.join(RETRY_MODES)}, got {self.retry_mode!r}"
            )
        if not 1 <= self.max_attempts <= 20:
            raise ValueError(f"aws: max_attempts must be 1..20, got {self.max_attempts!r}")
        low, high = RECOVERY_WINDOW
        if self.recovery_window_days != 0 and not low <= self.recovery_window_days <= high:
            raise ValueError(
                f"aws: recovery_window_days must be {low}..{high}, or 0 to delete without "
                f"recovery; got {self.recovery_window_days!r}"
            )
        if (self.access_key_id is None) != (self.secret_access_key is None):
            raise ValueError(
                "aws: explicit credentials need both `access_key_id` and `secret_access_key`"
            )
        if self.session_token is not None and self.access_key_id is None:
            raise ValueError("aws: `session_token` needs `access_key_id` and `secret_access_key`")
        if self.role_arn is not None and not _ROLE_ARN.fullmatch(self.role_arn):
            raise ValueError(
                "aws: role_arn must look like arn:aws:iam::123456789012:role/NAME, "
                f"got {self.role_arn!r}"
            )
        if not _SESSION_NAME.fullmatch(self.role_session_name):
            raise ValueError(
                "aws: role_session_name must be 2-64 characters of letters, digits and "
                f"'_+=,.@-', got {self.role_session_name!r}"
            )

    @property
    def prefix(self) -> str:
        """The name prefix with exactly one trailing ``/`` (or ``""``)."""
        return self.name_prefix.rstrip("/") + "/" if self.name_prefix else ""
