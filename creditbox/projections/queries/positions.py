"""Positions for worklists: filter by overdue amount or age, stage, ladder, customer type, service."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, bindparam, exists, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from creditbox.domain.errors import InvalidCommand
from creditbox.domain.money import CENT, ZERO, money
from creditbox.domain.workflow.cases import CaseStatus
from creditbox.domain.workflow.waiting import LockSpan, Waiting, waiting_on
from creditbox.projections.dates import add_days
from creditbox.projections.queries.paging import DEFAULT_LIMIT, MAX_LIMIT, Ordering, Page, check_limit, page_of
from creditbox.projections.schema import cases, open_items, positions, projection_tracking, supplies

p = positions.c

ORDERINGS = {
    # Largest overdue first (the default worklist order).
    "overdue": Ordering("overdue", (p.overdue, p.position_id), ("cents", "str"), descending=True),
    # Oldest unpaid bill first (positions with nothing open are left out of this ordering).
    "oldest": Ordering("oldest", (p.oldest_due_date, p.position_id), ("date", "str")),
    "customer": Ordering("customer", (p.customer_code,), ("str",)),
}


@dataclass(frozen=True)
class PositionRow:
    position_id: str
    company: str
    customer_code: str
    name: str
    customer_type: int
    services: list[int]
    supplies: int
    balance: Decimal
    open_amount: Decimal
    credit: Decimal
    overdue: Decimal  # valued at ``valued_at``
    oldest_due_date: date | None
    open_items: int
    open_cases: int
    current_action: int | None
    current_step: int | None
    has_email: bool
    has_pec: bool
    has_mobile: bool
    version: int
    # Contacts (*anagrafica*), as the billing system last sent them.
    fiscal_code: str | None
    vat_number: str | None
    email: str | None
    pec: str | None
    mobile: str | None
    address: str | None
    postcode: str | None
    city: str | None
    province: str | None
    # Unpaid on bills out of collection (not in ``overdue`` nor ``open_amount``).
    written_off: Decimal = ZERO
    litigation_loss: Decimal = ZERO

    def days_overdue(self, as_of: date) -> int:
        if self.oldest_due_date is None:
            return 0
        return max(0, (as_of - self.oldest_due_date).days)


@dataclass(frozen=True)
class PositionFilters:
    overdue_min: Decimal | None = None
    overdue_max: Decimal | None = None
    # Age of the oldest unpaid bill, in days past due as of ``as_of``.
    days_overdue_min: int | None = None
    days_overdue_max: int | None = None
    stage: int | None = None  # action code of the current step
    ladder: str | None = None
    customer_type: int | None = None
    service: int | None = None
    with_open_cases: bool | None = None


def _row(r: Any) -> PositionRow:
    m = r._mapping
    return PositionRow(
        position_id=m["position_id"],
        company=m["company"],
        customer_code=m["customer_code"],
        name=m["name"],
        customer_type=m["customer_type"],
        services=[code for code in range(1, 8) if m["services_mask"] & (1 << code)],
        supplies=m["supplies"],
        balance=m["balance"],
        open_amount=m["open_amount"],
        credit=m["credit"],
        overdue=m["overdue"],
        oldest_due_date=m["oldest_due_date"],
        open_items=m["open_items"],
        open_cases=m["open_cases"],
        current_action=m["current_action"],
        current_step=m["current_step"],
        has_email=bool(m["has_email"]),
        has_pec=bool(m["has_pec"]),
        has_mobile=bool(m["has_mobile"]),
        version=m["version"],
        fiscal_code=m["fiscal_code"],
        vat_number=m["vat_number"],
        email=m["email"],
        pec=m["pec"],
        mobile=m["mobile"],
        address=m["address"],
        postcode=m["postcode"],
        city=m["city"],
        province=m["province"],
        written_off=m["written_off"],
        litigation_loss=m["litigation_loss"],
    )


def list_positions(
    conn: Connection,
    company: str,
    filters: PositionFilters | None = None,
    *,
    as_of: date | None = None,
    sort: str = "overdue",
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[PositionRow]:
    """A page of the company's positions. ``as_of`` is needed by the days-overdue filters."""
    f = filters or PositionFilters()
    ordering = ORDERINGS.get(sort)
    if ordering is None:
        raise InvalidCommand(f"ordinamento sconosciuto: {sort!r} (ammessi: {', '.join(ORDERINGS)})")
    check_limit(limit)
    query = select(positions).where(p.company == company)
    if f.overdue_min is not None:
        query = query.where(p.overdue >= f.overdue_min)
    if f.overdue_max is not None:
        query = query.where(p.overdue <= f.overdue_max)
    if f.days_overdue_min is not None or f.days_overdue_max is not None:
        if as_of is None:
            raise InvalidCommand("data di riferimento necessaria per filtrare per giorni di scaduto")
        if f.days_overdue_min is not None:
            query = query.where(p.oldest_due_date <= add_days(as_of, -f.days_overdue_min))
        if f.days_overdue_max is not None:
            query = query.where(p.oldest_due_date >= add_days(as_of, -f.days_overdue_max))
    if f.stage is not None:
        query = query.where(p.current_action == f.stage)
    if f.customer_type is not None:
        query = query.where(p.customer_type == f.customer_type)
    if f.service is not None:
        query = query.where(p.services_mask.op("&")(1 << f.service) != 0)
    if f.with_open_cases is not None:
        query = query.where(p.open_cases > 0 if f.with_open_cases else p.open_cases == 0)
    if f.ladder is not None:
        query = query.where(
            exists().where(cases.c.position_id == p.position_id, cases.c.ladder == f.ladder, cases.c.is_open)
        )
    if sort == "oldest":
        query = query.where(p.oldest_due_date.is_not(None))
    query = ordering.after(query, cursor).order_by(*ordering.order_by()).limit(limit + 1)
    rows, next_cursor = page_of(
        [_row(r) for r in conn.execute(query)],
        limit,
        ordering,
        lambda r: [getattr(r, str(c.key)) for c in ordering.columns],
    )
    return Page(rows, next_cursor)


