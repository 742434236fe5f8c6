"""Rows of the ``worklists`` view: what people must act on in each open dunning case, one rule per source.

Each rule looks at one open case and gives the items it puts on a worklist (or none); the rules run in
the order of :data:`WORKLIST_RULES`, so a case's items always come out in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from creditbox.domain.allocation import Allocation
from creditbox.domain.codes import ActionCode
from creditbox.domain.position import Position
from creditbox.domain.wording import plural
from creditbox.domain.workflow.cases import CaseStatus, DunningCase, Reactivation, StepRecord, StepStatus
from creditbox.domain.workflow.legal import last_milestone
from creditbox.domain.workflow.plans import PlanStatus
from creditbox.projections.dunning_rows import case_amount, case_columns
from creditbox.projections.lookups import Lookups

ITEM_KEY_LENGTH = 128  # the width of ``rm_worklist.item_key``


class WorklistKind(StrEnum):
    """The worklists; the value is what the ``kind`` column stores."""

    PROPOSAL = "proposal"
    APPROVAL = "approval"
    FAILED_DELIVERY = "failed_delivery"
    MISSING_CONTACT = "missing_contact"
    TECHNICAL_OFFICE = "technical_office"
    AGENCY = "agency"
    LITIGATION = "litigation"
    BROKEN_PLAN = "broken_plan"
    LADDER_EXHAUSTED = "ladder_exhausted"
    FAILED_SEND = "failed_send"

    @property
    def label(self) -> str:
        return WORKLIST_LABELS[self]


WORKLIST_LABELS: dict[str, str] = {  # by kind (a WorklistKind or its stored value)
    WorklistKind.PROPOSAL: "Proposte da confermare",
    WorklistKind.APPROVAL: "Approvazioni in attesa",
    WorklistKind.FAILED_DELIVERY: "Consegne fallite",
    WorklistKind.MISSING_CONTACT: "Contatti mancanti",
    WorklistKind.TECHNICAL_OFFICE: "Elenchi per l'Ufficio tecnico",
    WorklistKind.AGENCY: "Pratiche per l'agenzia di recupero",
    WorklistKind.LITIGATION: "Pratiche per il contenzioso",
    WorklistKind.BROKEN_PLAN: "Piani di rientro non rispettati",
    WorklistKind.LADDER_EXHAUSTED: "Azioni esaurite",
    WorklistKind.FAILED_SEND: "Invii falliti",
}


@dataclass(frozen=True)
class OpenCase:
    """One open case as the rules see it: the case, its position's lookups and the columns of its items."""

    case: DunningCase
    company: str
    lookups: Lookups
    columns: dict[str, Any]

    def item(
        self,
        kind: WorklistKind,
        key: str,
        step: StepRecord | None,
        *,
        since: date | None = None,
        level: int | None = None,
        detail: str = "",
    ) -> dict[str, Any]:
        return {
            **self.columns,
            "kind": kind.value,
            "item_key": f"{self.case.case_id}#{key}"[:ITEM_KEY_LENGTH],
            "step": step.seq if step is not None else None,
            "action": step.action_code.code if step is not None else None,
            "level": level,
            "since": since,
            "detail": detail,
            **NO_PROCEEDINGS,
        }

    def step_item(
        self, kind: WorklistKind, step: StepRecord, *, since: date | None, level: int | None = None, detail: str
    ) -> dict[str, Any]:
        """An item about one step of the case (keyed by the step's number)."""
        return self.item(kind, f"{step.seq}", step, since=since, level=level, detail=detail)

    def pending(self, status: StepStatus) -> StepRecord | None:
        """The case's pending step, if it is in ``status``."""
        pending = self.case.pending_step
        return pending if pending is not None and pending.status == status else None


Rule = Callable[[OpenCase], Iterator[dict[str, Any]]]

# The columns of the legal proceedings, empty on every item but the litigation ones.
NO_PROCEEDINGS: dict[str, Any] = {
    "legal_milestone": None,
    "legal_milestone_on": None,
    "court": None,
    "docket": None,
    "next_deadline": None,
}


