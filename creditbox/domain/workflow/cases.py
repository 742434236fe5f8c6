"""Dunning case state (*pratica di sollecito*) and its step records.

The Position aggregate holds one :class:`Dunning` value and its ``@event`` methods call the
``on_*`` mutators here with nothing but the event arguments, so replay rebuilds the same state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from creditbox.domain.codes import ActionCode
from creditbox.domain.workflow.locks import Lock
from creditbox.domain.workflow.outcomes import Loss, SkipReason, StepOutcome, WriteOffKind
from creditbox.domain.workflow.plans import Instalment, RepaymentPlan


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
    reactivation: str | None = None  # requested | done | failed
    litigation_result: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status.is_open

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

    # ---- mutators (called only from the Position's @event methods) -------------------------

    def on_case_opened(
        self,
        case_id: str,
        supply_code: str,
        ladder: str,
        table_version: int,
        row_key: str,
        threshold: Decimal,
        business_date: date,
        overdue: Decimal,
        bill_numbers: list[str],
    ) -> None:
        self.cases[case_id] = DunningCase(
            case_id=case_id,
            supply_code=supply_code,
            ladder=ladder,
            opened_on=business_date,
            threshold=threshold,
            opening_row_key=row_key,
            table_version=table_version,
            overdue_at_opening=overdue,
            bills=list(bill_numbers),
        )

    def on_step_decided(
        self,
        case_id: str,
        status: StepStatus,
        seq: int,
        row_key: str,
        table_version: int,
        action_code: ActionCode,
        description: str,
        business_date: date,
        overdue: Decimal,
        approval_level: int,
        wait_after_days: int,
        parameters: dict[str, str],
    ) -> StepRecord:
        record = StepRecord(
            seq=seq,
            row_key=row_key,
            table_version=table_version,
            action_code=action_code,
            description=description,
            status=status,
            business_date=business_date,
            overdue=overdue,
            approval_level=approval_level,
            wait_after_days=wait_after_days,
            parameters=dict(parameters),
        )
        self.cases[case_id].steps.append(record)
        return record

    def on_step_executed(
        self,
        case_id: str,
        seq: int,
        row_key: str,
        table_version: int,
        action_code: ActionCode,
        description: str,
        business_date: date,
        overdue: Decimal,
        approval_level: int,
        wait_after_days: int,
        parameters: dict[str, str],
    ) -> None:
        record = self.cases[case_id].step(seq)
        if record is None:
            record = self.on_step_decided(
                case_id,
                StepStatus.EXECUTED,
                seq,
                row_key,
                table_version,
                action_code,
                description,
                business_date,
                overdue,
                approval_level,
                wait_after_days,
                parameters,
            )
        record.status = StepStatus.EXECUTED
        record.executed_on = business_date

    def on_step_skipped(
        self,
        case_id: str,
        seq: int,
        row_key: str,
        table_version: int,
        action_code: ActionCode,
        description: str,
        business_date: date,
        overdue: Decimal,
        reason: SkipReason,
        detail: str,
    ) -> None:
        pending = self.cases[case_id].pending_step
        if pending is not None and pending.seq == seq:  # an approved step whose contact went missing before it ran
            pending.status = StepStatus.SKIPPED
            pending.business_date = business_date
            pending.skipped_reason = reason
            pending.skipped_detail = detail
            return
        record = self.on_step_decided(
            case_id,
            StepStatus.SKIPPED,
            seq,
            row_key,
            table_version,
            action_code,
            description,
            business_date,
            overdue,
            0,
            0,
            {},
        )
        record.skipped_reason = reason
        record.skipped_detail = detail

    def _pending(self, case_id: str, seq: int) -> StepRecord:
        record = self.cases[case_id].step(seq)
        assert record is not None
        return record

    def on_proposal_confirmed(self, case_id: str, seq: int) -> None:
        record = self._pending(case_id, seq)
        record.confirmed = True
        record.status = StepStatus.AWAITING_APPROVAL if record.approval_level > 0 else StepStatus.APPROVED

    def on_proposal_discarded(self, case_id: str, seq: int, business_date: date, note: str) -> None:
        record = self._pending(case_id, seq)
        record.status = StepStatus.SKIPPED
        record.business_date = business_date
        record.skipped_reason = SkipReason.DISCARDED
        record.skipped_detail = note

    def on_step_approved(self, case_id: str, seq: int) -> None:
        self._pending(case_id, seq).status = StepStatus.APPROVED

    def on_step_refused(self, case_id: str, seq: int, business_date: date, note: str) -> None:
        record = self._pending(case_id, seq)
        record.status = StepStatus.REFUSED
        record.business_date = business_date
        record.skipped_detail = note

    def on_outcome(self, case_id: str, seq: int, outcome: StepOutcome, outcome_date: date) -> None:
        self._pending(case_id, seq).outcomes.append((outcome, outcome_date))

    def on_outcome_corrected(
        self, case_id: str, seq: int, replaced: tuple[StepOutcome, date], outcome: tuple[StepOutcome, date]
    ) -> None:
        outcomes = self._pending(case_id, seq).outcomes
        outcomes[outcomes.index(replaced)] = outcome

    def on_status(self, case_id: str, status: CaseStatus) -> None:
        self.cases[case_id].status = status

    def on_closed(self, case_id: str, status: CaseStatus, business_date: date) -> None:
        case = self.cases[case_id]
        case.status = status
        case.closed_on = business_date
        if case.plan is not None:
            case.plan.status = "closed"

    def on_plan_agreed(
        self,
        case_id: str,
        business_date: date,
        instalments: list[dict[str, Any]],
        bill_numbers: list[str],
        by: str,
    ) -> None:
        case = self.cases[case_id]
        plan = RepaymentPlan(
            agreed_on=business_date,
            instalments=tuple(Instalment.from_event_data(i) for i in instalments),
            bills=tuple(bill_numbers),
            by=by,
        )
        case.plans.append(plan)
        case.status = CaseStatus.PAUSED

    def on_instalment_paid(self, case_id: str, number: int) -> None:
        plan = self.cases[case_id].plan
        assert plan is not None
        plan.paid.add(number)

    def on_plan_ended(self, case_id: str, plan_status: str, case_status: CaseStatus, business_date: date) -> None:
        case = self.cases[case_id]
        plan = case.plan
        assert plan is not None
        plan.status = plan_status
        case.status = case_status
        if not case_status.is_open:
            case.closed_on = business_date

    def on_write_off_requested(
        self,
        case_id: str,
        kind: WriteOffKind,
        amount: Decimal,
        settlement_amount: Decimal,
        business_date: date,
        by: str,
    ) -> None:
        self.cases[case_id].write_off_request = WriteOffRequest(kind, amount, settlement_amount, business_date, by)


_LOSSES = {
    CaseStatus.CLOSED_WRITTEN_OFF: Loss.WRITTEN_OFF,
    CaseStatus.CLOSED_SETTLED: Loss.WRITTEN_OFF,
    CaseStatus.CLOSED_LITIGATION: Loss.LITIGATION,
}