def get_position(conn: Connection, company: str, customer_code: str) -> PositionRow | None:
    row = conn.execute(select(positions).where(p.company == company, p.customer_code == customer_code)).first()
    return _row(row) if row is not None else None


@dataclass(frozen=True)
class SummaryItem:
    """An open bill of the summary (residual still owed)."""

    bill_number: str
    supply_code: str
    issue_date: date
    due_date: date
    amount: Decimal
    residual: Decimal
    loss: str | None = None  # ``Loss`` value: out of collection (written off, lost in litigation)


@dataclass(frozen=True)
class SummarySupply:
    """A supply of the summary, as ``rm_supplies`` holds it (codes of ``creditbox.domain.codes``)."""

    code: str
    service: int
    supply_type: int
    status: int
    meter: str | None
    address: str | None


@dataclass(frozen=True)
class SupplyFigures:
    """What is open on one supply: overdue (residuals due before the date) and open bills."""

    overdue: Decimal = ZERO
    open_items: int = 0


@dataclass(frozen=True)
class SummaryCase:
    case_id: str
    supply_code: str
    ladder: str | None
    status: str
    step: int | None
    action: int | None
    next_due_date: date | None
    amount: Decimal
    opened_on: date | None
    waiting_code: str | None = None  # locks apart
    waiting_for: str | None = None
    locks: list[LockSpan] = field(default_factory=list)

    def waiting(self, on: date) -> Waiting | None:
        """What the case waits for on ``on`` (its locks active that day first)."""
        base = Waiting(self.waiting_code, self.waiting_for or "") if self.waiting_code else None
        return waiting_on(base, self.locks, on, is_open=CaseStatus(self.status).is_open)


def _spans(value: Any) -> list[LockSpan]:
    if not value:
        return []
    return [LockSpan(date.fromisoformat(a), _day(b), _day(c), str(label)) for a, b, c, label in json.loads(value)]


@dataclass(frozen=True)
class PositionSummary:
    """A position with its supplies (by code), its open bills (by due date, bill number) and its cases
    (by case id, at most ``MAX_LIMIT``): what ``get_position``, ``supplies_of``, ``open_items_of`` and
    ``list_cases`` give, in one statement."""

    position: PositionRow
    supplies: list[SummarySupply]
    open_items: list[SummaryItem]  # in collection
    cases: list[SummaryCase]
    lost_items: list[SummaryItem] = field(default_factory=list)  # out of collection

    def overdue(self, as_of: date) -> Decimal:
        """The residuals of the open bills due before ``as_of``."""
        return money(sum((i.residual for i in self.open_items if i.due_date < as_of), ZERO))

    def by_supply(self, as_of: date) -> dict[str, SupplyFigures]:
        """Overdue at ``as_of`` and open bills of each supply (from the open bills already read)."""
        overdue: dict[str, Decimal] = {}
        counts: dict[str, int] = {}
        for item in self.open_items:
            counts[item.supply_code] = counts.get(item.supply_code, 0) + 1
            if item.due_date < as_of:
                overdue[item.supply_code] = overdue.get(item.supply_code, ZERO) + item.residual
        return {code: SupplyFigures(money(overdue.get(code, ZERO)), count) for code, count in counts.items()}


