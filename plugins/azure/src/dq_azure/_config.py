"""The configuration of the ``azure`` secret backend: what users write in their dq config.

dq structures the user's ``[secrets.backends.NAME]`` table into :class:`AzureKeyVaultConfig`
with its strict converter, so unknown keys and wrong types are reported at their path.
Defaults follow azure-identity's environment variables (``AZURE_TENANT_ID``,
``AZURE_CLIENT_ID``, ``AZURE_CLIENT_SECRET``, ``AZURE_AUTHORITY_HOST``; App Service's
``IDENTITY_ENDPOINT``/``IDENTITY_HEADER``), so a shell or host already set up for Azure needs
only ``vault_url``. Kept light (attrs + os only): ``dq plugins info`` imports it; no I/O here.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import attrs
import dq

from dq_azure._errors import AzureConfigurationError

CREDENTIALS = ("auto", "client_secret", "managed_identity")
DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
DEFAULT_IMDS = "http://169.254.169.254/metadata/identity/oauth2/token"


def _env(name: str, default: str | None = None) -> Any:
    return attrs.Factory(lambda: os.environ.get(name) or default)


def _env_secret(name: str) -> Any:
    def read() -> dq.SecretValue | None:
        value = os.environ.get(name)
        return dq.SecretValue(value) if value else None

    return attrs.Factory(read)


def _positive(_inst: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


def _not_negative(_inst: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value!r}")


def _url(_inst: object, attribute: attrs.Attribute[Any], value: str | None) -> None:
    """An http(s) URL with a host and no user:password@ (it would be logged with the URL)."""
    if value is None:
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"azure: {attribute.name} must be an http(s) URL with a host "
            "(e.g. https://myvault.vault.azure.net)"
        )
    if parts.username or parts.password:
        raise ValueError(f"azure: {attribute.name} must not carry credentials (user:password@)")
    if parts.query or parts.fragment:
        raise ValueError(f"azure: {attribute.name} must not have a query or fragment")


def _credential(_inst: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if value not in CREDENTIALS:
        raise ValueError(f"azure: {attribute.name} must be one of {', '.join(CREDENTIALS)}")


@attrs.frozen(kw_only=True)
class AzureKeyVaultConfig:
    """Which vault, and how to get a token for it.

    ``credential = "auto"`` (default) uses the client-credential flow when ``client_id`` and
    ``client_secret`` are both set, else managed identity (App Service's endpoint when
    ``identity_endpoint`` and ``identity_header`` are set, else the VM's IMDS). The tenant
    and the token's scope come from the vault's 401 challenge on first use (as Azure SDKs do);
    ``tenant_id``, when set, must match it. Tokens are requested only from
    ``authority_host``/the identity endpoints configured here, never from a host a challenge
    names. ``client_secret`` and ``identity_header`` are :class:`dq.SecretValue`.
    """

    #: ``https://myvault.vault.azure.net``; default ``$AZURE_KEYVAULT_URL``.
    vault_url: str | None = attrs.field(default=_env("AZURE_KEYVAULT_URL"), validator=_url)
    credential: str = attrs.field(default="auto", validator=_credential)
    tenant_id: str | None = attrs.field(default=_env("AZURE_TENANT_ID"))
    client_id: str | None = attrs.field(default=_env("AZURE_CLIENT_ID"))
    client_secret: dq.SecretValue | None = attrs.field(
        default=_env_secret("AZURE_CLIENT_SECRET"), metadata={"secret": True}
    )
    #: Microsoft Entra's host for the client-credential flow (sovereign clouds differ).
    authority_host: str = attrs.field(
        default=_env("AZURE_AUTHORITY_HOST", DEFAULT_AUTHORITY), validator=_url
    )
    #: The client id of a user-assigned managed identity (system-assigned when unset).
    managed_identity_client_id: str | None = None
    imds_endpoint: str = attrs.field(default=DEFAULT_IMDS, validator=_url)
    identity_endpoint: str | None = attrs.field(default=_env("IDENTITY_ENDPOINT"), validator=_url)
    identity_header: dq.SecretValue | None = attrs.field(
        default=_env_secret("IDENTITY_HEADER"), metadata={"secret": True}
    )
    #: Refuse a challenge whose resource is not the vault's parent domain (keep ``true``).
    verify_challenge_resource: bool = True
    api_version: str = "7.4"
    #: Seconds one HTTP request may take (connect, read, write, pool).
    timeout: float = attrs.field(default=10.0, validator=_positive)
    verify: bool = True
    ca_cert: str | None = None
    #: Extra attempts after a 429, 5xx, timeout or refused connection (writes: see README).
    retries: int = attrs.field(default=3, validator=_not_negative)
    #: First wait between attempts in seconds, doubled each time (``Retry-After`` wins).
    backoff: float = attrs.field(default=0.5, validator=_positive)
    #: The longest ``Retry-After`` honoured; a longer one makes the request fail at once.
    max_retry_after: float = attrs.field(default=30.0, validator=_not_negative)

    def __attrs_post_init__(self) -> None:
        if self.credential == "client_secret" and not (self.client_id and self.client_secret):
            raise ValueError(
                "azure: credential = 'client_secret' needs client_id and client_secret "
                "(or AZURE_CLIENT_ID / AZURE_CLIENT_SECRET)"
            )
        if (self.identity_endpoint is None) != (self.identity_header is None) and (
            self.credential == "managed_identity"
        ):
            raise ValueError(
                "azure: App Service managed identity needs both identity_endpoint and "
                "identity_header (IDENTITY_ENDPOINT / IDENTITY_HEADER); set both or neither"
            )

    @property
    def flow(self) -> str:
        """``client_secret``, ``app_service`` or ``imds``: which token source is used."""
        use_secret = self.credential == "client_secret" or (
            self.credential == "auto" and self.client_id and self.client_secret
        )
        if use_secret:
            return "client_secret"
        if self.identity_endpoint and self.identity_header:
            return "app_service"
        return "imds"

    def require_complete(self) -> None:
        """Raise :class:`AzureConfigurationError` if there is no vault URL."""
        if not self.vault_url:
            raise AzureConfigurationError(
                "azure: no vault URL; set `vault_url` in the backend's table "
                '(e.g. vault_url = "https://myvault.vault.azure.net") or export AZURE_KEYVAULT_URL'
            )
