"""dq-tenancy as an installed plugin: metadata, building through the real Host, import cost,
and the JWT key configuration (PEM, certificate, files, JWKS) with its errors."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import dq
import dq_tenancy
import pytest
from conftest import AUDIENCE, HS_SECRET, ISSUER, Mint, b64, bearer, pem, rejection
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

NAMES = ("header", "subdomain", "path", "jwt", "composite")


def test_the_distribution_declares_five_resolvers_and_its_hook_api_range() -> None:
    eps = metadata.distribution("dq-tenancy").entry_points
    assert {(ep.group, ep.name, ep.value) for ep in eps} == {
        *(("dq.tenants", name, "dq_tenancy") for name in NAMES),
        ("dq.hook_api", "^1.0", "dq_tenancy"),
    }
    assert metadata.version("dq-tenancy") == dq_tenancy.__version__ == "0.1.0"


def test_discovery_lists_every_resolver_as_ok() -> None:
    records = [r for r in dq.discover().records if r.distribution == "dq-tenancy"]
    assert sorted((r.kind, r.name, r.status) for r in records) == sorted(
        ("tenant", name, "ok") for name in NAMES
    )


def test_the_host_builds_resolvers_from_config_tables(mint: Mint) -> None:
    host = dq.Host(dq.discover())
    header = host.component("tenant", "header", {"header": "X-Org"})
    assert header.resolve(dq.RequestFacts(headers=(("x-org", "acme"),))) == dq.TenantId("acme")
    jwt = host.component(
        "tenant", "jwt", {"issuer": ISSUER, "audience": AUDIENCE, "hs256_secret": HS_SECRET}
    )
    assert jwt.resolve(bearer(mint("HS256"))) == dq.TenantId("acme")
    for name in NAMES:
        assert host.config_class("tenant", name) is dq_tenancy.CONFIGS[name]


def test_the_hs256_secret_is_declared_secret() -> None:
    import attrs

    fields = {f.name: f for f in attrs.fields(dq_tenancy.JwtConfig)}
    assert fields["hs256_secret"].metadata == {"secret": True}


def test_a_jwt_resolver_without_config_is_a_clear_error() -> None:
    with pytest.raises(dq.ConfigError, match="issuer"):
        dq.Host(dq.discover()).component("tenant", "jwt", {})
    with pytest.raises(dq.UsageError, match=r"\[tenant.jwt\]"):
        dq_tenancy.dq_tenant_resolver(name="jwt", config=None)


def test_hooks_answer_only_for_their_own_names() -> None:
    assert dq_tenancy.dq_component_config(kind="engine", name="header") is None
    assert dq_tenancy.dq_component_config(kind="tenant", name="other") is None
    assert dq_tenancy.dq_tenant_resolver(name="other", config=None) is None
    assert isinstance(
        dq_tenancy.dq_tenant_resolver(name="path", config=None), dq_tenancy.PathResolver
    )
    with pytest.raises(dq.UsageError, match="HeaderConfig"):
        dq_tenancy.dq_tenant_resolver(name="header", config=dq_tenancy.PathConfig())


def test_importing_the_plugin_does_not_import_cryptography() -> None:
    code = "import sys, dq_tenancy; print('cryptography' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- key configuration --------------------------------------------------------------------


def jwt_config(**key: Any) -> dq_tenancy.JwtConfig:
    return dq_tenancy.JwtConfig(issuer=ISSUER, audience=AUDIENCE, **key)


def test_a_public_key_file_and_a_certificate_are_accepted(
    tmp_path: Path, rsa_key: Any, mint: Mint
) -> None:
    path = tmp_path / "key.pem"
    path.write_text(pem(rsa_key))
    from_file = dq_tenancy.JwtResolver(jwt_config(public_key_file=str(path)))
    assert from_file.resolve(bearer(mint("RS256"))) == dq.TenantId("acme")
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "id.example.com")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(rsa_key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(rsa_key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    from_cert = dq_tenancy.JwtResolver(jwt_config(public_key=cert_pem))
    assert from_cert.resolve(bearer(mint("RS256"))) == dq.TenantId("acme")


def private_pem(key: Any) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: {"public_key": "not a pem"}, "not a PEM public key"),
        (
            lambda: {"public_key": private_pem(ec.generate_private_key(ec.SECP256R1()))},
            "private key",
        ),
        (lambda: {"public_key": pem(ec.generate_private_key(ec.SECP384R1()))}, "P-256"),
        (lambda: {"public_key": pem(rsa.generate_private_key(65537, 1024))}, "2048"),
        (lambda: {"public_key_file": "/nonexistent/key.pem"}, "cannot read"),
        (lambda: {"jwks": "not json"}, "not JSON"),
        (lambda: {"jwks": '{"keys": {}}'}, "'keys' list"),
        (lambda: {"jwks": '{"keys": []}'}, "no RS256 or ES256"),
        (lambda: {"jwks": '{"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "a"}]}'}, "symmetric"),
    ],
)
def test_a_bad_key_is_a_config_error_saying_what_to_do(make: Any, message: str) -> None:
    with pytest.raises(dq.ConfigError, match=message) as info:
        dq_tenancy.JwtResolver(jwt_config(**make()))
    assert "[tenant.jwt]" in str(info.value)


def test_two_key_sources_or_a_short_hs_secret_are_refused_at_load() -> None:
    with pytest.raises(ValueError, match="exactly one key"):
        jwt_config(jwks="{}", hs256_secret=dq.SecretValue(HS_SECRET))
    with pytest.raises(ValueError, match="32 bytes"):
        jwt_config(hs256_secret=dq.SecretValue("short"))


def rsa_jwk(key: Any, kid: str) -> dict[str, Any]:
    numbers = key.public_key().public_numbers()
    n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
    e = numbers.e.to_bytes(3, "big")
    return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": b64(n), "e": b64(e)}


def ec_jwk(key: Any, kid: str) -> dict[str, Any]:
    numbers = key.public_key().public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "kid": kid,
        "x": b64(numbers.x.to_bytes(32, "big")),
        "y": b64(numbers.y.to_bytes(32, "big")),
    }


@pytest.fixture
def jwks(rsa_key: Any, ec_key: Any, other_rsa_key: Any) -> dict[str, Any]:
    return {
        "keys": [
            rsa_jwk(rsa_key, "rsa-1"),
            ec_jwk(ec_key, "ec-1"),
            {**rsa_jwk(other_rsa_key, "enc-1"), "use": "enc"},  # skipped: not for signatures
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "kid": "ed-1",
                "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
            },
        ]
    }


def test_the_kid_picks_the_key_of_a_jwks(jwks: dict[str, Any], mint: Mint, tmp_path: Path) -> None:
    inline = dq_tenancy.JwtResolver(jwt_config(jwks=json.dumps(jwks)))
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks))
    from_file = dq_tenancy.JwtResolver(jwt_config(jwks_file=str(path)))
    for resolver in (inline, from_file):
        rs = mint("RS256", headers={"kid": "rsa-1"}, tenant="acme")
        es = mint("ES256", headers={"kid": "ec-1"}, tenant="globex")
        assert resolver.resolve(bearer(rs)) == dq.TenantId("acme")
        assert resolver.resolve(bearer(es)) == dq.TenantId("globex")


@pytest.mark.parametrize("kid", ["unknown", "enc-1", "ed-1", None])
def test_an_unknown_or_unusable_kid_is_refused(kid: Any, jwks: dict[str, Any], mint: Mint) -> None:
    resolver = dq_tenancy.JwtResolver(jwt_config(jwks=json.dumps(jwks)))
    headers = {} if kid is None else {"kid": kid}
    exc = rejection(resolver, bearer(mint("RS256", headers=headers)))
    assert (exc.status, exc.code) == (401, "invalid_token")


def test_a_kid_that_is_not_a_string_is_refused(jwks: dict[str, Any], rsa_key: Any) -> None:
    from conftest import b64json, claims
    from cryptography.hazmat.primitives.asymmetric import padding

    signing_input = f"{b64json({'alg': 'RS256', 'kid': 7})}.{b64json(claims())}"
    signature = rsa_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    resolver = dq_tenancy.JwtResolver(jwt_config(jwks=json.dumps(jwks)))
    assert rejection(resolver, bearer(f"{signing_input}.{b64(signature)}")).status == 401


def test_a_kid_naming_an_rsa_key_does_not_admit_an_es256_token(
    jwks: dict[str, Any], mint: Mint
) -> None:
    resolver = dq_tenancy.JwtResolver(jwt_config(jwks=json.dumps(jwks)))
    assert rejection(resolver, bearer(mint("ES256", headers={"kid": "rsa-1"}))).status == 401


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda k: {**k, "x": k["x"] + "="}, "base64url"),
        (lambda k: {**k, "x": b64(b"\x01" * 31)}, "32 bytes"),
        (lambda k: {**k, "y": k["x"]}, "not a valid public key"),
        (lambda k: {**k, "d": k["x"]}, "private"),
        (lambda k: {key: v for key, v in k.items() if key != "kid"}, "kid"),
    ],
)
def test_a_bad_jwk_is_a_config_error(change: Any, message: str, ec_key: Any) -> None:
    document = json.dumps({"keys": [change(ec_jwk(ec_key, "ec-1"))]})
    with pytest.raises(dq.ConfigError, match=message):
        dq_tenancy.JwtResolver(jwt_config(jwks=document))


def test_a_duplicate_kid_is_a_config_error(ec_key: Any) -> None:
    document = json.dumps({"keys": [ec_jwk(ec_key, "same"), ec_jwk(ec_key, "same")]})
    with pytest.raises(dq.ConfigError, match="twice"):
        dq_tenancy.JwtResolver(jwt_config(jwks=document))
