"""Positions for worklists: filter by overdue amount or age, stage, ladder, customer type, service."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, bindparam, exists, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from creditbox.domain.errors import InvalidCommand
from creditbox.domain.money import CENT
from creditbox.projections.queries.paging import DEFAULT_LIMIT, MAX_LIMIT, Ordering, Page, check_limit, page_of
from creditbox.projections.schema import cases, open_items, positions, projection_tracking

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
            query = query.where(p.oldest_due_date <= as_of - timedelta(days=f.days_overdue_min))
        if f.days_overdue_max is not None:
            query = query.where(p.oldest_due_date >= as_of - timedelta(days=f.days_overdue_max))
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


@dataclass(frozen=True)
class PositionSummary:
    """A position with its open bills (by due date, bill number) and its cases (by case id, at most
    ``MAX_LIMIT``): what ``get_position``, ``open_items_of`` and ``list_cases`` give, in one statement."""

    position: PositionRow
    open_items: list[SummaryItem]
    cases: list[SummaryCase]


o = open_items.c
k = cases.c
_ITEM_COLUMNS = (o.bill_number, o.supply_code, o.issue_date, o.due_date, o.amount, o.residual)
_CASE_COLUMNS = (k.case_id, k.supply_code, k.ladder, k.status, k.step, k.action, k.next_due_date, k.amount, k.opened_on)
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
        statement = select(positions, items.label("items_json"), case_rows.label("cases_json")).where(
            p.company == bindparam("company"), p.customer_code == bindparam("customer_code")
        )
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
    """One round trip for the API's position summary: the row, its open bills and its cases."""
    dialect = conn.dialect.name
    row = conn.execute(_summary_statement(dialect), {"company": company, "customer_code": customer_code}).first()
    if row is None:
        return None
    items = [
        SummaryItem(str(b), str(s), date.fromisoformat(i), date.fromisoformat(d), _euro(a), _euro(r))
        for b, s, i, d, a, r in _json_list(row.items_json)
    ]
    case_list = [
        SummaryCase(str(c), str(s), ld, str(st), sp, ac, _day(nd), _euro(am), _day(op))
        for c, s, ld, st, sp, ac, nd, am, op in _json_list(row.cases_json)
    ]
    if dialect != "postgresql":
        items.sort(key=lambda i: (i.due_date, i.bill_number))
        case_list.sort(key=lambda c: c.case_id)
    return PositionSummary(_row(row), items, case_list[:MAX_LIMIT])


def valued_at(conn: Connection) -> date | None:
    """The date ``overdue`` is valued at (the positions projection's business date)."""
    t = projection_tracking.c
    return conn.scalar(select(t.as_of).where(t.name == "positions"))
