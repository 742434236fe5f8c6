"""The worklists as a screen shows them: sorted by amount or by age, a page at a time by number,
with the filtered total; every item for an export; and what changed on a business date.

The same ``rm_worklist`` and ``rm_audit_trail`` read models as ``worklists.py`` and ``audit.py``
(and the same item type): a screen needs numbered pages and a choice of order, which the API's
cursor (largest amount first) does not give.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, func, select

from creditbox.projections.queries.audit import AuditEntry, _entry
from creditbox.projections.queries.paging import MAX_LIMIT
from creditbox.projections.queries.worklists import _COLUMNS, WorklistItem, _item, check_kind, worklist_page
from creditbox.projections.schema import audit_trail, worklist

w = worklist.c
a = audit_trail.c

SORTS = ("importo", "anzianita", "scadenza")
MAX_PAGE = 200


@dataclass(frozen=True)
class WorklistFilters:
    ladder: str | None = None
    customer_type: int | None = None
    service: int | None = None
    level: int | None = None  # only what this level may approve


def _filtered(query: Select[Any], company: str, kind: str | None, filters: WorklistFilters) -> Select[Any]:
    query = query.where(w.company == company)
    if kind is not None:
        query = query.where(w.kind == kind)
    if filters.ladder is not None:
        query = query.where(w.ladder == filters.ladder)
    if filters.customer_type is not None:
        query = query.where(w.customer_type == filters.customer_type)
    if filters.service is not None:
        query = query.where(w.service == filters.service)
    if filters.level is not None:
        query = query.where(w.level <= filters.level)
    return query


def worklist_screen(
    conn: Connection,
    company: str,
    kind: str | None,
    filters: WorklistFilters,
    *,
    sort: str = "importo",
    ascending: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> list[WorklistItem]:
    """One numbered page: by amount (``importo``), by age (``anzianita``: the date the item has
    waited since; oldest first when descending) or by next deadline (``scadenza``: the *contenzioso*'s,
    nearest first when ascending, items without one always last), ties broken by customer and item."""
    check_kind(kind)
    if sort not in SORTS:
        raise ValueError(f"ordinamento sconosciuto: {sort!r}")
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise ValueError("pagina fuori dai limiti")
    # Ties broken by position and item, in the same direction, so one index scan gives the order
    # (``ix_rm_worklist_company_kind`` for the amount, ``ix_rm_worklist_company_kind_since`` for the age).
    # The oldest item is the one with the earliest date: "most aged" first is the date ascending.
    if sort == "scadenza":
        deadline = w.next_deadline.asc() if ascending else w.next_deadline.desc()
        ties = [c.asc() if ascending else c.desc() for c in (w.position_id, w.item_key)]
        ordered = _filtered(select(*_COLUMNS), company, kind, filters)
        ordered = ordered.order_by(deadline.nulls_last(), *ties).offset(offset).limit(limit)
        return [_item(r) for r in conn.execute(ordered).all()]
    column = w.amount if sort == "importo" else w.since
    upward = ascending if sort == "importo" else not ascending
    keys = [c.asc() if upward else c.desc() for c in (column, w.position_id, w.item_key)]
    if offset == 0:
        query = _filtered(select(*_COLUMNS), company, kind, filters).order_by(*keys).limit(limit)
        return [_item(r) for r in conn.execute(query).all()]
    # A page deep in the list: the keys skipped over come from the index alone (an index-only scan
    # of the order's index), and only the page's own rows are read from the table.
    page = (
        _filtered(select(w.position_id, w.kind, w.item_key), company, kind, filters)
        .order_by(*keys)
        .offset(offset)
        .limit(limit)
        .subquery("page")
    )
    joined = worklist.join(
        page, (w.position_id == page.c.position_id) & (w.kind == page.c.kind) & (w.item_key == page.c.item_key)
    )
    query = select(*_COLUMNS).select_from(joined).order_by(*keys)
    return [_item(r) for r in conn.execute(query).all()]


def worklist_total(conn: Connection, company: str, kind: str | None, filters: WorklistFilters) -> int:
    check_kind(kind)
    return int(conn.execute(_filtered(select(func.count()).select_from(worklist), company, kind, filters)).scalar_one())


def all_worklist_items(conn: Connection, company: str, kind: str | None) -> list[WorklistItem]:
    """Every item of the worklist (all kinds when ``kind`` is None), in the order of the CLI's export."""
    items: list[WorklistItem] = []
    cursor: str | None = None
    while True:
        page = worklist_page(conn, company, kind, limit=MAX_LIMIT, cursor=cursor)
        items.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return items


COUNT_CAP = 1000


def changes_on(conn: Connection, company: str, day: date, *, limit: int = 20) -> tuple[list[AuditEntry], int]:
    """The latest events of the company dated ``day`` (newest first, at most ``limit``), and how many
    there are — counted up to ``COUNT_CAP + 1`` only: a day of a big tick has hundreds of thousands,
    and "more than 1,000" is all a screen needs to say."""
    where = (a.company == company, a.business_date == day)
    capped = select(a.notification_id).where(*where).limit(COUNT_CAP + 1).subquery()
    total = int(conn.execute(select(func.count()).select_from(capped)).scalar_one())
    rows = conn.execute(select(audit_trail).where(*where).order_by(a.notification_id.desc()).limit(limit))
    return [_entry(r) for r in rows], total
