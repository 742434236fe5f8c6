"""Positions: one customer's summary and its full history (with ``as_of`` replays)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import AfterValidator

from creditbox.api.deps import CompanyCode, ContainerDep, ReadsDep, Today
from creditbox.api.guard import GuardedRoute
from creditbox.api.history import read_history
from creditbox.api.permissions import Permission, needs
from creditbox.api.presenters import json_response, summary_of
from creditbox.api.problems import problem_responses
from creditbox.api.schemas.common import KEY_PATTERN, IsoDate, Money
from creditbox.api.schemas.lists import PositionPage, PositionRowOut
from creditbox.api.schemas.positions import (
    CaseOut,
    CustomerOut,
    HistoryEntryOut,
    LostItemOut,
    OpenItemOut,
    PositionHistoryOut,
    PositionSummaryOut,
    SupplyOut,
)
from creditbox.domain.codes import ActionCode, CustomerType, Service, SupplyStatus, SupplyType
from creditbox.domain.errors import NotFound
from creditbox.domain.text_policy import check_key
from creditbox.domain.workflow.outcomes import Loss
from creditbox.domain.workflow.waiting import Waiting
from creditbox.projections.queries.paging import DEFAULT_LIMIT, MAX_LIMIT
from creditbox.projections.queries.positions import (
    PositionFilters,
    SummarySupply,
    SupplyFigures,
    list_positions,
    position_summary,
    valued_at,
)

router = APIRouter(prefix="/api/v1/companies/{company}/positions", tags=["positions"], route_class=GuardedRoute)

CustomerCodePath = Annotated[str, AfterValidator(check_key), Path(min_length=1, max_length=64, pattern=KEY_PATTERN)]
_ERRORS = problem_responses(401, 403, 404, 422)
NOTHING_OPEN = SupplyFigures()


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
        items=[
            PositionRowOut(
                customer_code=r.customer_code,
                name=r.name,
                customer_type=r.customer_type,
                services=r.services,
                supplies=r.supplies,
                balance=r.balance,
                overdue=r.overdue,
                credit=r.credit,
                oldest_due_date=r.oldest_due_date,
                days_overdue=r.days_overdue(today),
                open_items=r.open_items,
                open_cases=r.open_cases,
                current_action=r.current_action,
                current_step=r.current_step,
                written_off=r.written_off,
                litigation_loss=r.litigation_loss,
            )
            for r in page.items
        ],
        next_cursor=page.next_cursor,
        valued_at=valued,
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
    row, items, case_rows = summary.position, summary.open_items, summary.cases
    by_supply = summary.by_supply(today)
    return json_response(
        PositionSummaryOut(
            company=company,
            customer_code=row.customer_code,
            as_of=today,
            customer=CustomerOut(
                name=row.name,
                customer_type=row.customer_type,
                customer_type_label=CustomerType(row.customer_type).label,
                fiscal_code=row.fiscal_code,
                vat_number=row.vat_number,
                email=row.email,
                pec=row.pec,
                mobile=row.mobile,
                address=row.address,
                postcode=row.postcode,
                city=row.city,
                province=row.province,
            ),
            supplies=[_supply_out(s, by_supply.get(s.code, NOTHING_OPEN)) for s in summary.supplies],
            open_items=[
                OpenItemOut(
                    bill_number=i.bill_number,
                    supply_code=i.supply_code,
                    issue_date=i.issue_date,
                    due_date=i.due_date,
                    amount=i.amount,
                    residual=i.residual,
                    days_overdue=max(0, (today - i.due_date).days),
                )
                for i in items
            ],
            balance=row.balance,
            overdue=summary.overdue(today),
            credit=row.credit,
            cases=[
                CaseOut(
                    case_id=c.case_id,
                    supply_code=c.supply_code,
                    ladder=c.ladder or "",
                    status=c.status,
                    step=c.step,
                    action_code=c.action,
                    action_label=ActionCode(c.action).label if c.action else None,
                    next_due_date=c.next_due_date,
                    overdue=c.amount,
                    opened_on=c.opened_on,
                    waiting_for=_label(c.waiting(today)),
                    waiting_for_code=_code(c.waiting(today)),
                )
                for c in case_rows
            ],
            written_off=row.written_off,
            litigation_loss=row.litigation_loss,
            lost_items=[
                LostItemOut(
                    bill_number=i.bill_number,
                    supply_code=i.supply_code,
                    issue_date=i.issue_date,
                    due_date=i.due_date,
                    amount=i.amount,
                    residual=i.residual,
                    loss=i.loss or "",
                    loss_label=Loss(i.loss).label if i.loss else "",
                )
                for i in summary.lost_items
            ],
        )
    )


def _label(waiting: Waiting | None) -> str | None:
    return waiting.label if waiting is not None else None


def _code(waiting: Waiting | None) -> str | None:
    return waiting.code if waiting is not None else None


def _supply_out(supply: SummarySupply, figures: SupplyFigures) -> SupplyOut:
    return SupplyOut(
        code=supply.code,
        service=supply.service,
        service_label=Service(supply.service).label,
        supply_type=supply.supply_type,
        supply_type_label=SupplyType(supply.supply_type).label,
        status=supply.status,
        status_label=SupplyStatus(supply.status).label,
        meter=supply.meter,
        address=supply.address,
        overdue=figures.overdue,
        open_items=figures.open_items,
    )


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
) -> PositionHistoryOut:
    """Ogni evento della posizione, in ordine (tipo, data contabile, dati, registrato il, da chi)."""
    zone = getattr(container.clock.now(), "tzinfo", None)
    history = read_history(container.app.repository.event_store, company, customer_code, as_of=as_of, zone=zone)
    position, on = history.position, as_of or today
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
        position=None if position is None else summary_of(position, on, container.positions.waiting(position, on)),
        notes=history.notes,
    )
