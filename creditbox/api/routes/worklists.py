"""Worklists and ageing, read from the projections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import AfterValidator

from creditbox.api.deps import CompanyCode, ContainerDep, ReadsDep, Today
from creditbox.api.guard import GuardedRoute
from creditbox.api.permissions import Permission, needs
from creditbox.api.presenters import json_response
from creditbox.api.problems import problem_responses
from creditbox.api.schemas.legal import LitigationPage
from creditbox.api.schemas.lists import AgeingOut, BucketOut, WorklistItemOut, WorklistPage
from creditbox.domain.text_policy import check_key
from creditbox.projections.queries.ageing import ageing_summary
from creditbox.projections.queries.paging import DEFAULT_LIMIT, MAX_LIMIT
from creditbox.projections.queries.worklist_views import MAX_PAGE, WorklistFilters, worklist_screen, worklist_total
from creditbox.projections.queries.worklists import KINDS, WorklistItem, worklist_counts, worklist_page
from creditbox.projections.worklist_rows import WorklistKind

router = APIRouter(prefix="/api/v1/companies/{company}", tags=["worklists"], route_class=GuardedRoute)

_ERRORS = problem_responses(401, 403, 404, 422)
Code = Annotated[int | None, Query(ge=1, le=4)]


def worklist_item_out(i: WorklistItem) -> WorklistItemOut:
    """An item as the API shows it; the *contenzioso*'s columns are empty on the other worklists."""
    return WorklistItemOut(
        kind=i.kind,
        kind_label=i.kind_label,
        customer_code=i.customer_code,
        customer_name=i.customer_name,
        customer_type=i.customer_type,
        supply_code=i.supply_code,
        service=i.service,
        case_id=i.case_id,
        ladder=i.ladder,
        step=i.step,
        action=i.action,
        amount=i.amount,
        level=i.level,
        since=i.since,
        detail=i.detail,
        legal_milestone=i.legal_milestone,
        legal_milestone_label=i.legal_milestone_label,
        legal_milestone_on=i.legal_milestone_on,
        court=i.court,
        docket=i.docket,
        next_deadline=i.next_deadline,
    )


@router.get("/worklists", response_model=WorklistPage, responses=_ERRORS, **needs(Permission.POSITIONS_READ))
async def get_worklist(
    company: CompanyCode,
    reads: ReadsDep,
    kind: Annotated[str | None, Query(description=f"Una di: {', '.join(KINDS)}; assente: tutte")] = None,
    ladder: Annotated[str | None, AfterValidator(check_key), Query(max_length=64)] = None,
    customer_type: Code = None,
    service: Code = None,
    level: Annotated[int | None, Query(ge=0, le=9, description="Solo ciò che questo livello può approvare")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    counts: Annotated[bool, Query(description="Anche il numero di elementi di ogni lista")] = False,
) -> Response:
    """Una pagina di una lista di lavoro (importo più alto prima), con paginazione a cursore."""

    page = await reads.read(
        worklist_page,
        company,
        kind,
        ladder=ladder,
        customer_type=customer_type,
        service=service,
        level=level,
        limit=limit,
        cursor=cursor,
    )
    totals = await reads.read(worklist_counts, company) if counts else None
    return json_response(
        WorklistPage(
            items=[worklist_item_out(i) for i in page.items],
            next_cursor=page.next_cursor,
            counts=totals,
        )
    )


@router.get("/litigation", response_model=LitigationPage, responses=_ERRORS, **needs(Permission.POSITIONS_READ))
async def get_litigation(
    company: CompanyCode,
    reads: ReadsDep,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Response:
    """Il contenzioso: le pratiche in contenzioso (o da passarvi) con l'ultima fase legale, tribunale,
    numero di ruolo e la prossima scadenza, la più vicina per prima (quelle senza scadenza in fondo)."""
    kind, filters = WorklistKind.LITIGATION.value, WorklistFilters()
    items = await reads.read(
        worklist_screen, company, kind, filters, sort="scadenza", ascending=True, offset=offset, limit=limit
    )
    total = await reads.read(worklist_total, company, kind, filters)
    return json_response(LitigationPage(items=[worklist_item_out(i) for i in items], offset=offset, total=total))


@router.get("/ageing", response_model=AgeingOut, responses=_ERRORS, **needs(Permission.POSITIONS_READ))
def get_ageing(
    company: CompanyCode,
    container: ContainerDep,
    today: Today,
    customer_type: Code = None,
    service: Code = None,
    window_days: Annotated[int, Query(ge=1, le=730, description="Finestra per 'in prescrizione'")] = 60,
) -> AgeingOut:
    """Partite aperte per fascia di scaduto (0–30, 31–60, 61–90, 91–180, 181–365, >365) e in prescrizione."""
    with container.projections.connect() as conn:
        summary = ageing_summary(
            conn, company, today, window_days=window_days, customer_type=customer_type, service=service
        )
    return AgeingOut(
        company=summary.company,
        as_of=summary.as_of,
        window_days=summary.window_days,
        buckets=[BucketOut(key=b.key, label=b.label, amount=b.amount, count=b.count) for b in summary.buckets],
        total=summary.total,
        approaching_limit=summary.approaching_limit,
        approaching_limit_count=summary.approaching_limit_count,
        past_limit=summary.past_limit,
        past_limit_count=summary.past_limit_count,
        written_off=summary.written_off,
        written_off_count=summary.written_off_count,
        litigation_loss=summary.litigation_loss,
        litigation_loss_count=summary.litigation_loss_count,
        time_barred=summary.time_barred,
        time_barred_count=summary.time_barred_count,
    )
