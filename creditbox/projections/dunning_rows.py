"""Rows of the cases and upcoming views (and the columns the worklist rows share with the cases), from
the dunning state a Position holds.

The decisions are the workflow engine's (recorded as events on the position); these functions only
read the resulting state: which step is pending, which outcome is missing, which plan is running.
The next step's date uses the workflow's own ``due_date`` rule with the actions-table version of the
case's last decision (a new table version applies from the next tick, which rewrites the rows).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from creditbox.domain.allocation import Allocation
from creditbox.domain.codes import ActionCode
from creditbox.domain.money import ZERO
from creditbox.domain.position import Position
from creditbox.domain.workflow.amounts import residual_of
from creditbox.domain.workflow.cases import CaseStatus, DunningCase
from creditbox.domain.workflow.ladder import choose_row, due_date, next_seq
from creditbox.domain.workflow.waiting import (
    LockSpan,
    Waiting,
    lock_spans,
    next_row_of,
    table_version_of,
    waiting_without_locks,
)
from creditbox.projections.lookups import Lookups


@dataclass(frozen=True)
class NextStep:
    due: date | None
    action: ActionCode | None
    seq: int | None
    description: str
    waiting_for: str = ""


class UpcomingKind(StrEnum):
    """What an ``upcoming`` row schedules; the value is what the ``kind`` column stores."""

    STEP = "step"
    INSTALMENT = "instalment"


BEYOND_CALENDAR = "data oltre il 31/12/9999"


def case_amount(case: DunningCase, allocation: Allocation) -> Decimal:
    """What is still owed on the case's bills."""
    if not case.bills:
        return ZERO
    return residual_of(case.bills, allocation)


def next_steps(position: Position, lookups: Lookups, allocation: Allocation) -> dict[str, NextStep]:
    """The next step of each of the position's cases.

    The cases and upcoming views both need them: projections ask once per batch through
    ``Batch.memo`` (so nothing is shared between runs, runners or databases of one process).
    """
    return {
        case.case_id: next_step(position, case, lookups, case_amount(case, allocation))
        for case in position.dunning.cases.values()
    }


def next_step(position: Position, case: DunningCase, lookups: Lookups, amount: Decimal) -> NextStep:
    """When the case moves next, and with which action (None: closed, paused or waiting on someone)."""
    if not case.is_open:
        return NextStep(None, None, None, case.status.label)
    if case.status == CaseStatus.PAUSED:
        plan = case.plan
        instalment = plan.next_unpaid() if plan is not None else None
        if instalment is not None:
            return NextStep(instalment.due_date, None, None, f"rata {instalment.number} del piano di rientro")
        return NextStep(None, None, None, case.status.label)
    if case.status in (CaseStatus.IN_LITIGATION, CaseStatus.LADDER_EXHAUSTED):
        return NextStep(None, None, None, case.status.label)
    pending = case.pending_step
    if pending is not None:
        return NextStep(pending.business_date, pending.action_code, pending.seq, pending.description)
    table = lookups.table_version(position.company, table_version_of(case))
    supply = position.supplies.get(case.supply_code)
    if table is None or supply is None:
        return NextStep(None, None, None, "tabella azioni non disponibile")
    seq = next_seq(table, case.ladder, case.last_seq)
    if seq is None:
        return NextStep(None, None, None, "nessun altro passo nella scala")
    row = choose_row(table, case.ladder, seq, position.details, supply, amount).row
    try:
        due = due_date(case, row)
    except OverflowError:  # the step would fall after 31/12/9999: no date (the read side never stops on it)
        return NextStep(None, row.action_code, row.seq, row.description, BEYOND_CALENDAR)
    return NextStep(due.on, row.action_code, row.seq, row.description, due.waiting_for)


