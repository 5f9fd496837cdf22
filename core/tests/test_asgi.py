"""TenantMiddleware driven as a raw ASGI app: scope in, messages out, no web framework.

dq-core's test env has no httpx or Starlette on purpose (the middleware must not need
them), so each test builds the scope a server would and reads the messages it gets back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import dq
import pytest
from dq.tenancy._asgi import STATE_KEY, TenantMiddleware

pytestmark = pytest.mark.anyio

Scope = dict[str, Any]


# -- helpers ------------------------------------------------------------------------------


class HeaderResolver:
    """A small resolver for these tests: exactly one X-Tenant-ID header, recorded facts."""

    def __init__(self) -> None:
        self.seen: list[dq.RequestFacts] = []

    def resolve(self, facts: dq.RequestFacts) -> dq.TenantId | None:
        self.seen.append(facts)
        values = facts.header_values("x-tenant-id")
        if not values:
            return None
        if len(values) > 1:
            raise dq.TenantRejected("sent twice", status=400, code="tenant_ambiguous")
        try:
            return dq.TenantId(values[0])
        except ValueError:
            raise dq.TenantRejected("not a tenant id", status=400, code="tenant_invalid") from None


class Raising:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
        self.calls = 0

    def resolve(self, facts: dq.RequestFacts) -> dq.TenantId | None:
        self.calls += 1
        raise self.exc


class Returning:
    def __init__(self, value: Any) -> None:
        self.value = value

    def resolve(self, facts: dq.RequestFacts) -> Any:
        return self.value


class PathPrefix(HeaderResolver):
    """Resolves like HeaderResolver and claims a fixed mount prefix."""

    def __init__(self, prefix: Any) -> None:
        super().__init__()
        self.prefix = prefix

    def mount_prefix(self, facts: dq.RequestFacts, tenant: dq.TenantId) -> Any:
        return self.prefix


class EchoApp:
    """Answers 200 with the tenant it sees, in the ContextVar and in scope["state"]."""

    def __init__(self) -> None:
        self.scopes: list[Scope] = []

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        self.scopes.append(scope)
        current = dq.current_tenant()
        if scope["type"] == "websocket":
            await receive()
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.send", "text": str(current)})
            await send({"type": "websocket.close", "code": 1000})
            return
        body = json.dumps(
            {
                "context": None if current is None else current.value,
                "state": None
                if scope["state"][STATE_KEY] is None
                else scope["state"][STATE_KEY].value,
            }
        ).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})


def http_scope(
    path: str = "/checks",
    headers: list[tuple[bytes, bytes]] | None = None,
    **extra: Any,
) -> Scope:
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"api.example.com")] if headers is None else headers,
    }
    scope.update(extra)
    return scope


def tenant_headers(*tenants: str) -> list[tuple[bytes, bytes]]:
    return [(b"host", b"api.example.com")] + [(b"x-tenant-id", t.encode()) for t in tenants]


async def call(app: Callable[..., Any], scope: Scope) -> tuple[int, dict[str, str], Any]:
    """Run one HTTP request; return status, headers and the decoded JSON body."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers = {k.decode(): v.decode() for k, v in start.get("headers", [])}
    return start["status"], headers, json.loads(body)


# -- tenant bound for the request ---------------------------------------------------------


async def test_a_resolved_tenant_is_bound_in_the_context_and_in_scope_state() -> None:
    app = TenantMiddleware(EchoApp(), HeaderResolver())
    status, _, body = await call(app, http_scope(headers=tenant_headers("acme")))
    assert status == 200
    assert body == {"context": "acme", "state": "acme"}


async def test_the_tenant_is_unbound_after_the_request() -> None:
    app = TenantMiddleware(EchoApp(), HeaderResolver())
    await call(app, http_scope(headers=tenant_headers("acme")))
    assert dq.current_tenant() is None


async def test_the_tenant_is_unbound_when_the_app_raises() -> None:
    async def boom(scope: Scope, receive: Any, send: Any) -> None:
        assert dq.current_tenant() == dq.TenantId("acme")
        raise RuntimeError("app failure")

    with pytest.raises(RuntimeError, match="app failure"):
        await call(
            TenantMiddleware(boom, HeaderResolver()), http_scope(headers=tenant_headers("acme"))
        )
    assert dq.current_tenant() is None


async def test_the_shared_lifespan_state_is_copied_never_written() -> None:
    shared: dict[str, Any] = {"db": "pool"}
    echo = EchoApp()
    app = TenantMiddleware(echo, HeaderResolver())
    await call(app, http_scope(headers=tenant_headers("acme"), state=shared))
    assert shared == {"db": "pool"}
    assert echo.scopes[0]["state"] == {"db": "pool", STATE_KEY: dq.TenantId("acme")}


