"""The console's pages: the companies, a company's home, a worklist (and its Excel export), a position.

Every page reads what the API reads: the worklist and ageing read models (``projections.queries``),
the position replayed by ``container.positions.history`` with the presenters of the API, the cases as
``application.case_views`` describes them. Pages are plain ``def``: FastAPI runs them in its thread pool.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import copy_context
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from creditbox.api.permissions import Permission, allows
from creditbox.api.presenters import summary_of
from creditbox.application.case_views import case_view, lock_view
from creditbox.application.console_accounts import ConsoleSession
from creditbox.console.charts import bar_chart
from creditbox.console.web import PREFIX, XLSX, ConsoleError, company_for, container_of, current_session, page, require
from creditbox.domain.codes import ActionCode, CustomerType, Service
from creditbox.domain.workflow.outcomes import (
    LitigationResult,
    LockReason,
    StepOutcome,
    WriteOffKind,
    allowed_outcomes,
)
from creditbox.infrastructure.excel.writer import save_workbook
from creditbox.projections.exports import worklist_sheet
from creditbox.projections.queries.ageing import AgeingSummary, ageing_summary, bucket_of
from creditbox.projections.queries.positions import position_summary
from creditbox.projections.queries.worklist_views import (
    SORTS,
    WorklistFilters,
    all_worklist_items,
    changes_on,
    worklist_screen,
    worklist_total,
)
from creditbox.projections.queries.worklists import worklist_counts
from creditbox.projections.worklist_rows import WORKLIST_LABELS

router = APIRouter(prefix=PREFIX, include_in_schema=False)
Session = Annotated[ConsoleSession, Depends(current_session)]
PAGE_SIZE = 25
T = TypeVar("T")
_BESIDE = ThreadPoolExecutor(max_workers=4, thread_name_prefix="console-page")  # a page's parallel reads


def _beside(read: Callable[[], T]) -> Future[T]:
    """Run ``read`` on another connection of the pool's, in a copy of the request's context: its
    company scope (PostgreSQL's row-level security) goes along."""
    return _BESIDE.submit(copy_context().run, read)


# The worklists whose items an operator decides from the list itself.
DECIDED_FROM_THE_LIST = {"proposal": Permission.CASES_WORK, "approval": Permission.CASES_APPROVE}


@router.get("")
def root(request: Request, session: Session) -> Response:
    """A company's operator goes straight to the company; a group operator chooses one."""
    principal = session.principal
    if not principal.is_group:
        return RedirectResponse(f"{PREFIX}/{principal.company}", status_code=303)
    companies = container_of(request).companies.list()
    return page(request, "companies.html", companies=companies)


@router.get("/{company}")
def home(request: Request, session: Session, company: str) -> Response:
    code = company_for(request, session, company)
    role = session.principal.role
    if not allows(role, Permission.POSITIONS_READ) and allows(role, Permission.IMPORTS_READ):
        return RedirectResponse(f"{PREFIX}/{code}/importazioni", status_code=303)  # the billing system's people
    require(session, Permission.POSITIONS_READ)
    container = container_of(request)
    today = container.clock.today()
    projections = container.projections

    def read_ageing() -> AgeingSummary:
        with projections.connect() as conn:
            return ageing_summary(conn, code, today)

    def read_counts() -> dict[str, int]:
        with projections.connect() as conn:
            return worklist_counts(conn, code)

    # On PostgreSQL the ageing (a pass over every open item) and the counts (over every worklist row)
    # run each on its own connection while today's changes are read: the page waits for the longest.
    beside = container.database.is_postgres
    pending = (_beside(read_ageing), _beside(read_counts)) if beside else None
    with projections.connect() as conn:
        changes, changed = changes_on(conn, code, today)
    ageing, counts = (
        (pending[0].result(), pending[1].result()) if pending is not None else (read_ageing(), read_counts())
    )
    chart = bar_chart([(b.label, b.amount, b.count) for b in ageing.buckets])
    lists = [(kind, WORKLIST_LABELS[kind], count) for kind, count in counts.items()]
    return page(
        request,
        "home.html",
        company=code,
        lists=lists,
        ageing=ageing,
        chart=chart,
        changes=changes,
        changed=changed,
    )


@router.get("/{company}/cliente")
def open_customer(
    request: Request, session: Session, company: str, codice: Annotated[str, Query(max_length=64)] = ""
) -> Response:
    """The home page's "open a position" box: straight to the customer's page."""
    code = company_for(request, session, company)
    return RedirectResponse(f"{PREFIX}/{code}/clienti/{quote(codice.strip(), safe='')}", status_code=303)


@dataclass(frozen=True)
class ListQuery:
    """A worklist's filters, order and page as the URL holds them (Italian parameter names)."""

    scala: str | None
    tipo_cliente: int | None
    servizio: int | None
    ordina: str
    crescente: bool
    pagina: int

    def url(self, base: str, **changes: Any) -> str:
        values = {**self.__dict__, **changes}
        params = {k: v for k, v in values.items() if v not in (None, "", False)}
        if params.get("crescente") is True:
            params["crescente"] = "1"
        return f"{base}?{urlencode(params)}" if params else base


def list_query(
    scala: Annotated[str | None, Query(max_length=64)] = None,
    tipo_cliente: Annotated[int | None, Query(ge=1, le=4)] = None,
    servizio: Annotated[int | None, Query(ge=1, le=4)] = None,
    ordina: Annotated[str, Query(pattern="^(importo|anzianita|scadenza)$")] = "importo",
    crescente: bool = False,
    pagina: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> ListQuery:
    return ListQuery(scala or None, tipo_cliente, servizio, ordina, crescente, pagina)


@router.get("/{company}/liste/{kind}")
def worklist(
    request: Request, session: Session, company: str, kind: str, q: Annotated[ListQuery, Depends(list_query)]
) -> Response:
    require(session, Permission.POSITIONS_READ)
    code = company_for(request, session, company)
    if kind not in WORKLIST_LABELS:
        raise ConsoleError(404, f"lista di lavoro sconosciuta: {kind!r}")
    filters = WorklistFilters(ladder=q.scala, customer_type=q.tipo_cliente, service=q.servizio)
    container = container_of(request)
    projections = container.projections

    def read_total() -> int:
        with projections.connect() as conn:
            return worklist_total(conn, code, kind, filters)

    # The count (on PostgreSQL on its own connection) while the page's items are read.
    pending = _beside(read_total) if container.database.is_postgres else None
    with projections.connect() as conn:
        offset = (q.pagina - 1) * PAGE_SIZE
        items = worklist_screen(
            conn, code, kind, filters, sort=q.ordina, ascending=q.crescente, offset=offset, limit=PAGE_SIZE
        )
    total = pending.result() if pending is not None else read_total()
    base = f"{PREFIX}/{code}/liste/{kind}"
    pages = max(1, -(-total // PAGE_SIZE))
    permission = DECIDED_FROM_THE_LIST.get(kind)
    decides = permission is not None and allows(session.principal.role, permission)
    return page(
        request,
        "worklist.html",
        company=code,
        kind=kind,
        label=WORKLIST_LABELS[kind],
        items=items,
        total=total,
        q=q,
        base=base,
        pages=pages,
        previous=q.url(base, pagina=q.pagina - 1) if q.pagina > 1 else None,
        next=q.url(base, pagina=q.pagina + 1) if q.pagina < pages else None,
        sorts=SORTS,
        sort_url={s: q.url(base, ordina=s, crescente=(s == q.ordina and not q.crescente), pagina=1) for s in SORTS},
        excel=f"{base}/excel",
        decides=decides,
        level=session.principal.level,
        customer_types=[(t.code, t.label) for t in CustomerType],
        services=[(s.code, s.label) for s in Service],
        here=q.url(base),
    )


@router.get("/{company}/liste/{kind}/excel")
def worklist_excel(request: Request, session: Session, company: str, kind: str) -> Response:
    """The worklist's every item: the same workbook as ``creditbox worklist --kind ... --out``."""
    require(session, Permission.POSITIONS_READ)
    code = company_for(request, session, company)
    if kind not in WORKLIST_LABELS:
        raise ConsoleError(404, f"lista di lavoro sconosciuta: {kind!r}")
    container = container_of(request)
    with container.projections.connect() as conn:
        items = all_worklist_items(conn, code, kind)
    content = save_workbook([worklist_sheet(items)])
    name = f"lista-{kind}-{code}-{container.clock.today():%Y%m%d}.xlsx"
    return Response(content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/{company}/clienti/{customer}")
def position(
    request: Request,
    session: Session,
    company: str,
    customer: str,
    al: Annotated[date | None, Query(description="La posizione com'era in questa data")] = None,
) -> Response:
    require(session, Permission.POSITIONS_READ)
    code = company_for(request, session, company)
    container = container_of(request)
    today = container.clock.today()
    if al is not None and al > today:
        al = today
    zone = getattr(container.clock.now(), "tzinfo", None)
    history = container.positions.history(code, customer, as_of=al, zone=zone)
    replayed = history.position
    if replayed is None:
        raise ConsoleError(404, f"cliente {customer!r} sconosciuto nell'azienda {code}")
    on = al or today
    waiting = container.positions.waiting(replayed, on)
    summary = summary_of(replayed, on, waiting)
    next_dates: dict[str, date | None] = {}
    if al is None:
        with container.projections.connect() as conn:
            current = position_summary(conn, code, customer)
        next_dates = {c.case_id: c.next_due_date for c in current.cases} if current is not None else {}
    cases = [case_view(case, waiting.get(case.case_id)) for case in replayed.dunning.cases.values()]
    for case in cases:
        case["next_due_date"] = next_dates.get(case["case_id"])
    settings = container.companies.get(code).settings
    for case in cases:
        asked = case["write_off_request"]
        if asked is not None:  # the lowest level whose ceiling covers the amount, as the worklist shows
            amount = Decimal(asked["amount"])
            levels = sorted(settings.write_off_ceilings)
            asked["level"] = next((n for n in levels if settings.write_off_ceiling(n) >= amount), None)
            asked["kind_label"] = WriteOffKind(asked["kind"]).label
    locks = [lock_view(lock) for lock in replayed.dunning.locks.values()]
    buckets = {item.bill_number: bucket_of(item.due_date, on).label for item in summary.open_items}
    principal = session.principal
    return page(
        request,
        "position.html",
        company=code,
        customer=customer,
        summary=summary,
        buckets=buckets,
        cases=cases,
        locks=locks,
        entries=list(reversed(history.entries)),
        notes=history.notes,
        as_of=al,
        on=on,
        live=al is None,
        can_work=allows(principal.role, Permission.CASES_WORK),
        can_approve=allows(principal.role, Permission.CASES_APPROVE),
        can_read_history=allows(principal.role, Permission.HISTORY_READ),
        can_litigate=allows(principal.role, Permission.CASES_LITIGATE),
        litigation_level=settings.litigation_approval_level,
        write_off_kinds=[(k.value, k.label) for k in WriteOffKind],
        litigation_results=[(r.value, r.label) for r in LitigationResult],
        instalment_lines=range(1, 7),
        statement=f"{PREFIX}/{code}/clienti/{quote(customer, safe='')}/estratto-conto",
        level=principal.level,
        outcomes={a.code: [(o.value, o.label) for o in StepOutcome if o in allowed_outcomes(a)] for a in ActionCode},
        outcome_labels={o.value: o.label for o in StepOutcome},
        lock_reasons=[(r.value, r.label) for r in LockReason],
        base=f"{PREFIX}/{code}/clienti/{customer}",
    )
