"""For any input, every resolver answers a TenantId, None or a bounded TenantRejected."""

from __future__ import annotations

from typing import Any

import dq
import pytest
from conftest import AUDIENCE, HS_SECRET, ISSUER, b64json, claims
from dq_tenancy import (
    CompositeConfig,
    HeaderResolver,
    JwtConfig,
    JwtResolver,
    PathResolver,
    SubdomainConfig,
    SubdomainResolver,
    build_resolver,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

JWT = JwtResolver(
    JwtConfig(issuer=ISSUER, audience=AUDIENCE, hs256_secret=dq.SecretValue(HS_SECRET))
)
RESOLVERS: dict[str, Any] = {
    "header": HeaderResolver(),
    "subdomain": SubdomainResolver(SubdomainConfig(base_domain="example.com")),
    "path": PathResolver(),
    "jwt": JWT,
    "agree": build_resolver(
        dq.structure(
            {
                "mode": "agree",
                "resolvers": [
                    {"type": "header"},
                    {"type": "subdomain", "base_domain": "example.com"},
                    {"type": "path"},
                    {
                        "type": "jwt",
                        "issuer": ISSUER,
                        "audience": AUDIENCE,
                        "hs256_secret": HS_SECRET,
                    },
                ],
            },
            CompositeConfig,
        )
    ),
}

b64ish = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/.!", max_size=60
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
#: Tokens from pure junk to structurally valid JWS with arbitrary headers and claims.
tokens = st.one_of(
    st.text(max_size=200),
    st.builds(lambda a, b, c: f"{a}.{b}.{c}", b64ish, b64ish, b64ish),
    st.builds(
        lambda h, p, s: f"{b64json(h)}.{b64json(p)}.{s}",
        st.dictionaries(st.sampled_from(["alg", "kid", "crit", "typ", "b64"]), json_values),
        st.dictionaries(
            st.sampled_from(["iss", "aud", "exp", "nbf", "iat", "tenant"]), json_values
        ).map(lambda extra: {**claims(), **extra}),
        b64ish,
    ),
)
hosts = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda label, port: f"{label}.example.com{port}",
        st.text(max_size=20),
        st.sampled_from(["", ":80", ":", ":x", ".", ".:1"]),
    ),
)
paths = st.one_of(
    st.text(max_size=100),
    st.builds(lambda seg, rest: f"/t/{seg}/{rest}", st.text(max_size=20), st.text(max_size=30)),
)
facts = st.builds(
    dq.RequestFacts,
    host=hosts,
    path=paths,
    headers=st.lists(
        st.one_of(
            st.tuples(
                st.sampled_from(["authorization", "Authorization"]),
                tokens.map(lambda t: f"Bearer {t}"),
            ),
            st.tuples(st.sampled_from(["x-tenant-id", "authorization"]), st.text(max_size=40)),
            st.tuples(st.text(max_size=15), st.text(max_size=30)),
        ),
        max_size=4,
    ).map(tuple),
)


def outcome(resolver: Any, request: dq.RequestFacts) -> Any:
    try:
        result = resolver.resolve(request)
    except dq.TenantRejected as exc:
        assert exc.status in (400, 401, 403)
        assert 0 < len(exc.code) <= 64
        assert len(str(exc)) <= 256
        return ("rejected", exc.status, exc.code)
    assert result is None or (
        isinstance(result, dq.TenantId) and dq.TenantId(result.value) == result
    )
    return result


@pytest.mark.parametrize("name", list(RESOLVERS))
@SETTINGS
@given(request=facts)
@example(request=dq.RequestFacts(headers=(("authorization", "Bearer " + "a." * 9000),)))
@example(request=dq.RequestFacts(headers=(("authorization", "Bearer " + "[" * 5000 + ".a.b"),)))
@example(request=dq.RequestFacts(host="[" + "a" * 1000, path="/t/" + "a" * 100_000))
def test_any_request_gives_a_tenant_none_or_a_bounded_rejection(
    name: str, request: dq.RequestFacts
) -> None:
    assert outcome(RESOLVERS[name], request) == outcome(RESOLVERS[name], request)


@SETTINGS
@given(token=tokens)
def test_no_rejection_of_any_token_quotes_it(token: Any) -> None:
    try:
        JWT.resolve(dq.RequestFacts(headers=(("authorization", f"Bearer {token}"),)))
    except dq.TenantRejected as exc:
        if len(token) >= 16:
            assert token not in str(exc)
