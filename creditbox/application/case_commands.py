"""Operator and supervisor commands on dunning cases (confirm, approve, outcomes, locks, plans,
write-off, litigation), for the CLI and the HTTP API.

Each command loads the position, lets the domain decide and record, then runs the engine for the
business date (default: today from the clock) so that what the command made due happens at once,
saves, and dispatches the resulting actions. The answer says whether anything changed: sending the
same command again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from creditbox.application.dunning import DunningService
from creditbox.domain.errors import Field
from creditbox.domain.position import Position
from creditbox.domain.workflow.outcomes import LitigationResult, LockReason, StepOutcome, WriteOffKind


@dataclass(frozen=True)
class CommandResult:
    changed: bool
    events: list[str] = field(default_factory=list)  # names of the events recorded, in order
    lock_id: str | None = None


class CaseCommands:
    def __init__(self, service: DunningService) -> None:
        self._service = service

    def _outcome_date(self, given: date | None) -> date:
        return self._service.business_date(given, Field.OUTCOME_DATE, "data esito")

    def _finish(
        self, position: Position, changed: bool, when: date, by: str, lock_id: str | None = None
    ) -> CommandResult:
        events = self._service.save_and_run(position, when, by=by)
        return CommandResult(changed, events, lock_id)

    # ---- proposals and approvals ----------------------------------------------------------

    def confirm_proposal(
        self, company: str, customer: str, case_id: str, seq: int, *, by: str, business_date: date | None = None
    ) -> CommandResult:
        position, when = self._service.load(company, customer), self._service.business_date(business_date)
        return self._finish(position, position.confirm_proposal(case_id, seq, when, by=by), when, by)

    def discard_proposal(
        self,
        company: str,
        customer: str,
        case_id: str,
        seq: int,
        note: str = "",
        *,
        by: str,
        business_date: date | None = None,
    ) -> CommandResult:
        position, when = self._service.load(company, customer), self._service.business_date(business_date)
        return self._finish(position, position.discard_proposal(case_id, seq, when, note, by=by), when, by)

    def approve_step(
        self,
        company: str,
        customer: str,
        case_id: str,
        seq: int,
        level: int,
        *,
        by: str,
        business_date: date | None = None,
    ) -> CommandResult:
        position, when = self._service.load(company, customer), self._service.business_date(business_date)
        settings = self._service.settings(position.company)
        changed = position.approve_step(case_id, seq, level, settings, when, by=by)
        return self._finish(position, changed, when, by)

    def refuse_step(
        self,
        company: str,
        customer: str,
        case_id: str,
        seq: int,
        level: int,
        note: str = "",
        *,
        by: str,
        business_date: date | None = None,
    ) -> CommandResult:
        position, when = self._service.load(company, customer), self._service.business_date(business_date)
        changed = position.refuse_step(case_id, seq, level, when, note, by=by)
        return self._finish(position, changed, when, by)

    # ---- outcomes -------------------------------------------------------------------------

    def record_outcome(
        self,
        company: str,
        customer: str,
        case_id: str,
        seq: int,
        outcome: StepOutcome,
        outcome_date: date | None = None,
        note: str = "",
        *,
        by: str,
    ) -> CommandResult:
        position, when = self._service.load(company, customer), self._outcome_date(outcome_date)
        changed = position.record_outcome(case_id, seq, outcome, when, note, by=by)
        return self._finish(position, changed, self._service.business_date(None), by)

    def correct_outcome(
        self,
        company: str,
        customer: str,
        case_id: str,
        seq: int,
        outcome: StepOutcome,
        outcome_date: date,
        reason: str,
        replaces: tuple[StepOutcome, date] | None = None,
        *,
        by: str,
    ) -> CommandResult:
        """Correct an outcome recorded by mistake (default: the step's latest): the new outcome
        supersedes it, with who and why; the case then follows the correction."""
        position = self._service.load(company, customer)
        when = self._outcome_date(outcome_date)
        changed = position.correct_outcome(case_id, seq, replaces, outcome, when, reason, by=by)
        return self._finish(position, changed, self._service.business_date(None), by)

    def record_reactivation(
        self,
        company: str,
        customer: str,
        case_id: str,
        positive: bool,
        outcome_date: date | None = None,
        note: str = "",
        *,
        by: str,
    ) -> CommandResult:
        position, when = self._service.load(company, customer), self._outcome_date(outcome_date)
        changed = position.record_reactivation_outcome(case_id, positive, when, note, by=by)
        return self._finish(position, changed, self._service.business_date(None), by)

    # ---- locks ----------------------------------------------------------------------------

    def set_lock(
        self,
        company: str,
        customer: str,
        reason: LockReason,
        supply_code: str | None = None,
        start: date | None = None,
        until: date | None = None,
        note: str = "",
        *,
        by: str,
    ) -> CommandResult:
        position = self._service.load(company, customer)
        when = self._service.business_date(start, Field.LOCK_START, "inizio del blocco")
        lock_id, changed = position.set_lock(reason, supply_code, when, until, note, by=by)
        return self._finish(position, changed, self._service.business_date(None), by, lock_id)

    def lift_lock(
        self,
        company: str,
        customer: str,
        lock_id: str,
        lifted_on: date | None = None,
        note: str = "",
        *,
        by: str,
    ) -> CommandResult:
        position = self._service.load(company, customer)
        when = self._service.business_date(lifted_on, Field.LIFTED_ON, "data di sblocco")
        changed = position.lift_lock(lock_id, when, note, by=by)
        return self._finish(position, changed, self._service.business_date(None), by, lock_id)

    # ---- plans, write-off, litigation ------------------------------------------------------

    def agree_plan(
        self,
        company: str,
        customer: str,
        case_id: str,
        instalments: list[tuple[date, Decimal]],
        *,
        by: str,
        business_date: date | None = None,
    ) -> CommandResult:
        position, when = self._service.load(company, customer), self._service.business_date(business_date)
        return self._finish(position, position.agree_plan(case_id, instalments, when, by=by), when, by)

    def request_write_off(
        self,
        company: str,
        customer: str,
        case_id: str,
        kind: WriteOffKind = WriteOffKind.WRITE_OFF,
        settlement_amount: Decimal = Decimal("0.00"),
        note: str = "",
        *,
        by: str,
        business_date: date | None = None,
    ) -> CommandResult:
        position, when = self._service.load(company, customer), self._service.business_date(business_date)
        changed = position.request_write_off(case_id, kind, settlement_amount, when, note, by=by)
        return self._finish(position, changed, when, by)

    def approve_write_off(
        self, company: str, customer: str, case_id: str, level: int, *, by: str, business_date: date | None = None
    ) -> CommandResult:
        position, when = self._service.load(company, customer), self._service.business_date(business_date)
        settings = self._service.settings(position.company)
        changed = position.approve_write_off(case_id, level, settings, when, by=by)
        return self._finish(position, changed, when, by)

    def refuse_write_off(
        self,
        company: str,
        customer: str,
        case_id: str,
        level: int,
        note: str = "",
        *,
        by: str,
        business_date: date | None = None,
    ) -> CommandResult:
        position, when = self._service.load(company, customer), self._service.business_date(business_date)
        changed = position.refuse_write_off(case_id, level, when, note, by=by)
        return self._finish(position, changed, when, by)

    def hand_over_to_litigation(
        self, company: str, customer: str, case_id: str, level: int, *, by: str, business_date: date | None = None
    ) -> CommandResult:
        position, when = self._service.load(company, customer), self._service.business_date(business_date)
        settings = self._service.settings(position.company)
        changed = position.hand_over_to_litigation(case_id, level, settings, when, by=by)
        return self._finish(position, changed, when, by)

    def record_litigation_outcome(
        self,
        company: str,
        customer: str,
        case_id: str,
        result: LitigationResult,
        recovered_amount: Decimal = Decimal("0.00"),
        outcome_date: date | None = None,
        note: str = "",
        *,
        by: str,
    ) -> CommandResult:
        position, when = self._service.load(company, customer), self._outcome_date(outcome_date)
        changed = position.record_litigation_outcome(case_id, result, recovered_amount, when, note, by=by)
        return self._finish(position, changed, self._service.business_date(None), by)
