"""The dunning events of a position (*eventi della pratica di sollecito*), one class each.

Each event is a frozen dataclass with an explicit, stable topic (``creditbox.position.<Name>``)
and the fields it has always been stored with; its :meth:`apply` rebuilds the position's dunning
state from nothing but those fields, so replaying the stored events gives the same state, always.

Who decides what to record is elsewhere: the engine (``engine.decide``) and the case commands
(``commands``) return :class:`~creditbox.domain.workflow.decisions.Decision` values naming one
of these classes and its data; the :class:`~creditbox.domain.position.Position` alone records them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Protocol

from creditbox.domain.codes import ActionCode, SupplyStatus
from creditbox.domain.documents import SupplyDetails
from creditbox.domain.recorded_events import POSITION_TOPIC_PREFIX as TOPIC_PREFIX
from creditbox.domain.recorded_events import RecordedEvent
from creditbox.domain.workflow.cases import (
    CaseStatus,
    Dunning,
    DunningCase,
    FailedSend,
    Reactivation,
    StepRecord,
    StepStatus,
    WriteOffRequest,
)
from creditbox.domain.workflow.legal import LegalMilestone, LegalMilestoneKind, document_of
from creditbox.domain.workflow.locks import Lock
from creditbox.domain.workflow.outcomes import LitigationResult, LockReason, SkipReason, StepOutcome, WriteOffKind
from creditbox.domain.workflow.plans import Instalment, PlanStatus, RepaymentPlan


class PositionState(Protocol):
    """What a dunning event changes on the position it is applied to."""

    dunning: Dunning
    supplies: dict[str, SupplyDetails]


class DunningEvent(RecordedEvent):
    """Base of the dunning events."""

    def apply(self, aggregate: PositionState) -> None:
        """Change the position's state; the base changes nothing (a fact kept for the record)."""


class CaseEvent(DunningEvent):
    """An event about one case of the position."""

    case_id: str

    def case(self, position: PositionState) -> DunningCase:
        return position.dunning.cases[self.case_id]


class StepEvent(CaseEvent):
    """An event about one step (``seq``) of one case."""

    seq: int

    def step(self, position: PositionState) -> StepRecord:
        record = self.case(position).step(self.seq)
        assert record is not None, f"step {self.seq} of case {self.case_id} unknown"
        return record


def _set_supply_status(position: PositionState, code: str, status: SupplyStatus) -> None:
    position.supplies[code] = replace(position.supplies[code], status=status)


# ---- opening --------------------------------------------------------------------------------


class DunningCaseOpened(CaseEvent):
    TOPIC = TOPIC_PREFIX + "DunningCaseOpened"
    supply_code: str
    ladder: str
    table_version: int
    row_key: str
    threshold: Decimal
    business_date: date
    overdue: Decimal
    bill_numbers: list[str]
    oldest_due_date: date
    settings_version: int | None = None

    def apply(self, aggregate: PositionState) -> None:
        aggregate.dunning.cases[self.case_id] = DunningCase(
            case_id=self.case_id,
            supply_code=self.supply_code,
            ladder=self.ladder,
            opened_on=self.business_date,
            threshold=self.threshold,
            opening_row_key=self.row_key,
            table_version=self.table_version,
            overdue_at_opening=self.overdue,
            bills=list(self.bill_numbers),
        )


class BillsJoinedCase(CaseEvent):
    TOPIC = TOPIC_PREFIX + "BillsJoinedCase"
    bill_numbers: list[str]
    business_date: date
    overdue: Decimal

    def apply(self, aggregate: PositionState) -> None:
        self.case(aggregate).bills.extend(self.bill_numbers)


# ---- steps ----------------------------------------------------------------------------------


class StepDecided(StepEvent):
    """A step chosen from the actions table: the row it comes from and what it does."""

    STATUS: ClassVar[StepStatus]
    row_key: str
    table_version: int
    action_code: ActionCode
    description: str
    business_date: date
    due_date: date
    overdue: Decimal
    approval_level: int
    wait_after_days: int
    parameters: dict[str, str]

    def record(self) -> StepRecord:
        return StepRecord(
            seq=self.seq,
            row_key=self.row_key,
            table_version=self.table_version,
            action_code=self.action_code,
            description=self.description,
            status=self.STATUS,
            business_date=self.business_date,
            overdue=self.overdue,
            approval_level=self.approval_level,
            wait_after_days=self.wait_after_days,
            parameters=dict(self.parameters),
        )

    def apply(self, aggregate: PositionState) -> None:
        self.case(aggregate).steps.append(self.record())


class StepProposed(StepDecided):
    """A step waiting for an operator (*proposta*)."""

    TOPIC = TOPIC_PREFIX + "StepProposed"

    STATUS = StepStatus.PROPOSED


