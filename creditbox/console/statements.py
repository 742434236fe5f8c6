"""A customer's statement of account (*estratto conto*) from the position page, in Excel or PDF:
``application.statement`` builds it and renders it with the same writers as
``GET /api/v1/companies/{company}/positions/{customer}/statement`` and ``creditbox statement``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from creditbox.api.permissions import Permission
from creditbox.application.console_accounts import ConsoleSession
from creditbox.application.statement import StatementFormat
from creditbox.console.web import PREFIX, ConsoleError, company_for, container_of, current_session, require
from creditbox.domain.errors import NotFound

router = APIRouter(prefix=PREFIX, include_in_schema=False)
Session = Annotated[ConsoleSession, Depends(current_session)]


@router.get("/{company}/clienti/{customer}/estratto-conto")
def statement(
    request: Request,
    session: Session,
    company: str,
    customer: str,
    formato: Literal["xlsx", "pdf"] = "xlsx",
    al: Annotated[date | None, Query(description="Data dell'estratto conto")] = None,
) -> Response:
    require(session, Permission.POSITIONS_READ)
    code = company_for(request, session, company)
    container = container_of(request)
    today = container.clock.today()
    day = min(al, today) if al is not None else today
    service = container.statements()
    try:
        built = service.build(code, customer, day)
    except NotFound:
        raise ConsoleError(404, f"cliente {customer[:64]!r} sconosciuto nell'azienda {code}") from None
    chosen = StatementFormat(formato)
    name = f"estratto-conto-{code}-{built.customer_code}-{day:%Y-%m-%d}.{chosen.value}"
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name)
    return Response(
        service.render(built, chosen),
        media_type=chosen.media_type,
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )
