"""Dunning cases, one row each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from creditbox.projections.queries.paging import DEFAULT_LIMIT, Ordering, Page, check_limit, page_of
from creditbox.projections.schema import cases

c = cases.c
ORDERING = Ordering("cases", (c.case_id,), ("str",))


@dataclass(frozen=True)
class CaseRow:
    case_id: str
    position_id: str
    company: str
    customer_code: str
    customer_name: str
    customer_type: int
    supply_code: str
    service: int | None
    ladder: str | None
    step: int | None
    action: int | None
    status: str
    opened_on: date | None
    closed_on: date | None
    next_due_date: date | None
    amount: Decimal
    is_open: bool
    waiting_code: str | None = None  # what the open case waits for, locks apart (code and Italian label)
    waiting_for: str | None = None
    locks: str | None = None  # the locks covering its supply (JSON, see the schema)


def _row(r: Any) -> CaseRow:
    m = dict(r._mapping)
    m["is_open"] = bool(m["is_open"])
    return CaseRow(**m)


def list_cases(
    conn: Connection,
    company: str,
    *,
    open_only: bool = True,
    customer_code: str | None = None,
    ladder: str | None = None,
    status: str | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[CaseRow]:
    check_limit(limit)
    query = select(cases).where(c.company == company)
    if open_only:
        query = query.where(c.is_open)
    if customer_code is not None:
        query = query.where(c.customer_code == customer_code)
    if ladder is not None:
        query = query.where(c.ladder == ladder)
    if status is not None:
        query = query.where(c.status == status)
    query = ORDERING.after(query, cursor).order_by(*ORDERING.order_by()).limit(limit + 1)
    rows, next_cursor = page_of([_row(r) for r in conn.execute(query)], limit, ORDERING, lambda r: [r.case_id])
    return Page(rows, next_cursor)