async def test_request_facts_come_from_the_scope_with_every_header_repeat_kept() -> None:
    resolver = HeaderResolver()
    headers = [
        (b"host", b"Acme.Example.com:8443"),
        (b"x-other", b"1"),
        (b"x-other", b"2"),
        (b"x-latin", b"caf\xe9"),
        (b"x-tenant-id", b"acme"),
    ]
    scope = http_scope(path="/t/acme/ü", headers=headers, method="POST", scheme="http")
    await call(TenantMiddleware(EchoApp(), resolver), scope)
    (facts,) = resolver.seen
    assert facts.method == "POST"
    assert facts.scheme == "http"
    assert facts.host == "Acme.Example.com:8443"
    assert facts.path == "/t/acme/ü"
    assert facts.header_values("x-other") == ["1", "2"]
    assert facts.header_values("x-latin") == ["café"]  # latin-1, byte for byte


# -- fails closed -------------------------------------------------------------------------


async def test_no_tenant_where_one_is_required_is_a_401_json_error_and_the_app_never_runs() -> None:
    echo = EchoApp()
    status, headers, body = await call(TenantMiddleware(echo, HeaderResolver()), http_scope())
    assert status == 401
    assert headers["content-type"] == "application/json"
    assert int(headers["content-length"]) > 0
    assert body["error"]["code"] == "tenant_unresolved"
    assert "no tenant" in body["error"]["message"]
    assert echo.scopes == []


async def test_no_tenant_where_none_is_required_runs_the_app_with_no_tenant_bound() -> None:
    app = TenantMiddleware(EchoApp(), HeaderResolver(), required=False)
    status, _, body = await call(app, http_scope())
    assert (status, body) == (200, {"context": None, "state": None})


async def test_a_rejection_answers_with_its_status_and_code() -> None:
    echo = EchoApp()
    app = TenantMiddleware(echo, HeaderResolver(), required=False)
    status, _, body = await call(app, http_scope(headers=tenant_headers("acme", "evil")))
    assert status == 400
    assert body == {"error": {"code": "tenant_ambiguous", "message": "sent twice"}}
    assert echo.scopes == []


async def test_a_401_carries_the_resolvers_challenge_and_other_statuses_do_not() -> None:
    bearer = 'Bearer realm="dq", error="invalid_token"'
    for status, expected in ((401, bearer), (403, None)):
        rejection = dq.TenantRejected("bad token", status=status, code="x", challenge=bearer)
        _, headers, _ = await call(TenantMiddleware(EchoApp(), Raising(rejection)), http_scope())
        assert headers.get("www-authenticate") == expected


async def test_a_challenge_that_could_split_headers_is_dropped() -> None:
    rejection = dq.TenantRejected("x", challenge="Bearer\r\nSet-Cookie: a=b")
    status, headers, _ = await call(TenantMiddleware(EchoApp(), Raising(rejection)), http_scope())
    assert status == 401 and "www-authenticate" not in headers


async def test_no_tenant_from_a_credential_resolver_asks_for_its_credential() -> None:
    resolver = HeaderResolver()
    resolver.challenge = 'Bearer realm="dq"'  # type: ignore[attr-defined]
    status, headers, _ = await call(TenantMiddleware(EchoApp(), resolver), http_scope())
    assert (status, headers["www-authenticate"]) == (401, 'Bearer realm="dq"')
    _, plain, _ = await call(TenantMiddleware(EchoApp(), HeaderResolver()), http_scope())
    assert "www-authenticate" not in plain


