"""A customer's statement of account (*estratto conto*): JSON, Excel or PDF (``application/statement.py``)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from creditbox.api.deps import CompanyCode, ContainerDep, Today
from creditbox.api.guard import GuardedRoute
from creditbox.api.permissions import Permission, needs
from creditbox.api.problems import problem_responses
from creditbox.api.routes.positions import CustomerCodePath
from creditbox.api.schemas.common import IsoDate
from creditbox.application.statement import StatementFormat, statement_as_json

router = APIRouter(prefix="/api/v1/companies/{company}/positions", tags=["positions"], route_class=GuardedRoute)

_FILES = {
    StatementFormat.XLSX.media_type: {"schema": {"type": "string", "format": "binary"}},
    StatementFormat.PDF.media_type: {"schema": {"type": "string", "format": "binary"}},
}


@router.get(
    "/{customer_code}/statement",
    responses={**problem_responses(401, 403, 404, 422), 200: {"content": _FILES}},
    **needs(Permission.POSITIONS_READ),
)
def get_statement(
    customer_code: CustomerCodePath,
    company: CompanyCode,
    container: ContainerDep,
    today: Today,
    as_of: Annotated[IsoDate | None, Query(description="Data dell'estratto conto (AAAA-MM-GG); default: oggi")] = None,
    fmt: Annotated[
        Literal["json", "xlsx", "pdf"],
        Query(alias="format", description="json (default), xlsx (Excel) o pdf"),
    ] = "json",
) -> Response:
    """Estratto conto del cliente alla data: bollette, note di credito, pagamenti e loro imputazione,
    indennizzi forfettari e interessi di mora per bolletta e periodo di tasso, saldo progressivo
    (capitale e interessi separati), bollette prescrivibili (L. 205/2017)."""
    service = container.statements()
    day = as_of or today
    statement = service.build(company, customer_code, day)
    chosen = StatementFormat(fmt)
    if chosen is StatementFormat.JSON:
        return JSONResponse(statement_as_json(statement))
    name = f"estratto-conto-{statement.company}-{statement.customer_code}-{day:%Y-%m-%d}.{chosen.value}"
    return Response(
        service.render(statement, chosen),
        media_type=chosen.media_type,
        headers={"Content-Disposition": f'attachment; filename="{_ascii(name)}"'},
    )


def _ascii(name: str) -> str:
    """The file name as a plain ASCII token (customer codes are keys, but a header takes no surprise)."""
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name)
