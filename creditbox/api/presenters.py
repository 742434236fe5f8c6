"""Turning application/domain values into response models (no I/O here)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from fastapi import Response
from pydantic import BaseModel

from creditbox.api.schemas.positions import (
    CaseOut,
    CustomerOut,
    LostItemOut,
    OpenItemOut,
    PositionSummaryOut,
    SupplyOut,
)
from creditbox.domain.documents import CustomerDetails
from creditbox.domain.money import ZERO
from creditbox.domain.position import Position
from creditbox.domain.workflow.outcomes import Loss
from creditbox.domain.workflow.waiting import Waiting


def json_response(model: BaseModel) -> Response:
    """The JSON FastAPI would send for ``model`` as the route's ``response_model`` (same bytes and media
    type), serialised once in the route's thread: returning a ``Response`` skips FastAPI's second
    validation of the model, which would take another trip to the thread pool."""
    return Response(content=model.model_dump_json(by_alias=True), media_type="application/json")


def customer_out(details: CustomerDetails) -> CustomerOut:
    return CustomerOut(
        name=details.name,
        customer_type=details.customer_type.code,
        customer_type_label=details.customer_type.label,
        **details.contacts(),
    )


def cases_of(position: Position, waiting: Mapping[str, Waiting | None]) -> list[CaseOut]:
    """The position's dunning cases as the aggregate holds them (used for as-of replays), with what
    each waits for (``waiting``, by case id)."""
    dunning = getattr(position, "dunning", None)
    if dunning is None:
        return []
    out: list[CaseOut] = []
    for case in dunning.cases.values():
        step = case.pending_step or (case.steps[-1] if case.steps else None)
        out.append(
            CaseOut(
                case_id=case.case_id,
                supply_code=case.supply_code,
                ladder=case.ladder,
                status=case.status.value,
                status_label=case.status.label,
                step=step.seq if step else None,
                action_code=step.action_code.code if step else None,
                action_label=step.action_code.label if step else None,
                step_status=step.status.value if step else None,
                opened_on=case.opened_on,
                waiting_for=_label(waiting.get(case.case_id)),
                waiting_for_code=_code(waiting.get(case.case_id)),
            )
        )
    return out


def _label(waiting: Waiting | None) -> str | None:
    return waiting.label if waiting is not None else None


def _code(waiting: Waiting | None) -> str | None:
    return waiting.code if waiting is not None else None


def summary_of(
    position: Position, as_of: date, waiting: Mapping[str, Waiting | None] | None = None
) -> PositionSummaryOut:
    """A position's summary on ``as_of``, computed from the aggregate."""
    allocation = position.allocation(as_of)
    by_supply = position.overdue_by_supply(as_of)
    open_items, lost_items = position.split_items(as_of)
    losses = position.losses(as_of)
    open_by_supply = Counter(i.supply_code for i in open_items)
    return PositionSummaryOut(
        company=position.company,
        customer_code=position.customer_code,
        as_of=as_of,
        customer=customer_out(position.details),
        supplies=[
            SupplyOut(
                code=s.code,
                service=s.service.code,
                service_label=s.service.label,
                supply_type=s.supply_type.code,
                supply_type_label=s.supply_type.label,
                status=s.status.code,
                status_label=s.status.label,
                meter=s.meter,
                address=s.address,
                overdue=by_supply.get(s.code, ZERO),
                open_items=open_by_supply[s.code],
            )
            for s in sorted(position.supplies.values(), key=lambda s: s.code)
        ],
        open_items=[
            OpenItemOut(
                bill_number=i.bill_number,
                supply_code=i.supply_code,
                issue_date=i.issue_date,
                due_date=i.due_date,
                amount=i.amount,
                residual=i.residual,
                days_overdue=i.days_overdue(as_of),
            )
            for i in open_items
        ],
        balance=position.balance(as_of),
        overdue=position.overdue(as_of),
        credit=max(allocation.credit, Decimal("0.00")),
        cases=cases_of(position, waiting or {}),
        written_off=losses[Loss.WRITTEN_OFF],
        litigation_loss=losses[Loss.LITIGATION],
        lost_items=[
            LostItemOut(
                bill_number=lost.item.bill_number,
                supply_code=lost.item.supply_code,
                issue_date=lost.item.issue_date,
                due_date=lost.item.due_date,
                amount=lost.item.amount,
                residual=lost.item.residual,
                loss=lost.loss.value,
                loss_label=lost.loss.label,
            )
            for lost in lost_items
        ],
    )
