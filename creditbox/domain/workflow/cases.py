"""Dunning case state (*pratica di sollecito*) and its step records.

The Position aggregate holds one :class:`Dunning` value; the dunning events
(``creditbox.domain.workflow.events``) change it with nothing but their own fields, so replay
rebuilds the same state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum, StrEnum

from creditbox.domain.codes import ActionCode
from creditbox.domain.workflow.legal import LegalMilestone
from creditbox.domain.workflow.locks import Lock
from creditbox.domain.workflow.outcomes import LitigationResult, Loss, SkipReason, StepOutcome, WriteOffKind
from creditbox.domain.workflow.plans import PlanStatus, RepaymentPlan


class CaseStatus(Enum):
    OPEN = "open"  # running its ladder
    PAUSED = "paused"  # a repayment plan is running
    LADDER_EXHAUSTED = "ladder_exhausted"  # no steps left: an operator decides
    IN_LITIGATION = "in_litigation"  # with the legal team
    CLOSED_PAID = "closed_paid"
    CLOSED_PLAN_COMPLETED = "closed_plan_completed"
    CLOSED_WRITTEN_OFF = "closed_written_off"
    CLOSED_SETTLED = "closed_settled"
    CLOSED_LITIGATION = "closed_litigation"

    @property
    def is_open(self) -> bool:
        return not self.value.startswith("closed")

    @property
    def label(self) -> str:
        return {
            "open": "aperta",
            "paused": "sospesa per piano di rientro",
            "ladder_exhausted": "azioni esaurite",
            "in_litigation": "in contenzioso",
            "closed_paid": "chiusa per pagamento",
            "closed_plan_completed": "chiusa: piano di rientro completato",
            "closed_written_off": "chiusa: stralcio",
            "closed_settled": "chiusa: transazione",
            "closed_litigation": "chiusa: esito contenzioso",
        }[self.value]


class Reactivation(StrEnum):
    """Where the reactivation of a supply suspended for this case stands."""

    REQUESTED = "requested"  # the case closed as paid: the technical office must reactivate
    DONE = "done"
    FAILED = "failed"


class StepStatus(Enum):
    PROPOSED = "proposed"  # on a worklist, waiting for an operator
    AWAITING_APPROVAL = "awaiting_approval"  # waiting for a supervisor
    APPROVED = "approved"  # ready, runs at the next allowed moment
    EXECUTED = "executed"
    SKIPPED = "skipped"
    REFUSED = "refused"  # a supervisor refused it

    @property
    def label(self) -> str:
        return {
            "proposed": "proposto",
            "awaiting_approval": "in attesa di approvazione",
            "approved": "approvato",
            "executed": "eseguito",
            "skipped": "saltato",
            "refused": "rifiutato",
        }[self.value]

    @property
    def is_pending(self) -> bool:
        return self in (StepStatus.PROPOSED, StepStatus.AWAITING_APPROVAL, StepStatus.APPROVED)

    @property
    def is_done(self) -> bool:
        return not self.is_pending


@dataclass
class StepRecord:
    seq: int
    row_key: str
    table_version: int
    action_code: ActionCode
    description: str
    status: StepStatus
    business_date: date  # when the step was decided (proposed, skipped or executed)
    overdue: Decimal
    approval_level: int = 0
    wait_after_days: int = 0
    parameters: dict[str, str] = field(default_factory=dict)
    executed_on: date | None = None
    skipped_reason: SkipReason | None = None
    skipped_detail: str | None = None
    confirmed: bool = False
    outcomes: list[tuple[StepOutcome, date]] = field(default_factory=list)

    @property
    def outcome(self) -> StepOutcome | None:
        return self.outcomes[-1][0] if self.outcomes else None

    @property
    def delivered_on(self) -> date | None:
        return next((d for o, d in self.outcomes if o.is_delivery_proof), None)

    @property
    def outcome_on(self) -> date | None:
        return next((d for o, d in self.outcomes if o.is_final), None)

    @property
    def delivery_failed(self) -> bool:
        return self.delivered_on is None and any(o.is_delivery_failure for o, _ in self.outcomes)

    @property
    def tech(self) -> str | None:
        return self.parameters.get("tech")


@dataclass(frozen=True)
class FailedSend:
    """An action the channels could not carry out after every attempt (*invio fallito*)."""

    action_key: str
    seq: int | None  # None: the reactivation request
    channel: str
    attempts: int
    error: str
    failed_on: date


@dataclass
class WriteOffRequest:
    kind: WriteOffKind
    amount: Decimal
    settlement_amount: Decimal
    requested_on: date
    by: str


@dataclass
class DunningCase:
    case_id: str
    supply_code: str
    ladder: str
    opened_on: date
    threshold: Decimal
    opening_row_key: str
    table_version: int
    overdue_at_opening: Decimal
    status: CaseStatus = CaseStatus.OPEN
    bills: list[str] = field(default_factory=list)
    steps: list[StepRecord] = field(default_factory=list)
    plans: list[RepaymentPlan] = field(default_factory=list)
    write_off_request: WriteOffRequest | None = None
    closed_on: date | None = None
    reactivation: Reactivation | None = None
    litigation_result: LitigationResult | None = None

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    @property
    def failed_sends(self) -> dict[str, FailedSend]:
        """The actions of this case the channels could not carry out, by action key. Held outside
        the dataclass's fields, and only once a send has failed: a case without one has exactly the
        state it had before sends could fail."""
        found: dict[str, FailedSend] = self.__dict__.get("_failed_sends", {})
        return found

    def record_failed_send(self, failed: FailedSend) -> None:
        self.__dict__.setdefault("_failed_sends", {})[failed.action_key] = failed

    @property
    def legal_milestones(self) -> tuple[LegalMilestone, ...]:
        """The milestones of the legal proceedings, in the order recorded (empty before any). Held
        outside the dataclass's fields, like ``failed_sends``."""
        found: tuple[LegalMilestone, ...] = self.__dict__.get("_legal_milestones", ())
        return found

    def record_legal_milestone(self, milestone: LegalMilestone) -> None:
        self.__dict__["_legal_milestones"] = (*self.legal_milestones, milestone)

    @property
    def plan(self) -> RepaymentPlan | None:
        """The running repayment plan, if any."""
        if self.plans and self.plans[-1].is_running:
            return self.plans[-1]
        return None

    @property
    def pending_step(self) -> StepRecord | None:
        return next((s for s in self.steps if s.status.is_pending), None)

    @property
    def last_executed(self) -> StepRecord | None:
        return next((s for s in reversed(self.steps) if s.status == StepStatus.EXECUTED), None)

    @property
    def last_seq(self) -> int:
        return max((s.seq for s in self.steps), default=0)

    def step(self, seq: int) -> StepRecord | None:
        return next((s for s in self.steps if s.seq == seq), None)

    @property
    def decided_until(self) -> date:
        """The latest business date a decision on this case was made for (opening, steps, closing).
        Outcomes are facts dated when they happened, not decisions, so they do not count."""
        dates = [self.opened_on, *(s.business_date for s in self.steps)]
        dates += [s.executed_on for s in self.steps if s.executed_on is not None]
        if self.closed_on is not None:
            dates.append(self.closed_on)
        return max(dates)

    def close(self, status: CaseStatus, on: date) -> None:
        """Close the case (a running repayment plan closes with it)."""
        self.status = status
        self.closed_on = on
        if self.plan is not None:
            self.plan.status = PlanStatus.CLOSED

    def end_plan(self, plan_status: PlanStatus, case_status: CaseStatus, on: date) -> None:
        """End the running plan: broken (the case resumes) or completed (the case closes)."""
        plan = self.plan
        assert plan is not None
        plan.status = plan_status
        self.status = case_status
        if not case_status.is_open:
            self.closed_on = on


