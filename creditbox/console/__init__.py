"""The back-office console: server-rendered pages (Jinja2, Italian) on the API's FastAPI app.

``install_console(app)`` adds the pages under ``/console`` and their static files (shipped in the
package: no CDN). The pages call the same use cases and read models as the API routes.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from creditbox.api.auth_limiter import AuthFailureLimiter
from creditbox.console import (
    actions_table,
    audit,
    bank,
    case_decisions,
    decisions,
    imports,
    pages,
    signin,
    statements,
)
from creditbox.console.web import (
    HERE,
    PREFIX,
    ConsoleError,
    SignInRequired,
    container_of_app,
    on_console_error,
    on_sign_in_required,
)


def install_console(app: FastAPI, *, limiter: AuthFailureLimiter | None = None) -> None:
    """Mount the console on ``app`` (built by ``api.app.create_app``, whose state holds the container).
    ``limiter``: the failed sign-in limiter (default: the API's policy, its own counts)."""
    settings = container_of_app(app).settings
    app.state.console_limiter = limiter or AuthFailureLimiter(
        settings.auth_failure_limit, settings.auth_failure_window_seconds
    )
    app.state.console_accounts = None  # built on first use (it needs the schema)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=str(HERE / "static")), name="console-static")
    routers = (signin, decisions, case_decisions, imports, bank, actions_table, audit, statements, pages)
    for router in (module.router for module in routers):
        app.router.routes.extend(router.routes)
    app.add_exception_handler(ConsoleError, on_console_error)
    app.add_exception_handler(SignInRequired, on_sign_in_required)

    async def home() -> RedirectResponse:
        return RedirectResponse(PREFIX, status_code=307)

    app.add_api_route("/", home, methods=["GET"], include_in_schema=False)