class ApprovalRequested(StepDecided):
    """A step waiting for a supervisor's approval."""

    TOPIC = TOPIC_PREFIX + "ApprovalRequested"

    STATUS = StepStatus.AWAITING_APPROVAL


class StepExecuted(StepDecided):
    """A step carried out: ``action_id`` identifies the action sent through the channels."""

    TOPIC = TOPIC_PREFIX + "StepExecuted"

    STATUS = StepStatus.EXECUTED
    action_id: str
    supply_code: str
    recipient: str | None
    settings_version: int | None = None

    def apply(self, aggregate: PositionState) -> None:
        record = self.case(aggregate).step(self.seq)
        if record is None:  # executed as soon as decided
            record = self.record()
            self.case(aggregate).steps.append(record)
        record.status = StepStatus.EXECUTED
        record.executed_on = self.business_date


class StepSkipped(StepEvent):
    """A step not carried out (no contact, not suspendable, …): the ladder goes on."""

    TOPIC = TOPIC_PREFIX + "StepSkipped"

    row_key: str
    table_version: int
    action_code: ActionCode
    description: str
    business_date: date
    overdue: Decimal
    reason: SkipReason
    detail: str

    def apply(self, aggregate: PositionState) -> None:
        case = self.case(aggregate)
        record = case.pending_step
        if record is None or record.seq != self.seq:
            record = StepRecord(
                seq=self.seq,
                row_key=self.row_key,
                table_version=self.table_version,
                action_code=self.action_code,
                description=self.description,
                status=StepStatus.SKIPPED,
                business_date=self.business_date,
                overdue=self.overdue,
            )
            case.steps.append(record)
        # else: an approved step whose contact went missing before it ran
        record.status = StepStatus.SKIPPED
        record.business_date = self.business_date
        record.skipped_reason = self.reason
        record.skipped_detail = self.detail


class ProposalConfirmed(StepEvent):
    TOPIC = TOPIC_PREFIX + "ProposalConfirmed"
    business_date: date
    overdue: Decimal

    def apply(self, aggregate: PositionState) -> None:
        record = self.step(aggregate)
        record.confirmed = True
        record.status = StepStatus.AWAITING_APPROVAL if record.approval_level > 0 else StepStatus.APPROVED


class ProposalDiscarded(StepEvent):
    TOPIC = TOPIC_PREFIX + "ProposalDiscarded"
    business_date: date
    overdue: Decimal
    note: str

    def apply(self, aggregate: PositionState) -> None:
        record = self.step(aggregate)
        record.status = StepStatus.SKIPPED
        record.business_date = self.business_date
        record.skipped_reason = SkipReason.DISCARDED
        record.skipped_detail = self.note


class StepApproved(StepEvent):
    TOPIC = TOPIC_PREFIX + "StepApproved"
    level: int
    business_date: date
    overdue: Decimal
    settings_version: int | None = None

    def apply(self, aggregate: PositionState) -> None:
        self.step(aggregate).status = StepStatus.APPROVED


class StepRefused(StepEvent):
    TOPIC = TOPIC_PREFIX + "StepRefused"
    level: int
    business_date: date
    overdue: Decimal
    note: str

    def apply(self, aggregate: PositionState) -> None:
        record = self.step(aggregate)
        record.status = StepStatus.REFUSED
        record.business_date = self.business_date
        record.skipped_detail = self.note


# ---- outcomes -------------------------------------------------------------------------------


class OutcomeRecorded(StepEvent):
    TOPIC = TOPIC_PREFIX + "OutcomeRecorded"
    outcome: StepOutcome
    outcome_date: date
    note: str

    def apply(self, aggregate: PositionState) -> None:
        self.step(aggregate).outcomes.append((self.outcome, self.outcome_date))


class OutcomeCorrected(StepEvent):
    TOPIC = TOPIC_PREFIX + "OutcomeCorrected"
    replaced_outcome: StepOutcome
    replaced_date: date
    outcome: StepOutcome
    outcome_date: date
    reason: str

    def apply(self, aggregate: PositionState) -> None:
        outcomes = self.step(aggregate).outcomes
        outcomes[outcomes.index((self.replaced_outcome, self.replaced_date))] = (self.outcome, self.outcome_date)


class DeliveryFailed(StepEvent):
    """The message did not reach the customer: the outcome is already on the step; this event
    puts the failure on a worklist."""

    TOPIC = TOPIC_PREFIX + "DeliveryFailed"

    action_code: ActionCode
    outcome: StepOutcome
    outcome_date: date