def proceedings_columns(case: DunningCase) -> dict[str, Any]:
    """Where the case's legal proceedings stand: its last milestone (kind and date), the court and
    docket (the latest given), and the next deadline (the last milestone's)."""
    milestones = case.legal_milestones
    last = last_milestone(milestones)
    if last is None:
        return NO_PROCEEDINGS
    court = next((m.court for m in reversed(milestones) if m.court), None)
    docket = next((m.docket for m in reversed(milestones) if m.docket), None)
    return {
        "legal_milestone": last.kind.value,
        "legal_milestone_on": last.occurred_on,
        "court": court,
        "docket": docket,
        "next_deadline": last.next_deadline,
    }


def required_write_off_level(amount: Decimal, lookups: Lookups, company: str) -> int | None:
    settings = lookups.settings(company)
    if settings is None:
        return None
    levels = sorted(settings.write_off_ceilings)
    return next((level for level in levels if settings.write_off_ceiling(level) >= amount), None)


def proposal(at: OpenCase) -> Iterator[dict[str, Any]]:
    """A proposed step waiting for an operator's confirmation (with the approval level it will need)."""
    step = at.pending(StepStatus.PROPOSED)
    if step is not None:
        level = step.approval_level or None
        yield at.step_item(WorklistKind.PROPOSAL, step, since=step.business_date, level=level, detail=step.description)


def step_approval(at: OpenCase) -> Iterator[dict[str, Any]]:
    """A step waiting for a supervisor's approval, at the level it needs."""
    step = at.pending(StepStatus.AWAITING_APPROVAL)
    if step is not None:
        level = step.approval_level
        yield at.step_item(WorklistKind.APPROVAL, step, since=step.business_date, level=level, detail=step.description)


def write_off_approval(at: OpenCase) -> Iterator[dict[str, Any]]:
    """A write-off or settlement request, at the lowest level whose ceiling covers its amount."""
    request = at.case.write_off_request
    if request is not None:
        yield at.item(
            WorklistKind.APPROVAL,
            "write-off",
            None,
            since=request.requested_on,
            level=required_write_off_level(request.amount, at.lookups, at.company),
            detail=f"richiesta di {request.kind.label}: {request.amount}",
        )


def failed_delivery(at: OpenCase) -> Iterator[dict[str, Any]]:
    """The last executed step, when its delivery failed."""
    last = at.case.last_executed
    if last is not None and last.delivery_failed:
        outcome = last.outcome.label if last.outcome is not None else "non consegnato"
        detail = f"{last.description}: {outcome}"
        yield at.step_item(WorklistKind.FAILED_DELIVERY, last, since=last.executed_on, detail=detail)


def missing_contacts(at: OpenCase) -> Iterator[dict[str, Any]]:
    """Every step skipped for a reason someone must fix (a missing address, e-mail or phone)."""
    for step in at.case.steps:
        reason = step.skipped_reason
        if step.status == StepStatus.SKIPPED and reason is not None and reason.needs_attention:
            detail = f"{step.description}: {step.skipped_detail or reason.label}"
            yield at.step_item(WorklistKind.MISSING_CONTACT, step, since=step.business_date, detail=detail)


def handed_over_steps(at: OpenCase) -> Iterator[dict[str, Any]]:
    """Every step in the hands of the technical office (approved, or executed without an outcome yet)
    or of the collection agency (executed without an outcome yet), in the order of the steps."""
    for step in at.case.steps:
        waiting = step.status == StepStatus.EXECUTED and step.outcome_on is None
        if step.action_code == ActionCode.TECHNICAL_OFFICE and (waiting or step.status == StepStatus.APPROVED):
            since = step.executed_on or step.business_date
            detail = f"{step.description} ({step.tech or 'richiesta'})"
            yield at.step_item(WorklistKind.TECHNICAL_OFFICE, step, since=since, detail=detail)
        if step.action_code == ActionCode.COLLECTION_AGENCY and waiting:
            yield at.step_item(WorklistKind.AGENCY, step, since=step.executed_on, detail=step.description)


