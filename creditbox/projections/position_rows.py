"""Rows of the position-derived views, computed from a Position's state (no business rule re-derived here:
balances, residuals and allocation are the aggregate's own)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Table, delete

from creditbox.domain.allocation import Allocation
from creditbox.domain.documents import OpenItem
from creditbox.domain.money import ZERO, money
from creditbox.domain.position import LostItem, Position
from creditbox.domain.workflow.outcomes import Loss
from creditbox.projections.bulk import insert_rows
from creditbox.projections.dates import add_years
from creditbox.projections.framework import Batch

PRESCRIPTION_YEARS = 2


@dataclass(frozen=True)
class Facts:
    """What the views read from a position's documents, computed once per batch for every projection."""

    allocation: Allocation
    items: list[OpenItem]  # unpaid and in collection
    balance: Decimal
    lost: list[LostItem] = field(default_factory=list)  # unpaid, out of collection (write-off, litigation)


def facts_of(position: Position) -> Facts:
    items, lost = position.split_items()
    return Facts(position.allocation(), items, position.balance(), lost)


def touched_positions(batch: Batch) -> Iterator[tuple[UUID, Position, Facts]]:
    """The positions with events in ``batch``, each with its state after the batch and its facts."""
    for originator_id in batch.originators():
        if Position.records(batch.events_of(originator_id)[0]):
            state = batch.state(originator_id)
            if isinstance(state, Position):
                yield originator_id, state, batch.memo(originator_id, "facts", partial(facts_of, state))


def stale_ids(batch: Batch, position_ids: list[str]) -> list[str]:
    """The positions that may already have rows: those not created in this batch. (Rows of a position
    are first written by the batch holding its creation, and the tracking guard applies a batch once.)"""
    return [pid for pid in position_ids if batch.events_of(UUID(pid))[0].originator_version > 1]


def replace_rows(
    conn: Connection, batch: Batch, table: Table, position_ids: list[str], rows: list[dict[str, Any]]
) -> None:
    """Rewrite the rows of the touched positions in ``table`` (keyed by ``position_id``)."""
    stale = stale_ids(batch, position_ids)
    if stale:
        conn.execute(delete(table).where(table.c.position_id.in_(stale)))
    insert_rows(conn, table, rows)


def prescription_date(due_date: date) -> date:
    """Due date + 2 years (29 February → 28 February); a bill due after 31/12/9997 gets 31/12/9999,
    the end of the calendar (see :mod:`creditbox.projections.dates`)."""
    return add_years(due_date, PRESCRIPTION_YEARS)


def services_mask(position: Position) -> int:
    mask = 0
    for supply in position.supplies.values():
        mask |= 1 << supply.service.code
    return mask


def supply_rows(position_id: UUID, position: Position) -> list[dict[str, Any]]:
    """One row per supply, as the aggregate holds it (status included: suspensions, reactivations)."""
    pid = str(position_id)
    return [
        {
            "position_id": pid,
            "supply_code": supply.code,
            "company": position.company,
            "customer_code": position.customer_code,
            "service": supply.service.code,
            "supply_type": supply.supply_type.code,
            "status": supply.status.code,
            "meter": supply.meter,
            "address": supply.address,
        }
        for supply in position.supplies.values()
    ]


def open_item_rows(position_id: UUID, position: Position, facts: Facts) -> list[dict[str, Any]]:
    rows = []
    unpaid = [(item, None) for item in facts.items] + [(lost.item, lost.loss.value) for lost in facts.lost]
    for item, loss in unpaid:
        supply = position.supplies.get(item.supply_code)
        rows.append(
            {
                "position_id": str(position_id),
                "bill_number": item.bill_number,
                "company": position.company,
                "customer_code": position.customer_code,
                "supply_code": item.supply_code,
                "customer_type": position.details.customer_type.code,
                "service": supply.service.code if supply is not None else None,
                "issue_date": item.issue_date,
                "due_date": item.due_date,
                "amount": item.amount,
                "residual": item.residual,
                "prescription_date": prescription_date(item.due_date),
                "loss": loss,
            }
        )
    return rows


def valuation(items: list[OpenItem], as_of: date) -> dict[str, Any]:
    """The columns that depend on the valuation date: overdue, and when it next changes."""
    overdue = money(sum((i.residual for i in items if i.due_date < as_of), ZERO))
    upcoming = [i.due_date for i in items if i.due_date >= as_of]
    return {"overdue": overdue, "next_due_date": min(upcoming) if upcoming else None}


def case_summary(position: Position) -> dict[str, Any]:
    """Open dunning cases and the most advanced current step (pending or last executed) among them."""
    open_cases = [c for c in position.dunning.cases.values() if c.is_open]
    steps = [s for s in (c.pending_step or c.last_executed for c in open_cases) if s is not None]
    lead = max(steps, key=lambda s: (s.seq, s.action_code.code), default=None)
    return {
        "open_cases": len(open_cases),
        "current_action": lead.action_code.code if lead is not None else None,
        "current_step": lead.seq if lead is not None else None,
    }


def _lost(facts: Facts, loss: Loss) -> Decimal:
    return money(sum((lost.item.residual for lost in facts.lost if lost.loss == loss), ZERO))


def position_row(position_id: UUID, position: Position, facts: Facts, as_of: date) -> dict[str, Any]:
    items = facts.items
    details = position.details
    return {
        "position_id": str(position_id),
        "company": position.company,
        "customer_code": position.customer_code,
        "name": details.name,
        "customer_type": details.customer_type.code,
        "services_mask": services_mask(position),
        "supplies": len(position.supplies),
        "balance": facts.balance,
        "open_amount": money(sum((i.residual for i in items), ZERO)),
        "credit": max(facts.allocation.credit, ZERO),
        "oldest_due_date": min((i.due_date for i in items), default=None),
        "open_items": len(items),
        "written_off": _lost(facts, Loss.WRITTEN_OFF),
        "litigation_loss": _lost(facts, Loss.LITIGATION),
        "has_email": bool(details.email),
        "has_pec": bool(details.pec),
        "has_mobile": bool(details.mobile),
        **details.contacts(),
        "version": position.version,
        "updated_at": position.modified_on,
        **valuation(items, as_of),
        **case_summary(position),
    }
