"""Dunning cases as plain data (JSON-ready) for the CLI and the API: ``positions show --json``."""

from __future__ import annotations

from typing import Any

from creditbox.domain.workflow.cases import DunningCase, StepRecord, StepStatus
from creditbox.domain.workflow.locks import Lock
from creditbox.domain.workflow.waiting import Waiting


def case_view(case: DunningCase, waiting: Waiting | None = None) -> dict[str, Any]:
    """``waiting``: what the case waits for (``creditbox.domain.workflow.waiting``), None when nothing."""
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
        "waiting_for": waiting.label if waiting is not None else None,
        "waiting_for_code": waiting.code if waiting is not None else None,
        "steps": [step_view(s) for s in case.steps],
        "plan": None
        if plan is None
        else {
            "status": plan.status.value,
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
        "reactivation": case.reactivation.value if case.reactivation is not None else None,
        "litigation_result": case.litigation_result.value if case.litigation_result is not None else None,
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
