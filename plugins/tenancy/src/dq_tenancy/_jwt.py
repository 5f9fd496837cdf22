"""JwtResolver: the tenant is a claim of a JWT verified with cryptography alone.

The rules follow RFC 7515/7519 and the JWT best-current-practice RFC 8725, each refusing a
known attack rather than a hypothetical one:

* the algorithm comes from the configured key (:mod:`dq_tenancy._keys`); a token whose
  ``alg`` differs is refused, ``none`` in any spelling first of all;
* every base64url part must be the one canonical spelling, and JSON objects may not repeat
  a member (RFC 7515 section 4: a parser that keeps the first and one that keeps the last
  would disagree about the same token);
* a ``crit`` header is refused: we understand no extensions, and RFC 7515 4.1.11 says a
  token with critical extensions we do not understand must be rejected;
* ``exp``/``nbf``/``iat`` are JSON numbers (``true`` is an int in Python, and a string
  "9999999999" is not a date) checked with a small leeway; ``iss`` is compared exactly;
  ``aud`` (string or array) must contain our audience.

Every refusal is 401 with ``invalid_token`` (or ``token_expired`` / ``token_not_yet_valid``)
and a message saying what is wrong -- never any part of the token, which is a credential.
A verified token that names no tenant, or a bad one, is 403: the caller is authenticated,
just not as a tenant.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import Any, NoReturn

import dq

from dq_tenancy._common import FORBIDDEN, UNAUTHORIZED, header_values, parse_tenant, reject
from dq_tenancy._config import JwtConfig
from dq_tenancy._keys import Base64Error, KeySet, VerifyingKey, b64url_decode, load_keys

#: Longer tokens are refused before any decoding: a header of megabytes is not a credential.
MAX_TOKEN_CHARS = 16 * 1024


#: RFC 6750 §3: what a client without a token is told to present.
CHALLENGE = 'Bearer realm="dq"'


def _invalid(message: str, code: str = "invalid_token") -> NoReturn:
    # RFC 6750 §3.1 names one error for every bad token: invalid_token
    reject(message, status=UNAUTHORIZED, code=code, challenge=f'{CHALLENGE}, error="invalid_token"')


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError("duplicate member")
        result[key] = value
    return result


def _no_constants(_name: str) -> NoReturn:
    raise ValueError("NaN and Infinity are not JSON")


def _json_object(part: str, what: str) -> dict[str, Any]:
    """The JSON object a base64url token part holds, or a 401 naming *what* is wrong."""
    try:
        raw = b64url_decode(part)
    except Base64Error as exc:
        _invalid(f"the token {what} {exc}")
    try:
        value = json.loads(
            raw.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constants
        )
    except (UnicodeDecodeError, ValueError, RecursionError):
        _invalid(f"the token {what} is not JSON without duplicate members")
    if not isinstance(value, dict):
        _invalid(f"the token {what} is not a JSON object")
    return value


#: The last second of year 9999 (RFC 7519 NumericDate is unbounded; dates beyond
#: any calendar are forged or broken, and a 400-digit integer overflows a float).
_MAX_NUMERIC_DATE = 253_402_300_799


def _number(claims: dict[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None and name not in claims:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _invalid(f"the '{name}' claim must be a JSON number of seconds since the epoch")
    # compared before any float conversion: float(10**400) raises OverflowError
    if isinstance(value, float) and not math.isfinite(value):
        _invalid(f"the '{name}' claim must be a JSON number of seconds since the epoch")
    if not -_MAX_NUMERIC_DATE <= value <= _MAX_NUMERIC_DATE:
        _invalid(f"the '{name}' claim is out of range (a date beyond year 9999)")
    return float(value)


class JwtResolver:
    """Resolve the tenant from a claim of a bearer JWT; see the module docstring for the rules.

    A request without the token header, or whose header uses another auth scheme (``Basic``),
    gives ``None``: it is not presenting a JWT. A token that is presented is verified, and
    refused if anything about it is wrong.
    """

    def __init__(self, config: JwtConfig, *, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.keys: KeySet = load_keys(config)
        self._clock = clock
        #: What the middleware sends in ``WWW-Authenticate`` when no token came at all.
        self.challenge = CHALLENGE

    def __repr__(self) -> str:
        return f"JwtResolver(issuer={self.config.issuer!r}, keys={self.keys!r})"

    def resolve(self, facts: dq.RequestFacts) -> dq.TenantId | None:
        token = self._token(facts)
        if token is None:
            return None
        claims = self.verify(token)
        name = self.config.tenant_claim
        if name not in claims:
            reject(
                f"the token is valid but has no '{name}' claim naming a tenant",
                status=FORBIDDEN,
                code="tenant_claim_missing",
            )
        return parse_tenant(claims[name], f"the token's '{name}' claim", status=FORBIDDEN)

    def _token(self, facts: dq.RequestFacts) -> str | None:
        header = self.config.header
        values = header_values(facts, header)
        if not values:
            return None
        if len(values) > 1:
            reject(f"{header} sent {len(values)} times; send one token", code="invalid_request")
        value = values[0]
        if not isinstance(value, str):
            _invalid(f"{header} is not text")
        scheme = self.config.scheme
        if scheme:
            given, _, value = value.partition(" ")
            if given.lower() != scheme.lower():
                return None  # another scheme (Basic, ...): not a token for us
            value = value.lstrip(" ")
        if not value:
            _invalid(f"{header} holds no token")
        if len(value) > MAX_TOKEN_CHARS:
            _invalid(f"the token is longer than {MAX_TOKEN_CHARS} characters")
        return value

    def verify(self, token: str) -> dict[str, Any]:
        """The claims of *token* if it verifies under every rule, else a 401 refusal."""
        parts = token.split(".")
        if len(parts) != 3:
            _invalid("the token is not a signed JWT (three base64url parts joined by '.')")
        encoded_header, encoded_payload, encoded_signature = parts
        header = _json_object(encoded_header, "header")
        alg = header.get("alg")
        if not isinstance(alg, str):
            _invalid("the token header has no 'alg'")
        if alg.strip().lower() == "none":
            _invalid("unsigned tokens (alg 'none') are refused")
        if "crit" in header:
            _invalid("the token marks header extensions critical ('crit'); none are supported")
        key = self._key(header)
        if alg != key.alg:
            _invalid(f"the token's algorithm is not the configured key's ({key.alg})")
        try:
            signature = b64url_decode(encoded_signature)
        except Base64Error as exc:
            _invalid(f"the token signature {exc}")
        signing_input = f"{encoded_header}.{encoded_payload}".encode("ascii")
        if not key.verify(signing_input, signature):
            _invalid("the token signature does not verify with the configured key")
        claims = _json_object(encoded_payload, "payload")
        self._check_claims(claims)
        return claims

    def _key(self, header: dict[str, Any]) -> VerifyingKey:
        if self.keys.single is not None:
            return self.keys.single
        kid = header.get("kid")
        if not isinstance(kid, str):
            _invalid("the token header has no 'kid' to pick a key of the configured key set")
        key = self.keys.by_kid.get(kid)
        if key is None:
            _invalid("the token's 'kid' is not in the configured key set")
        return key

    def _check_claims(self, claims: dict[str, Any]) -> None:
        now = self._clock()
        leeway = self.config.leeway
        exp = _number(claims, "exp")
        nbf = _number(claims, "nbf")
        iat = _number(claims, "iat")
        if exp is None and self.config.require_exp:
            _invalid("the token has no 'exp' claim; tokens must expire")
        if exp is not None and now >= exp + leeway:
            _invalid("the token has expired", code="token_expired")
        if nbf is not None and now + leeway < nbf:
            _invalid("the token is not valid yet ('nbf' is in the future)", "token_not_yet_valid")
        if iat is not None and iat > now + leeway:
            _invalid("the token was issued in the future ('iat')")
        if claims.get("iss") != self.config.issuer or not isinstance(claims.get("iss"), str):
            _invalid("the token's issuer ('iss') is not the configured issuer")
        aud = claims.get("aud")
        audiences = [aud] if isinstance(aud, str) else aud
        if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
            _invalid("the token's audience ('aud') must be a string or an array of strings")
        if self.config.audience not in audiences:
            _invalid("the token is not meant for this audience ('aud')")
