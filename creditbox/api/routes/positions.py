"""Positions: one customer's summary and its full history (with ``as_of`` replays)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from creditbox.api.deps import CompanyCode, ContainerDep, Today
from creditbox.api.guard import GuardedRoute
from creditbox.api.history import read_history
from creditbox.api.permissions import Permission, needs
from creditbox.api.presenters import summary_of
from creditbox.api.problems import problem_responses
from creditbox.api.schemas.common import KEY_PATTERN
from creditbox.api.schemas.positions import HistoryEntryOut, PositionHistoryOut, PositionSummaryOut

router = APIRouter(prefix="/api/v1/companies/{company}/positions", tags=["positions"], route_class=GuardedRoute)

CustomerCodePath = Annotated[str, Path(min_length=1, max_length=64, pattern=KEY_PATTERN)]
_ERRORS = problem_responses(401, 403, 404, 422)


@router.get(
    "/{customer_code}", response_model=PositionSummaryOut, responses=_ERRORS, **needs(Permission.POSITIONS_READ)
)
def get_position(
    customer_code: CustomerCodePath, company: CompanyCode, container: ContainerDep, today: Today
) -> PositionSummaryOut:
    """Saldo, scaduto, partite aperte e pratiche di sollecito di un cliente."""
    position = container.positions.load(company, customer_code)
    return summary_of(position, today)


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
    as_of: Annotated[date | None, Query(description="Data contabile (AAAA-MM-GG): la posizione com'era")] = None,
) -> PositionHistoryOut:
    """Ogni evento della posizione, in ordine (tipo, data contabile, dati, registrato il, da chi)."""
    zone = getattr(container.clock.now(), "tzinfo", None)
    history = read_history(container.app.repository.event_store, company, customer_code, as_of=as_of, zone=zone)
    return PositionHistoryOut(
        company=company,
        customer_code=customer_code,
        as_of=as_of,
        events=[
            HistoryEntryOut(
                version=e.version,
                type=e.type,
                business_date=e.business_date,
                recorded_at=e.recorded_at,
                by=e.by,
                data=e.data,
            )
            for e in history.entries
        ],
        position=summary_of(history.position, as_of or today) if history.position is not None else None,
    )