class SupplySuspended(StepEvent):
    TOPIC = TOPIC_PREFIX + "SupplySuspended"
    supply_code: str
    outcome_date: date

    def apply(self, aggregate: PositionState) -> None:
        _set_supply_status(aggregate, self.supply_code, SupplyStatus.SUSPENDED)


# ---- case status ----------------------------------------------------------------------------


class LadderExhausted(CaseEvent):
    TOPIC = TOPIC_PREFIX + "LadderExhausted"
    table_version: int
    last_seq: int
    business_date: date
    overdue: Decimal

    def apply(self, aggregate: PositionState) -> None:
        self.case(aggregate).status = CaseStatus.LADDER_EXHAUSTED


class CaseClosedAsPaid(CaseEvent):
    TOPIC = TOPIC_PREFIX + "CaseClosedAsPaid"
    table_version: int
    row_key: str
    threshold: Decimal
    business_date: date
    overdue: Decimal

    def apply(self, aggregate: PositionState) -> None:
        self.case(aggregate).close(CaseStatus.CLOSED_PAID, self.business_date)


# ---- reactivation ---------------------------------------------------------------------------


class ReactivationRequested(CaseEvent):
    TOPIC = TOPIC_PREFIX + "ReactivationRequested"
    action_id: str
    supply_code: str
    business_date: date
    overdue: Decimal

    def apply(self, aggregate: PositionState) -> None:
        self.case(aggregate).reactivation = Reactivation.REQUESTED
        _set_supply_status(aggregate, self.supply_code, SupplyStatus.TO_BE_REACTIVATED)


class SupplyReactivated(CaseEvent):
    TOPIC = TOPIC_PREFIX + "SupplyReactivated"
    supply_code: str
    outcome_date: date
    note: str

    def apply(self, aggregate: PositionState) -> None:
        self.case(aggregate).reactivation = Reactivation.DONE
        _set_supply_status(aggregate, self.supply_code, SupplyStatus.ACTIVE)


class ReactivationFailed(CaseEvent):
    TOPIC = TOPIC_PREFIX + "ReactivationFailed"
    supply_code: str
    outcome_date: date
    note: str

    def apply(self, aggregate: PositionState) -> None:
        self.case(aggregate).reactivation = Reactivation.FAILED


# ---- sending ----------------------------------------------------------------------------------


class ActionSendFailed(CaseEvent):
    """An executed action (a step's message, a reactivation request) the channel refused or could
    not take after every attempt: it goes on the *invii falliti* worklist for a person to decide."""

    TOPIC = TOPIC_PREFIX + "ActionSendFailed"
    action_id: str
    seq: int | None
    channel: str
    attempts: int
    error: str
    business_date: date

    def apply(self, aggregate: PositionState) -> None:
        self.case(aggregate).record_failed_send(
            FailedSend(self.action_id, self.seq, self.channel, self.attempts, self.error, self.business_date)
        )


# ---- locks ----------------------------------------------------------------------------------


class LockSet(DunningEvent):
    TOPIC = TOPIC_PREFIX + "LockSet"
    lock_id: str
    reason: LockReason
    supply_code: str | None
    start: date
    until: date | None
    note: str

    def apply(self, aggregate: PositionState) -> None:
        aggregate.dunning.locks[self.lock_id] = Lock(
            self.lock_id, self.reason, self.supply_code, self.start, self.until, self.note, self.by
        )


class LockLifted(DunningEvent):
    TOPIC = TOPIC_PREFIX + "LockLifted"
    lock_id: str
    lifted_on: date
    note: str

    def apply(self, aggregate: PositionState) -> None:
        aggregate.dunning.locks[self.lock_id].lifted_on = self.lifted_on


# ---- repayment plans ------------------------------------------------------------------------


class RepaymentPlanAgreed(CaseEvent):
    TOPIC = TOPIC_PREFIX + "RepaymentPlanAgreed"
    business_date: date
    overdue: Decimal
    total: Decimal
    instalments: list[dict[str, Any]]
    bill_numbers: list[str]

    def apply(self, aggregate: PositionState) -> None:
        case = self.case(aggregate)
        case.plans.append(
            RepaymentPlan(
                agreed_on=self.business_date,
                instalments=tuple(Instalment.from_event_data(i) for i in self.instalments),
                bills=tuple(self.bill_numbers),
                by=self.by,
            )
        )
        case.status = CaseStatus.PAUSED


class InstalmentEvent(CaseEvent):
    number: int
    due_date: date
    business_date: date
    paid: Decimal


class InstalmentPaid(InstalmentEvent):
    TOPIC = TOPIC_PREFIX + "InstalmentPaid"
    settings_version: int | None = None

    def apply(self, aggregate: PositionState) -> None:
        plan = self.case(aggregate).plan
        assert plan is not None
        plan.paid.add(self.number)


