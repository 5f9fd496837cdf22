"""The configuration of the ``vault`` secret backend: what users write in their dq config.

dq structures the user's ``[secrets.backends.vault]`` table into :class:`VaultConfig` with its
strict shared converter before calling the factory, so unknown keys and wrong types are
reported at their exact path. Defaults follow the Vault CLI's environment variables
(``VAULT_ADDR``, ``VAULT_TOKEN``, ``VAULT_NAMESPACE``, ``VAULT_CACERT``) so a shell that already
talks to Vault needs no config at all. Kept light (attrs + os only): ``dq plugins info`` imports
it, and nothing here does I/O.
"""

from __future__ import annotations

import os
from typing import Any

import attrs
import dq

from dq_vault._errors import VaultConfigurationError


def _env(name: str) -> Any:
    return attrs.Factory(lambda: os.environ.get(name) or None)


def _env_secret(name: str) -> Any:
    def read() -> dq.SecretValue | None:
        value = os.environ.get(name)
        return dq.SecretValue(value) if value else None

    return attrs.Factory(read)


def _positive(_inst: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


def _not_negative(_inst: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value!r}")


def _mount_path(_inst: object, attribute: attrs.Attribute[Any], value: str | None) -> None:
    """Mounts and namespaces become URL path segments / a header: same allow-list as paths."""
    if value is None:
        return
    try:
        dq.validate_secret_path(value.strip("/"))
    except dq.InvalidSecretPath as exc:
        raise ValueError(f"{attribute.name}: {exc}") from None


@attrs.frozen(kw_only=True)
class VaultConfig:
    """Where the Vault (or OpenBao) server is, how to authenticate, and which KV v2 mount.

    Authentication is a token (``token``, default ``$VAULT_TOKEN``) or an AppRole
    (``role_id`` + ``secret_id``, logged in at ``auth/<approle_mount>/login``); when both are
    given the AppRole wins, because its tokens are short-lived and re-obtained on expiry.
    ``token`` and ``secret_id`` are :class:`dq.SecretValue`: masked in repr, logs and
    ``dq plugins info``, revealed only into the request header or the login body.

    TLS: ``verify = false`` turns certificate checks off (only for a local dev server);
    ``ca_cert`` (default ``$VAULT_CACERT``) names a CA bundle file to trust instead of the
    system store. They are two fields rather than one ``bool | path`` because dq's config
    converter is strict about types.
    """

    #: ``https://vault.example:8200``; default ``$VAULT_ADDR``.
    address: str | None = attrs.field(default=_env("VAULT_ADDR"))
    token: dq.SecretValue | None = attrs.field(
        default=_env_secret("VAULT_TOKEN"), metadata={"secret": True}
    )
    #: Sent as ``X-Vault-Namespace`` (Vault Enterprise / OpenBao namespaces); default
    #: ``$VAULT_NAMESPACE``.
    namespace: str | None = attrs.field(default=_env("VAULT_NAMESPACE"), validator=_mount_path)
    #: The KV version 2 secrets engine's mount path.
    mount: str = attrs.field(default="secret", validator=_mount_path)
    role_id: str | None = None
    secret_id: dq.SecretValue | None = attrs.field(default=None, metadata={"secret": True})
    approle_mount: str = attrs.field(default="approle", validator=_mount_path)
    #: Seconds one HTTP request may take (connect, read, write, pool).
    timeout: float = attrs.field(default=10.0, validator=_positive)
    verify: bool = True
    ca_cert: str | None = attrs.field(default=_env("VAULT_CACERT"))
    #: Extra attempts of an idempotent request after a 5xx, 429, timeout or refused
    #: connection; writes are retried only when the connection was never made.
    retries: int = attrs.field(default=2, validator=_not_negative)
    #: First wait between attempts in seconds, doubled each time.
    backoff: float = attrs.field(default=0.2, validator=_positive)

    def __attrs_post_init__(self) -> None:
        # What the user wrote is checked here; what may still come from the environment
        # (address, credentials) is checked on first use by require_complete(), so that
        # `dq plugins info vault --check` can build the backend on a machine without VAULT_ADDR.
        if self.address and not self.address.startswith(("http://", "https://")):
            raise ValueError(
                "vault: address must start with http:// or https:// (e.g. http://127.0.0.1:8200)"
            )
        if self.address and "@" in self.address.split("://", 1)[1].split("/", 1)[0]:
            raise ValueError(
                "vault: address must not carry credentials (user:password@); "
                "use `token` or an AppRole instead"
            )
        if (self.role_id is None) != (self.secret_id is None):
            raise ValueError(
                "vault: AppRole login needs both `role_id` and `secret_id`; set both or neither"
            )

    def require_complete(self) -> None:
        """Raise :class:`VaultConfigurationError` if there is no address or no credentials."""
        if not self.address:
            raise VaultConfigurationError(
                "vault: no server address; set `address` in the backend's table "
                '(e.g. address = "https://vault.example:8200") or export VAULT_ADDR'
            )
        if self.role_id is None and self.token is None:
            raise VaultConfigurationError(
                "vault: no credentials; set `token` (or export VAULT_TOKEN), "
                "or `role_id` and `secret_id` for an AppRole login"
            )

    @property
    def uses_approle(self) -> bool:
        return self.role_id is not None and self.secret_id is not None
