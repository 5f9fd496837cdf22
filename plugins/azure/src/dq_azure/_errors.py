"""Errors dq-azure raises besides dq's five secret-error categories (or as refinements of them).

Each is a :class:`dq.SecretError` and belongs to at most one of dq's categories, so a caller's
``except dq.SecretNotFound`` never swallows a denial or a misconfiguration.
"""

from __future__ import annotations

import dq


class AzureConfigurationError(dq.SecretError, dq.UsageError):
    """The configuration cannot work: no vault URL, no credential, a challenge naming another
    tenant or a resource outside the vault's domain, an answer that is not Key Vault's.
    The user must change the configuration; never "not found" (no fall-through)."""


class AzureAuthenticationError(dq.SecretAccessDenied):
    """No token could be had, or Key Vault refused a freshly issued one (401).

    A denial: a resolver must not fall through to another backend because this one's
    credentials are wrong. The message carries Microsoft Entra's error code and description
    (which name the client id and tenant, never the secret).
    """


class AzureSecretDisabled(dq.SecretAccessDenied):
    """The version exists but is disabled (Key Vault: 403 ``Forbidden`` / ``SecretDisabled``).

    An operator turned it off on purpose; reading another backend's copy instead would undo
    that, so it is a denial, not "not found"."""


class AzureRequestError(dq.SecretError):
    """Key Vault refused the request as malformed (400 ``BadParameter`` and the like).

    ``code`` is Key Vault's error code; the message shows it with Key Vault's message.
    """

    def __init__(self, message: str, *, code: str = "") -> None:
        self.code = code
        super().__init__(message)
