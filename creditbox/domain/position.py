"""The Position aggregate (*posizione creditoria*): one customer of one company.

Public methods *decide* (validate, detect no-op re-sends and conflicts); private ``@event``
methods *record*. Replaying the recorded events rebuilds the same state: the ``@event`` bodies
read nothing but their arguments.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from creditbox.domain.allocation import Allocation, allocate, bill_order_key
from creditbox.domain.codes import CustomerType, Service, SupplyStatus, SupplyType
from creditbox.domain.documents import Bill, CustomerDetails, OpenItem, Payment, SupplyDetails
from creditbox.domain.errors import Conflict, InvalidCommand, NotFound
from creditbox.domain.ids import normalise_company_code, position_id
from creditbox.domain.money import ZERO, money

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
            self._supply_registered(by=by, **supply.as_event_data())
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
            raise NotFound(f"fornitura {code!r} non appartiene al cliente {self.customer_code!r}") from None

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
            raise InvalidCommand("importo zero")
        if due_date < issue_date:
            raise InvalidCommand(f"scadenza {due_date:%d/%m/%Y} precedente all'emissione {issue_date:%d/%m/%Y}")
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
            self._bill_issued(by=by, **fields)
        else:
            self._credit_note_issued(by=by, **fields)
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
            raise InvalidCommand("importo zero")
        if bill_number is not None and bill_number not in self.bills:
            raise NotFound(f"bolletta {bill_number!r} sconosciuta per il cliente {self.customer_code!r}")
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
            self._payment_received(by=by, **fields)
        else:
            self._payment_reversed(by=by, **fields)
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
        residuals = self.allocation(as_of).residuals
        items = [
            OpenItem(b.number, b.supply_code, b.issue_date, b.due_date, b.amount, residuals[b.number])
            for b in sorted(self.bills.values(), key=bill_order_key)
            if b.number in residuals
            and residuals[b.number] > ZERO
            and (supply_code is None or b.supply_code == supply_code)
        ]
        return items

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


def _bill_summary(bill: Bill) -> str:
    return (
        f"fornitura {bill.supply_code}, emessa {bill.issue_date:%d/%m/%Y}, "
        f"scadenza {bill.due_date:%d/%m/%Y}, importo {bill.amount}"
    )


__all__ = ["CustomerType", "Position", "Service", "SupplyStatus", "SupplyType"]
