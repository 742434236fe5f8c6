"""The gate every ``/api/v1`` route passes before its body is read or its code runs.

``GuardedRoute`` is the route class of every API router. For each request it:

1. refuses an address blocked after too many failed authentications (429), then authenticates the
   bearer token (401 without one, or with an unknown or revoked one; each failure is logged and counted);
2. refuses a company-scoped token on another company's path with the *same* 404 an unknown
   company gets (no hint that the company exists);
3. checks the permission the route declared (``permissions.needs``) against the token's role
   (403; a route that declared nothing is refused to everyone);
4. checks the media type (415) and the body size (413) before anything parses the body.

The principal is then left in ``request.state.principal`` for the ``CurrentPrincipal`` dependency.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response, params
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute

from creditbox.api.auth_limiter import AuthFailureLimiter
from creditbox.api.permissions import Permission, allows, permission_of
from creditbox.api.problems import ApiProblem
from creditbox.api.schemas.common import JsonNumber
from creditbox.application.tokens import Principal, TokenRefusal, TokenService
from creditbox.domain.ids import normalise_company_code
from creditbox.domain.tokens import token_hash
from creditbox.infrastructure.company_scope import scoped

DEFAULT_MAX_JSON_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024

_BEARER = {"WWW-Authenticate": 'Bearer realm="creditbox"'}
log = logging.getLogger("creditbox.api.auth")

_BEARER_INVALID = {"WWW-Authenticate": 'Bearer realm="creditbox", error="invalid_token"'}


class TokenCache:
    """Authenticated principals kept for a few seconds, so a busy client does not cost one event-store
    read per request. Unknown tokens are never cached; a revoked token stops working within ``ttl``."""

    def __init__(self, tokens: TokenService, ttl: float = 5.0, max_entries: int = 10_000) -> None:
        self._tokens = tokens
        self._ttl = ttl
        self._max = max_entries
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def cached(self, secret: str) -> Principal | None:
        """The principal if it was authenticated less than ``ttl`` ago (no I/O: callable on the event loop)."""
        with self._lock:
            entry = self._entries.get(token_hash(secret))
        if entry is not None and time.monotonic() - entry[0] < self._ttl:
            return entry[1]
        return None

    def authenticate(self, secret: str) -> Principal | None:
        checked = self.check(secret)
        return checked if isinstance(checked, Principal) else None

    def check(self, secret: str) -> Principal | TokenRefusal:
        """The principal, or why the token is refused."""
        key = token_hash(secret)
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and now - entry[0] < self._ttl:
            return entry[1]
        checked = self._tokens.check(secret)
        with self._lock:
            if not isinstance(checked, Principal):
                self._entries.pop(key, None)
            else:
                if len(self._entries) >= self._max:
                    self._entries.clear()
                self._entries[key] = (now, checked)
        return checked


def company_not_found(company: str) -> ApiProblem:
    """The one 404 for a company the caller may not see or that does not exist: same body for both."""
    return ApiProblem(404, f"azienda sconosciuta: {normalise_company_code(company)!r}", kind="unknown-company")


class GuardedRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        permission = permission_of(self)
        media = _expected_media(self)

        route = self.path

        async def guarded(request: Request) -> Response:
            principal = await _authorise(request, permission, route)
            request.state.principal = principal
            # Everything the request reads or writes is for the company of its path (PostgreSQL's
            # row-level security holds it there even if a query forgot its company filter).
            with scoped(request_scope(request, principal)):
                await _check_body(request, media)
                return await handler(request)

        return guarded


def request_scope(request: Request, principal: Principal) -> str:
    """The company scope of a request: the company of its path (already checked against the
    token's), else the token's own scope (``*`` for a group token)."""
    company = request.path_params.get("company")
    return normalise_company_code(str(company)) if company is not None else principal.company


def client_address(request: Request) -> str:
    """The peer address of the connection (behind a proxy, the proxy's: see docs/api.md)."""
    return request.client.host if request.client is not None else "sconosciuto"


async def _authorise(request: Request, permission: Permission | None, route: str) -> Principal:
    limiter: AuthFailureLimiter = request.app.state.auth_limiter
    address = client_address(request)
    wait = limiter.blocked_for(address)
    if wait > 0:
        seconds = math.ceil(wait)
        raise ApiProblem(
            429,
            f"troppe autenticazioni fallite da questo indirizzo: riprovare fra {seconds} s",
            headers={"Retry-After": str(seconds)},
            kind="too-many-authentication-failures",
        )
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if not header:
        raise _refused(
            request,
            route,
            address,
            "token mancante",
            ApiProblem(401, "token mancante: usare l'intestazione 'Authorization: Bearer <token>'", headers=_BEARER),
        )
    if scheme.lower() != "bearer" or not secret.strip():
        raise _refused(
            request,
            route,
            address,
            "intestazione Authorization non valida",
            ApiProblem(401, "intestazione Authorization non valida: atteso 'Bearer <token>'", headers=_BEARER),
        )
    tokens: TokenCache = request.app.state.tokens
    checked: Principal | TokenRefusal | None = tokens.cached(secret.strip())
    if checked is None:
        checked = await run_in_threadpool(tokens.check, secret.strip())
    if not isinstance(checked, Principal):
        raise _refused(
            request,
            route,
            address,
            checked.value,
            ApiProblem(401, "token sconosciuto o revocato", headers=_BEARER_INVALID),
        )
    principal = checked
    company = request.path_params.get("company")
    if company is not None and not principal.sees(str(company)):
        raise company_not_found(str(company))
    if permission is None:
        raise ApiProblem(403, "operazione senza permesso dichiarato: negata")
    if not allows(principal.role, permission):
        raise ApiProblem(403, f"il ruolo {principal.role.value!r} non ha il permesso {permission.value!r}")
    return principal


def _refused(request: Request, route: str, address: str, reason: str, problem: ApiProblem) -> ApiProblem:
    """Log a failed authentication (never the token) and count it against the client's address."""
    log.warning("autenticazione fallita: client=%s rotta=%s %s motivo=%s", address, request.method, route, reason)
    limiter: AuthFailureLimiter = request.app.state.auth_limiter
    if limiter.failed(address):
        log.warning(
            "client=%s bloccato per %g s: %d autenticazioni fallite in %g s",
            address,
            limiter.window,
            limiter.limit,
            limiter.window,
        )
    return problem


def _expected_media(route: APIRoute) -> str | None:
    """``"json"``, ``"multipart"`` or ``None`` (no body) for a route."""
    body = route.body_field
    if body is None:
        return None
    return "multipart" if isinstance(body.field_info, params.Form) else "json"


async def _check_body(request: Request, media: str | None) -> None:
    if media is None:
        return
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    has_body = request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
    if media == "json" and has_body and content_type != "application/json" and not content_type.endswith("+json"):
        raise ApiProblem(
            415, f"tipo di contenuto {content_type or '(nessuno)'!r} non supportato: usare application/json"
        )
    if media == "multipart" and content_type != "multipart/form-data":
        raise ApiProblem(
            415, f"tipo di contenuto {content_type or '(nessuno)'!r} non supportato: usare multipart/form-data"
        )
    limits = request.app.state.limits
    limit = limits["upload"] if media == "multipart" else limits["json"]
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    body = b"".join(chunks)
    # Starlette serves a body already read from ``_body``: the one documented way to hand it on.
    request._body = body  # noqa: SLF001
    if media == "json" and body:
        _keep_number_texts(request, body)


def _keep_number_texts(request: Request, body: bytes) -> None:
    """Parse the JSON body keeping how each number with a fraction or an exponent was written
    (``JsonNumber``), so the amount check sees ``1e2`` and not ``100.0``. A body this parse refuses
    is left to FastAPI's own, which answers its usual 422."""
    try:
        # Starlette's ``Request.json()`` answers from ``_json`` once it is set.
        request._json = json.loads(body, parse_float=JsonNumber)  # noqa: SLF001
    except ValueError:
        return


def _too_large(limit: int) -> ApiProblem:
    return ApiProblem(413, f"contenuto oltre il limite di {limit // 1024} KiB")
