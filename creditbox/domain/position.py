"""The Position aggregate (*posizione creditoria*): one customer of one company.

Public methods *decide* (validate, detect no-op re-sends and conflicts) and *record* events; each
event is a class that applies itself (``position_events`` for master data, ``workflow.events``
for dunning), reading nothing but its own fields, so replaying the recorded events rebuilds the
same state. The dunning decisions are taken by ``creditbox.domain.workflow`` (the engine for
ticks, the case commands for operators), which returns them as data for the position to record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from creditbox.domain.allocation import Allocation, allocate, bill_order_key
from creditbox.domain.business_dates import DateWindow, check_in_range
from creditbox.domain.codes import CustomerType, Service, SupplyStatus, SupplyType
from creditbox.domain.company import CompanySettings
from creditbox.domain.documents import Bill, CustomerDetails, OpenItem, Payment, SupplyDetails
from creditbox.domain.errors import Conflict, Field, InvalidCommand, NotFound
from creditbox.domain.ids import normalise_company_code, position_id
from creditbox.domain.money import ZERO, money
from creditbox.domain.position_events import (
    BillIssued,
    CreditNoteIssued,
    CustomerDetailsChanged,
    PaymentReceived,
    PaymentReversed,
    SupplyDetailsChanged,
    SupplyRegistered,
    SupplyStatusChanged,
)
from creditbox.domain.recorded_events import POSITION_TOPIC_PREFIX, RecordedEvent, concrete_events
from creditbox.domain.workflow import commands, engine
from creditbox.domain.workflow.cases import Dunning, DunningCase
from creditbox.domain.workflow.decisions import Decisions
from creditbox.domain.workflow.ladder import TableVersion
from creditbox.domain.workflow.legal import LegalDocument, LegalMilestoneKind
from creditbox.domain.workflow.outcomes import LitigationResult, LockReason, Loss, StepOutcome, WriteOffKind

MAX_WORKFLOW_ROUNDS = 200


class WorkflowDoesNotSettle(RuntimeError):
    """The engine kept deciding for one business date: a bug in the actions table or the engine."""


T = POSITION_TOPIC_PREFIX


class Position(Aggregate):
    TOPIC = "creditbox.position.Position"
    # Every event class a position records besides its registration (``CustomerRegistered``).
    RECORDED_EVENTS: ClassVar[tuple[type[RecordedEvent], ...]] = concrete_events(T)

    class Created(Aggregate.Created):
        TOPIC = T + "Created"

    @classmethod
    def records(cls, event: object) -> bool:
        """Whether ``event`` is one a position records (its registration or any later event)."""
        return isinstance(event, cls.Event) or type(event) in cls.RECORDED_EVENTS

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

    def _record(self, event_class: type[RecordedEvent], *, by: str, **data: Any) -> None:
        """Record one event: trigger it (it applies itself) with who recorded it."""
        self.trigger_event(event_class, by=by, **data)

    def _record_all(self, decisions: Decisions, *, by: str) -> bool:
        """Record what the workflow decided, in order. Returns whether anything was decided."""
        for decision in decisions:
            self.trigger_event(decision.event, by=by, **decision.data)
        return bool(decisions)

    # ---- customer master data -------------------------------------------------------------

    def update_details(self, details: CustomerDetails, *, by: str) -> bool:
        if details == self.details:
            return False
        self._record(CustomerDetailsChanged, by=by, **details.as_event_data())
        return True

    # ---- supplies -------------------------------------------------------------------------

    def register_supply(self, supply: SupplyDetails, *, by: str) -> bool:
        existing = self.supplies.get(supply.code)
        if existing == supply:
            return False
        event_class = SupplyRegistered if existing is None else SupplyDetailsChanged
        self._record(event_class, by=by, **supply.as_event_data())
        return True

    def change_supply_status(self, code: str, status: SupplyStatus, reason: str, *, by: str) -> bool:
        supply = self.supply(code)
        if supply.status == status:
            return False
        self._record(SupplyStatusChanged, by=by, code=code, status=status, reason=reason)
        return True

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
        self._record(
            BillIssued if amount > ZERO else CreditNoteIssued,
            by=by,
            number=number,
            supply_code=supply_code,
            issue_date=issue_date,
            due_date=due_date,
            amount=amount,
        )
        return True

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
        self._record(
            PaymentReceived if amount > ZERO else PaymentReversed,
            by=by,
            payment_id=payment_id,
            payment_date=payment_date,
            amount=amount,
            bill_number=bill_number,
            method=method,
        )
        return True

    # ---- dunning: cases, steps, outcomes, locks, plans, write-offs, litigation ---------------
    # State lives in ``self.dunning`` (creditbox.domain.workflow.cases.Dunning). The workflow
    # decides — the engine for ticks, the case commands for operators — and returns decisions
    # (creditbox.domain.workflow.decisions); the methods below record them, and each event
    # (creditbox.domain.workflow.events) applies itself. Every decision event carries the business
    # date and the overdue amount it was made on; the engine's decisions also the table version
    # and row key. Each command returns False when it was already carried out (a retry is a no-op).

    def run_workflow(self, table: TableVersion, settings: CompanySettings, business_date: date, *, by: str) -> int:
        """Run everything due on ``business_date``: decide, record, decide again until nothing more
        is due. Returns the number of events recorded (0: nothing due)."""
        check_in_range(business_date, Field.BUSINESS_DATE, "data lavorativa")
        recorded = 0
        for _ in range(MAX_WORKFLOW_ROUNDS):
            decisions = engine.decide(self, table, settings, business_date)
            if not self._record_all(decisions, by=by):
                return recorded
            recorded += len(decisions)
        raise WorkflowDoesNotSettle(f"il flusso del cliente {self.customer_code} non si stabilizza al {business_date}")

    def case(self, case_id: str) -> DunningCase:
        try:
            return self.dunning.cases[case_id]
        except KeyError:
            raise NotFound(f"pratica {case_id!r} sconosciuta per il cliente {self.customer_code!r}") from None

    def confirm_proposal(self, case_id: str, seq: int, business_date: date, *, by: str) -> bool:
        return self._record_all(commands.confirm_proposal(self, case_id, seq, business_date), by=by)

    def discard_proposal(self, case_id: str, seq: int, business_date: date, note: str, *, by: str) -> bool:
        return self._record_all(commands.discard_proposal(self, case_id, seq, business_date, note), by=by)

    def approve_step(
        self, case_id: str, seq: int, level: int, settings: CompanySettings, business_date: date, *, by: str
    ) -> bool:
        return self._record_all(commands.approve_step(self, case_id, seq, level, settings, business_date), by=by)

    def refuse_step(self, case_id: str, seq: int, level: int, business_date: date, note: str, *, by: str) -> bool:
        return self._record_all(commands.refuse_step(self, case_id, seq, level, business_date, note), by=by)

    def record_outcome(
        self, case_id: str, seq: int, outcome: StepOutcome, outcome_date: date, note: str, *, by: str
    ) -> bool:
        if not self._record_all(commands.record_outcome(self, case_id, seq, outcome, outcome_date, note), by=by):
            return False
        self._record_all(commands.after_outcome(self, case_id, seq, outcome, outcome_date), by=by)
        return True

    def correct_outcome(
        self,
        case_id: str,
        seq: int,
        replaces: tuple[StepOutcome, date] | None,
        outcome: StepOutcome,
        outcome_date: date,
        reason: str,
        *,
        by: str,
    ) -> bool:
        """Supersede an outcome recorded by mistake (see ``commands.correct_outcome``)."""
        correction = commands.correct_outcome(self, case_id, seq, replaces, outcome, outcome_date, reason)
        if not self._record_all(correction, by=by):
            return False
        self._record_all(commands.after_outcome(self, case_id, seq, outcome, outcome_date), by=by)
        return True

    def record_reactivation_outcome(
        self, case_id: str, positive: bool, outcome_date: date, note: str, *, by: str
    ) -> bool:
        decisions = commands.record_reactivation_outcome(self, case_id, positive, outcome_date, note)
        return self._record_all(decisions, by=by)

    def set_lock(
        self, reason: LockReason, supply_code: str | None, start: date, until: date | None, note: str, *, by: str
    ) -> tuple[str, bool]:
        """Returns the lock id and whether it was new (the same lock sent again is not duplicated)."""
        lock_id, decisions = commands.set_lock(self, reason, supply_code, start, until, note)
        return lock_id, self._record_all(decisions, by=by)

    def lift_lock(self, lock_id: str, lifted_on: date, note: str, *, by: str) -> bool:
        return self._record_all(commands.lift_lock(self, lock_id, lifted_on, note), by=by)

    def agree_plan(self, case_id: str, schedule: list[tuple[date, Decimal]], business_date: date, *, by: str) -> bool:
        return self._record_all(commands.agree_plan(self, case_id, schedule, business_date), by=by)

    def request_write_off(
        self, case_id: str, kind: WriteOffKind, settlement_amount: Decimal, business_date: date, note: str, *, by: str
    ) -> bool:
        decisions = commands.request_write_off(self, case_id, kind, settlement_amount, business_date, note)
        return self._record_all(decisions, by=by)

    def approve_write_off(
        self, case_id: str, level: int, settings: CompanySettings, business_date: date, *, by: str
    ) -> bool:
        return self._record_all(commands.approve_write_off(self, case_id, level, settings, business_date), by=by)

    def refuse_write_off(self, case_id: str, level: int, business_date: date, note: str, *, by: str) -> bool:
        return self._record_all(commands.refuse_write_off(self, case_id, level, business_date, note), by=by)

    def hand_over_to_litigation(
        self, case_id: str, level: int, settings: CompanySettings, business_date: date, *, by: str
    ) -> bool:
        decisions = commands.hand_over_to_litigation(self, case_id, level, settings, business_date)
        return self._record_all(decisions, by=by)

    def record_litigation_outcome(
        self,
        case_id: str,
        result: LitigationResult,
        recovered_amount: Decimal,
        outcome_date: date,
        note: str,
        *,
        by: str,
    ) -> bool:
        decisions = commands.record_litigation_outcome(self, case_id, result, recovered_amount, outcome_date, note)
        return self._record_all(decisions, by=by)

    def record_legal_milestone(
        self,
        case_id: str,
        kind: LegalMilestoneKind,
        occurred_on: date,
        *,
        by: str,
        window: DateWindow,
        recorded_at: datetime,
        court: str | None = None,
        docket: str | None = None,
        amount: Decimal | None = None,
        next_deadline: date | None = None,
        note: str = "",
        documents: tuple[LegalDocument, ...] = (),
    ) -> bool:
        """A milestone of the legal proceedings of a case in litigation (see ``commands.record_legal_milestone``)."""
        decisions = commands.record_legal_milestone(
            self,
            case_id,
            kind,
            occurred_on,
            window=window,
            recorded_at=recorded_at,
            court=court,
            docket=docket,
            amount=amount,
            next_deadline=next_deadline,
            note=note,
            documents=documents,
        )
        return self._record_all(decisions, by=by)

    def record_send_failure(
        self,
        case_id: str,
        action_id: str,
        seq: int | None,
        channel: str,
        attempts: int,
        error: str,
        business_date: date,
        *,
        by: str,
    ) -> bool:
        """The channels could not carry out an executed action after ``attempts`` attempts."""
        decisions = commands.record_send_failure(self, case_id, action_id, seq, channel, attempts, error, business_date)
        return self._record_all(decisions, by=by)

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
