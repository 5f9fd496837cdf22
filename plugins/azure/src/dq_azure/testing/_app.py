"""The local Key Vault's HTTP side: Key Vault secrets REST 7.4 plus the three token endpoints.

Written from Microsoft's REST reference (the README cites each page). One ASGI app serves:

* ``POST /{tenant}/oauth2/v2.0/token`` — Microsoft identity platform client credentials;
* ``GET /metadata/identity/oauth2/token`` — IMDS (needs ``Metadata: true``);
* ``GET /msi/token`` — App Service (needs ``X-IDENTITY-HEADER``);
* ``/secrets…`` and ``/deletedsecrets…`` — the vault, on whatever Host the client named
  (ids in answers use it, as Key Vault's use the vault's own host).

Every request is recorded first (method, host, raw path, query), so a test can prove that a
refused path never reached the server.
"""

from __future__ import annotations

import base64
import re
import time
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dq_azure.testing._state import (
    DELETE,
    GET,
    META,
    PURGE,
    RECOVER,
    SET,
    Deleted,
    KeyVaultState,
    Recorded,
    Secret,
    Version,
)

API_VERSIONS = {"7.4", "7.5", "7.6", "2025-07-01"}
NAME = re.compile(r"^[0-9a-zA-Z-]{1,127}$")
MAX_VALUE = 25 * 1024


def _error(status: int, code: str, message: str, inner: str | None = None, **headers: str) -> Response:
    error: dict[str, Any] = {"code": code, "message": message}
    if inner:
        error["innererror"] = {"code": inner}
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def _aad_error(status: int, error: str, description: str) -> Response:
    return JSONResponse(
        {"error": error, "error_description": description, "error_codes": [int(description[6 : description.index(":")])]},
        status_code=status,
    )


