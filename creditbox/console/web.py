"""What every console page shares: the templates, the signed-in operator, the CSRF check, the errors.

- The session cookie (``cbx_sessione``) is ``HttpOnly``, ``SameSite=Lax``, and ``Secure`` on HTTPS
  requests or when the ``console_secure_cookies`` setting says so; its value is the session's secret,
  looked up through ``ConsoleAccounts`` (server-side sessions with expiry).
- Every POST carries the session's CSRF token in the hidden ``csrf`` field, compared in constant
  time; the sign-in form, which has no session yet, uses a double-submit cookie.
- A company-scoped operator asking for another company's page gets the same 404 as for a company
  that does not exist (as the API answers); a missing permission is a 403 page.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import UploadFile

from creditbox.api.permissions import Permission, allows
from creditbox.application.console_accounts import ConsoleAccounts, ConsoleSession
from creditbox.bootstrap import Container
from creditbox.domain.errors import NotFound
from creditbox.domain.ids import normalise_company_code
from creditbox.domain.money import format_euro
from creditbox.infrastructure.company_scope import enter_scope

PREFIX = "/console"
SESSION_COOKIE = "cbx_sessione"
SIGN_IN_COOKIE = "cbx_accesso"
HERE = Path(__file__).parent
MAX_FIELDS = 500  # a worklist form: a line per ticked item (at most 200) and a few more

# Pages name no other host: styles, scripts and images come from the console itself.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def _euro(value: Decimal | str | None) -> str:
    """An amount as ``1.234,56 €`` (the cases' views hold amounts as texts)."""
    return "" if value is None or value == "" else format_euro(Decimal(value))


def _day(value: date | str | None) -> str:
    """``dd/mm/yyyy`` for a date or an ISO date text (the cases' views hold ISO texts)."""
    if not value:
        return ""
    return f"{date.fromisoformat(value) if isinstance(value, str) else value:%d/%m/%Y}"


templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters["euro"] = _euro
templates.env.filters["giorno"] = _day
templates.env.globals["PREFIX"] = PREFIX


def _can(session: ConsoleSession | None, permission: str) -> bool:
    """Whether the page offers what ``permission`` allows (the route checks it again)."""
    return session is not None and allows(session.principal.role, Permission(permission))


templates.env.globals["can"] = _can


class ConsoleError(Exception):
    """A page that cannot be shown: rendered as an error page with ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class SignInRequired(Exception):
    """No live session: the browser is sent to the sign-in page, then back to ``after``."""

    def __init__(self, after: str) -> None:
        super().__init__(after)
        self.after = after


def container_of_app(app: FastAPI) -> Container:
    container: Container = app.state.container
    return container


def container_of(request: Request) -> Container:
    return container_of_app(request.app)


def accounts_of(request: Request) -> ConsoleAccounts:
    """The app's ``ConsoleAccounts``, built on first use (building it brings the schema up to date)."""
    accounts: ConsoleAccounts | None = request.app.state.console_accounts
    if accounts is None:
        accounts = request.app.state.console_accounts = container_of(request).console_accounts()
    return accounts


def secure_cookies(request: Request) -> bool:
    return request.url.scheme == "https" or container_of(request).settings.console_secure_cookies


def set_cookie(request: Request, response: Response, name: str, value: str, *, max_age: int | None = None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=PREFIX,
        httponly=True,
        secure=secure_cookies(request),
        samesite="lax",
    )


async def current_session(request: Request) -> ConsoleSession:
    """The signed-in operator's session, or a redirect to the sign-in page."""
    secret = request.cookies.get(SESSION_COOKIE, "")
    session = await run_in_threadpool(accounts_of(request).session, secret) if secret else None
    if session is None:
        after = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(after if request.method == "GET" else PREFIX)
    request.state.console_session = session
    return session


class Fields:
    """A posted form's text fields (a field may repeat: the ticked lines of a list)."""

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._items = items

    def get(self, name: str, default: str = "") -> str:
        return next((v for k, v in self._items if k == name), default).strip()

    def all(self, name: str) -> list[str]:
        return [v for k, v in self._items if k == name]


def csrf_matches(fields: Fields, session: ConsoleSession) -> bool:
    """Whether the form's ``csrf`` field is the session's token (compared in constant time)."""
    return hmac.compare_digest(fields.get("csrf").encode(), session.csrf_token.encode())


async def check_csrf(request: Request, session: ConsoleSession) -> Fields:
    """The posted form (no file), once its ``csrf`` field matched the session's token (403 otherwise)."""
    form = await request.form(max_files=0, max_fields=MAX_FIELDS)
    fields = Fields([(k, v) for k, v in form.multi_items() if isinstance(v, str)])
    if not csrf_matches(fields, session):
        raise ConsoleError(403, "modulo scaduto o non valido: ricaricare la pagina e riprovare")
    return fields


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_SIGNATURE = b"PK\x03\x04"  # a workbook is a ZIP


@dataclass(frozen=True)
class Upload:
    """A posted form with one file (``file``), once its ``csrf`` field matched the session's token."""

    fields: Fields
    name: str | None  # None: no file was chosen
    content: bytes


async def read_upload(request: Request, session: ConsoleSession) -> Upload:
    """The form of an upload page: refused at once (413) when it declares more than the upload limit,
    403 without the session's CSRF token; the file's name and bytes (none when no file was chosen)."""
    limit: int = request.app.state.limits["upload"]
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ConsoleError(413, f"file oltre il limite di {limit // (1024 * 1024)} MiB")
    form = await request.form(max_files=1, max_fields=10)
    fields = Fields([(k, v) for k, v in form.multi_items() if isinstance(v, str)])
    if not csrf_matches(fields, session):
        raise ConsoleError(403, "modulo scaduto o non valido: ricaricare la pagina e riprovare")
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return Upload(fields, None, b"")
    return Upload(fields, file.filename, await file.read())


def require(session: ConsoleSession, permission: Permission) -> None:
    if not allows(session.principal.role, permission):
        role = session.principal.role.label
        raise ConsoleError(403, f"il ruolo «{role}» non consente questa operazione")


def company_for(request: Request, session: ConsoleSession, company: str) -> str:
    """The normalised code of a registered company the operator may see; otherwise the one 404."""
    code = normalise_company_code(company)
    if not code or not session.principal.sees(code):
        raise ConsoleError(404, f"azienda sconosciuta: {code!r}")
    try:
        code = str(container_of(request).companies.require(code))
    except NotFound:
        raise ConsoleError(404, f"azienda sconosciuta: {code!r}") from None
    # The rest of the page reads and writes for this company only (PostgreSQL's row-level security).
    enter_scope(code)
    return code


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    session: ConsoleSession | None = getattr(request.state, "console_session", None)
    flash = accounts_of(request).take_flash(session) if session is not None else None
    response = templates.TemplateResponse(
        request,
        template,
        {"session": session, "flash": flash, "today": container_of(request).clock.today(), **context},
        status_code=status,
    )
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


def back(request: Request, session: ConsoleSession, to: str, message: str) -> RedirectResponse:
    """After a form: the message for the next page, and the browser sent there (303: a GET)."""
    accounts_of(request).set_flash(session, message)
    return RedirectResponse(to, status_code=303)


def local_path(target: str | None, default: str = PREFIX) -> str:
    """Where to go after a form or the sign-in: a path of the console only (never another site)."""
    if not target or (not target.startswith(PREFIX + "/") and target != PREFIX) or target.startswith("//"):
        return default
    return quote(target, safe="/?=&-_.~%")


async def on_console_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ConsoleError)
    return page(request, "error.html", status=error.status, message=error.message, status_code=error.status)


async def on_sign_in_required(request: Request, error: Exception) -> Response:
    assert isinstance(error, SignInRequired)
    return RedirectResponse(f"{PREFIX}/accesso?dopo={quote(error.after, safe='')}", status_code=303)
