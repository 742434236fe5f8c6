"""The audit trail: every event, in Italian, in log order."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select

from creditbox.projections.queries.paging import DEFAULT_LIMIT, Ordering, Page, check_limit, page_of
from creditbox.projections.schema import audit_trail

a = audit_trail.c
ORDERING = Ordering("audit", (a.notification_id,), ("int",))


@dataclass(frozen=True)
class AuditEntry:
    notification_id: int
    originator_id: str
    originator_version: int
    aggregate: str
    company: str | None
    customer_code: str | None
    event: str
    description: str
    by: str | None
    business_date: date | None
    recorded_at: datetime
    data: dict[str, Any]


def unwrap(value: Any) -> Any:
    """The stored JSON without its type wrappers: ``{"_type_": "date_iso", "_data_": "2026-01-31"}`` → the data."""
    if isinstance(value, dict):
        if set(value) == {"_type_", "_data_"}:
            return unwrap(value["_data_"])
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def _entry(r: Any) -> AuditEntry:
    m = dict(r._mapping)
    data = unwrap(json.loads(m["data"]))
    data.pop("timestamp", None)  # the same as recorded_at
    m["data"] = data
    return AuditEntry(**m)


def audit_page(
    conn: Connection,
    *,
    company: str | None = None,
    customer_code: str | None = None,
    originator_id: str | None = None,
    event: str | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[AuditEntry]:
    """Events oldest first; narrow to a company, a customer of it, or one aggregate."""
    check_limit(limit)
    query = select(audit_trail)
    if company is not None:
        query = query.where(a.company == company)
    if customer_code is not None:
        query = query.where(a.customer_code == customer_code)
    if originator_id is not None:
        query = query.where(a.originator_id == originator_id)
    if event is not None:
        query = query.where(a.event == event)
    query = ORDERING.after(query, cursor).order_by(*ORDERING.order_by()).limit(limit + 1)
    entries, next_cursor = page_of(
        [_entry(r) for r in conn.execute(query)], limit, ORDERING, lambda e: [e.notification_id]
    )
    return Page(entries, next_cursor)
