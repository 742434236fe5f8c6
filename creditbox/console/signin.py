"""Signing in and out of the console.

A failed sign-in (unknown name, wrong password, disabled operator: one answer for all) is logged —
the name tried and the address, never the password — and counted against the client's address by the
console's own ``AuthFailureLimiter`` (same policy as the API's: ``auth_failure_limit`` failures within
``auth_failure_window_seconds`` block the address for the window, 429 with ``Retry-After``).
"""

from __future__ import annotations

import hmac
import logging
import math
import secrets

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from creditbox.api.auth_limiter import AuthFailureLimiter
from creditbox.api.guard import client_address
from creditbox.console.web import (
    PREFIX,
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    accounts_of,
    check_csrf,
    current_session,
    local_path,
    page,
    set_cookie,
)

log = logging.getLogger("creditbox.console.auth")
router = APIRouter(prefix=PREFIX, include_in_schema=False)


def _limiter(request: Request) -> AuthFailureLimiter:
    limiter: AuthFailureLimiter = request.app.state.console_limiter
    return limiter


def _form(request: Request, *, status: int = 200, error: str = "", login: str = "", after: str = "") -> Response:
    token = secrets.token_urlsafe(32)
    response = page(request, "signin.html", status=status, error=error, login=login, csrf=token, after=after)
    set_cookie(request, response, SIGN_IN_COOKIE, token, max_age=3600)
    return response


@router.get("/accesso")
async def sign_in_page(request: Request, dopo: str = "") -> Response:
    return _form(request, after=local_path(dopo))


@router.post("/accesso")
async def sign_in(request: Request) -> Response:
    address = client_address(request)
    limiter = _limiter(request)
    wait = limiter.blocked_for(address)
    if wait > 0:
        seconds = math.ceil(wait)
        response = _form(
            request, status=429, error=f"Troppi accessi falliti da questo indirizzo: riprovare fra {seconds} secondi."
        )
        response.headers["Retry-After"] = str(seconds)
        return response
    form = await request.form()
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    login, password = fields.get("nome", "").strip(), fields.get("password", "")
    after = local_path(fields.get("dopo"))
    cookie = request.cookies.get(SIGN_IN_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), fields.get("csrf", "").encode()):
        return _form(request, status=403, error="Modulo scaduto: riprovare.", login=login, after=after)
    signed = await run_in_threadpool(accounts_of(request).sign_in, login, password) if login and password else None
    if signed is None:
        log.warning("accesso alla console fallito: client=%s nome=%r", address, login[:64])
        if limiter.failed(address):
            log.warning("client=%s bloccato per %g s dopo %d accessi falliti", address, limiter.window, limiter.limit)
        return _form(request, status=401, error="Nome o password non validi.", login=login, after=after)
    log.info("accesso alla console: operatore=%s client=%s", signed.session.principal.name, address)
    response = RedirectResponse(after, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, signed.secret)
    response.delete_cookie(SIGN_IN_COOKIE, path=PREFIX)
    return response


@router.post("/uscita")
async def sign_out(request: Request) -> Response:
    session = await current_session(request)
    await check_csrf(request, session)
    await run_in_threadpool(accounts_of(request).sign_out, session)
    log.info("uscita dalla console: operatore=%s", session.principal.name)
    response = RedirectResponse(f"{PREFIX}/accesso", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response