def build_app(state: KeyVaultState, authority: str) -> Starlette:
    """The ASGI app over *state*; *authority* is what challenges name as the token issuer."""

    def challenge() -> str:
        return f'Bearer authorization="{authority}/{state.tenant}", resource="{state.resource}"'

    def base(request: Request) -> str:
        return f"{request.url.scheme}://{request.headers.get('host', '')}"

    def attributes(v: Version) -> dict[str, Any]:
        return {
            "enabled": v.enabled,
            "created": v.created,
            "updated": v.updated,
            "recoveryLevel": "Recoverable+Purgeable",
            "recoverableDays": 90,
        }

    def bundle(request: Request, secret: Secret, v: Version, *, value: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": f"{base(request)}/secrets/{secret.name}/{v.id}",
            "attributes": attributes(v),
            "tags": dict(v.tags),
        }
        if value:
            out["value"] = v.value
        if v.content_type is not None:
            out["contentType"] = v.content_type
        return out

    def deleted_bundle(request: Request, gone: Deleted) -> dict[str, Any]:
        out = bundle(request, gone.secret, gone.secret.latest, value=False)
        out.update(
            recoveryId=f"{base(request)}/deletedsecrets/{gone.secret.name}",
            deletedDate=gone.deleted_date,
            scheduledPurgeDate=gone.scheduled_purge,
        )
        return out

    def page(request: Request, items: list[dict[str, Any]], path: str, version: str) -> Response:
        query = request.query_params
        try:
            size = min(int(query.get("maxresults", "25")), 25, state.page_size)
            start = int(base64.urlsafe_b64decode(query.get("$skiptoken", "MA==")).decode())
        except ValueError:
            return _error(400, "BadParameter", "Invalid maxresults or $skiptoken")
        body: dict[str, Any] = {"value": items[start : start + size], "nextLink": None}
        if start + size < len(items):
            token = base64.urlsafe_b64encode(str(start + size).encode()).decode()
            body["nextLink"] = (
                f"{state.next_link_base or base(request)}{path}?api-version={version}&$skiptoken={token}&maxresults={size}"
            )
        return JSONResponse(body)

    async def token_endpoint(request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        tenant = request.path_params["tenant"]
        first = {k: v[0] for k, v in form.items()}
        if tenant != state.tenant:
            return _aad_error(400, "invalid_request", f"AADSTS900023: Specified tenant identifier '{tenant}' is neither a valid DNS name, nor a valid external domain.")
        if first.get("grant_type") != "client_credentials":
            return _aad_error(400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.")
        client_id = first.get("client_id", "")
        if client_id not in state.apps:
            return _aad_error(400, "unauthorized_client", f"AADSTS700016: Application with identifier '{client_id}' was not found in the directory.")
        if first.get("client_secret") != state.apps[client_id]:
            return _aad_error(401, "invalid_client", f"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'.")
        scope = first.get("scope", "")
        if not scope.endswith("/.default"):
            return _aad_error(400, "invalid_scope", "AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.")
        token, lifetime = state.issue(f"app-{client_id}", scope.removesuffix("/.default"))
        return JSONResponse(
            {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": token}
        )

    def managed_token(client_id: str | None, resource: str | None) -> tuple[dict[str, Any], int] | Response:
        principal = state.managed.get(client_id) if client_id else state.system_identity
        if principal is None:
            return JSONResponse({"error": "invalid_request", "error_description": "Identity not found"}, status_code=400)
        if not resource:
            return JSONResponse({"error": "invalid_request", "error_description": "Required query variable 'resource' is missing"}, status_code=400)
        token, lifetime = state.issue(principal, resource.rstrip("/"))
        now = int(time.time())
        return {"access_token": token, "expires_on": str(now + lifetime), "resource": resource, "token_type": "Bearer"}, lifetime

    async def imds(request: Request) -> Response:
        if request.headers.get("metadata") != "true":
            return JSONResponse({"error": "invalid_request", "error_description": "Required metadata header not specified"}, status_code=400)
        if request.query_params.get("api-version") != "2018-02-01":
            return JSONResponse({"error": "invalid_request", "error_description": "Invalid api-version"}, status_code=400)
        got = managed_token(request.query_params.get("client_id"), request.query_params.get("resource"))
        if isinstance(got, Response):
            return got
        body, lifetime = got
        body.update(expires_in=str(lifetime), ext_expires_in=str(lifetime), not_before=str(int(time.time())), refresh_token="")
        return JSONResponse(body)

    async def app_service(request: Request) -> Response:
        if request.headers.get("x-identity-header") != state.identity_header:
            return JSONResponse({"statusCode": 401, "message": "Unauthorized"}, status_code=401)
        if request.query_params.get("api-version") != "2019-08-01":
            return JSONResponse({"error": "invalid_request", "error_description": "Invalid api-version"}, status_code=400)
        got = managed_token(request.query_params.get("client_id"), request.query_params.get("resource"))
        if isinstance(got, Response):
            return got
        body, _ = got
        body["client_id"] = request.query_params.get("client_id") or "system"
        return JSONResponse(body)

    async def vault(request: Request) -> Response:
        fault = state.take_fault(request.method, request.url.path)
        if fault is not None:
            return _error(fault.status, fault.code, "Injected by the test", **fault.headers)
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            return _error(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.", **{"WWW-Authenticate": challenge()})
        issued = state.holder(auth[7:])
        if issued is None:
            return _error(401, "Unauthorized", "AKV10013: Invalid or expired token.", **{"WWW-Authenticate": challenge()})
        if issued.audience != state.resource:
            return _error(401, "Unauthorized", f"AKV10022: Invalid audience. Expected {state.resource}, found: {issued.audience}.", **{"WWW-Authenticate": challenge()})
        version = request.query_params.get("api-version")
        if version is None:
            return _error(400, "BadParameter", "The 'api-version' query parameter is missing.")
        if version not in API_VERSIONS:
            return _error(400, "BadParameter", f"The specified version ({version}) is not recognized.")
        parts = [p for p in request.url.path.split("/") if p]
        for part in parts[1:2]:
            if not NAME.match(part):
                return _error(400, "BadParameter", f"The request URI contains an invalid name: {part}")
        return await dispatch(request, issued.principal, parts, version)

    def check(principal: str, action: str, name: str | None) -> Response | None:
        if state.allowed(principal, action, name):
            return None
        return _error(
            403, "Forbidden",
            f"Caller is not authorized to perform action on resource.\r\nCaller: oid={principal}\r\n"
            f"Action: '{action}'\r\nAssignment: (not found)\r\nDecisionReason: 'DeniedWithNoValidRBAC'",
            "ForbiddenByRbac",
        )

    async def dispatch(request: Request, who: str, parts: list[str], version: str) -> Response:
        method, kind = request.method, parts[0]
        name = parts[1] if len(parts) > 1 else None
        key = name.lower() if name else None
        if kind == "secrets" and method == "GET" and name is None:
            if (denied := check(who, META, None)) is not None:
                return denied
            with state.lock:
                items = [
                    {k: v for k, v in bundle(request, s, s.latest, value=False).items() if k != "id"}
                    | {"id": f"{base(request)}/secrets/{s.name}"}
                    for s in state.secrets.values()
                ]
            return page(request, items, "/secrets", version)
        if kind == "secrets" and key is not None:
            action = {"GET": META if parts[2:3] == ["versions"] else GET, "PUT": SET, "PATCH": SET, "DELETE": DELETE}.get(method)
            if action is None:
                return _error(405, "MethodNotAllowed", f"{method} is not allowed here")
            if (denied := check(who, action, name)) is not None:
                return denied
            if method == "PUT" and len(parts) == 2:
                try:
                    body = await request.json()
                except ValueError:
                    return _error(400, "BadParameter", "The request body is not valid JSON.")
                if not isinstance(body, dict) or not isinstance(body.get("value"), str):
                    return _error(400, "BadParameter", "Property 'value' is required and must be a string.")
                if len(body["value"]) > MAX_VALUE:
                    return _error(400, "BadParameter", "Secret value is too long (max 25 KB).")
                if len(body.get("tags") or {}) > 15:
                    return _error(400, "BadParameter", "A secret can have at most 15 tags.")
                with state.lock:
                    if key in state.deleted:
                        return _error(409, "Conflict", f"Secret {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.", "ObjectIsDeletedButRecoverable")
                    v = state.put(name, body)
                    return JSONResponse(bundle(request, state.secrets[key], v))
            with state.lock:
                secret = state.secrets.get(key)
            if secret is None:
                return _error(404, "SecretNotFound", f"A secret with (name/id) {name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command.")
            if method == "DELETE" and len(parts) == 2:
                gone = state.delete(key)
                assert gone is not None
                return JSONResponse(deleted_bundle(request, gone))
            if method == "GET" and parts[2:3] == ["versions"]:
                items = [bundle(request, secret, v, value=False) for v in secret.versions]
                return page(request, items, f"/secrets/{name}/versions", version)
            chosen = secret.latest if len(parts) == 2 else next((v for v in secret.versions if v.id == parts[2]), None)
            if chosen is None:
                return _error(404, "SecretNotFound", f"A secret with (name/id) {name}/{parts[2]} was not found in this key vault.")
            if method == "PATCH" and len(parts) == 3:
                body = await request.json()
                attrs_in = body.get("attributes") or {}
                if "enabled" in attrs_in:
                    chosen.enabled = bool(attrs_in["enabled"])
                chosen.updated = int(time.time())
                return JSONResponse(bundle(request, secret, chosen, value=False))
            if method == "GET":
                if not chosen.enabled:
                    return _error(403, "Forbidden", "Operation get is not allowed on a disabled secret.", "SecretDisabled")
                return JSONResponse(bundle(request, secret, chosen))
            return _error(405, "MethodNotAllowed", f"{method} is not allowed here")
        if kind == "deletedsecrets" and key is not None:
            action = {"GET": META, "POST": RECOVER, "DELETE": PURGE}.get(method)
            if action is None or (method == "POST" and parts[2:] != ["recover"]):
                return _error(405, "MethodNotAllowed", f"{method} is not allowed here")
            if (denied := check(who, action, name)) is not None:
                return denied
            with state.lock:
                gone = state.deleted.get(key)
                if gone is None:
                    return _error(404, "SecretNotFound", f"Deleted Secret not found: {name}")
                if method == "GET":
                    return JSONResponse(deleted_bundle(request, gone))
                del state.deleted[key]
                if method == "DELETE":
                    return Response(status_code=204)
                state.secrets[key] = gone.secret
                return JSONResponse(bundle(request, gone.secret, gone.secret.latest, value=False))
        return _error(404, "NotFound", "The requested resource was not found.")

    async def recorder(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            state.requests.append(
                Recorded(
                    scope["method"],
                    headers.get(b"host", b"").decode("latin-1"),
                    scope.get("raw_path", scope["path"].encode()).decode("latin-1"),
                    scope.get("query_string", b"").decode("latin-1"),
                )
            )
        await inner(scope, receive, send)

    methods = ["GET", "PUT", "POST", "PATCH", "DELETE"]
    inner = Starlette(
        routes=[
            Route("/{tenant}/oauth2/v2.0/token", token_endpoint, methods=["POST"]),
            Route("/metadata/identity/oauth2/token", imds, methods=["GET"]),
            Route("/msi/token", app_service, methods=["GET"]),
            Route("/{rest:path}", vault, methods=methods),
        ]
    )
    return recorder  # type: ignore[return-value]  # an ASGI app wrapping the Starlette one