o = open_items.c
k = cases.c
u = supplies.c
_SUPPLY_COLUMNS = (u.supply_code, u.service, u.supply_type, u.status, u.meter, u.address)
_ITEM_COLUMNS = (o.bill_number, o.supply_code, o.issue_date, o.due_date, o.amount, o.residual, o.loss)
_CASE_COLUMNS = (
    k.case_id,
    k.supply_code,
    k.ladder,
    k.status,
    k.step,
    k.action,
    k.next_due_date,
    k.amount,
    k.opened_on,
    k.waiting_code,
    k.waiting_for,
    k.locks,
)
_SUMMARY_STATEMENTS: dict[str, Select[Any]] = {}


def _json_rows(dialect: str, columns: tuple[Any, ...], order: tuple[Any, ...]) -> ColumnElement[Any]:
    """A JSON array of one array per row (money as integer cents, dates as ISO strings)."""
    if dialect == "postgresql":
        return func.json_agg(aggregate_order_by(func.json_build_array(*columns), *order))
    return func.json_group_array(func.json_array(*columns))  # SQLite: ordered in Python (binary collation)


def _summary_statement(dialect: str) -> Select[Any]:
    """Built once per dialect, with bound parameters, so SQLAlchemy's compiled cache always hits."""
    statement = _SUMMARY_STATEMENTS.get(dialect)
    if statement is None:
        items = (
            select(_json_rows(dialect, _ITEM_COLUMNS, (o.due_date, o.bill_number)))
            .where(o.position_id == p.position_id)
            .scalar_subquery()
        )
        case_rows = (
            select(_json_rows(dialect, _CASE_COLUMNS, (k.case_id,)))
            .where(k.position_id == p.position_id)
            .scalar_subquery()
        )
        supply_rows = (
            select(_json_rows(dialect, _SUPPLY_COLUMNS, (u.supply_code,)))
            .where(u.position_id == p.position_id)
            .scalar_subquery()
        )
        statement = select(
            positions, supply_rows.label("supplies_json"), items.label("items_json"), case_rows.label("cases_json")
        ).where(p.company == bindparam("company"), p.customer_code == bindparam("customer_code"))
        _SUMMARY_STATEMENTS[dialect] = statement
    return statement


def _json_list(value: Any) -> list[list[Any]]:
    if value is None:
        return []
    rows = json.loads(value) if isinstance(value, str | bytes) else value
    return list(rows)


def _euro(cents: Any) -> Decimal:
    return (Decimal(int(cents)) * CENT).quantize(CENT)


def _day(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(str(value)[:10])


def position_summary(conn: Connection, company: str, customer_code: str) -> PositionSummary | None:
    """One round trip for the API's position summary: the row, its supplies, open bills and cases."""
    dialect = conn.dialect.name
    row = conn.execute(_summary_statement(dialect), {"company": company, "customer_code": customer_code}).first()
    if row is None:
        return None
    supply_list = [
        SummarySupply(str(c), int(sv), int(st), int(ss), m, ad)
        for c, sv, st, ss, m, ad in _json_list(row.supplies_json)
    ]
    items = [
        SummaryItem(str(b), str(sc), date.fromisoformat(i), date.fromisoformat(d), _euro(a), _euro(r), loss)
        for b, sc, i, d, a, r, loss in _json_list(row.items_json)
    ]
    case_list = [
        SummaryCase(str(c), str(s), ld, str(st), sp, ac, _day(nd), _euro(am), _day(op), wc, wf, _spans(lk))
        for c, s, ld, st, sp, ac, nd, am, op, wc, wf, lk in _json_list(row.cases_json)
    ]
    if dialect != "postgresql":
        supply_list.sort(key=lambda x: x.code)
        items.sort(key=lambda i: (i.due_date, i.bill_number))
        case_list.sort(key=lambda c: c.case_id)
    live = [i for i in items if i.loss is None]
    lost = [i for i in items if i.loss is not None]
    return PositionSummary(_row(row), supply_list, live, case_list[:MAX_LIMIT], lost)


def supplies_of(conn: Connection, company: str, customer_code: str) -> list[SummarySupply]:
    """The customer's supplies, by code (the summary's ``supplies`` as a query of its own)."""
    query = (
        select(*_SUPPLY_COLUMNS)
        .join(positions, p.position_id == u.position_id)
        .where(p.company == company, p.customer_code == customer_code)
        .order_by(u.supply_code)
    )
    return [SummarySupply(*r) for r in conn.execute(query)]


def valued_at(conn: Connection) -> date | None:
    """The date ``overdue`` is valued at (the positions projection's business date)."""
    t = projection_tracking.c
    return conn.scalar(select(t.as_of).where(t.name == "positions"))
