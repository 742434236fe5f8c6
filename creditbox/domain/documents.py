"""The documents a position holds: customer details, supplies, bills, credit notes, payments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from creditbox.domain.codes import CustomerType, Service, SupplyStatus, SupplyType


@dataclass(frozen=True)
class CustomerDetails:
    """*Anagrafica cliente*: the master data the billing system sends."""

    name: str
    customer_type: CustomerType
    fiscal_code: str | None = None
    vat_number: str | None = None
    email: str | None = None
    pec: str | None = None
    mobile: str | None = None
    address: str | None = None
    postcode: str | None = None
    city: str | None = None
    province: str | None = None

    def as_event_data(self) -> dict[str, Any]:
        return {"name": self.name, "customer_type": self.customer_type, **self.contacts()}

    def contacts(self) -> dict[str, str | None]:
        """Fiscal identifiers, e-mail, PEC, mobile and address, by field name."""
        return {
            "fiscal_code": self.fiscal_code,
            "vat_number": self.vat_number,
            "email": self.email,
            "pec": self.pec,
            "mobile": self.mobile,
            "address": self.address,
            "postcode": self.postcode,
            "city": self.city,
            "province": self.province,
        }


@dataclass(frozen=True)
class SupplyDetails:
    """*Fornitura*: a point of supply (POD, PDR, water meter) of one customer."""

    code: str
    service: Service
    supply_type: SupplyType
    status: SupplyStatus = SupplyStatus.ACTIVE
    meter: str | None = None
    address: str | None = None

    def as_event_data(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "service": self.service,
            "supply_type": self.supply_type,
            "status": self.status,
            "meter": self.meter,
            "address": self.address,
        }


@dataclass(frozen=True)
class Bill:
    """*Bolletta*. A negative amount is a credit note (*nota di credito*), kept apart."""

    number: str
    supply_code: str
    issue_date: date
    due_date: date
    amount: Decimal


@dataclass(frozen=True)
class Payment:
    """*Pagamento*. A negative amount is a reversal (*storno*, e.g. a returned direct debit)."""

    payment_id: str
    payment_date: date
    amount: Decimal
    bill_number: str | None = None
    method: str | None = None

    @property
    def is_reversal(self) -> bool:
        return self.amount < 0


@dataclass(frozen=True)
class OpenItem:
    """A bill with what is still owed on it (*partita aperta*)."""

    bill_number: str
    supply_code: str
    issue_date: date
    due_date: date
    amount: Decimal
    residual: Decimal

    def days_overdue(self, as_of: date) -> int:
        return max(0, (as_of - self.due_date).days)
