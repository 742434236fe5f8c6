"""What a supply owes for dunning purposes on a business date.

Overdue = residuals of the supply's bills due before the date, leaving out bills already taken
out of dunning by a write-off, a settlement or a litigation outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from creditbox.domain.allocation import Allocation, bill_order_key
from creditbox.domain.money import ZERO, money
from creditbox.domain.workflow.view import PositionView


@dataclass(frozen=True)
class SupplyDebt:
    supply_code: str
    overdue: Decimal
    bills: tuple[str, ...]  # overdue bills, oldest due first
    oldest_due: date | None


def supply_debt(
    position: PositionView, supply_code: str, as_of: date, allocation: Allocation | None = None
) -> SupplyDebt:
    allocation = allocation if allocation is not None else position.allocation(as_of)
    excluded = position.dunning.settled_bills(supply_code)
    bills = sorted(
        (
            b
            for b in position.bills.values()
            if b.supply_code == supply_code
            and b.due_date < as_of
            and b.number not in excluded
            and allocation.residuals.get(b.number, ZERO) > ZERO
        ),
        key=bill_order_key,
    )
    total = money(sum((allocation.residuals[b.number] for b in bills), ZERO))
    return SupplyDebt(supply_code, total, tuple(b.number for b in bills), bills[0].due_date if bills else None)


def residual_of(bills: tuple[str, ...] | list[str], allocation: Allocation) -> Decimal:
    return money(sum((allocation.residuals.get(b, ZERO) for b in bills), ZERO))