class InstalmentMissed(InstalmentEvent):
    """RepaymentPlanBroken follows in the same decision."""

    TOPIC = TOPIC_PREFIX + "InstalmentMissed"

    expected: Decimal
    settings_version: int | None = None


class RepaymentPlanBroken(CaseEvent):
    TOPIC = TOPIC_PREFIX + "RepaymentPlanBroken"
    business_date: date
    overdue: Decimal

    def apply(self, aggregate: PositionState) -> None:
        self.case(aggregate).end_plan(PlanStatus.BROKEN, CaseStatus.OPEN, self.business_date)


class RepaymentPlanCompleted(CaseEvent):
    TOPIC = TOPIC_PREFIX + "RepaymentPlanCompleted"
    business_date: date
    overdue: Decimal

    def apply(self, aggregate: PositionState) -> None:
        self.case(aggregate).end_plan(PlanStatus.COMPLETED, CaseStatus.CLOSED_PLAN_COMPLETED, self.business_date)


# ---- write-off, settlement, litigation ------------------------------------------------------


class WriteOffRequested(CaseEvent):
    TOPIC = TOPIC_PREFIX + "WriteOffRequested"
    kind: WriteOffKind
    amount: Decimal
    settlement_amount: Decimal
    business_date: date
    overdue: Decimal
    note: str

    def apply(self, aggregate: PositionState) -> None:
        self.case(aggregate).write_off_request = WriteOffRequest(
            self.kind, self.amount, self.settlement_amount, self.business_date, self.by
        )


class WriteOffApproved(CaseEvent):
    """CaseWrittenOff follows in the same decision and closes the case."""

    TOPIC = TOPIC_PREFIX + "WriteOffApproved"

    kind: WriteOffKind
    level: int
    amount: Decimal
    business_date: date
    settings_version: int | None = None


class WriteOffRefused(CaseEvent):
    TOPIC = TOPIC_PREFIX + "WriteOffRefused"
    kind: WriteOffKind
    level: int
    business_date: date
    note: str

    def apply(self, aggregate: PositionState) -> None:
        self.case(aggregate).write_off_request = None


class CaseWrittenOff(CaseEvent):
    TOPIC = TOPIC_PREFIX + "CaseWrittenOff"
    kind: WriteOffKind
    amount: Decimal
    settlement_amount: Decimal
    business_date: date
    overdue: Decimal
    table_version: int | None
    row_key: str | None

    def apply(self, aggregate: PositionState) -> None:
        settled = self.kind == WriteOffKind.SETTLEMENT
        status = CaseStatus.CLOSED_SETTLED if settled else CaseStatus.CLOSED_WRITTEN_OFF
        self.case(aggregate).close(status, self.business_date)


class HandedOverToLitigation(CaseEvent):
    TOPIC = TOPIC_PREFIX + "HandedOverToLitigation"
    seq: int | None
    table_version: int | None
    row_key: str | None
    level: int | None
    business_date: date
    overdue: Decimal
    settings_version: int | None = None

    def apply(self, aggregate: PositionState) -> None:
        self.case(aggregate).status = CaseStatus.IN_LITIGATION


class LitigationOutcomeRecorded(CaseEvent):
    TOPIC = TOPIC_PREFIX + "LitigationOutcomeRecorded"
    result: LitigationResult
    recovered_amount: Decimal
    outcome_date: date
    overdue: Decimal
    note: str

    def apply(self, aggregate: PositionState) -> None:
        case = self.case(aggregate)
        case.litigation_result = self.result
        case.close(CaseStatus.CLOSED_LITIGATION, self.outcome_date)


class LegalMilestoneRecorded(CaseEvent):
    """A step of the legal proceedings of a case in litigation, recorded by the legal team: its date,
    the court and docket number, an amount, the next deadline and the documents attached (their
    SHA-256; the bytes are kept apart, content-addressed). ``recorded_at`` is when it was recorded."""

    TOPIC = TOPIC_PREFIX + "LegalMilestoneRecorded"
    kind: LegalMilestoneKind
    occurred_on: date
    recorded_at: datetime
    court: str | None
    docket: str | None
    amount: Decimal | None
    next_deadline: date | None
    note: str
    documents: list[dict[str, str]]

    def milestone(self) -> LegalMilestone:
        return LegalMilestone(
            kind=self.kind,
            occurred_on=self.occurred_on,
            recorded_at=self.recorded_at,
            recorded_by=self.by,
            court=self.court,
            docket=self.docket,
            amount=self.amount,
            next_deadline=self.next_deadline,
            note=self.note,
            documents=tuple(document_of(d) for d in self.documents),
        )

    def apply(self, aggregate: PositionState) -> None:
        self.case(aggregate).record_legal_milestone(self.milestone())
