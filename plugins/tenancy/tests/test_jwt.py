"""The JWT resolver: interoperates with PyJWT, refuses every forged or malformed token."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import dq
import jwt as pyjwt
import pytest
from conftest import (
    AUDIENCE,
    HS_SECRET,
    ISSUER,
    Mint,
    b64,
    b64json,
    bearer,
    claims,
    pem,
    rejection,
)
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from dq_tenancy import JwtConfig, JwtResolver


def sign_rs(key: Any, header: dict[str, Any], payload: dict[str, Any]) -> str:
    signing_input = f"{b64json(header)}.{b64json(payload)}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64(signature)}"


def sign_hs(secret: bytes, header: dict[str, Any], payload: dict[str, Any]) -> str:
    signing_input = f"{b64json(header)}.{b64json(payload)}"
    return (
        f"{signing_input}.{b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"
    )


# -- interoperability: tokens minted by PyJWT ---------------------------------------------


@pytest.mark.parametrize("alg", ["RS256", "ES256", "HS256"])
def test_a_pyjwt_token_resolves_to_its_tenant_claim(alg: str, mint: Mint, request: Any) -> None:
    resolver = request.getfixturevalue(f"{alg[:2].lower()}_resolver")
    assert resolver.resolve(bearer(mint(alg, tenant="acme"))) == dq.TenantId("acme")


def test_a_configured_header_and_bare_token_are_read(mint: Mint) -> None:
    config = JwtConfig(
        issuer=ISSUER,
        audience=AUDIENCE,
        hs256_secret=dq.SecretValue(HS_SECRET),
        header="X-Tenant-Token",
        scheme="",
        tenant_claim="org",
    )
    facts = dq.RequestFacts(headers=(("x-tenant-token", mint("HS256", org="globex")),))
    assert JwtResolver(config).resolve(facts) == dq.TenantId("globex")


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_the_auth_scheme_is_case_insensitive(scheme: str, mint: Mint, hs_resolver: Any) -> None:
    facts = dq.RequestFacts(headers=(("Authorization", f"{scheme} {mint('HS256')}"),))
    assert hs_resolver.resolve(facts) == dq.TenantId("acme")


def test_no_token_or_another_auth_scheme_is_none(hs_resolver: Any) -> None:
    assert hs_resolver.resolve(dq.RequestFacts()) is None
    basic = dq.RequestFacts(headers=(("authorization", "Basic dXNlcjpwYXNz"),))
    assert hs_resolver.resolve(basic) is None


@pytest.mark.parametrize("value", ["Bearer", "Bearer ", "Bearer   "])
def test_a_bearer_header_without_a_token_is_refused(value: str, hs_resolver: Any) -> None:
    exc = rejection(hs_resolver, dq.RequestFacts(headers=(("authorization", value),)))
    assert (exc.status, exc.code) == (401, "invalid_token")


def test_two_authorization_headers_are_refused(mint: Mint, hs_resolver: Any) -> None:
    token = mint("HS256")
    facts = dq.RequestFacts(headers=(("authorization", f"Bearer {token}"),) * 2)
    assert rejection(hs_resolver, facts).status == 400


# -- the algorithm belongs to the key -----------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE", " none"])
def test_alg_none_in_any_spelling_is_refused(alg: str, rs_resolver: Any, hs_resolver: Any) -> None:
    token = f"{b64json({'alg': alg, 'typ': 'JWT'})}.{b64json(claims())}."
    for resolver in (rs_resolver, hs_resolver):
        exc = rejection(resolver, bearer(token))
        assert (exc.status, exc.code) == (401, "invalid_token")
    # and with a signature part that is not empty
    assert rejection(rs_resolver, bearer(token + "c2ln")).status == 401


def test_hs256_signed_with_the_rsa_public_key_pem_is_refused(
    rsa_key: Any, rs_resolver: Any
) -> None:
    """The classic confusion: the public key, used as an HMAC secret, forges a token."""
    forged = sign_hs(pem(rsa_key).encode(), {"alg": "HS256", "typ": "JWT"}, claims())
    exc = rejection(rs_resolver, bearer(forged))
    assert exc.code == "invalid_token"
    assert "algorithm" in str(exc)


def test_an_rs256_token_is_refused_by_an_hs256_resolver(mint: Mint, hs_resolver: Any) -> None:
    assert rejection(hs_resolver, bearer(mint("RS256"))).code == "invalid_token"


def test_an_es256_token_is_refused_by_an_rs256_resolver(mint: Mint, rs_resolver: Any) -> None:
    assert rejection(rs_resolver, bearer(mint("ES256"))).code == "invalid_token"


@pytest.mark.parametrize("alg", ["RS384", "PS256", "RS512"])
def test_another_rsa_algorithm_is_refused_even_with_the_right_key(
    alg: str, mint: Mint, rsa_key: Any, rs_resolver: Any
) -> None:
    assert rejection(rs_resolver, bearer(mint(alg, key=rsa_key))).code == "invalid_token"


def test_a_token_signed_by_another_rsa_key_is_refused(
    mint: Mint, other_rsa_key: Any, rs_resolver: Any
) -> None:
    exc = rejection(rs_resolver, bearer(mint("RS256", key=other_rsa_key)))
    assert "does not verify" in str(exc)


def test_a_token_signed_with_another_hs_secret_is_refused(mint: Mint, hs_resolver: Any) -> None:
    assert rejection(hs_resolver, bearer(mint("HS256", key="x" * 40))).code == "invalid_token"


def test_a_changed_payload_breaks_the_signature(mint: Mint, rs_resolver: Any) -> None:
    header, _, signature = mint("RS256").split(".")
    tampered = f"{header}.{b64json(claims(tenant='evil'))}.{signature}"
    assert rejection(rs_resolver, bearer(tampered)).code == "invalid_token"


# -- ES256 signatures are raw r||s --------------------------------------------------------


def test_an_es256_der_signature_is_refused(ec_key: Any, es_resolver: Any) -> None:
    signing_input = f"{b64json({'alg': 'ES256'})}.{b64json(claims())}"
    der = ec_key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    exc = rejection(es_resolver, bearer(f"{signing_input}.{b64(der)}"))
    assert exc.code == "invalid_token"


def test_an_es256_raw_signature_made_by_hand_verifies(ec_key: Any, es_resolver: Any) -> None:
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    signing_input = f"{b64json({'alg': 'ES256'})}.{b64json(claims(tenant='hand'))}"
    r, s = decode_dss_signature(ec_key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert es_resolver.resolve(bearer(f"{signing_input}.{b64(raw)}")) == dq.TenantId("hand")
    for cut in (raw[:63], raw + b"\x00", b"\x00" * 64):
        assert rejection(es_resolver, bearer(f"{signing_input}.{b64(cut)}")).status == 401


# -- canonical base64url and strict JSON --------------------------------------------------


def variants(token: str) -> dict[str, str]:
    header, payload, signature = token.split(".")
    return {
        "padded header": f"{header}==.{payload}.{signature}"
        if len(header) % 4
        else f"{header}.{payload}.{signature}=",
        "standard alphabet": token.replace("-", "+").replace("_", "/")
        if ("-" in token or "_" in token)
        else f"{header}.{payload}+.{signature}",
        "junk character": f"{header}.{payload[:5]}!{payload[5:]}.{signature}",
        "whitespace": f"{header}.{payload}. {signature}",
        "four parts": f"{token}.{signature}",
        "two parts": f"{header}.{payload}",
        "JWE-like five parts": f"{header}.{payload}.{signature}.{signature}.{signature}",
    }


@pytest.mark.parametrize(
    "name",
    [
        "padded header",
        "standard alphabet",
        "junk character",
        "whitespace",
        "four parts",
        "two parts",
        "JWE-like five parts",
    ],
)
def test_a_token_that_is_not_canonical_base64url_is_refused(
    name: str, mint: Mint, hs_resolver: Any
) -> None:
    token = variants(mint("HS256"))[name]
    assert rejection(hs_resolver, bearer(token)).code == "invalid_token"


def test_non_zero_trailing_bits_are_refused(mint: Mint, hs_resolver: Any) -> None:
    header, payload, signature = mint("HS256").split(".")
    # 32 signature bytes end in a 4-bit remainder: flip the unused low bits of the last char
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(signature[-1])
    twin = signature[:-1] + alphabet[last | 0b11]
    assert twin != signature
    import base64

    assert base64.urlsafe_b64decode(twin + "=") == base64.urlsafe_b64decode(signature + "=")
    exc = rejection(hs_resolver, bearer(f"{header}.{payload}.{twin}"))
    assert "canonical" in str(exc)


def test_a_header_with_a_duplicate_member_is_refused(hs_resolver: Any) -> None:
    header = b64(b'{"alg":"HS256","alg":"none"}')
    payload = b64json(claims())
    signing_input = f"{header}.{payload}"
    sig = hmac.new(HS_SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    assert rejection(hs_resolver, bearer(f"{signing_input}.{b64(sig)}")).code == "invalid_token"


@pytest.mark.parametrize("raw", [b"[]", b'"HS256"', b"\xff\xfe", b'{"alg":NaN}', b"{"])
def test_a_header_that_is_not_a_json_object_is_refused(raw: bytes, hs_resolver: Any) -> None:
    token = f"{b64(raw)}.{b64json(claims())}.c2ln"
    assert rejection(hs_resolver, bearer(token)).code == "invalid_token"


def test_a_crit_header_is_refused(hs_resolver: Any) -> None:
    token = sign_hs(HS_SECRET.encode(), {"alg": "HS256", "crit": ["exp"], "exp": 1}, claims())
    exc = rejection(hs_resolver, bearer(token))
    assert "crit" in str(exc)


# -- claims -------------------------------------------------------------------------------


def hs_token(**over: Any) -> str:
    return sign_hs(HS_SECRET.encode(), {"alg": "HS256", "typ": "JWT"}, claims(**over))


@pytest.mark.parametrize(
    "over",
    [
        {"exp": str(int(time.time()) + 300)},
        {"exp": True},
        {"exp": None},
        {"exp": [1]},
        {"nbf": "0"},
        {"nbf": False},
        {"iat": "now"},
    ],
    ids=["exp-string", "exp-bool", "exp-null", "exp-array", "nbf-string", "nbf-bool", "iat-string"],
)
def test_time_claims_must_be_json_numbers(over: dict[str, Any], hs_resolver: Any) -> None:
    exc = rejection(hs_resolver, bearer(hs_token(**over)))
    assert (exc.status, exc.code) == (401, "invalid_token")
    assert "JSON number" in str(exc)


def test_an_expired_token_is_refused_with_token_expired(mint: Mint, hs_resolver: Any) -> None:
    exc = rejection(hs_resolver, bearer(mint("HS256", exp=int(time.time()) - 120)))
    assert (exc.status, exc.code) == (401, "token_expired")


def test_expiry_within_the_leeway_is_accepted_and_beyond_it_refused(mint: Mint) -> None:
    now = 1_700_000_000.0
    config = JwtConfig(
        issuer=ISSUER, audience=AUDIENCE, hs256_secret=dq.SecretValue(HS_SECRET), leeway=30
    )
    resolver = JwtResolver(config, clock=lambda: now)
    token = mint("HS256", exp=int(now) - 29, iat=int(now) - 100)
    assert resolver.resolve(bearer(token)) == dq.TenantId("acme")
    late = mint("HS256", exp=int(now) - 30, iat=int(now) - 100)
    assert rejection(resolver, bearer(late)).code == "token_expired"
    strict = JwtResolver(
        JwtConfig(
            issuer=ISSUER, audience=AUDIENCE, hs256_secret=dq.SecretValue(HS_SECRET), leeway=0
        ),
        clock=lambda: now,
    )
    assert rejection(strict, bearer(token)).code == "token_expired"


def test_nbf_in_the_future_beyond_the_leeway_is_refused(mint: Mint, hs_resolver: Any) -> None:
    soon = mint("HS256", nbf=int(time.time()) + 10)
    assert hs_resolver.resolve(bearer(soon)) == dq.TenantId("acme")
    later = mint("HS256", nbf=int(time.time()) + 600)
    assert rejection(hs_resolver, bearer(later)).code == "token_not_yet_valid"


def test_iat_in_the_future_is_refused(mint: Mint, hs_resolver: Any) -> None:
    assert rejection(hs_resolver, bearer(mint("HS256", iat=int(time.time()) + 600))).status == 401


def test_a_token_without_exp_is_refused_unless_configured(mint: Mint) -> None:
    token = mint("HS256", exp=...)
    base = {"issuer": ISSUER, "audience": AUDIENCE, "hs256_secret": dq.SecretValue(HS_SECRET)}
    assert "exp" in str(rejection(JwtResolver(JwtConfig(**base)), bearer(token)))
    lenient = JwtResolver(JwtConfig(**base, require_exp=False))
    assert lenient.resolve(bearer(token)) == dq.TenantId("acme")


@pytest.mark.parametrize(
    "iss", [ISSUER.rstrip("/"), ISSUER.upper(), ISSUER + " ", "https://evil.example/", ..., 1]
)
def test_the_issuer_must_match_exactly(iss: Any, hs_resolver: Any) -> None:
    assert rejection(hs_resolver, bearer(hs_token(iss=iss))).code == "invalid_token"


@pytest.mark.parametrize("aud", [AUDIENCE, [AUDIENCE], ["other", AUDIENCE]])
def test_the_audience_may_be_a_string_or_an_array_containing_ours(aud: Any, mint: Mint) -> None:
    config = JwtConfig(issuer=ISSUER, audience=AUDIENCE, hs256_secret=dq.SecretValue(HS_SECRET))
    token = pyjwt.encode(claims(aud=aud), HS_SECRET, algorithm="HS256")
    assert JwtResolver(config).resolve(bearer(token)) == dq.TenantId("acme")


@pytest.mark.parametrize(
    "aud", ["other", ["other"], [], AUDIENCE.upper(), [AUDIENCE, 1], {"aud": AUDIENCE}, ..., 5]
)
def test_a_token_for_another_audience_is_refused(aud: Any, hs_resolver: Any) -> None:
    assert rejection(hs_resolver, bearer(hs_token(aud=aud))).code == "invalid_token"


def test_a_valid_token_without_a_tenant_claim_is_forbidden(mint: Mint, hs_resolver: Any) -> None:
    exc = rejection(hs_resolver, bearer(mint("HS256", tenant=...)))
    assert (exc.status, exc.code) == (403, "tenant_claim_missing")


@pytest.mark.parametrize("tenant", ["ACME", "acme,evil", "../acme", 42, None, ["acme"], ""])
def test_a_bad_tenant_claim_is_forbidden_not_repaired(
    tenant: Any, mint: Mint, hs_resolver: Any
) -> None:
    exc = rejection(hs_resolver, bearer(mint("HS256", tenant=tenant)))
    assert exc.status == 403


# -- no secret leaks ----------------------------------------------------------------------


def test_no_rejection_message_echoes_the_token(
    mint: Mint, rs_resolver: Any, hs_resolver: Any
) -> None:
    good = mint("HS256")
    header, payload, signature = good.split(".")
    tokens = [
        good,  # valid for hs, wrong alg for rs
        f"{header}.{payload}.{signature[:-2]}AA",
        f"{header}.{payload}",
        mint("HS256", exp=1),
        mint("HS256", aud="x"),
        mint("HS256", tenant="NOT-VALID"),
        f"{header}.{payload}!.{signature}",
    ]
    for token in tokens:
        for resolver in (rs_resolver, hs_resolver):
            try:
                resolver.resolve(bearer(token))
            except dq.TenantRejected as exc:
                text = f"{exc} {exc!r} {exc.args}"
                for piece in (token, header, payload, signature, HS_SECRET):
                    assert piece not in text


def test_the_resolver_repr_never_shows_the_hs_secret(hs_resolver: Any) -> None:
    assert HS_SECRET not in repr(hs_resolver)
    assert HS_SECRET not in repr(hs_resolver.config)
    assert HS_SECRET not in repr(hs_resolver.keys)
    assert json.dumps(dq.unstructure(hs_resolver.config)).count("***") == 1
