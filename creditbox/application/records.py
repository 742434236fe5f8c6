"""The records the billing system feeds in (from Excel rows or the JSON feed), already parsed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from creditbox.domain.documents import CustomerDetails, SupplyDetails


@dataclass(frozen=True)
class CustomerRecord:
    customer_code: str
    details: CustomerDetails


@dataclass(frozen=True)
class SupplyRecord:
    customer_code: str
    supply: SupplyDetails


@dataclass(frozen=True)
class BillRecord:
    number: str
    customer_code: str
    supply_code: str
    issue_date: date
    due_date: date
    amount: Decimal


@dataclass(frozen=True)
class PaymentRecord:
    payment_id: str
    customer_code: str
    payment_date: date
    amount: Decimal
    bill_number: str | None = None
    method: str | None = None


Record = CustomerRecord | SupplyRecord | BillRecord | PaymentRecord


class Outcome(Enum):
    ACCEPTED = "accepted"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclass(frozen=True)
class RecordResult:
    outcome: Outcome
    reason: str | None = None
    column: str | None = None
