"""The dunning engine: given a position, an actions-table version, the company settings and a
business date, decide what happens to each supply's case.

The decisions that depend on a setting (a case opened after the grace period, a step executed on
an allowed day, an instalment paid or missed within the tolerances, a hand-over to litigation)
record ``settings_version``: the version of the company settings that decided them.

``decide`` is a pure function returning :class:`~creditbox.domain.workflow.decisions.Decision`
values (the dunning event to record and its data); ``Position.run_workflow`` records them and
decides again until nothing more is due, so running the same business date twice records nothing
the second time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from creditbox.domain.actions import ActionRow, StepMode
from creditbox.domain.allocation import Allocation
from creditbox.domain.business_dates import add_days
from creditbox.domain.codes import ActionCode, SupplyStatus
from creditbox.domain.company import CompanySettings
from creditbox.domain.documents import SupplyDetails
from creditbox.domain.workflow import events
from creditbox.domain.workflow.amounts import SupplyDebt, residual_of, supply_debt
from creditbox.domain.workflow.calendar import SuspensionCalendar
from creditbox.domain.workflow.cases import CaseStatus, DunningCase, StepRecord, StepStatus
from creditbox.domain.workflow.decisions import Decision
from creditbox.domain.workflow.ladder import (
    TableVersion,
    choose_ladder,
    choose_row,
    contact_for,
    due_date,
    is_interruption,
    is_suspendable,
    missing_contact_detail,
    next_seq,
)
from creditbox.domain.workflow.outcomes import SkipReason, WriteOffKind
from creditbox.domain.workflow.view import PositionView


def decide(
    position: PositionView, table: TableVersion, settings: CompanySettings, business_date: date
) -> list[Decision]:
    """What is due on ``business_date``: at most one group of decisions per supply."""
    allocation = position.allocation(business_date)
    calendar = SuspensionCalendar(settings)
    decisions: list[Decision] = []
    for code in sorted(position.supplies):
        decisions.extend(decide_supply(position, table, settings, business_date, code, allocation, calendar))
    return decisions


def decide_supply(
    position: PositionView,
    table: TableVersion,
    settings: CompanySettings,
    business_date: date,
    supply_code: str,
    allocation: Allocation | None = None,
    calendar: SuspensionCalendar | None = None,
) -> list[Decision]:
    """What is due on ``business_date`` for one supply (``decide`` asks it of each supply in turn).
    ``allocation`` (the position's as of ``business_date``) and ``calendar`` are computed when not given."""
    if allocation is None:
        allocation = position.allocation(business_date)
    calendar = calendar or SuspensionCalendar(settings)
    return _Context(position, table, settings, calendar, business_date, allocation, supply_code).decide()


@dataclass(frozen=True)
class _Origin:
    """Where a step comes from: its place on the ladder and the actions-table row it was read from."""

    seq: int
    row_key: str
    table_version: int
    action_code: ActionCode
    description: str

    def as_data(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "row_key": self.row_key,
            "table_version": self.table_version,
            "action_code": self.action_code,
            "description": self.description,
        }


@dataclass
class _Context:
    position: PositionView
    table: TableVersion
    settings: CompanySettings
    calendar: SuspensionCalendar
    today: date
    allocation: Allocation
    supply_code: str

    def _decided_after_today(self) -> bool:
        """Business dates only move forward: once a decision on this supply was made for a later
        date, a run for an earlier one (a tick re-run for a past day) decides nothing, instead of
        reopening, as of that past day, what was settled since."""
        cases = self.position.dunning.cases_of(self.supply_code)
        return any(case.decided_until > self.today for case in cases)

    @property
    def supply(self) -> SupplyDetails:
        return self.position.supplies[self.supply_code]

    def decide(self) -> list[Decision]:
        if self._decided_after_today():
            return []
        debt = supply_debt(self.position, self.supply_code, self.today, self.allocation)
        case = self.position.dunning.open_case(self.supply_code)
        if case is None:
            return self._maybe_open(debt)
        joined = [b for b in debt.bills if b not in case.bills]
        if joined:
            return [self._d(events.BillsJoinedCase, case, debt, bill_numbers=joined)]
        if case.plan is not None:
            plan_decisions = self._plan(case, debt)
            if plan_decisions:
                return plan_decisions
        if debt.overdue < case.threshold:
            return self._close_as_paid(case, debt)
        if case.status != CaseStatus.OPEN:
            return []
        if self.position.dunning.active_locks(self.today, self.supply_code):
            return []
        pending = case.pending_step
        if pending is not None:
            if pending.status == StepStatus.APPROVED:
                return self._execute_approved(case, pending, debt)
            return []
        return self._next_step(case, debt)

    # ---- opening and closing --------------------------------------------------------------

    def _maybe_open(self, debt: SupplyDebt) -> list[Decision]:
        if debt.oldest_due is None:
            return []
        if (self.today - debt.oldest_due).days < max(self.settings.grace_period_days, 1):
            return []
        row = choose_ladder(self.table, self.position.details, self.supply)
        if row is None or debt.overdue < row.threshold:
            return []
        return [
            Decision(
                events.DunningCaseOpened,
                {
                    "case_id": self.position.dunning.next_case_id(self.supply_code),
                    "supply_code": self.supply_code,
                    "ladder": row.ladder,
                    "table_version": self.table.version,
                    "row_key": row.key,
                    "threshold": row.threshold,
                    "business_date": self.today,
                    "overdue": debt.overdue,
                    "bill_numbers": list(debt.bills),
                    "oldest_due_date": debt.oldest_due,
                    "settings_version": self.settings.version,
                },
            )
        ]

    def _close_as_paid(self, case: DunningCase, debt: SupplyDebt) -> list[Decision]:
        decisions = [
            Decision(
                events.CaseClosedAsPaid,
                {
                    "case_id": case.case_id,
                    "table_version": self.table.version,
                    "row_key": case.opening_row_key,
                    "threshold": case.threshold,
                    "business_date": self.today,
                    "overdue": debt.overdue,
                },
            )
        ]
        if self.supply.status == SupplyStatus.SUSPENDED:
            decisions.append(
                self._d(
                    events.ReactivationRequested,
                    case,
                    debt,
                    action_id=self._action_id(case, "riattivazione"),
                    supply_code=self.supply_code,
                )
            )
        return decisions

    # ---- repayment plans -----------------------------------------------------------------

    def _plan(self, case: DunningCase, debt: SupplyDebt) -> list[Decision]:
        plan = case.plan
        assert plan is not None
        instalment = plan.next_unpaid()
        if instalment is None:
            return [self._d(events.RepaymentPlanCompleted, case, debt)]
        paid = plan.total - residual_of(plan.bills, self.allocation)
        expected = plan.covered_up_to(instalment.number)
        base = {"case_id": case.case_id, "number": instalment.number, "due_date": instalment.due_date}
        version = {"settings_version": self.settings.version}
        if paid + self.settings.instalment_tolerance_amount >= expected:
            return [Decision(events.InstalmentPaid, {**base, "business_date": self.today, "paid": paid, **version})]
        if self.today > add_days(instalment.due_date, self.settings.instalment_tolerance_days):
            missed = {**base, "business_date": self.today, "paid": paid, "expected": expected, **version}
            return [Decision(events.InstalmentMissed, missed), self._d(events.RepaymentPlanBroken, case, debt)]
        return []

    # ---- steps ----------------------------------------------------------------------------

    def _next_step(self, case: DunningCase, debt: SupplyDebt) -> list[Decision]:
        seq = next_seq(self.table, case.ladder, case.last_seq)
        if seq is None:
            return [
                Decision(
                    events.LadderExhausted,
                    {
                        "case_id": case.case_id,
                        "table_version": self.table.version,
                        "last_seq": case.last_seq,
                        "business_date": self.today,
                        "overdue": debt.overdue,
                    },
                )
            ]
        choice = choose_row(self.table, case.ladder, seq, self.position.details, self.supply, debt.overdue)
        row = choice.row
        due = due_date(case, row)
        if due.on is None:
            return []
        on = due.on
        interruption = is_interruption(row.action_code, row.parameter("tech"))
        if interruption:
            on = self.calendar.next_allowed(on)
        if on > self.today:
            return []
        if choice.skip is not None:
            return [self._skip(case, row, debt, choice.skip, choice.detail)]
        if interruption and not is_suspendable(self.position.details, self.supply):
            detail = f"{self.supply.supply_type.label}, cliente {self.position.details.customer_type.label}"
            return [self._skip(case, row, debt, SkipReason.NOT_SUSPENDABLE, detail)]
        recipient, missing = contact_for(row.action_code, self.position.details)
        if missing is not None:
            return [self._skip(case, row, debt, missing, missing_contact_detail(missing, self.position.details))]
        step = self._step_data(case, row, debt, on)
        if row.mode == StepMode.PROPOSAL:
            return [Decision(events.StepProposed, step)]
        if row.approval_level > 0:
            return [Decision(events.ApprovalRequested, step)]
        if interruption and self.calendar.is_forbidden(self.today):
            return []
        return self._execute(case, step, row.action_code, debt, recipient)

    def _execute_approved(self, case: DunningCase, pending: StepRecord, debt: SupplyDebt) -> list[Decision]:
        interruption = is_interruption(pending.action_code, pending.tech)
        if interruption and not is_suspendable(self.position.details, self.supply):
            # The supply changed since the proposal: suspension is never requested for it.
            return [self._skip_recorded(case, pending, debt, SkipReason.NOT_SUSPENDABLE, self.supply.supply_type.label)]
        if interruption and self.calendar.is_forbidden(self.today):
            return []
        recipient, missing = contact_for(pending.action_code, self.position.details)
        if missing is not None:
            # The contact was removed since the proposal: skipped onto the missing-contacts worklist.
            detail = missing_contact_detail(missing, self.position.details)
            return [self._skip_pending(case, pending, debt, missing, detail)]
        origin = _Origin(pending.seq, pending.row_key, pending.table_version, pending.action_code, pending.description)
        step = self._step_fields(
            case,
            origin,
            debt,
            pending.business_date,
            pending.approval_level,
            pending.wait_after_days,
            pending.parameters,
        )
        return self._execute(case, step, pending.action_code, debt, recipient)

    def _execute(
        self, case: DunningCase, step: dict[str, Any], code: ActionCode, debt: SupplyDebt, recipient: str | None
    ) -> list[Decision]:
        executed = {
            **step,
            "action_id": self._action_id(case, str(step["seq"])),
            "supply_code": self.supply_code,
            "recipient": recipient,
            "settings_version": self.settings.version,
        }
        decisions = [Decision(events.StepExecuted, executed)]
        ref = {"table_version": step["table_version"], "row_key": step["row_key"]}
        if code == ActionCode.LITIGATION:
            decisions.append(
                self._d(
                    events.HandedOverToLitigation,
                    case,
                    debt,
                    seq=step["seq"],
                    level=None,
                    settings_version=self.settings.version,
                    **ref,
                )
            )
        elif code == ActionCode.WRITE_OFF_REQUEST:
            decisions.append(
                self._d(
                    events.CaseWrittenOff,
                    case,
                    debt,
                    kind=WriteOffKind.WRITE_OFF,
                    amount=debt.overdue,
                    settlement_amount=Decimal("0.00"),
                    **ref,
                )
            )
        return decisions

    def _step_data(self, case: DunningCase, row: ActionRow, debt: SupplyDebt, due: date) -> dict[str, Any]:
        origin = _Origin(row.seq, row.key, self.table.version, row.action_code, row.description)
        return self._step_fields(case, origin, debt, due, row.approval_level, row.wait_after_days, dict(row.parameters))

    def _step_fields(
        self,
        case: DunningCase,
        origin: _Origin,
        debt: SupplyDebt,
        due: date,
        approval_level: int,
        wait_after_days: int,
        parameters: Mapping[str, str],
    ) -> dict[str, Any]:
        return {
            "case_id": case.case_id,
            **origin.as_data(),
            "business_date": self.today,
            "due_date": due,
            "overdue": debt.overdue,
            "approval_level": approval_level,
            "wait_after_days": wait_after_days,
            "parameters": dict(parameters),
        }

    def _skip(self, case: DunningCase, row: ActionRow, debt: SupplyDebt, reason: SkipReason, detail: str) -> Decision:
        origin = _Origin(row.seq, row.key, self.table.version, row.action_code, row.description)
        return self._skip_step(case, origin, debt, reason, detail)

    def _skip_pending(
        self, case: DunningCase, pending: StepRecord, debt: SupplyDebt, reason: SkipReason, detail: str
    ) -> Decision:
        origin = _Origin(pending.seq, pending.row_key, pending.table_version, pending.action_code, pending.description)
        return self._skip_step(case, origin, debt, reason, detail)

    def _skip_step(
        self, case: DunningCase, origin: _Origin, debt: SupplyDebt, reason: SkipReason, detail: str
    ) -> Decision:
        return self._d(events.StepSkipped, case, debt, **origin.as_data(), reason=reason, detail=detail)

    def _skip_recorded(
        self, case: DunningCase, pending: StepRecord, debt: SupplyDebt, reason: SkipReason, detail: str
    ) -> Decision:
        return Decision(
            events.ProposalDiscarded,
            {
                "case_id": case.case_id,
                "seq": pending.seq,
                "business_date": self.today,
                "overdue": debt.overdue,
                "note": f"{reason.label}: {detail}",
            },
        )

    # ---- helpers --------------------------------------------------------------------------

    def _d(self, event: type[events.DunningEvent], case: DunningCase, debt: SupplyDebt, **data: Any) -> Decision:
        return Decision(event, {"case_id": case.case_id, "business_date": self.today, "overdue": debt.overdue, **data})

    def _action_id(self, case: DunningCase, step: str) -> str:
        return f"{self.position.company}/{self.position.customer_code}/{case.case_id}/{step}"
