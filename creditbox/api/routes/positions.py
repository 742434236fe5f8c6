"""Positions: one customer's summary and its full history (with ``as_of`` replays)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import AfterValidator

from creditbox.api.deps import CompanyCode, ContainerDep, ReadsDep, Today
from creditbox.api.guard import GuardedRoute
from creditbox.api.permissions import Permission, needs
from creditbox.api.presenters import (
    history_out,
    json_response,
    position_row_out,
    summary_from_read_models,
    summary_of,
)
from creditbox.api.problems import problem_responses
from creditbox.api.schemas.common import KEY_PATTERN, IsoDate, Money
from creditbox.api.schemas.lists import PositionPage
from creditbox.api.schemas.positions import PositionHistoryOut, PositionSummaryOut
from creditbox.domain.errors import NotFound
from creditbox.domain.text_policy import check_key
from creditbox.projections.queries.paging import DEFAULT_LIMIT, MAX_LIMIT
from creditbox.projections.queries.positions import (
    PositionFilters,
    list_positions,
    position_summary,
    valued_at,
)

router = APIRouter(prefix="/api/v1/companies/{company}/positions", tags=["positions"], route_class=GuardedRoute)

CustomerCodePath = Annotated[str, AfterValidator(check_key), Path(min_length=1, max_length=64, pattern=KEY_PATTERN)]
_ERRORS = problem_responses(401, 403, 404, 422)
Code = Annotated[int | None, Query(ge=1, le=4)]


@router.get("", response_model=PositionPage, responses=_ERRORS, **needs(Permission.POSITIONS_READ))
def get_positions(
    company: CompanyCode,
    container: ContainerDep,
    today: Today,
    overdue_min: Annotated[Money | None, Query(description="Scaduto minimo (euro)")] = None,
    overdue_max: Annotated[Money | None, Query(description="Scaduto massimo (euro)")] = None,
    days_overdue_min: Annotated[int | None, Query(ge=0, le=36500)] = None,
    days_overdue_max: Annotated[int | None, Query(ge=0, le=36500)] = None,
    stage: Annotated[int | None, Query(ge=1, le=10, description="Codice azione del passo corrente")] = None,
    ladder: Annotated[str | None, AfterValidator(check_key), Query(max_length=64)] = None,
    customer_type: Code = None,
    service: Code = None,
    with_open_cases: bool | None = None,
    sort: Annotated[str, Query(pattern="^[a-z_]{1,20}$", description="overdue (default), oldest, code")] = "overdue",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> PositionPage:
    """Le posizioni dell'azienda, filtrate, con paginazione a cursore (dalla proiezione `positions`)."""
    filters = PositionFilters(
        overdue_min=overdue_min,
        overdue_max=overdue_max,
        days_overdue_min=days_overdue_min,
        days_overdue_max=days_overdue_max,
        stage=stage,
        ladder=ladder,
        customer_type=customer_type,
        service=service,
        with_open_cases=with_open_cases,
    )
    with container.projections.connect() as conn:
        page = list_positions(conn, company, filters, as_of=today, sort=sort, limit=limit, cursor=cursor)
        valued = valued_at(conn)
    return PositionPage(
        items=[position_row_out(r, today) for r in page.items], next_cursor=page.next_cursor, valued_at=valued
    )


@router.get(
    "/{customer_code}", response_model=PositionSummaryOut, responses=_ERRORS, **needs(Permission.POSITIONS_READ)
)
async def get_position(
    customer_code: CustomerCodePath, company: CompanyCode, reads: ReadsDep, today: Today
) -> Response:
    """Anagrafica e contatti, forniture (con scaduto e partite aperte di ciascuna), saldo, scaduto,
    partite aperte e pratiche (scala, passo, azione, stato, prossima scadenza) di un cliente, dalle
    proiezioni."""
    summary = await reads.read(position_summary, company, customer_code)
    if summary is None:
        raise NotFound(f"cliente {customer_code!r} sconosciuto nell'azienda {company!r}")
    return json_response(summary_from_read_models(company, summary, today))


@router.get(
    "/{customer_code}/history",
    response_model=PositionHistoryOut,
    responses=_ERRORS,
    **needs(Permission.HISTORY_READ),
)
def get_history(
    customer_code: CustomerCodePath,
    company: CompanyCode,
    container: ContainerDep,
    today: Today,
    as_of: Annotated[IsoDate | None, Query(description="Data contabile (AAAA-MM-GG): la posizione com'era")] = None,
    as_recorded_at: Annotated[
        datetime | None,
        Query(
            description="Istante di registrazione (ISO 8601; senza fuso è l'ora locale): "
            "la posizione come la mostrava il sistema"
        ),
    ] = None,
) -> PositionHistoryOut:
    """Ogni evento della posizione, in ordine (tipo, data contabile, descrizione, dati, registrato il, da chi)."""
    zone = getattr(container.clock.now(), "tzinfo", None)
    if as_recorded_at is not None and as_recorded_at.tzinfo is None and zone is not None:
        as_recorded_at = as_recorded_at.replace(tzinfo=zone)
    history = container.positions.history(company, customer_code, as_of=as_of, zone=zone, as_recorded_at=as_recorded_at)
    position, on = history.position, as_of or today
    summary = None if position is None else summary_of(position, on, container.positions.waiting(position, on))
    return history_out(company, customer_code, as_of, history, summary, as_recorded_at)
