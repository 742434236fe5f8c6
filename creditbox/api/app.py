"""The FastAPI application, built by a factory from the composition root.

``create_app(container)`` for tests and embedding; ``create_app_from_env()`` for uvicorn (one
container per worker process, built from ``CREDITBOX_*`` settings). The lifespan closes the
container (connection pools) when the server stops. Nothing connects at import time.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute

from creditbox.api.auth_limiter import AuthFailureLimiter
from creditbox.api.docs_page import install_docs
from creditbox.api.guard import DEFAULT_MAX_JSON_BYTES, DEFAULT_MAX_UPLOAD_BYTES, GuardedRoute, TokenCache
from creditbox.api.observability import RequestObservability
from creditbox.api.permissions import describe, permission_of
from creditbox.api.problems import install_problem_handlers, problem_responses
from creditbox.api.reads import QueryConnections
from creditbox.api.routes import (
    actions_table,
    bank,
    cases,
    channels,
    company_settings,
    dossiers,
    feed,
    health,
    imports,
    inbound,
    legal,
    metrics,
    positions,
    sms_reports,
    statements,
    worklists,
)
from creditbox.api.security_headers import SecurityHeaders
from creditbox.bootstrap import Container, bootstrap
from creditbox.console import install_console
from creditbox.observability import logs
from creditbox.settings import Settings

API_TITLE = "CreditBox API"
ROUTERS = [
    health.router,
    metrics.router,
    feed.router,
    imports.router,
    positions.router,
    statements.router,
    dossiers.router,
    cases.router,
    legal.router,
    actions_table.router,
    company_settings.router,
    channels.router,
    sms_reports.router,
    worklists.router,
    bank.router,
    inbound.router,
]


def create_app(
    container: Container,
    *,
    close_container: bool = True,
    max_json_bytes: int = DEFAULT_MAX_JSON_BYTES,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    token_cache_seconds: float = 5.0,
    auth_limiter: AuthFailureLimiter | None = None,
) -> FastAPI:
    """The API on ``container``. ``auth_limiter``: the failed-authentication limiter (default: from
    the settings ``auth_failure_limit`` and ``auth_failure_window_seconds``)."""
    reads = QueryConnections(container.projections)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await reads.close()
            if close_container:
                container.close()

    app = FastAPI(
        title=API_TITLE,
        version="1",
        description=(
            "Gestione del credito e solleciti. Autenticazione: `Authorization: Bearer <token>` "
            "(token creati con `creditbox tokens create`). Errori: RFC 9457 `application/problem+json`."
        ),
        lifespan=lifespan,
        docs_url=None,  # served from the package by ``install_docs`` (no CDN)
        redoc_url=None,
    )
    app.state.container = container
    app.state.reads = reads
    app.state.tokens = TokenCache(container.tokens(), ttl=token_cache_seconds)
    app.state.auth_limiter = auth_limiter or AuthFailureLimiter(
        container.settings.auth_failure_limit, container.settings.auth_failure_window_seconds
    )
    app.state.known_companies = set()
    app.state.limits = {"json": max_json_bytes, "upload": max_upload_bytes}
    install_problem_handlers(app)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestObservability)  # outermost: sees every answer, sets the request id
    install_docs(app)
    for router in ROUTERS:
        # Routes are added flat (full paths), so ``app.routes`` is the complete route table.
        app.router.routes.extend(router.routes)
    install_console(app)  # the back-office pages under /console (docs/console.md)
    for route in app.routes:
        if isinstance(route, APIRoute):
            permission = permission_of(route)
            if permission is not None:
                route.description = f"{route.description}\n\n{describe(permission)}".strip()
            if isinstance(route, GuardedRoute):
                # Any guarded route may answer these: a blocked address, a database that is busy.
                route.responses = {**problem_responses(429, 503), **route.responses}
    return app


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (each worker process builds its own container).

    The objects built so far (modules, the container, FastAPI's routes and models: some 130,000) are
    moved out of the garbage collector's sight with ``gc.freeze()``: they live as long as the process,
    and a full collection walking them stopped the worker for ~150 ms every few seconds under load."""
    settings = Settings()
    logs.configure(settings.log_format, settings.log_level)
    app = create_app(bootstrap(settings))
    gc.collect()
    gc.freeze()
    return app
