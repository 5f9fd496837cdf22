"""dq paths → Secrets Manager secret names, and dq version numbers ↔ AWS version ids.

**Names.** A secret's name is ``name_prefix + path``, unchanged. AWS secret names allow
ASCII letters, digits and ``/_+=.@-`` up to 512 characters
(https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html#SecretsManager-CreateSecret-request-Name),
which is exactly the alphabet :func:`dq.validate_secret_path` allows, so the mapping is the
identity and trivially collision-free: two paths are two names. A path is validated *before*
the prefix is added, and a name longer than 512 characters is refused before any request.

**Versions.** AWS identifies a version by a client-chosen ``ClientRequestToken`` (32-64
characters) that becomes its ``VersionId``. dq writes version *n* with the token
``dq-v`` + *n* in 28 digits, so:

* ``get(path, version=n)`` is one ``GetSecretValue(VersionId=token(n))``, no lookup;
* a retried write (botocore retries a timed-out call with the same parameters) reuses the
  token, and AWS ignores a repeated token with identical content: no second version;
* two writers racing to write version *n* send the same token with different content, and AWS
  refuses the second with ``ResourceExistsException``: that is dq's check-and-set.

Versions written by other tools (console, CLI: random UUIDs) have no number; they are read by
stage or by ``VersionId`` (``AwsSecretsBackend.get_staged``).
"""

from __future__ import annotations

import re

import dq

MAX_NAME = 512
TOKEN_PREFIX = "dq-v"
_TOKEN = re.compile(r"dq-v(\d{28})")


def secret_name(prefix: str, path: str) -> str:
    """The secret name for a dq *path* (validated here, before anything else)."""
    path = dq.validate_secret_path(path)
    name = prefix + path
    if len(name) > MAX_NAME:
        raise dq.InvalidSecretPath(
            f"secret path {path[:60]!r}... makes a name of {len(name)} characters; "
            f"AWS Secrets Manager allows {MAX_NAME}"
        )
    return name


def folder_name(prefix: str, folder: str) -> str:
    """The name prefix a ``list(folder)`` filters on: ``prefix + folder + '/'`` (or ``prefix``)."""
    folder = dq.validate_secret_prefix(folder)
    name = prefix + (folder + "/" if folder else "")
    if len(name) > MAX_NAME:
        raise dq.InvalidSecretPath(f"list prefix {folder[:60]!r}... is too long for AWS names")
    return name


def version_token(number: int) -> str:
    """The ``ClientRequestToken`` (and so ``VersionId``) of dq's version *number*."""
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number < 10**28:
        raise dq.UsageError(f"version must be a positive integer, got {number!r}")
    return f"{TOKEN_PREFIX}{number:028d}"


def version_number(version_id: str) -> int | None:
    """dq's number for an AWS ``VersionId``, or ``None`` for a version another tool wrote."""
    match = _TOKEN.fullmatch(version_id)
    return int(match.group(1)) if match else None