@dataclass
class Dunning:
    """Every dunning case and lock of one position."""

    cases: dict[str, DunningCase] = field(default_factory=dict)
    locks: dict[str, Lock] = field(default_factory=dict)

    # ---- queries ----------------------------------------------------------------------------

    def open_case(self, supply_code: str) -> DunningCase | None:
        return next((c for c in self.cases.values() if c.supply_code == supply_code and c.is_open), None)

    def cases_of(self, supply_code: str) -> list[DunningCase]:
        return [c for c in self.cases.values() if c.supply_code == supply_code]

    def next_case_id(self, supply_code: str) -> str:
        return f"{supply_code}/{len(self.cases_of(supply_code)) + 1}"

    def next_lock_id(self) -> str:
        return f"B{len(self.locks) + 1}"

    def settled_bills(self, supply_code: str) -> set[str]:
        """Bills taken out of dunning by a write-off, a settlement or a litigation outcome."""
        closed = (CaseStatus.CLOSED_WRITTEN_OFF, CaseStatus.CLOSED_SETTLED, CaseStatus.CLOSED_LITIGATION)
        return {b for c in self.cases_of(supply_code) if c.status in closed for b in c.bills}

    def lost_bills(self, as_of: date | None = None) -> dict[str, Loss]:
        """Bills taken out of collection by a case closed (on or before ``as_of``) by a write-off or a
        settlement (``Loss.WRITTEN_OFF``) or by a litigation outcome (``Loss.LITIGATION``)."""
        found: dict[str, Loss] = {}
        for case in self.cases.values():
            loss = _LOSSES.get(case.status)
            if loss is None or (as_of is not None and case.closed_on is not None and case.closed_on > as_of):
                continue
            for bill in case.bills:
                found.setdefault(bill, loss)
        return found

    def active_locks(self, on: date, supply_code: str | None) -> list[Lock]:
        return [lock for lock in self.locks.values() if lock.is_active(on) and lock.covers(supply_code)]


_LOSSES = {
    CaseStatus.CLOSED_WRITTEN_OFF: Loss.WRITTEN_OFF,
    CaseStatus.CLOSED_SETTLED: Loss.WRITTEN_OFF,
    CaseStatus.CLOSED_LITIGATION: Loss.LITIGATION,
}
