"""Upcoming steps and instalments, for planning the days ahead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, select

from creditbox.projections.queries.paging import DEFAULT_LIMIT, Ordering, Page, check_limit, page_of
from creditbox.projections.schema import upcoming

u = upcoming.c
ORDERING = Ordering("upcoming", (u.due_date, u.position_id, u.item_key), ("date", "str", "str"))


@dataclass(frozen=True)
class UpcomingItem:
    position_id: str
    item_key: str
    company: str
    customer_code: str
    customer_name: str
    kind: str  # an UpcomingKind value: "step" or "instalment"
    supply_code: str | None
    case_id: str | None
    due_date: date
    action: int | None
    amount: Decimal | None
    detail: str


def upcoming_page(
    conn: Connection,
    company: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    kind: str | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[UpcomingItem]:
    check_limit(limit)
    query = select(upcoming).where(u.company == company)
    if date_from is not None:
        query = query.where(u.due_date >= date_from)
    if date_to is not None:
        query = query.where(u.due_date <= date_to)
    if kind is not None:
        query = query.where(u.kind == kind)
    query = ORDERING.after(query, cursor).order_by(*ORDERING.order_by()).limit(limit + 1)
    items, next_cursor = page_of(
        [UpcomingItem(**dict(r._mapping)) for r in conn.execute(query)],
        limit,
        ORDERING,
        lambda i: [i.due_date, i.position_id, i.item_key],
    )
    return Page(items, next_cursor)
