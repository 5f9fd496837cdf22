"""Verification keys for JWTs, loaded from config with cryptography, and strict base64url.

The algorithm belongs to the key: an RSA key verifies RS256 only, a P-256 key ES256 only, a
shared secret HS256 only. Nothing a token says can change that (RFC 8725 section 3.1), which
is what makes ``alg: none`` and the HS256-with-the-RSA-public-key forgery impossible rather
than merely checked for.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from collections.abc import Mapping
from hashlib import sha256
from pathlib import Path
from typing import Any

import attrs
import dq
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from dq_tenancy._config import JwtConfig

#: RSA keys below this size are refused (RFC 7518 section 3.3 requires 2048 bits or more).
MIN_RSA_BITS = 2048
#: ES256 signatures are the 32-byte r and s concatenated (RFC 7518 section 3.4); never DER.
ES256_SIGNATURE_BYTES = 64
_B64URL_RE = re.compile(r"[A-Za-z0-9_-]*")
_SOURCE = "[tenant.jwt]"


class Base64Error(ValueError):
    """Text that is not canonical, unpadded base64url."""


def b64url_decode(text: str) -> bytes:
    """Decode canonical unpadded base64url, refusing anything else.

    ``base64.urlsafe_b64decode`` skips characters outside its alphabet and accepts padding
    and non-zero trailing bits, so one value has many spellings -- a token could be
    "the same" token in several byte strings. Here exactly one spelling decodes: the
    alphabet is checked, padding is refused, and re-encoding must give the input back.
    """
    if _B64URL_RE.fullmatch(text) is None:
        raise Base64Error("holds characters outside the base64url alphabet (or '=' padding)")
    if len(text) % 4 == 1:
        raise Base64Error("has an impossible length for base64url")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise Base64Error("is not valid base64url") from None
    if b64url_encode(raw) != text:
        raise Base64Error("is not canonical base64url (non-zero trailing bits)")
    return raw


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@attrs.frozen(repr=False)
class VerifyingKey:
    """One key and the one algorithm it verifies."""

    alg: str
    key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey | dq.SecretValue
    kid: str | None = None

    def __repr__(self) -> str:  # the secret never shows, nor a 300-digit modulus
        return f"VerifyingKey(alg={self.alg!r}, kid={self.kid!r})"

    def verify(self, signing_input: bytes, signature: bytes) -> bool:
        """True if *signature* over *signing_input* verifies with this key and algorithm."""
        key = self.key
        try:
            if isinstance(key, dq.SecretValue):
                expected = hmac.new(key.reveal(), signing_input, sha256).digest()
                return hmac.compare_digest(expected, signature)
            if isinstance(key, rsa.RSAPublicKey):
                key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
                return True
            if len(signature) != ES256_SIGNATURE_BYTES:
                return False  # a DER signature (or junk) is not an ES256 JWS signature
            r = int.from_bytes(signature[:32], "big")
            s = int.from_bytes(signature[32:], "big")
            key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
            return True
        except (InvalidSignature, ValueError):
            return False


@attrs.frozen(repr=False)
class KeySet:
    """The configured key(s): one key, or a JWKS where the token's ``kid`` picks the key."""

    single: VerifyingKey | None = None
    by_kid: Mapping[str, VerifyingKey] = attrs.field(factory=dict)

    def __repr__(self) -> str:
        return f"KeySet(single={self.single!r}, kids={sorted(self.by_kid)!r})"


def load_keys(config: JwtConfig) -> KeySet:
    """The key set *config* names; reads a file if one is configured (config, not service I/O)."""
    if config.hs256_secret is not None:
        return KeySet(single=VerifyingKey("HS256", config.hs256_secret))
    if config.public_key is not None:
        return KeySet(single=_from_pem(config.public_key.encode("utf-8"), "public_key"))
    if config.public_key_file is not None:
        data = _read(config.public_key_file, "public_key_file")
        return KeySet(single=_from_pem(data, "public_key_file"))
    if config.jwks is not None:
        return _from_jwks(config.jwks, "jwks")
    assert config.jwks_file is not None  # JwtConfig guarantees exactly one source
    return _from_jwks(_read(config.jwks_file, "jwks_file").decode("utf-8", "replace"), "jwks_file")


