"""The state of the local Key Vault: secrets and their versions, identities, roles, tokens.

Modelled on Microsoft's documentation (cited in the README): secret names are
case-insensitive; each ``PUT`` adds a version with a 32-hex-character id; ``DELETE`` moves the
secret (every version) to the deleted store, where it blocks its name (409) until recovered or
purged; RBAC grants data actions by role at vault or secret scope (``Key Vault Secrets User``:
``getSecret`` + ``readMetadata``; ``Key Vault Secrets Officer``: every secret action;
``Key Vault Reader``: ``readMetadata``), and deny assignments override role assignments.
Tokens are opaque strings bound to a principal, an audience and an expiry.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

import attrs

ACTION = "Microsoft.KeyVault/vaults/secrets/"
GET, META, SET = ACTION + "getSecret/action", ACTION + "readMetadata/action", ACTION + "setSecret/action"
DELETE, RECOVER, PURGE = ACTION + "delete", ACTION + "recover/action", ACTION + "purge/action"
ROLES: dict[str, frozenset[str]] = {
    "Key Vault Secrets User": frozenset({GET, META}),
    "Key Vault Secrets Officer": frozenset({GET, META, SET, DELETE, RECOVER, PURGE}),
    "Key Vault Reader": frozenset({META}),
}
RETENTION_DAYS = 90


@attrs.define
class Version:
    id: str
    value: str
    content_type: str | None
    tags: dict[str, str]
    enabled: bool
    created: int
    updated: int


@attrs.define
class Secret:
    name: str  # as first created (Key Vault keeps the case it was given)
    versions: list[Version] = attrs.Factory(list)

    @property
    def latest(self) -> Version:
        return self.versions[-1]


@attrs.define
class Deleted:
    secret: Secret
    deleted_date: int
    scheduled_purge: int


@attrs.frozen
class Recorded:
    """One request the server received (headers that carry credentials are left out)."""

    method: str
    host: str
    path: str
    query: str


@attrs.define
class Fault:
    """Answer the next *times* requests whose path contains *path* with *status*."""

    path: str
    status: int
    method: str | None = None
    times: int = 1
    headers: dict[str, str] = attrs.Factory(dict)
    code: str = "ServiceUnavailable"


@attrs.frozen
class Issued:
    principal: str
    audience: str
    expires: float


class KeyVaultState:
    """Everything the server knows; every method is safe to call from any thread."""

    def __init__(self, *, tenant: str, resource: str) -> None:
        self.tenant = tenant
        self.resource = resource
        self.lock = threading.RLock()
        self.apps: dict[str, str] = {}  # client id -> client secret
        self.managed: dict[str, str] = {}  # managed identity client id -> principal
        self.system_identity: str | None = None
        self.identity_header: str = secrets.token_hex(16)
        self.roles: list[tuple[str, str, str | None]] = []
        self.denies: list[tuple[str, str]] = []
        self.tokens: dict[str, Issued] = {}
        self.secrets: dict[str, Secret] = {}
        self.deleted: dict[str, Deleted] = {}
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self.token_lifetime = 3600
        self.page_size = 25
        #: Serve nextLinks on this origin instead of the vault's (to test that clients refuse).
        self.next_link_base: str | None = None
        self.issued_count = 0

    # -- identities and access ------------------------------------------------------------

    def add_app(self, client_id: str, client_secret: str) -> None:
        with self.lock:
            self.apps[client_id] = client_secret

    def add_managed_identity(self, client_id: str | None = None) -> str:
        """A managed identity; ``None``: the host's system-assigned one. Returns its principal."""
        principal = f"mi-{client_id or 'system'}"
        with self.lock:
            if client_id is None:
                self.system_identity = principal
            else:
                self.managed[client_id] = principal
        return principal

    def assign(self, principal: str, role: str, secret_name: str | None = None) -> None:
        """A role assignment at vault scope, or at one secret's scope."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; one of {sorted(ROLES)}")
        with self.lock:
            self.roles.append((principal, role, secret_name.lower() if secret_name else None))

    def deny(self, principal: str, secret_name: str) -> None:
        """A deny assignment: every secret action on *secret_name* refused for *principal*."""
        with self.lock:
            self.denies.append((principal, secret_name.lower()))

    def allowed(self, principal: str, action: str, name: str | None) -> bool:
        with self.lock:
            key = name.lower() if name else None
            if key is not None and (principal, key) in self.denies:
                return False
            return any(
                who == principal and action in ROLES[role] and scope in (None, key)
                for who, role, scope in self.roles
            )

    def issue(self, principal: str, audience: str) -> tuple[str, int]:
        token = secrets.token_urlsafe(32)
        with self.lock:
            self.tokens[token] = Issued(principal, audience, time.time() + self.token_lifetime)
            self.issued_count += 1
            return token, self.token_lifetime

    def revoke_all(self) -> None:
        with self.lock:
            self.tokens.clear()

    def holder(self, token: str) -> Issued | None:
        with self.lock:
            issued = self.tokens.get(token)
        if issued is None or issued.expires < time.time():
            return None
        return issued

    # -- secrets --------------------------------------------------------------------------

    def put(self, name: str, body: dict[str, Any]) -> Version:
        now = int(time.time())
        attributes = body.get("attributes") if isinstance(body.get("attributes"), dict) else {}
        version = Version(
            id=secrets.token_hex(16),
            value=body["value"],
            content_type=body.get("contentType"),
            tags=dict(body.get("tags") or {}),
            enabled=attributes.get("enabled", True) is not False,
            created=now,
            updated=now,
        )
        with self.lock:
            secret = self.secrets.setdefault(name.lower(), Secret(name))
            secret.versions.append(version)
        return version

    def delete(self, name: str) -> Deleted | None:
        now = int(time.time())
        with self.lock:
            secret = self.secrets.pop(name.lower(), None)
            if secret is None:
                return None
            gone = Deleted(secret, now, now + RETENTION_DAYS * 86400)
            self.deleted[name.lower()] = gone
            return gone

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.path in path and fault.method in (None, method) and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None
