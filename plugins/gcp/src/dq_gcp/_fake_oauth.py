"""The token endpoint's check of a service account's JWT assertion, for the local Secret
Manager (:mod:`dq_gcp.testing`).

It refuses what Google's endpoint refuses (https://developers.google.com/identity/protocols/
oauth2/service-account), so a backend that signs a wrong claim fails here and not only in
production: ``alg`` exactly RS256, a known ``kid`` for the ``iss``, a valid RSA signature,
``aud`` equal to the token URI, a short-lived ``iat``/``exp`` window and the cloud-platform
``scope``. ``cryptography`` is imported inside the check, as the server imports it only when
it is used.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from typing import Any

SCOPE = "https://www.googleapis.com/auth/cloud-platform"


def b64url_decode(part: str) -> bytes:
    """Strict base64url without padding (Python's decoder drops junk characters)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]*", part) or len(part) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verify_assertion(
    assertion: str, keys: dict[str, tuple[str, Any]], token_uri: str
) -> tuple[str | None, str]:
    """(None, client email) for a valid assertion, else (Google's error description, "").

    *keys* maps each registered client email to its (key id, RSA public key).
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    parts = assertion.split(".")
    if len(parts) != 3:
        return "Invalid JWT: not three parts", ""
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except (ValueError, binascii.Error):
        return "Invalid JWT: malformed base64url or JSON", ""
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return "Invalid JWT: header and claims must be objects", ""
    if header.get("alg") != "RS256":
        return "Invalid JWT: alg must be RS256", ""
    email = claims.get("iss")
    known = keys.get(email) if isinstance(email, str) else None
    if known is None or header.get("kid") != known[0]:
        return "Invalid JWT Signature.", ""
    try:
        known[1].verify(
            signature,
            f"{parts[0]}.{parts[1]}".encode("ascii"),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except InvalidSignature:
        return "Invalid JWT Signature.", ""
    now = time.time()
    iat, exp = claims.get("iat"), claims.get("exp")
    if claims.get("aud") != token_uri:
        return "Invalid JWT: aud is not the token endpoint", ""
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (iat, exp))
    if not numeric or iat > now + 60 or exp <= now or exp - iat > 3600:
        return (
            "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
            "reasonable timeframe.",
            "",
        )
    if SCOPE not in str(claims.get("scope", "")).split():
        return "Invalid OAuth scope or ID token audience provided.", ""
    return None, str(email)
