"""Allocation of payments and credit notes to bills: a pure function of the documents.

Rules (``DESIGN.md`` §3):
1. a payment that names its bill goes to that bill first (reversals naming a bill take back from it);
2. everything else (unnamed payments, credit notes, what a named payment left over) pays the open
   bills oldest-due first;
3. what is left is a credit of the customer; if reversals take back more than was allocated,
   the newest-due bills are re-opened first.

Because it is recomputed from the set of documents, the result does not depend on the order the
documents arrived in, and ``sum(residuals) - credit == bills - credit notes - payments + reversals``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from creditbox.domain.documents import Bill, Payment
from creditbox.domain.money import ZERO


@dataclass(frozen=True)
class Allocation:
    residuals: dict[str, Decimal]
    credit: Decimal  # unallocated money of the customer (>= 0)


def bill_order_key(bill: Bill) -> tuple[object, ...]:
    return (bill.due_date, bill.issue_date, bill.number)


def allocate(bills: Iterable[Bill], credit_notes: Iterable[Bill], payments: Iterable[Payment]) -> Allocation:
    ordered = sorted(bills, key=bill_order_key)
    residuals: dict[str, Decimal] = {bill.number: bill.amount for bill in ordered}
    named: dict[str, Decimal] = {}
    pool = ZERO
    for payment in payments:
        if payment.bill_number is not None and payment.bill_number in residuals:
            named[payment.bill_number] = named.get(payment.bill_number, ZERO) + payment.amount
        else:
            pool += payment.amount
    for note in credit_notes:
        pool += -note.amount  # credit notes are stored with their negative sign
    for number, amount in named.items():
        applied = min(max(amount, ZERO), residuals[number])
        residuals[number] -= applied
        pool += amount - applied
    if pool > ZERO:
        for bill in ordered:
            if pool <= ZERO:
                break
            applied = min(pool, residuals[bill.number])
            residuals[bill.number] -= applied
            pool -= applied
    elif pool < ZERO:
        for bill in reversed(ordered):
            if pool >= ZERO:
                break
            reopened = min(-pool, bill.amount - residuals[bill.number])
            residuals[bill.number] += reopened
            pool += reopened
    # A negative pool left here means reversals of money never received: it is owed too.
    return Allocation(residuals=residuals, credit=pool)
