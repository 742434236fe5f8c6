"""Small builders for tests: a position with supplies, bills and payments, in few lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from creditbox.domain.codes import CustomerType, Service, SupplyStatus, SupplyType
from creditbox.domain.documents import CustomerDetails, SupplyDetails
from creditbox.domain.position import Position

BY = "test"


def details(
    name: str = "Mario Rossi", customer_type: CustomerType = CustomerType.DOMESTIC, **extra: str
) -> CustomerDetails:
    return CustomerDetails(name=name, customer_type=customer_type, **extra)  # type: ignore[arg-type]


def supply(
    code: str = "S1",
    service: Service = Service.WATER,
    supply_type: SupplyType = SupplyType.SUSPENDABLE,
    status: SupplyStatus = SupplyStatus.ACTIVE,
) -> SupplyDetails:
    return SupplyDetails(code=code, service=service, supply_type=supply_type, status=status)


def a_position(company: str = "ACQ", customer: str = "C1", supplies: tuple[str, ...] = ("S1",)) -> Position:
    position = Position.register(company, customer, details(), by=BY)
    for code in supplies:
        position.register_supply(supply(code), by=BY)
    return position


def bill(
    position: Position, number: str, due: date, amount: str, supply_code: str = "S1", issued: date | None = None
) -> bool:
    return position.issue_bill(number, supply_code, issued or due.replace(day=1), due, Decimal(amount), by=BY)


def pay(position: Position, payment_id: str, paid: date, amount: str, bill_number: str | None = None) -> bool:
    return position.receive_payment(payment_id, paid, Decimal(amount), bill_number, by=BY)
