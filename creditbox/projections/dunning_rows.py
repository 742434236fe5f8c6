"""Rows of the cases, worklist and upcoming views, from the dunning state a Position holds.

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
from typing import Any
from uuid import UUID

from creditbox.domain.allocation import Allocation
from creditbox.domain.codes import ActionCode
from creditbox.domain.money import ZERO
from creditbox.domain.position import Position
from creditbox.domain.wording import plural
from creditbox.domain.workflow.amounts import residual_of
from creditbox.domain.workflow.cases import CaseStatus, DunningCase, StepRecord, StepStatus
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


class WorklistKind:
    PROPOSAL = "proposal"
    APPROVAL = "approval"
    FAILED_DELIVERY = "failed_delivery"
    MISSING_CONTACT = "missing_contact"
    TECHNICAL_OFFICE = "technical_office"
    AGENCY = "agency"
    LITIGATION = "litigation"
    BROKEN_PLAN = "broken_plan"
    LADDER_EXHAUSTED = "ladder_exhausted"


WORKLIST_LABELS = {
    WorklistKind.PROPOSAL: "Proposte da confermare",
    WorklistKind.APPROVAL: "Approvazioni in attesa",
    WorklistKind.FAILED_DELIVERY: "Consegne fallite",
    WorklistKind.MISSING_CONTACT: "Contatti mancanti",
    WorklistKind.TECHNICAL_OFFICE: "Elenchi per l'Ufficio tecnico",
    WorklistKind.AGENCY: "Pratiche per l'agenzia di recupero",
    WorklistKind.LITIGATION: "Pratiche per il contenzioso",
    WorklistKind.BROKEN_PLAN: "Piani di rientro non rispettati",
    WorklistKind.LADDER_EXHAUSTED: "Azioni esaurite",
}


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


def case_rows(
    position_id: UUID,
    position: Position,
    steps: Mapping[str, NextStep],
    allocation: Allocation,
    waiting: Mapping[str, tuple[Waiting | None, list[LockSpan]]],
) -> list[dict[str, Any]]:
    rows = []
    details = position.details
    for case in position.dunning.cases.values():
        supply = position.supplies.get(case.supply_code)
        amount = case_amount(case, allocation)
        step = steps[case.case_id]
        current = case.pending_step or case.last_executed
        rows.append(
            {
                "case_id": f"{position.company}/{position.customer_code}/{case.case_id}",
                "position_id": str(position_id),
                "company": position.company,
                "customer_code": position.customer_code,
                "customer_name": details.name,
                "customer_type": details.customer_type.code,
                "supply_code": case.supply_code,
                "service": supply.service.code if supply is not None else None,
                "ladder": case.ladder,
                "step": current.seq if current is not None else None,
                "action": current.action_code.code if current is not None else None,
                "status": case.status.value,
                "opened_on": case.opened_on,
                "closed_on": case.closed_on,
                "next_due_date": step.due,
                "amount": amount,
                "is_open": case.is_open,
                "waiting_code": _code(waiting[case.case_id][0]),
                "waiting_for": _label(waiting[case.case_id][0]),
                "locks": _spans_json(waiting[case.case_id][1]),
            }
        )
    return rows


def _code(waiting: Waiting | None) -> str | None:
    return waiting.code if waiting is not None else None


def _label(waiting: Waiting | None) -> str | None:
    return waiting.label[:2000] if waiting is not None else None


def _base(position_id: UUID, position: Position, case: DunningCase, amount: Decimal) -> dict[str, Any]:
    supply = position.supplies.get(case.supply_code)
    return {
        "position_id": str(position_id),
        "company": position.company,
        "customer_code": position.customer_code,
        "customer_name": position.details.name,
        "customer_type": position.details.customer_type.code,
        "supply_code": case.supply_code,
        "service": supply.service.code if supply is not None else None,
        "case_id": case.case_id,
        "ladder": case.ladder,
        "amount": amount,
    }


def _item(base: dict[str, Any], kind: str, key: str, step: StepRecord | None, **extra: Any) -> dict[str, Any]:
    return {
        **base,
        "kind": kind,
        "item_key": f"{base['case_id']}#{key}",
        "step": step.seq if step is not None else None,
        "action": step.action_code.code if step is not None else None,
        "level": extra.pop("level", None),
        "since": extra.pop("since", None),
        "detail": extra.pop("detail", ""),
    }


def required_write_off_level(amount: Decimal, lookups: Lookups, company: str) -> int | None:
    settings = lookups.settings(company)
    if settings is None:
        return None
    levels = sorted(settings.write_off_ceilings)
    return next((level for level in levels if settings.write_off_ceiling(level) >= amount), None)


def worklist_rows(
    position_id: UUID, position: Position, lookups: Lookups, allocation: Allocation
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for case in position.dunning.cases.values():
        if not case.is_open:
            continue
        amount = case_amount(case, allocation)
        base = _base(position_id, position, case, amount)
        pending = case.pending_step
        if pending is not None and pending.status == StepStatus.PROPOSED:
            rows.append(
                _item(
                    base,
                    WorklistKind.PROPOSAL,
                    f"{pending.seq}",
                    pending,
                    since=pending.business_date,
                    level=pending.approval_level or None,
                    detail=pending.description,
                )
            )
        if pending is not None and pending.status == StepStatus.AWAITING_APPROVAL:
            rows.append(
                _item(
                    base,
                    WorklistKind.APPROVAL,
                    f"{pending.seq}",
                    pending,
                    since=pending.business_date,
                    level=pending.approval_level,
                    detail=pending.description,
                )
            )
        request = case.write_off_request
        if request is not None:
            level = required_write_off_level(request.amount, lookups, position.company)
            rows.append(
                _item(
                    base,
                    WorklistKind.APPROVAL,
                    "write-off",
                    None,
                    since=request.requested_on,
                    level=level,
                    detail=f"richiesta di {request.kind.label}: {request.amount}",
                )
            )
        last = case.last_executed
        if last is not None and last.delivery_failed:
            outcome = last.outcome
            rows.append(
                _item(
                    base,
                    WorklistKind.FAILED_DELIVERY,
                    f"{last.seq}",
                    last,
                    since=last.executed_on,
                    detail=f"{last.description}: {outcome.label if outcome is not None else 'non consegnato'}",
                )
            )
        for step in case.steps:
            if (
                step.status == StepStatus.SKIPPED
                and step.skipped_reason is not None
                and step.skipped_reason.needs_attention
            ):
                rows.append(
                    _item(
                        base,
                        WorklistKind.MISSING_CONTACT,
                        f"{step.seq}",
                        step,
                        since=step.business_date,
                        detail=f"{step.description}: {step.skipped_detail or step.skipped_reason.label}",
                    )
                )
        for step in case.steps:
            waiting = step.status == StepStatus.EXECUTED and step.outcome_on is None
            if step.action_code == ActionCode.TECHNICAL_OFFICE and (waiting or step.status == StepStatus.APPROVED):
                rows.append(
                    _item(
                        base,
                        WorklistKind.TECHNICAL_OFFICE,
                        f"{step.seq}",
                        step,
                        since=step.executed_on or step.business_date,
                        detail=f"{step.description} ({step.tech or 'richiesta'})",
                    )
                )
            if step.action_code == ActionCode.COLLECTION_AGENCY and waiting:
                rows.append(
                    _item(
                        base, WorklistKind.AGENCY, f"{step.seq}", step, since=step.executed_on, detail=step.description
                    )
                )
        if case.reactivation == "requested":
            rows.append(
                _item(
                    base,
                    WorklistKind.TECHNICAL_OFFICE,
                    "reactivation",
                    None,
                    since=case.closed_on,
                    detail="richiesta di riattivazione della fornitura",
                )
            )
        if case.status == CaseStatus.IN_LITIGATION or (
            pending is not None and pending.action_code == ActionCode.LITIGATION
        ):
            rows.append(
                _item(
                    base,
                    WorklistKind.LITIGATION,
                    "litigation",
                    pending,
                    since=pending.business_date if pending else None,
                    detail=case.status.label if pending is None else pending.description,
                )
            )
        if case.plans and case.plans[-1].status == "broken":
            plan = case.plans[-1]
            rows.append(
                _item(
                    base,
                    WorklistKind.BROKEN_PLAN,
                    f"plan{len(case.plans)}",
                    None,
                    since=plan.agreed_on,
                    detail=(
                        f"piano del {plan.agreed_on:%d/%m/%Y} non rispettato "
                        f"({plural(len(plan.paid), 'rata pagata', 'rate pagate')} su {len(plan.instalments)})"
                    ),
                )
            )
        if case.status == CaseStatus.LADDER_EXHAUSTED:
            rows.append(
                _item(base, WorklistKind.LADDER_EXHAUSTED, "exhausted", case.last_executed, detail=case.status.label)
            )
    for row in rows:
        row["item_key"] = row["item_key"][:128]
    return rows


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
                        "kind": "instalment",
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
                    "kind": "step",
                    "due_date": step.due,
                    "action": step.action.code if step.action is not None else None,
                    "amount": amount,
                    "detail": step.description,
                }
            )
    return rows
