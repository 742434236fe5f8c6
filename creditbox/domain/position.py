"""The Position aggregate (*posizione creditoria*): one customer of one company.

Public methods *decide* (validate, detect no-op re-sends and conflicts); private ``@event``
methods *record*. Replaying the recorded events rebuilds the same state: the ``@event`` bodies
read nothing but their arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from creditbox.domain.allocation import Allocation, allocate, bill_order_key
from creditbox.domain.business_dates import check_in_range
from creditbox.domain.codes import ActionCode, CustomerType, Service, SupplyStatus, SupplyType
from creditbox.domain.company import CompanySettings
from creditbox.domain.documents import Bill, CustomerDetails, OpenItem, Payment, SupplyDetails
from creditbox.domain.errors import Conflict, Field, InvalidCommand, NotFound
from creditbox.domain.ids import normalise_company_code, position_id
from creditbox.domain.money import ZERO, money
from creditbox.domain.workflow import engine
from creditbox.domain.workflow.cases import CaseStatus, Dunning, DunningCase, StepStatus
from creditbox.domain.workflow.ladder import TableVersion
from creditbox.domain.workflow.locks import Lock
from creditbox.domain.workflow.outcomes import (
    LitigationResult,
    LockReason,
    Loss,
    SkipReason,
    StepOutcome,
    WriteOffKind,
)

T = "creditbox.position."


class Position(Aggregate):
    TOPIC = "creditbox.position.Position"

    class Created(Aggregate.Created):
        TOPIC = T + "Created"

    @staticmethod
    def create_id(company: str, customer_code: str, **_: Any) -> UUID:
        return position_id(company, customer_code)

    @classmethod
    def register(cls, company: str, customer_code: str, details: CustomerDetails, *, by: str) -> Position:
        code = customer_code.strip()
        if not code:
            raise InvalidCommand("codice cliente mancante")
        company = normalise_company_code(company)
        return cls(by=by, company=company, customer_code=code, **details.as_event_data())

    @event("CustomerRegistered", topic=T + "CustomerRegistered")
    def __init__(
        self,
        by: str,
        company: str,
        customer_code: str,
        name: str,
        customer_type: CustomerType,
        fiscal_code: str | None,
        vat_number: str | None,
        email: str | None,
        pec: str | None,
        mobile: str | None,
        address: str | None,
        postcode: str | None,
        city: str | None,
        province: str | None,
    ) -> None:
        self.company = company
        self.customer_code = customer_code
        self.details = CustomerDetails(
            name,
            customer_type,
            fiscal_code,
            vat_number,
            email,
            pec,
            mobile,
            address,
            postcode,
            city,
            province,
        )
        self.supplies: dict[str, SupplyDetails] = {}
        self.bills: dict[str, Bill] = {}
        self.credit_notes: dict[str, Bill] = {}
        self.payments: dict[str, Payment] = {}
        self.dunning = Dunning()

    def _record(self, event_name: str, **kwargs: Any) -> None:
        """Trigger the event class that an ``@event`` method defines, without the decorator's
        argument coercion (twice as fast; the import records hundreds of thousands of these).
        Applying the event still runs the decorated method, exactly as on replay."""
        self.trigger_event(getattr(type(self), event_name), **kwargs)

    # ---- customer master data -------------------------------------------------------------

    def update_details(self, details: CustomerDetails, *, by: str) -> bool:
        if details == self.details:
            return False
        self._details_changed(by=by, **details.as_event_data())
        return True

    @event("CustomerDetailsChanged", topic=T + "CustomerDetailsChanged")
    def _details_changed(
        self,
        by: str,
        name: str,
        customer_type: CustomerType,
        fiscal_code: str | None,
        vat_number: str | None,
        email: str | None,
        pec: str | None,
        mobile: str | None,
        address: str | None,
        postcode: str | None,
        city: str | None,
        province: str | None,
    ) -> None:
        self.details = CustomerDetails(
            name,
            customer_type,
            fiscal_code,
            vat_number,
            email,
            pec,
            mobile,
            address,
            postcode,
            city,
            province,
        )

    # ---- supplies -------------------------------------------------------------------------

    def register_supply(self, supply: SupplyDetails, *, by: str) -> bool:
        existing = self.supplies.get(supply.code)
        if existing == supply:
            return False
        if existing is None:
            self._record("SupplyRegistered", by=by, **supply.as_event_data())
        else:
            self._supply_details_changed(by=by, **supply.as_event_data())
        return True

    @event("SupplyRegistered", topic=T + "SupplyRegistered")
    def _supply_registered(
        self,
        by: str,
        code: str,
        service: Service,
        supply_type: SupplyType,
        status: SupplyStatus,
        meter: str | None,
        address: str | None,
    ) -> None:
        self.supplies[code] = SupplyDetails(code, service, supply_type, status, meter, address)

    @event("SupplyDetailsChanged", topic=T + "SupplyDetailsChanged")
    def _supply_details_changed(
        self,
        by: str,
        code: str,
        service: Service,
        supply_type: SupplyType,
        status: SupplyStatus,
        meter: str | None,
        address: str | None,
    ) -> None:
        self.supplies[code] = SupplyDetails(code, service, supply_type, status, meter, address)

    def change_supply_status(self, code: str, status: SupplyStatus, reason: str, *, by: str) -> bool:
        supply = self.supply(code)
        if supply.status == status:
            return False
        self._supply_status_changed(by=by, code=code, status=status, reason=reason)
        return True

    @event("SupplyStatusChanged", topic=T + "SupplyStatusChanged")
    def _supply_status_changed(self, by: str, code: str, status: SupplyStatus, reason: str) -> None:
        old = self.supplies[code]
        self.supplies[code] = SupplyDetails(
            code=old.code,
            service=old.service,
            supply_type=old.supply_type,
            status=status,
            meter=old.meter,
            address=old.address,
        )

    def supply(self, code: str) -> SupplyDetails:
        try:
            return self.supplies[code]
        except KeyError:
            raise NotFound(
                f"fornitura {code!r} non appartiene al cliente {self.customer_code!r}", field=Field.SUPPLY
            ) from None

    # ---- bills and credit notes -----------------------------------------------------------

    def issue_bill(
        self, number: str, supply_code: str, issue_date: date, due_date: date, amount: Decimal, *, by: str
    ) -> bool:
        """Record a bill (positive amount) or a credit note (negative). Re-sending is a no-op."""
        amount = money(amount)
        number = number.strip()
        if not number:
            raise InvalidCommand("numero bolletta mancante")
        if amount == ZERO:
            raise InvalidCommand("importo zero", field=Field.AMOUNT)
        check_in_range(issue_date, Field.ISSUE_DATE, "data di emissione")
        check_in_range(due_date, Field.DUE_DATE, "scadenza")
        if due_date < issue_date:
            raise InvalidCommand(
                f"scadenza {due_date:%d/%m/%Y} precedente all'emissione {issue_date:%d/%m/%Y}", field=Field.DUE_DATE
            )
        self.supply(supply_code)
        candidate = Bill(number, supply_code, issue_date, due_date, amount)
        existing = self.bills.get(number) or self.credit_notes.get(number)
        if existing is not None:
            if existing == candidate:
                return False
            raise Conflict(f"bolletta {number!r} già presente con dati diversi ({_bill_summary(existing)})")
        fields: dict[str, Any] = {
            "number": number,
            "supply_code": supply_code,
            "issue_date": issue_date,
            "due_date": due_date,
            "amount": amount,
        }
        if amount > ZERO:
            self._record("BillIssued", by=by, **fields)
        else:
            self._record("CreditNoteIssued", by=by, **fields)
        return True

    @event("BillIssued", topic=T + "BillIssued")
    def _bill_issued(
        self, by: str, number: str, supply_code: str, issue_date: date, due_date: date, amount: Decimal
    ) -> None:
        self.bills[number] = Bill(number, supply_code, issue_date, due_date, amount)

    @event("CreditNoteIssued", topic=T + "CreditNoteIssued")
    def _credit_note_issued(
        self, by: str, number: str, supply_code: str, issue_date: date, due_date: date, amount: Decimal
    ) -> None:
        self.credit_notes[number] = Bill(number, supply_code, issue_date, due_date, amount)

    # ---- payments -------------------------------------------------------------------------

    def receive_payment(
        self,
        payment_id: str,
        payment_date: date,
        amount: Decimal,
        bill_number: str | None = None,
        method: str | None = None,
        *,
        by: str,
    ) -> bool:
        """Record a payment (positive) or a reversal (negative). Re-sending is a no-op."""
        amount = money(amount)
        payment_id = payment_id.strip()
        if not payment_id:
            raise InvalidCommand("id pagamento mancante")
        if amount == ZERO:
            raise InvalidCommand("importo zero", field=Field.AMOUNT)
        check_in_range(payment_date, Field.PAYMENT_DATE, "data di pagamento")
        if bill_number is not None and bill_number not in self.bills:
            raise NotFound(
                f"bolletta {bill_number!r} sconosciuta per il cliente {self.customer_code!r}", field=Field.BILL
            )
        candidate = Payment(payment_id, payment_date, amount, bill_number, method)
        existing = self.payments.get(payment_id)
        if existing is not None:
            if existing == candidate:
                return False
            raise Conflict(f"pagamento {payment_id!r} già presente con dati diversi")
        fields: dict[str, Any] = {
            "payment_id": payment_id,
            "payment_date": payment_date,
            "amount": amount,
            "bill_number": bill_number,
            "method": method,
        }
        if amount > ZERO:
            self._record("PaymentReceived", by=by, **fields)
        else:
            self._record("PaymentReversed", by=by, **fields)
        return True

    @event("PaymentReceived", topic=T + "PaymentReceived")
    def _payment_received(
        self,
        by: str,
        payment_id: str,
        payment_date: date,
        amount: Decimal,
        bill_number: str | None,
        method: str | None,
    ) -> None:
        self.payments[payment_id] = Payment(payment_id, payment_date, amount, bill_number, method)

    @event("PaymentReversed", topic=T + "PaymentReversed")
    def _payment_reversed(
        self,
        by: str,
        payment_id: str,
        payment_date: date,
        amount: Decimal,
        bill_number: str | None,
        method: str | None,
    ) -> None:
        self.payments[payment_id] = Payment(payment_id, payment_date, amount, bill_number, method)

    # ---- dunning: cases, steps, outcomes, locks, plans, write-offs, litigation ---------------
    # State lives in ``self.dunning`` (creditbox.domain.workflow.cases.Dunning); the decisions are
    # taken by creditbox.domain.workflow (engine for ticks, commands for operators), which call the
    # private @event methods below. Every decision event carries the business date and the
    # overdue amount it was made on; the engine's decisions also the table version and row key.

    def run_workflow(self, table: TableVersion, settings: CompanySettings, business_date: date, *, by: str) -> int:
        """Run everything due on ``business_date``. Returns the number of events recorded (0: nothing due)."""
        check_in_range(business_date, Field.BUSINESS_DATE, "data lavorativa")
        return engine.run(self, table, settings, business_date, by=by)

    def case(self, case_id: str) -> DunningCase:
        try:
            return self.dunning.cases[case_id]
        except KeyError:
            raise NotFound(f"pratica {case_id!r} sconosciuta per il cliente {self.customer_code!r}") from None

    @event("DunningCaseOpened", topic=T + "DunningCaseOpened")
    def _case_opened(
        self,
        by: str,
        case_id: str,
        supply_code: str,
        ladder: str,
        table_version: int,
        row_key: str,
        threshold: Decimal,
        business_date: date,
        overdue: Decimal,
        bill_numbers: list[str],
        oldest_due_date: date,
        settings_version: int | None = None,
    ) -> None:
        self.dunning.on_case_opened(
            case_id, supply_code, ladder, table_version, row_key, threshold, business_date, overdue, bill_numbers
        )

    @event("BillsJoinedCase", topic=T + "BillsJoinedCase")
    def _bills_joined_case(
        self, by: str, case_id: str, bill_numbers: list[str], business_date: date, overdue: Decimal
    ) -> None:
        self.dunning.cases[case_id].bills.extend(bill_numbers)

    @event("StepProposed", topic=T + "StepProposed")
    def _step_proposed(
        self,
        by: str,
        case_id: str,
        seq: int,
        row_key: str,
        table_version: int,
        action_code: ActionCode,
        description: str,
        business_date: date,
        due_date: date,
        overdue: Decimal,
        approval_level: int,
        wait_after_days: int,
        parameters: dict[str, str],
    ) -> None:
        self.dunning.on_step_decided(
            case_id,
            StepStatus.PROPOSED,
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

    @event("ApprovalRequested", topic=T + "ApprovalRequested")
    def _approval_requested(
        self,
        by: str,
        case_id: str,
        seq: int,
        row_key: str,
        table_version: int,
        action_code: ActionCode,
        description: str,
        business_date: date,
        due_date: date,
        overdue: Decimal,
        approval_level: int,
        wait_after_days: int,
        parameters: dict[str, str],
    ) -> None:
        self.dunning.on_step_decided(
            case_id,
            StepStatus.AWAITING_APPROVAL,
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

    @event("StepExecuted", topic=T + "StepExecuted")
    def _step_executed(
        self,
        by: str,
        case_id: str,
        action_id: str,
        supply_code: str,
        seq: int,
        row_key: str,
        table_version: int,
        action_code: ActionCode,
        description: str,
        business_date: date,
        due_date: date,
        overdue: Decimal,
        approval_level: int,
        wait_after_days: int,
        parameters: dict[str, str],
        recipient: str | None,
        settings_version: int | None = None,
    ) -> None:
        self.dunning.on_step_executed(
            case_id,
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

    @event("StepSkipped", topic=T + "StepSkipped")
    def _step_skipped(
        self,
        by: str,
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
        self.dunning.on_step_skipped(
            case_id, seq, row_key, table_version, action_code, description, business_date, overdue, reason, detail
        )

    @event("ProposalConfirmed", topic=T + "ProposalConfirmed")
    def _proposal_confirmed(self, by: str, case_id: str, seq: int, business_date: date, overdue: Decimal) -> None:
        self.dunning.on_proposal_confirmed(case_id, seq)

    @event("ProposalDiscarded", topic=T + "ProposalDiscarded")
    def _proposal_discarded(
        self, by: str, case_id: str, seq: int, business_date: date, overdue: Decimal, note: str
    ) -> None:
        self.dunning.on_proposal_discarded(case_id, seq, business_date, note)

    @event("StepApproved", topic=T + "StepApproved")
    def _step_approved(
        self,
        by: str,
        case_id: str,
        seq: int,
        level: int,
        business_date: date,
        overdue: Decimal,
        settings_version: int | None = None,
    ) -> None:
        self.dunning.on_step_approved(case_id, seq)

    @event("StepRefused", topic=T + "StepRefused")
    def _step_refused(
        self, by: str, case_id: str, seq: int, level: int, business_date: date, overdue: Decimal, note: str
    ) -> None:
        self.dunning.on_step_refused(case_id, seq, business_date, note)

    @event("OutcomeRecorded", topic=T + "OutcomeRecorded")
    def _outcome_recorded(
        self, by: str, case_id: str, seq: int, outcome: StepOutcome, outcome_date: date, note: str
    ) -> None:
        self.dunning.on_outcome(case_id, seq, outcome, outcome_date)

    @event("OutcomeCorrected", topic=T + "OutcomeCorrected")
    def _outcome_corrected(
        self,
        by: str,
        case_id: str,
        seq: int,
        replaced_outcome: StepOutcome,
        replaced_date: date,
        outcome: StepOutcome,
        outcome_date: date,
        reason: str,
    ) -> None:
        self.dunning.on_outcome_corrected(case_id, seq, (replaced_outcome, replaced_date), (outcome, outcome_date))

    @event("DeliveryFailed", topic=T + "DeliveryFailed")
    def _delivery_failed(
        self, by: str, case_id: str, seq: int, action_code: ActionCode, outcome: StepOutcome, outcome_date: date
    ) -> None:
        pass  # the outcome is already on the step; this event puts the failure on a worklist

    @event("LadderExhausted", topic=T + "LadderExhausted")
    def _ladder_exhausted(
        self, by: str, case_id: str, table_version: int, last_seq: int, business_date: date, overdue: Decimal
    ) -> None:
        self.dunning.on_status(case_id, CaseStatus.LADDER_EXHAUSTED)

    @event("CaseClosedAsPaid", topic=T + "CaseClosedAsPaid")
    def _case_closed_as_paid(
        self,
        by: str,
        case_id: str,
        table_version: int,
        row_key: str,
        threshold: Decimal,
        business_date: date,
        overdue: Decimal,
    ) -> None:
        self.dunning.on_closed(case_id, CaseStatus.CLOSED_PAID, business_date)

    @event("ReactivationRequested", topic=T + "ReactivationRequested")
    def _reactivation_requested(
        self, by: str, case_id: str, action_id: str, supply_code: str, business_date: date, overdue: Decimal
    ) -> None:
        self.dunning.cases[case_id].reactivation = "requested"
        self._set_supply_status(supply_code, SupplyStatus.TO_BE_REACTIVATED)

    @event("SupplyReactivated", topic=T + "SupplyReactivated")
    def _supply_reactivated(self, by: str, case_id: str, supply_code: str, outcome_date: date, note: str) -> None:
        self.dunning.cases[case_id].reactivation = "done"
        self._set_supply_status(supply_code, SupplyStatus.ACTIVE)

    @event("ReactivationFailed", topic=T + "ReactivationFailed")
    def _reactivation_failed(self, by: str, case_id: str, supply_code: str, outcome_date: date, note: str) -> None:
        self.dunning.cases[case_id].reactivation = "failed"

    @event("SupplySuspended", topic=T + "SupplySuspended")
    def _supply_suspended(self, by: str, case_id: str, seq: int, supply_code: str, outcome_date: date) -> None:
        self._set_supply_status(supply_code, SupplyStatus.SUSPENDED)

    @event("LockSet", topic=T + "LockSet")
    def _lock_set(
        self,
        by: str,
        lock_id: str,
        reason: LockReason,
        supply_code: str | None,
        start: date,
        until: date | None,
        note: str,
    ) -> None:
        self.dunning.locks[lock_id] = Lock(lock_id, reason, supply_code, start, until, note, by)

    @event("LockLifted", topic=T + "LockLifted")
    def _lock_lifted(self, by: str, lock_id: str, lifted_on: date, note: str) -> None:
        self.dunning.locks[lock_id].lifted_on = lifted_on

    @event("RepaymentPlanAgreed", topic=T + "RepaymentPlanAgreed")
    def _plan_agreed(
        self,
        by: str,
        case_id: str,
        business_date: date,
        overdue: Decimal,
        total: Decimal,
        instalments: list[dict[str, Any]],
        bill_numbers: list[str],
    ) -> None:
        self.dunning.on_plan_agreed(case_id, business_date, instalments, bill_numbers, by)

    @event("InstalmentPaid", topic=T + "InstalmentPaid")
    def _instalment_paid(
        self,
        by: str,
        case_id: str,
        number: int,
        due_date: date,
        business_date: date,
        paid: Decimal,
        settings_version: int | None = None,
    ) -> None:
        self.dunning.on_instalment_paid(case_id, number)

    @event("InstalmentMissed", topic=T + "InstalmentMissed")
    def _instalment_missed(
        self,
        by: str,
        case_id: str,
        number: int,
        due_date: date,
        business_date: date,
        paid: Decimal,
        expected: Decimal,
        settings_version: int | None = None,
    ) -> None:
        pass  # RepaymentPlanBroken follows in the same decision

    @event("RepaymentPlanBroken", topic=T + "RepaymentPlanBroken")
    def _plan_broken(self, by: str, case_id: str, business_date: date, overdue: Decimal) -> None:
        self.dunning.on_plan_ended(case_id, "broken", CaseStatus.OPEN, business_date)

    @event("RepaymentPlanCompleted", topic=T + "RepaymentPlanCompleted")
    def _plan_completed(self, by: str, case_id: str, business_date: date, overdue: Decimal) -> None:
        self.dunning.on_plan_ended(case_id, "completed", CaseStatus.CLOSED_PLAN_COMPLETED, business_date)

    @event("WriteOffRequested", topic=T + "WriteOffRequested")
    def _write_off_requested(
        self,
        by: str,
        case_id: str,
        kind: WriteOffKind,
        amount: Decimal,
        settlement_amount: Decimal,
        business_date: date,
        overdue: Decimal,
        note: str,
    ) -> None:
        self.dunning.on_write_off_requested(case_id, kind, amount, settlement_amount, business_date, by)

    @event("WriteOffApproved", topic=T + "WriteOffApproved")
    def _write_off_approved(
        self,
        by: str,
        case_id: str,
        kind: WriteOffKind,
        level: int,
        amount: Decimal,
        business_date: date,
        settings_version: int | None = None,
    ) -> None:
        pass  # CaseWrittenOff follows and closes the case

    @event("WriteOffRefused", topic=T + "WriteOffRefused")
    def _write_off_refused(
        self, by: str, case_id: str, kind: WriteOffKind, level: int, business_date: date, note: str
    ) -> None:
        self.dunning.cases[case_id].write_off_request = None

    @event("CaseWrittenOff", topic=T + "CaseWrittenOff")
    def _case_written_off(
        self,
        by: str,
        case_id: str,
        kind: WriteOffKind,
        amount: Decimal,
        settlement_amount: Decimal,
        business_date: date,
        overdue: Decimal,
        table_version: int | None,
        row_key: str | None,
    ) -> None:
        status = CaseStatus.CLOSED_SETTLED if kind == WriteOffKind.SETTLEMENT else CaseStatus.CLOSED_WRITTEN_OFF
        self.dunning.on_closed(case_id, status, business_date)

    @event("HandedOverToLitigation", topic=T + "HandedOverToLitigation")
    def _handed_over_to_litigation(
        self,
        by: str,
        case_id: str,
        seq: int | None,
        table_version: int | None,
        row_key: str | None,
        level: int | None,
        business_date: date,
        overdue: Decimal,
        settings_version: int | None = None,
    ) -> None:
        self.dunning.on_status(case_id, CaseStatus.IN_LITIGATION)

    @event("LitigationOutcomeRecorded", topic=T + "LitigationOutcomeRecorded")
    def _litigation_outcome_recorded(
        self,
        by: str,
        case_id: str,
        result: LitigationResult,
        recovered_amount: Decimal,
        outcome_date: date,
        overdue: Decimal,
        note: str,
    ) -> None:
        self.dunning.cases[case_id].litigation_result = result.value
        self.dunning.on_closed(case_id, CaseStatus.CLOSED_LITIGATION, outcome_date)

    def _set_supply_status(self, code: str, status: SupplyStatus) -> None:
        old = self.supplies[code]
        self.supplies[code] = SupplyDetails(old.code, old.service, old.supply_type, status, old.meter, old.address)

    # ---- queries --------------------------------------------------------------------------

    def allocation(self, as_of: date | None = None) -> Allocation:
        """Allocation of the documents known on ``as_of`` (all of them when ``None``)."""
        if as_of is None:
            return allocate(self.bills.values(), self.credit_notes.values(), self.payments.values())
        return allocate(
            (b for b in self.bills.values() if b.issue_date <= as_of),
            (n for n in self.credit_notes.values() if n.issue_date <= as_of),
            (p for p in self.payments.values() if p.payment_date <= as_of),
        )

    def balance(self, as_of: date | None = None) -> Decimal:
        """What the customer owes (negative: the customer is in credit)."""
        allocation = self.allocation(as_of)
        return money(sum(allocation.residuals.values(), ZERO) - allocation.credit)

    def open_items(self, as_of: date | None = None, supply_code: str | None = None) -> list[OpenItem]:
        """The bills with something still owed and still in collection: bills of a case closed by a
        write-off, a settlement or a litigation outcome are left out (see ``lost_items``)."""
        lost = self.dunning.lost_bills(as_of)
        return [i for i in self._unpaid(as_of, supply_code) if i.bill_number not in lost]

    def lost_items(self, as_of: date | None = None) -> list[LostItem]:
        """The unpaid bills taken out of collection (*stralciato*, *perdita da contenzioso*)."""
        return self.split_items(as_of)[1]

    def split_items(self, as_of: date | None = None) -> tuple[list[OpenItem], list[LostItem]]:
        """The unpaid bills in collection and those out of it, computed once."""
        lost = self.dunning.lost_bills(as_of)
        unpaid = self._unpaid(as_of, None)
        live = [i for i in unpaid if i.bill_number not in lost]
        return live, [LostItem(i, lost[i.bill_number]) for i in unpaid if i.bill_number in lost]

    def losses(self, as_of: date | None = None) -> dict[Loss, Decimal]:
        """What is unpaid on the bills taken out of collection, by reason (every reason, zero when none)."""
        totals = dict.fromkeys(Loss, ZERO)
        for lost in self.lost_items(as_of):
            totals[lost.loss] = money(totals[lost.loss] + lost.item.residual)
        return totals

    def _unpaid(self, as_of: date | None, supply_code: str | None) -> list[OpenItem]:
        residuals = self.allocation(as_of).residuals
        return [
            OpenItem(b.number, b.supply_code, b.issue_date, b.due_date, b.amount, residuals[b.number])
            for b in sorted(self.bills.values(), key=bill_order_key)
            if b.number in residuals
            and residuals[b.number] > ZERO
            and (supply_code is None or b.supply_code == supply_code)
        ]

    def overdue(self, as_of: date, supply_code: str | None = None) -> Decimal:
        """Sum of residuals of bills whose due date is before ``as_of``."""
        return money(sum((i.residual for i in self.open_items(as_of, supply_code) if i.due_date < as_of), ZERO))

    def overdue_by_supply(self, as_of: date) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {code: ZERO for code in self.supplies}
        for item in self.open_items(as_of):
            if item.due_date < as_of:
                totals[item.supply_code] = totals.get(item.supply_code, ZERO) + item.residual
        return totals

    def oldest_unpaid_due_date(self, as_of: date, supply_code: str | None = None) -> date | None:
        dues = [i.due_date for i in self.open_items(as_of, supply_code) if i.due_date < as_of]
        return min(dues) if dues else None


@dataclass(frozen=True)
class LostItem:
    """An unpaid bill out of collection, and why."""

    item: OpenItem
    loss: Loss


def _bill_summary(bill: Bill) -> str:
    return (
        f"fornitura {bill.supply_code}, emessa {bill.issue_date:%d/%m/%Y}, "
        f"scadenza {bill.due_date:%d/%m/%Y}, importo {bill.amount}"
    )


__all__ = ["CustomerType", "Position", "Service", "SupplyStatus", "SupplyType"]