def _problem(field: str, message: str) -> dq.ConfigError:
    return dq.ConfigError(_SOURCE, [f"{field}: {message}"])


def _read(path: str, field: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise _problem(field, f"cannot read {path!r} ({exc.strerror or exc})") from None


def _from_pem(data: bytes, field: str) -> VerifyingKey:
    if b"PRIVATE KEY" in data:
        raise _problem(field, "holds a private key; configure the public key only")
    try:
        if b"BEGIN CERTIFICATE" in data:
            key: Any = x509.load_pem_x509_certificate(data).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except ValueError:
        raise _problem(
            field, "is not a PEM public key ('-----BEGIN PUBLIC KEY-----' ...)"
        ) from None
    return _verifying_key(key, None, field)


def _verifying_key(key: Any, kid: str | None, field: str) -> VerifyingKey:
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise _problem(field, f"RSA key of {key.key_size} bits; use {MIN_RSA_BITS} or more")
        return VerifyingKey("RS256", key, kid)
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise _problem(field, f"EC key on {key.curve.name}; only P-256 (ES256) is supported")
        return VerifyingKey("ES256", key, kid)
    raise _problem(field, f"{type(key).__name__} keys are not supported; use RSA or EC P-256")


_SUPPORTED = {("RSA", None): "RS256", ("EC", "P-256"): "ES256"}


def _from_jwks(text: str, field: str) -> KeySet:
    """Parse a JWKS. Keys for encryption or other algorithms are skipped, not errors: an
    identity provider's set often holds them. Private or symmetric keys are errors."""
    try:
        document = json.loads(text)
    except ValueError:
        raise _problem(field, 'is not JSON; expected {"keys": [...]}') from None
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list):
        raise _problem(field, "expected a JSON object with a 'keys' list")
    by_kid: dict[str, VerifyingKey] = {}
    for index, jwk in enumerate(keys):
        where = f"{field}.keys[{index}]"
        if not isinstance(jwk, dict):
            raise _problem(where, "expected a JSON object")
        if "d" in jwk or jwk.get("kty") == "oct":
            raise _problem(
                where,
                "holds private or symmetric key material; a JWKS here is public keys "
                "only (put an HS256 secret in hs256_secret)",
            )
        kid = jwk.get("kid")
        if not isinstance(kid, str) or not kid:
            raise _problem(where, "needs a non-empty string 'kid' (tokens pick keys by kid)")
        if kid in by_kid:
            raise _problem(where, f"kid {kid!r} appears twice")
        kty, crv = jwk.get("kty"), jwk.get("crv")
        alg = _SUPPORTED.get((kty, crv if kty == "EC" else None))
        if alg is None or jwk.get("use", "sig") != "sig" or jwk.get("alg", alg) != alg:
            continue
        by_kid[kid] = _verifying_key(_jwk_public_key(jwk, where), kid, where)
    if not by_kid:
        raise _problem(field, "holds no RS256 or ES256 signing key")
    return KeySet(by_kid=by_kid)


def _jwk_public_key(jwk: Mapping[str, Any], where: str) -> Any:
    def number(name: str, size: int | None = None) -> int:
        value = jwk.get(name)
        try:
            raw = b64url_decode(value) if isinstance(value, str) else None
        except Base64Error as exc:
            raise _problem(where, f"'{name}' {exc}") from None
        if not raw or (size is not None and len(raw) != size):
            expected = f"{size} bytes of " if size else ""
            raise _problem(where, f"'{name}' must be {expected}base64url")
        return int.from_bytes(raw, "big")

    try:
        if jwk["kty"] == "RSA":
            return rsa.RSAPublicNumbers(number("e"), number("n")).public_key()
        # RFC 7518 6.2.1.2: P-256 coordinates are exactly 32 bytes, leading zeros kept.
        return ec.EllipticCurvePublicNumbers(
            number("x", 32), number("y", 32), ec.SECP256R1()
        ).public_key()
    except ValueError:
        raise _problem(where, "is not a valid public key (point not on the curve?)") from None
