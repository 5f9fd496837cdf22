"""IAM of the local Secret Manager (:mod:`dq_gcp.testing`): which permissions each predefined
role gives, which permission each REST call needs, and whether an identity's grants allow it.

A grant is a role on a secret-id pattern (``fnmatch``), as an IAM condition on resource names
would be in a real project. Kept apart from the request handlers so the permission table can
be read, and checked against Google's access-control page, in one place.
"""

from __future__ import annotations

import fnmatch

#: Google's predefined Secret Manager roles, reduced to the permissions the fake checks.
ROLES: dict[str, frozenset[str]] = {
    "roles/secretmanager.secretAccessor": frozenset({"secretmanager.versions.access"}),
    "roles/secretmanager.secretVersionAdder": frozenset({"secretmanager.versions.add"}),
    "roles/secretmanager.secretVersionManager": frozenset(
        {
            "secretmanager.versions.add",
            "secretmanager.versions.enable",
            "secretmanager.versions.disable",
            "secretmanager.versions.destroy",
            "secretmanager.versions.get",
            "secretmanager.versions.list",
        }
    ),
    "roles/secretmanager.viewer": frozenset(
        {
            "secretmanager.secrets.get",
            "secretmanager.secrets.list",
            "secretmanager.versions.get",
            "secretmanager.versions.list",
        }
    ),
    "roles/secretmanager.admin": frozenset(
        {
            "secretmanager.secrets.create",
            "secretmanager.secrets.delete",
            "secretmanager.secrets.get",
            "secretmanager.secrets.list",
            "secretmanager.secrets.update",
            "secretmanager.versions.access",
            "secretmanager.versions.add",
            "secretmanager.versions.destroy",
            "secretmanager.versions.disable",
            "secretmanager.versions.enable",
            "secretmanager.versions.get",
            "secretmanager.versions.list",
        }
    ),
}

#: identity -> its grants, each (secret-id pattern, permissions of the granted role)
Grants = dict[str, list[tuple[str, frozenset[str]]]]


def permission_for(
    method: str, add: bool, version: str | None, verb: str | None, is_versions: bool
) -> str:
    """The permission a call on one secret needs (an unknown call needs one no role gives)."""
    if add:
        return "secretmanager.versions.add"
    if version is not None:
        return {
            None: "secretmanager.versions.get",
            "access": "secretmanager.versions.access",
            "enable": "secretmanager.versions.enable",
            "disable": "secretmanager.versions.disable",
            "destroy": "secretmanager.versions.destroy",
        }.get(verb, "secretmanager.unknown")
    if is_versions:
        return "secretmanager.versions.list"
    return {
        "GET": "secretmanager.secrets.get",
        "PATCH": "secretmanager.secrets.update",
        "DELETE": "secretmanager.secrets.delete",
    }.get(method, "secretmanager.unknown")


def allowed(grants: Grants, identity: str, permission: str, secret_id: str) -> bool:
    """True if one of *identity*'s grants gives *permission* on *secret_id*."""
    return any(
        permission in perms and fnmatch.fnmatchcase(secret_id, pattern)
        for pattern, perms in grants.get(identity, [])
    )