def reactivation(at: OpenCase) -> Iterator[dict[str, Any]]:
    """A requested reactivation of the supply, for the technical office."""
    if at.case.reactivation == Reactivation.REQUESTED:
        yield at.item(
            WorklistKind.TECHNICAL_OFFICE,
            "reactivation",
            None,
            since=at.case.closed_on,
            detail="richiesta di riattivazione della fornitura",
        )


def litigation(at: OpenCase) -> Iterator[dict[str, Any]]:
    """A case in litigation, or whose pending step is the handover to litigation; with where its legal
    proceedings stand and their next deadline."""
    case, pending = at.case, at.case.pending_step
    handing_over = pending is not None and pending.action_code == ActionCode.LITIGATION
    if case.status == CaseStatus.IN_LITIGATION or handing_over:
        detail = case.status.label if pending is None else pending.description
        last = last_milestone(case.legal_milestones)
        if last is not None:
            detail = f"{last.kind.label} il {last.occurred_on:%d/%m/%Y}"
            if last.next_deadline is not None:
                detail += f"; prossima scadenza {last.next_deadline:%d/%m/%Y}"
        item = at.item(
            WorklistKind.LITIGATION,
            "litigation",
            pending,
            since=pending.business_date if pending else None,
            detail=detail,
        )
        yield {**item, **proceedings_columns(case)}


def broken_plan(at: OpenCase) -> Iterator[dict[str, Any]]:
    """The case's last repayment plan, when it was not kept."""
    plans = at.case.plans
    if plans and plans[-1].status == PlanStatus.BROKEN:
        plan = plans[-1]
        yield at.item(
            WorklistKind.BROKEN_PLAN,
            f"plan{len(plans)}",
            None,
            since=plan.agreed_on,
            detail=(
                f"piano del {plan.agreed_on:%d/%m/%Y} non rispettato "
                f"({plural(len(plan.paid), 'rata pagata', 'rate pagate')} su {len(plan.instalments)})"
            ),
        )


def ladder_exhausted(at: OpenCase) -> Iterator[dict[str, Any]]:
    """A case whose ladder has no step left."""
    if at.case.status == CaseStatus.LADDER_EXHAUSTED:
        yield at.item(WorklistKind.LADDER_EXHAUSTED, "exhausted", at.case.last_executed, detail=at.case.status.label)


def failed_sends(at: OpenCase) -> Iterator[dict[str, Any]]:
    """Every executed action the channels could not carry out after every attempt (*invii falliti*)."""
    for failed in at.case.failed_sends.values():
        step = at.case.step(failed.seq) if failed.seq is not None else None
        what = step.description if step is not None else "richiesta di riattivazione"
        key = f"send-{failed.seq}" if failed.seq is not None else "send-reactivation"
        detail = f"{what} ({failed.channel}): {failed.error}"
        yield at.item(WorklistKind.FAILED_SEND, key, step, since=failed.failed_on, detail=detail)


WORKLIST_RULES: tuple[Rule, ...] = (
    proposal,
    step_approval,
    write_off_approval,
    failed_delivery,
    missing_contacts,
    handed_over_steps,
    reactivation,
    litigation,
    broken_plan,
    ladder_exhausted,
    failed_sends,
)


def worklist_rows(
    position_id: UUID, position: Position, lookups: Lookups, allocation: Allocation
) -> list[dict[str, Any]]:
    """The worklist items of the position's open cases: case by case, rule by rule."""
    rows: list[dict[str, Any]] = []
    for case in position.dunning.cases.values():
        if case.is_open:
            columns = {
                **case_columns(position_id, position, case),
                "case_id": case.case_id,
                "amount": case_amount(case, allocation),
            }
            at = OpenCase(case, position.company, lookups, columns)
            for rule in WORKLIST_RULES:
                rows.extend(rule(at))
    return rows
