"""Keys, token minting (PyJWT, a library we did not write) and hand-forging of attack tokens."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import dq
import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from dq_tenancy import JwtConfig, JwtResolver

ISSUER = "https://id.example.com/"
AUDIENCE = "dq-api"
HS_SECRET = "s3cret-s3cret-s3cret-s3cret-0123456789"  # 38 bytes: above the 32-byte minimum

# Generated once per session: RSA key generation is the slowest thing in these tests.
_RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_RSA_OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_EC = ec.generate_private_key(ec.SECP256R1())


def pem(private_key: Any) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64json(value: Any) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"iss": ISSUER, "aud": AUDIENCE, "exp": now + 300, "iat": now, "tenant": "acme"}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not ...}


def bearer(token: str) -> dq.RequestFacts:
    return dq.RequestFacts(headers=(("authorization", f"Bearer {token}"),))


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return _RSA


@pytest.fixture(scope="session")
def other_rsa_key() -> rsa.RSAPrivateKey:
    return _RSA_OTHER


@pytest.fixture(scope="session")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return _EC


Mint = Callable[..., str]


@pytest.fixture
def mint() -> Mint:
    """``mint(alg, key=None, headers=None, **claim_overrides)`` -> a PyJWT-signed token."""

    def _mint(alg: str, key: Any = None, headers: dict[str, Any] | None = None, **over: Any) -> str:
        if key is None:
            key = {"RS256": _RSA, "ES256": _EC, "HS256": HS_SECRET}[alg]
        return pyjwt.encode(claims(**over), key, algorithm=alg, headers=headers)

    return _mint


@pytest.fixture
def rs_resolver() -> JwtResolver:
    return JwtResolver(JwtConfig(issuer=ISSUER, audience=AUDIENCE, public_key=pem(_RSA)))


@pytest.fixture
def es_resolver() -> JwtResolver:
    return JwtResolver(JwtConfig(issuer=ISSUER, audience=AUDIENCE, public_key=pem(_EC)))


@pytest.fixture
def hs_resolver() -> JwtResolver:
    return JwtResolver(
        JwtConfig(issuer=ISSUER, audience=AUDIENCE, hs256_secret=dq.SecretValue(HS_SECRET))
    )


def rejection(resolver: Any, facts: dq.RequestFacts) -> dq.TenantRejected:
    """The TenantRejected *resolver* raises for *facts* (fails the test if it resolves)."""
    try:
        result = resolver.resolve(facts)
    except dq.TenantRejected as exc:
        return exc
    raise AssertionError(f"resolved to {result!r}; expected a rejection")
