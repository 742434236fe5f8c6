"""Worklists: what operators, supervisors, the technical office, the agency and the legal team act on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Connection, Select, func, select, tuple_, type_coerce

from creditbox.domain.errors import InvalidCommand
from creditbox.domain.workflow.legal import LegalMilestoneKind
from creditbox.projections.queries.paging import (
    DEFAULT_LIMIT,
    Ordering,
    Page,
    check_limit,
    decode_cursor,
    page_of,
)
from creditbox.projections.schema import worklist
from creditbox.projections.worklist_rows import WorklistKind

w = worklist.c
ORDERING = Ordering("worklist", (w.kind, w.amount, w.position_id, w.item_key), ("str", "cents", "str", "str"), True)

KINDS = tuple(kind.value for kind in WorklistKind)


@dataclass(frozen=True)
class WorklistItem:
    kind: str
    kind_label: str
    position_id: str
    company: str
    customer_code: str
    customer_name: str
    customer_type: int
    supply_code: str | None
    service: int | None
    case_id: str | None
    ladder: str | None
    step: int | None
    action: int | None
    amount: Decimal
    level: int | None
    since: date | None
    detail: str
    item_key: str
    # The *contenzioso* items: the last milestone (its code and date), court, docket, next deadline.
    legal_milestone: str | None = None
    legal_milestone_on: date | None = None
    court: str | None = None
    docket: str | None = None
    next_deadline: date | None = None

    @property
    def legal_milestone_label(self) -> str | None:
        if self.legal_milestone is None:
            return None
        try:
            return LegalMilestoneKind(self.legal_milestone).label
        except ValueError:
            return self.legal_milestone


_LABELS = {kind.value: kind.label for kind in WorklistKind}
# The item's fields in order (``kind_label`` apart); the amount as raw cents, turned into euro below:
# building a page is a per-row cost, so rows are unpacked by position, not through mappings.
_COLUMNS = (
    w.kind,
    w.position_id,
    w.company,
    w.customer_code,
    w.customer_name,
    w.customer_type,
    w.supply_code,
    w.service,
    w.case_id,
    w.ladder,
    w.step,
    w.action,
    type_coerce(w.amount, BigInteger).label("amount"),
    w.level,
    w.since,
    w.detail,
    w.item_key,
    w.legal_milestone,
    w.legal_milestone_on,
    w.court,
    w.docket,
    w.next_deadline,
)


def _item(r: Any) -> WorklistItem:
    kind, position_id, company, code, name, ctype, supply, service, case, ladder, step, action, cents, *rest = r
    amount = Decimal(int(cents)).scaleb(-2)  # exactly the Cents type's value: two decimal places
    label = _LABELS.get(kind, kind)
    return WorklistItem(
        kind, label, position_id, company, code, name, ctype, supply, service, case, ladder, step, action, amount, *rest
    )


def check_kind(kind: str | None) -> None:
    if kind is not None and kind not in KINDS:
        raise InvalidCommand(f"lista di lavoro sconosciuta: {kind!r} (ammesse: {', '.join(KINDS)})")


def worklist_page(
    conn: Connection,
    company: str,
    kind: str | None = None,
    *,
    ladder: str | None = None,
    customer_type: int | None = None,
    service: int | None = None,
    level: int | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[WorklistItem]:
    """Items of one worklist (or all, grouped by kind), largest amount first."""
    check_kind(kind)
    check_limit(limit)
    query = select(*_COLUMNS).where(w.company == company)
    if kind is not None:
        query = query.where(w.kind == kind)
    if ladder is not None:
        query = query.where(w.ladder == ladder)
    if customer_type is not None:
        query = query.where(w.customer_type == customer_type)
    if service is not None:
        query = query.where(w.service == service)
    if level is not None:
        query = query.where(w.level <= level)
    query = _after(query, kind, cursor).order_by(*ORDERING.order_by()).limit(limit + 1)
    items, next_cursor = page_of(
        [_item(r) for r in conn.execute(query).all()],
        limit,
        ORDERING,
        lambda i: [i.kind, i.amount, i.position_id, i.item_key],
    )
    return Page(items, next_cursor)


def _after(query: Select[Any], kind: str | None, cursor: str | None) -> Select[Any]:
    """Rows after the cursor. Within one kind, the comparison leaves ``kind`` out: PostgreSQL then starts
    the index scan at the cursor instead of reading the kind's rows from its end up to it (a deep
    page cost milliseconds per thousand rows skipped). Same rows as the full row comparison."""
    if kind is None or not cursor:
        return ORDERING.after(query, cursor)
    cursor_kind, amount, position_id, item_key = decode_cursor(cursor, ORDERING)
    if cursor_kind != kind:  # a cursor of another list: let the database compare the kinds
        return ORDERING.after(query, cursor)
    return query.where(tuple_(w.amount, w.position_id, w.item_key) < tuple_(amount, position_id, item_key))


def worklist_counts(conn: Connection, company: str) -> dict[str, int]:
    """How many items each worklist has (every kind listed, zero included)."""
    rows = conn.execute(select(w.kind, func.count()).where(w.company == company).group_by(w.kind))
    found = {kind: int(count) for kind, count in rows}
    return {kind: found.get(kind, 0) for kind in KINDS}
