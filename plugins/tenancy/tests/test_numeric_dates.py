"""Signed tokens with absurd numeric dates are invalid tokens (401), never a server error."""

from __future__ import annotations

from typing import Any

import dq
import httpx
import jwt as pyjwt
import pytest
from conftest import AUDIENCE, HS_SECRET, ISSUER, bearer, claims, rejection
from dq_tenancy import JwtConfig, JwtResolver

pytestmark = pytest.mark.anyio

HUGE = 10**400


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def resolver() -> JwtResolver:
    return JwtResolver(
        JwtConfig(issuer=ISSUER, audience=AUDIENCE, hs256_secret=dq.SecretValue(HS_SECRET))
    )


def signed(**over: Any) -> str:
    """A token really signed with the configured HS256 secret (PyJWT)."""
    return pyjwt.encode(claims(**over), HS_SECRET, algorithm="HS256")


@pytest.mark.parametrize(
    "over",
    [
        {"exp": HUGE},
        {"exp": -HUGE},
        {"nbf": HUGE},
        {"nbf": -HUGE},
        {"iat": HUGE},
        {"exp": 1e300},
        {"exp": 253_402_300_800},
    ],
    ids=[
        "exp-400-digits",
        "exp-minus-400-digits",
        "nbf-400-digits",
        "nbf-minus-400-digits",
        "iat-400-digits",
        "exp-1e300",
        "exp-year-10000",
    ],
)
def test_out_of_range_numeric_dates_are_an_invalid_token(over: dict[str, Any]) -> None:
    exc = rejection(resolver(), bearer(signed(**over)))
    assert (exc.status, exc.code) == (401, "invalid_token")
    assert "out of range" in str(exc)


def test_the_last_second_of_year_9999_is_still_a_date() -> None:
    token = signed(exp=253_402_300_799)
    assert resolver().resolve(bearer(token)) == dq.TenantId("acme")


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def test_through_the_middleware_a_huge_exp_is_a_401_not_a_500() -> None:
    transport = httpx.ASGITransport(app=dq.TenantMiddleware(app, resolver()))
    async with httpx.AsyncClient(transport=transport, base_url="http://api.example.com") as http:
        response = await http.get("/", headers={"Authorization": f"Bearer {signed(exp=HUGE)}"})
    assert response.status_code == 401
    assert "Traceback" not in response.text
