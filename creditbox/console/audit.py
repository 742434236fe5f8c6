"""The audit page (*revisione*): the last seal of the event store's hash chains and the result of the
last integrity check of the company's chains, run from the page as ``creditbox audit verify --company``
runs it (``application.integrity``).

The page also exports a position's evidence dossier (*fascicolo probatorio*, ``application.dossier``),
the ZIP of ``creditbox export dossier`` and of the API's dossier route.

The check reads every event of the company, so it runs on request (a form, ``history:read``), not on
each view; its result is kept by the server process for the page (who asked, when, what was found)
until the next check or a restart. ``creditbox audit verify`` stays the check to schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from creditbox.api.permissions import Permission
from creditbox.application.console_accounts import ConsoleSession
from creditbox.application.integrity import Verification
from creditbox.console.web import (
    PREFIX,
    ConsoleError,
    back,
    check_csrf,
    company_for,
    container_of,
    current_session,
    page,
    require,
)
from creditbox.domain.errors import DomainError
from creditbox.domain.wording import plural

router = APIRouter(prefix=PREFIX, include_in_schema=False)
Session = Annotated[ConsoleSession, Depends(current_session)]


@dataclass(frozen=True)
class Check:
    """One integrity check run from the console."""

    result: Verification
    by: str
    at: datetime


def _checks(request: Request) -> dict[str, Check]:
    checks: dict[str, Check] | None = getattr(request.app.state, "console_checks", None)
    if checks is None:
        checks = request.app.state.console_checks = {}
    return checks


@router.get("/{company}/revisione")
def audit(request: Request, session: Session, company: str) -> Response:
    require(session, Permission.HISTORY_READ)
    code = company_for(request, session, company)
    seal = container_of(request).integrity().last_seal()
    return page(request, "audit.html", company=code, seal=seal, check=_checks(request).get(code))


@router.post("/{company}/revisione/verifica")
async def verify(request: Request, session: Session, company: str) -> Response:
    """Recompute the chains of the company's aggregates and check the last seal."""
    await check_csrf(request, session)
    require(session, Permission.HISTORY_READ)
    code = company_for(request, session, company)
    container = container_of(request)
    result = await run_in_threadpool(lambda: container.integrity().verify(company=code))
    _checks(request)[code] = Check(result, session.principal.name, container.clock.now())
    found = plural(len(result.findings), "rilievo", "rilievi")
    verdict = "nessun rilievo" if result.clean else found
    message = f"Verifica completata: {plural(result.events, 'evento', 'eventi')}, {verdict}."
    return back(request, session, f"{PREFIX}/{code}/revisione", message)


@router.post("/{company}/revisione/fascicolo")
async def dossier(request: Request, session: Session, company: str) -> Response:
    """The evidence dossier of one customer's position, as a ZIP to download."""
    fields = await check_csrf(request, session)
    require(session, Permission.HISTORY_READ)
    code = company_for(request, session, company)
    customer = fields.get("cliente").strip()
    if not customer:
        return back(request, session, f"{PREFIX}/{code}/revisione", "Indicare il codice cliente del fascicolo.")
    container = container_of(request)
    try:
        found, content = await run_in_threadpool(lambda: container.dossiers().archive(code, customer))
    except DomainError as error:
        raise ConsoleError(404, str(error)) from None
    name = found.file_name.encode("ascii", "replace").decode("ascii").replace('"', "")
    return Response(
        content, media_type="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