def waiting_by_case(
    position: Position, lookups: Lookups, allocation: Allocation
) -> dict[str, tuple[Waiting | None, list[LockSpan]]]:
    """What each case waits for, locks apart (the next row from the case's actions-table version), and
    the spans of the locks covering its supply: the query tells which are active on the date asked."""
    locks = list(position.dunning.locks.values())
    found: dict[str, tuple[Waiting | None, list[LockSpan]]] = {}
    for case in position.dunning.cases.values():
        if not case.is_open:
            found[case.case_id] = (None, [])
            continue
        table = lookups.table_version(position.company, table_version_of(case))
        supply = position.supplies.get(case.supply_code)
        if table is None or supply is None:
            base = waiting_without_locks(case, None, known_row=False)
        else:
            row = next_row_of(case, table, position.details, supply, case_amount(case, allocation))
            base = waiting_without_locks(case, row, known_row=True)
        found[case.case_id] = (base, lock_spans(case, locks))
    return found


def _spans_json(spans: list[LockSpan]) -> str | None:
    if not spans:
        return None
    return json.dumps(
        [
            [
                s.start.isoformat(),
                s.until.isoformat() if s.until else None,
                s.lifted_on.isoformat() if s.lifted_on else None,
                s.label,
            ]
            for s in spans
        ],
        ensure_ascii=False,
    )


def case_columns(position_id: UUID, position: Position, case: DunningCase) -> dict[str, Any]:
    """The columns the ``cases`` and ``worklists`` rows of a case share: whose it is, on which supply."""
    supply = position.supplies.get(case.supply_code)
    return {
        "position_id": str(position_id),
        "company": position.company,
        "customer_code": position.customer_code,
        "customer_name": position.details.name,
        "customer_type": position.details.customer_type.code,
        "supply_code": case.supply_code,
        "service": supply.service.code if supply is not None else None,
        "ladder": case.ladder,
    }


def case_rows(
    position_id: UUID,
    position: Position,
    steps: Mapping[str, NextStep],
    allocation: Allocation,
    waiting: Mapping[str, tuple[Waiting | None, list[LockSpan]]],
) -> list[dict[str, Any]]:
    rows = []
    for case in position.dunning.cases.values():
        current = case.pending_step or case.last_executed
        base, locks = waiting[case.case_id]
        rows.append(
            {
                **case_columns(position_id, position, case),
                "case_id": f"{position.company}/{position.customer_code}/{case.case_id}",
                "step": current.seq if current is not None else None,
                "action": current.action_code.code if current is not None else None,
                "status": case.status.value,
                "opened_on": case.opened_on,
                "closed_on": case.closed_on,
                "next_due_date": steps[case.case_id].due,
                "amount": case_amount(case, allocation),
                "is_open": case.is_open,
                "waiting_code": _code(base),
                "waiting_for": _label(base),
                "locks": _spans_json(locks),
            }
        )
    return rows


def _code(waiting: Waiting | None) -> str | None:
    return waiting.code if waiting is not None else None


def _label(waiting: Waiting | None) -> str | None:
    return waiting.label[:2000] if waiting is not None else None


def upcoming_rows(
    position_id: UUID, position: Position, steps: Mapping[str, NextStep], allocation: Allocation
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for case in position.dunning.cases.values():
        if not case.is_open:
            continue
        common = {
            "position_id": str(position_id),
            "company": position.company,
            "customer_code": position.customer_code,
            "customer_name": position.details.name,
            "supply_code": case.supply_code,
            "case_id": case.case_id,
        }
        amount = case_amount(case, allocation)
        plan = case.plan
        if plan is not None:
            for instalment in plan.instalments:
                if instalment.number in plan.paid:
                    continue
                rows.append(
                    {
                        **common,
                        "item_key": f"{case.case_id}#rata{instalment.number}",
                        "kind": UpcomingKind.INSTALMENT.value,
                        "due_date": instalment.due_date,
                        "action": ActionCode.REPAYMENT_PLAN.code,
                        "amount": instalment.amount,
                        "detail": f"rata {instalment.number} di {len(plan.instalments)} del piano di rientro",
                    }
                )
            continue
        step = steps[case.case_id]
        if step.due is not None:
            rows.append(
                {
                    **common,
                    "item_key": f"{case.case_id}#passo{step.seq}",
                    "kind": UpcomingKind.STEP.value,
                    "due_date": step.due,
                    "action": step.action.code if step.action is not None else None,
                    "amount": amount,
                    "detail": step.description,
                }
            )
    return rows