@pytest.mark.parametrize("required", [True, False])
async def test_a_crashing_resolver_is_a_generic_500_and_its_message_is_not_logged(
    required: bool, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.c2ln"
    echo = EchoApp()
    app = TenantMiddleware(echo, Raising(KeyError(secret)), required=required)
    headers = [(b"authorization", secret.encode()), (b"host", b"h")]
    with caplog.at_level(logging.DEBUG, logger="dq.asgi"):
        status, _, body = await call(app, http_scope(headers=headers))
    assert status == 500
    assert body["error"]["code"] == "tenant_resolver_error"
    assert secret not in json.dumps(body)
    assert echo.scopes == []
    assert "KeyError" in caplog.text and "Raising" in caplog.text
    assert secret not in caplog.text
    assert "eyJ" not in caplog.text


@pytest.mark.parametrize("value", ["acme", b"acme", 0, object()])
async def test_a_resolver_returning_something_else_than_a_tenant_id_is_a_500(value: Any) -> None:
    echo = EchoApp()
    status, _, body = await call(TenantMiddleware(echo, Returning(value)), http_scope())
    assert status == 500
    assert body["error"]["code"] == "tenant_resolver_error"
    assert echo.scopes == []


async def test_two_host_headers_are_refused_before_any_resolver_runs() -> None:
    resolver = HeaderResolver()
    headers = [(b"host", b"acme.example.com"), (b"host", b"evil.example.com")]
    status, _, body = await call(TenantMiddleware(EchoApp(), resolver), http_scope(headers=headers))
    assert (status, body["error"]["code"]) == (400, "host_ambiguous")
    assert resolver.seen == []


async def test_a_malformed_scope_is_a_400_not_a_crash() -> None:
    scope = http_scope(headers=[("host", "not bytes")])  # str pairs: a broken server
    status, _, body = await call(TenantMiddleware(EchoApp(), HeaderResolver()), scope)
    assert (status, body["error"]["code"]) == (400, "malformed_request")


# -- exempt paths and other scope types ---------------------------------------------------


async def test_an_exempt_path_is_served_without_resolving_and_without_a_tenant() -> None:
    resolver = Raising(RuntimeError("must not be called"))
    app = TenantMiddleware(EchoApp(), resolver, exempt_paths=["/healthz"])
    status, _, body = await call(app, http_scope(path="/healthz", headers=tenant_headers("acme")))
    assert (status, body) == (200, {"context": None, "state": None})
    assert resolver.calls == 0


@pytest.mark.parametrize("path", ["/healthz/", "/healthz/../admin", "/healthzz", "/HEALTHZ", "/"])
async def test_exempt_paths_match_exactly_never_as_a_prefix(path: str) -> None:
    app = TenantMiddleware(EchoApp(), HeaderResolver(), exempt_paths=["/healthz"])
    status, _, _ = await call(app, http_scope(path=path))
    assert status == 401


async def test_lifespan_passes_through_untouched() -> None:
    seen: list[Scope] = []

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        seen.append(scope)

    resolver = Raising(RuntimeError("must not be called"))
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
    await TenantMiddleware(app, resolver)(scope, None, None)  # type: ignore[arg-type]
    assert seen == [scope] and resolver.calls == 0


async def websocket(app: Any, headers: list[tuple[bytes, bytes]]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    events = [{"type": "websocket.connect"}, {"type": "websocket.disconnect", "code": 1000}]

    async def receive() -> dict[str, Any]:
        return events.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": "/ws", "headers": headers, "scheme": "wss"}
    await app(scope, receive, send)
    return sent


async def test_a_websocket_without_a_tenant_is_closed_with_4401_before_accept() -> None:
    echo = EchoApp()
    sent = await websocket(TenantMiddleware(echo, HeaderResolver()), [(b"host", b"h")])
    assert sent == [{"type": "websocket.close", "code": 4401}]
    assert echo.scopes == []


async def test_a_rejected_websocket_closes_with_4000_plus_the_status() -> None:
    app = TenantMiddleware(EchoApp(), HeaderResolver())
    sent = await websocket(app, [(b"x-tenant-id", b"ACME")])
    assert sent == [{"type": "websocket.close", "code": 4400}]


async def test_a_websocket_with_a_tenant_runs_bound_to_it() -> None:
    app = TenantMiddleware(EchoApp(), HeaderResolver())
    sent = await websocket(app, [(b"x-tenant-id", b"acme")])
    assert [m["type"] for m in sent] == ["websocket.accept", "websocket.send", "websocket.close"]
    assert sent[1]["text"] == "acme"


# -- mount prefix (path resolvers) ---------------------------------------------------------


async def test_a_mount_prefix_moves_from_path_and_raw_path_to_root_path() -> None:
    echo = EchoApp()
    app = TenantMiddleware(echo, PathPrefix("/t/acme"))
    scope = http_scope(path="/t/acme/checks/1", headers=tenant_headers("acme"), root_path="/api")
    status, _, _ = await call(app, scope)
    assert status == 200
    (seen,) = echo.scopes
    assert (seen["path"], seen["raw_path"], seen["root_path"]) == (
        "/checks/1",
        b"/checks/1",
        "/api/t/acme",
    )
    assert scope["path"] == "/t/acme/checks/1"  # the server's scope is not mutated


async def test_a_mount_prefix_that_is_the_whole_path_leaves_the_root() -> None:
    echo = EchoApp()
    await call(
        TenantMiddleware(echo, PathPrefix("/t/acme")),
        http_scope(path="/t/acme", headers=tenant_headers("acme")),
    )
    assert (echo.scopes[0]["path"], echo.scopes[0]["raw_path"]) == ("/", b"/")


async def test_a_percent_encoded_prefix_on_the_wire_is_refused() -> None:
    echo = EchoApp()
    scope = http_scope(path="/t/acme/x", headers=tenant_headers("acme"))
    scope["raw_path"] = b"/t/%61cme/x"
    status, _, body = await call(TenantMiddleware(echo, PathPrefix("/t/acme")), scope)
    assert (status, body["error"]["code"]) == (400, "tenant_path_encoding")
    assert echo.scopes == []


@pytest.mark.parametrize("prefix", ["/t/evil", "/t/ac", 5])
async def test_a_mount_prefix_that_does_not_lead_the_path_is_a_500(prefix: Any) -> None:
    echo = EchoApp()
    scope = http_scope(path="/t/acme/x", headers=tenant_headers("acme"))
    status, _, _ = await call(TenantMiddleware(echo, PathPrefix(prefix)), scope)
    assert status == 500
    assert echo.scopes == []


# -- construction ---------------------------------------------------------------------------


def test_an_object_without_resolve_is_refused_at_construction() -> None:
    with pytest.raises(TypeError, match="resolve"):
        TenantMiddleware(EchoApp(), object())


def test_exempt_paths_must_be_absolute() -> None:
    with pytest.raises(ValueError, match="healthz"):
        TenantMiddleware(EchoApp(), HeaderResolver(), exempt_paths=["healthz"])


def test_the_middleware_is_exported_from_dq() -> None:
    assert dq.TenantMiddleware is TenantMiddleware
