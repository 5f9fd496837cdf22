"""The configuration of the ``gcp`` secret backend: what users write in their dq config.

dq structures the user's ``[secrets.backends.NAME]`` table into :class:`GcpConfig` with its
strict shared converter. Defaults follow Google's conventions: ``GOOGLE_CLOUD_PROJECT`` for
the project, ``GOOGLE_APPLICATION_CREDENTIALS`` for a service-account key file, and the
metadata server (``GCE_METADATA_HOST``) when there is no key. Kept light (attrs + os only):
``dq plugins info`` imports it, and nothing here does I/O.
"""

from __future__ import annotations

import os
import re
from typing import Any

import attrs
import dq

from dq_gcp._errors import GcpConfigurationError

DEFAULT_ENDPOINT = "https://secretmanager.googleapis.com"
DEFAULT_METADATA = "http://metadata.google.internal"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"
_PROJECT = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]|\d{1,20}")


def _env(name: str) -> Any:
    return attrs.Factory(lambda: os.environ.get(name) or None)


def _metadata_default() -> str:
    host = os.environ.get("GCE_METADATA_HOST")
    return f"http://{host}" if host else DEFAULT_METADATA


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


def _not_negative(_inst: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value!r}")


def _folder(_inst: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if value == "":
        return
    try:
        dq.validate_secret_path(value.strip("/"))
    except dq.InvalidSecretPath as exc:
        raise ValueError(f"{attribute.name}: {exc}") from None


@attrs.frozen(kw_only=True)
class GcpConfig:
    """Which project's Secret Manager, and how dq gets an OAuth2 access token.

    Credentials, first that is set wins: ``access_token`` (a token you obtained, e.g. from
    ``gcloud auth print-access-token``); a service-account key (``credentials_json``, else the
    file ``credentials_file``, default ``$GOOGLE_APPLICATION_CREDENTIALS``) exchanged for a
    token with the OAuth2 JWT bearer grant (RFC 7523); else the metadata server's token for
    the attached service account (Compute Engine, GKE workload identity, Cloud Run).
    ``access_token`` and ``credentials_json`` are :class:`dq.SecretValue`: masked everywhere.
    """

    #: The project id (or number); default ``$GOOGLE_CLOUD_PROJECT``, else the key's.
    project: str | None = attrs.field(default=_env("GOOGLE_CLOUD_PROJECT"))
    endpoint: str = attrs.field(default=DEFAULT_ENDPOINT, validator=_url)
    access_token: dq.SecretValue | None = attrs.field(default=None, metadata={"secret": True})
    credentials_json: dq.SecretValue | None = attrs.field(default=None, metadata={"secret": True})
    credentials_file: str | None = attrs.field(default=_env("GOOGLE_APPLICATION_CREDENTIALS"))
    #: The metadata server (``$GCE_METADATA_HOST`` as ``http://HOST``, else the GCE default).
    metadata_url: str = attrs.field(factory=_metadata_default, validator=_url)
    #: Overrides the key file's ``token_uri`` (a private or test OAuth2 endpoint).
    token_uri: str | None = attrs.field(default=None, validator=_url)
    #: A folder every path lives under (``dq`` → id ``dq--app--db``).
    name_prefix: str = attrs.field(default="", validator=_folder)
    timeout: float = attrs.field(default=10.0, validator=_positive)
    #: Extra attempts of an idempotent request after a 429, 5xx, timeout or refused connection.
    retries: int = attrs.field(default=2, validator=_not_negative)
    backoff: float = attrs.field(default=0.2, validator=_positive)
    verify: bool = True

    def __attrs_post_init__(self) -> None:
        if self.project is not None and not _PROJECT.fullmatch(self.project):
            raise ValueError(
                f"gcp: project must be a project id (6-30 lowercase letters, digits, '-') or "
                f"number, got {self.project!r}"
            )

    @property
    def prefix(self) -> str:
        return self.name_prefix.strip("/")

    def require_project(self, from_key: str | None) -> str:
        project = self.project or from_key
        if not project:
            raise GcpConfigurationError(
                "gcp: no project; set `project` in the backend's table or export "
                "GOOGLE_CLOUD_PROJECT"
            )
        return project
