"""Repayment plans (*piani di rientro*): instalments that pause a case.

An instalment counts as paid once the money paid towards the plan's bills covers it and every
instalment before it. It is missed when, ``tolerance_days`` after its due date, it is still not
covered: the plan is broken and the case resumes at its next step. When every instalment is
paid the plan is completed and the case closes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from creditbox.domain.business_dates import check_in_range
from creditbox.domain.errors import Field, InvalidCommand
from creditbox.domain.money import ZERO, money


@dataclass(frozen=True)
class Instalment:
    number: int
    due_date: date
    amount: Decimal

    def as_event_data(self) -> dict[str, object]:
        return {"number": self.number, "due_date": self.due_date, "amount": self.amount}

    @classmethod
    def from_event_data(cls, data: dict[str, object]) -> Instalment:
        due = data["due_date"]
        assert isinstance(due, date)
        return cls(int(str(data["number"])), due, money(str(data["amount"])))


class PlanStatus(StrEnum):
    RUNNING = "running"
    BROKEN = "broken"  # an instalment was missed: the case resumes its ladder
    COMPLETED = "completed"  # every instalment paid: the case closes
    CLOSED = "closed"  # the case closed otherwise while the plan ran


@dataclass
class RepaymentPlan:
    agreed_on: date
    instalments: tuple[Instalment, ...]
    bills: tuple[str, ...]
    by: str
    paid: set[int] = field(default_factory=set)
    status: PlanStatus = PlanStatus.RUNNING

    @property
    def total(self) -> Decimal:
        return money(sum((i.amount for i in self.instalments), ZERO))

    @property
    def is_running(self) -> bool:
        return self.status == PlanStatus.RUNNING

    def covered_up_to(self, number: int) -> Decimal:
        return money(sum((i.amount for i in self.instalments if i.number <= number), ZERO))

    def next_unpaid(self) -> Instalment | None:
        return next((i for i in self.instalments if i.number not in self.paid), None)


def build_instalments(agreed_on: date, schedule: list[tuple[date, Decimal]]) -> tuple[Instalment, ...]:
    """Validate a schedule of (due date, amount) and number it from 1."""
    if not schedule:
        raise InvalidCommand("il piano di rientro deve avere almeno una rata")
    instalments: list[Instalment] = []
    previous: date | None = None
    for number, (due, amount) in enumerate(schedule, start=1):
        amount = money(amount)
        check_in_range(due, Field.DUE_DATE, f"rata {number}: scadenza")
        if amount <= ZERO:
            raise InvalidCommand(f"rata {number}: importo deve essere positivo", field=Field.AMOUNT)
        if due < agreed_on:
            raise InvalidCommand(f"rata {number}: scadenza {due:%d/%m/%Y} precedente all'accordo", field=Field.DUE_DATE)
        if previous is not None and due <= previous:
            raise InvalidCommand(f"rata {number}: scadenze in ordine crescente", field=Field.DUE_DATE)
        previous = due
        instalments.append(Instalment(number, due, amount))
    return tuple(instalments)


def split_evenly(total: Decimal, count: int, first_due: date, every_months: int = 1) -> list[tuple[date, Decimal]]:
    """``count`` monthly instalments summing to ``total`` (the last takes the rounding)."""
    if count < 1:
        raise InvalidCommand("numero di rate almeno 1")
    total = money(total)
    base = money(total / count)
    amounts = [base] * (count - 1) + [money(total - base * (count - 1))]
    return [(_add_months(first_due, k * every_months), a) for k, a in enumerate(amounts)]


def _add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` (the month's last day when shorter), never past ``date.max``."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")
