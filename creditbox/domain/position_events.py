"""The master-data events of a position: customer details, supplies, bills, payments.

Each is a frozen dataclass with an explicit topic and applies itself to the position's state from
nothing but its own fields. The customer's registration (``CustomerRegistered``) is the
Position's constructor; the dunning events are in ``creditbox.domain.workflow.events``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Protocol

from creditbox.domain.codes import CustomerType, Service, SupplyStatus, SupplyType
from creditbox.domain.documents import Bill, CustomerDetails, Payment, SupplyDetails
from creditbox.domain.recorded_events import POSITION_TOPIC_PREFIX as TOPIC_PREFIX
from creditbox.domain.recorded_events import RecordedEvent


class MasterData(Protocol):
    """What a master-data event changes on the position it is applied to."""

    details: CustomerDetails
    supplies: dict[str, SupplyDetails]
    bills: dict[str, Bill]
    credit_notes: dict[str, Bill]
    payments: dict[str, Payment]


class CustomerDetailsChanged(RecordedEvent):
    TOPIC = TOPIC_PREFIX + "CustomerDetailsChanged"
    name: str
    customer_type: CustomerType
    fiscal_code: str | None
    vat_number: str | None
    email: str | None
    pec: str | None
    mobile: str | None
    address: str | None
    postcode: str | None
    city: str | None
    province: str | None

    def apply(self, aggregate: MasterData) -> None:
        aggregate.details = CustomerDetails(
            self.name,
            self.customer_type,
            self.fiscal_code,
            self.vat_number,
            self.email,
            self.pec,
            self.mobile,
            self.address,
            self.postcode,
            self.city,
            self.province,
        )


class SupplyEvent(RecordedEvent):
    """A supply's details, registered or changed."""

    code: str
    service: Service
    supply_type: SupplyType
    status: SupplyStatus
    meter: str | None
    address: str | None

    def apply(self, aggregate: MasterData) -> None:
        aggregate.supplies[self.code] = SupplyDetails(
            self.code, self.service, self.supply_type, self.status, self.meter, self.address
        )


class SupplyRegistered(SupplyEvent):
    TOPIC = TOPIC_PREFIX + "SupplyRegistered"


class SupplyDetailsChanged(SupplyEvent):
    TOPIC = TOPIC_PREFIX + "SupplyDetailsChanged"


class SupplyStatusChanged(RecordedEvent):
    TOPIC = TOPIC_PREFIX + "SupplyStatusChanged"
    code: str
    status: SupplyStatus
    reason: str

    def apply(self, aggregate: MasterData) -> None:
        aggregate.supplies[self.code] = replace(aggregate.supplies[self.code], status=self.status)


class DocumentEvent(RecordedEvent):
    """A bill or a credit note: what the billing system issued."""

    number: str
    supply_code: str
    issue_date: date
    due_date: date
    amount: Decimal

    def bill(self) -> Bill:
        return Bill(self.number, self.supply_code, self.issue_date, self.due_date, self.amount)


class BillIssued(DocumentEvent):
    TOPIC = TOPIC_PREFIX + "BillIssued"

    def apply(self, aggregate: MasterData) -> None:
        aggregate.bills[self.number] = self.bill()


class CreditNoteIssued(DocumentEvent):
    TOPIC = TOPIC_PREFIX + "CreditNoteIssued"

    def apply(self, aggregate: MasterData) -> None:
        aggregate.credit_notes[self.number] = self.bill()


class PaymentEvent(RecordedEvent):
    """Money received (positive) or reversed (negative)."""

    payment_id: str
    payment_date: date
    amount: Decimal
    bill_number: str | None
    method: str | None

    def apply(self, aggregate: MasterData) -> None:
        aggregate.payments[self.payment_id] = Payment(
            self.payment_id, self.payment_date, self.amount, self.bill_number, self.method
        )


class PaymentReceived(PaymentEvent):
    TOPIC = TOPIC_PREFIX + "PaymentReceived"


class PaymentReversed(PaymentEvent):
    TOPIC = TOPIC_PREFIX + "PaymentReversed"
