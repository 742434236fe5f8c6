"""Dunning cases as plain data (JSON-ready) for the CLI and the API: ``positions show --json``."""

from __future__ import annotations

from typing import Any

from creditbox.domain.codes import ActionCode
from creditbox.domain.workflow.cases import CaseStatus, DunningCase, StepRecord, StepStatus
from creditbox.domain.workflow.locks import Lock
from creditbox.domain.workflow.outcomes import StepOutcome


def case_view(case: DunningCase) -> dict[str, Any]:
    plan = case.plans[-1] if case.plans else None
    return {
        "case_id": case.case_id,
        "supply": case.supply_code,
        "ladder": case.ladder,
        "status": case.status.value,
        "status_label": case.status.label,
        "opened_on": case.opened_on.isoformat(),
        "closed_on": case.closed_on.isoformat() if case.closed_on else None,
        "table_version": case.table_version,
        "threshold": str(case.threshold),
        "overdue_at_opening": str(case.overdue_at_opening),
        "bills": list(case.bills),
        "waiting_for": waiting_for(case),
        "steps": [step_view(s) for s in case.steps],
        "plan": None
        if plan is None
        else {
            "status": plan.status,
            "agreed_on": plan.agreed_on.isoformat(),
            "total": str(plan.total),
            "instalments": [
                {
                    "number": i.number,
                    "due_date": i.due_date.isoformat(),
                    "amount": str(i.amount),
                    "paid": i.number in plan.paid,
                }
                for i in plan.instalments
            ],
        },
        "write_off_request": None
        if case.write_off_request is None
        else {
            "kind": case.write_off_request.kind.value,
            "amount": str(case.write_off_request.amount),
            "settlement_amount": str(case.write_off_request.settlement_amount),
            "requested_on": case.write_off_request.requested_on.isoformat(),
        },
        "reactivation": case.reactivation,
        "litigation_result": case.litigation_result,
    }


def step_view(step: StepRecord) -> dict[str, Any]:
    if step.status == StepStatus.EXECUTED:
        when = step.executed_on
    elif step.status in (StepStatus.SKIPPED, StepStatus.REFUSED):
        when = step.business_date
    else:
        when = None
    reason = None
    if step.status == StepStatus.SKIPPED:
        reason = step.skipped_reason.value if step.skipped_reason else None
    return {
        "seq": step.seq,
        "action_code": step.action_code.code,
        "action_label": step.action_code.label,
        "description": step.description,
        "status": step.status.value,
        "date": when.isoformat() if when else None,
        "decided_on": step.business_date.isoformat(),
        "reason": reason,
        "reason_detail": step.skipped_detail,
        "outcome": step.outcome.value if step.outcome else None,
        "outcomes": [{"outcome": o.value, "date": d.isoformat()} for o, d in step.outcomes],
        "delivered_on": step.delivered_on.isoformat() if step.delivered_on else None,
        "delivery_failed": step.delivery_failed,
        "row_key": step.row_key,
        "table_version": step.table_version,
        "overdue": str(step.overdue),
        "approval_level": step.approval_level,
    }


def waiting_for(case: DunningCase) -> str | None:
    """What the case is waiting for, in Italian (None when closed or simply waiting for a date)."""
    if not case.is_open:
        return None
    if case.status == CaseStatus.PAUSED:
        return "piano di rientro in corso"
    if case.status == CaseStatus.IN_LITIGATION:
        return "esito del contenzioso"
    if case.status == CaseStatus.LADDER_EXHAUSTED:
        return "decisione dell'operatore (azioni esaurite)"
    pending = case.pending_step
    if pending is not None:
        return {
            StepStatus.PROPOSED: f"conferma dell'operatore (passo {pending.seq})",
            StepStatus.AWAITING_APPROVAL: f"approvazione livello {pending.approval_level} (passo {pending.seq})",
            StepStatus.APPROVED: f"esecuzione del passo {pending.seq}",
        }.get(pending.status)
    last = case.last_executed
    if last is not None and last.delivery_failed:
        return f"consegna fallita del passo {last.seq}"
    if last is not None and last.action_code == ActionCode.COLLECTION_AGENCY and last.outcome == StepOutcome.POSITIVE:
        return "pagamento recuperato dall'agenzia"
    return None


def lock_view(lock: Lock) -> dict[str, Any]:
    return {
        "lock_id": lock.lock_id,
        "reason": lock.reason.value,
        "reason_label": lock.reason.label,
        "supply": lock.supply_code,
        "start": lock.start.isoformat(),
        "until": lock.until.isoformat() if lock.until else None,
        "lifted_on": lock.lifted_on.isoformat() if lock.lifted_on else None,
        "note": lock.note,
        "by": lock.by,
    }
