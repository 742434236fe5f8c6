"""The movements of a statement of account (*movimenti*), in date order with running balances.

Bills, credit notes, payments and reversals, each with what it did to the bills' residuals in words
(*imputato a B1 150,00 €*): the position's allocation (``domain/allocation.py``) computed again after
each document, in date order, and compared with the one before — so the words say exactly what the
allocation says, a reversal re-opening bills included. Then the charges: the flat compensation of each
late bill (dated the day after its due date, when it became due) and the interest of each bill (dated
on the statement's date, the detail being on the interest lines). Principal and charges are kept
apart, and so are their running balances.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from creditbox.domain.allocation import allocate
from creditbox.domain.documents import Bill, Payment
from creditbox.domain.interest import ONE_DAY, BillInterest, InterestComputation
from creditbox.domain.money import ZERO, format_euro


class MovementKind(Enum):
    BILL = "Bolletta"
    CREDIT_NOTE = "Nota di credito"
    PAYMENT = "Pagamento"
    REVERSAL = "Storno pagamento"
    FLAT_COMPENSATION = "Indennizzo forfettario"
    INTEREST = "Interessi di mora"


# On one day: the documents first (bills before what pays them), then the charges.
_ORDER = {kind: index for index, kind in enumerate(MovementKind)}


@dataclass(frozen=True)
class Movement:
    """One line of the statement: principal debit/credit, or a charge of interest or compensation."""

    day: date
    kind: MovementKind
    document: str
    supply_code: str | None
    description: str
    debit: Decimal  # principal charged (a bill; a reversal puts the money back on the debt)
    credit: Decimal  # principal paid or credited
    interest: Decimal  # interest charged on this line
    compensation: Decimal  # flat compensation charged on this line
    principal_balance: Decimal  # running, principal only
    balance: Decimal  # running, principal + interest + compensation


@dataclass(frozen=True)
class _Line:
    day: date
    kind: MovementKind
    document: str
    supply_code: str | None
    description: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    interest: Decimal = ZERO
    compensation: Decimal = ZERO

    @property
    def key(self) -> tuple[date, int, str]:
        return (self.day, _ORDER[self.kind], self.document)


def statement_movements(
    bills: list[Bill], notes: list[Bill], payments: list[Payment], interest: InterestComputation
) -> list[Movement]:
    """Every movement in date order with the running balances."""
    lines = _document_lines(bills, notes, payments)
    supplies = {b.number: b.supply_code for b in bills}
    for bill_interest in interest.bills:
        lines += _charge_lines(bill_interest, supplies[bill_interest.bill_number], interest.until)
    movements: list[Movement] = []
    principal = total = ZERO
    for line in sorted(lines, key=lambda ln: ln.key):
        principal += line.debit - line.credit
        total += line.debit - line.credit + line.interest + line.compensation
        movements.append(
            Movement(
                line.day,
                line.kind,
                line.document,
                line.supply_code,
                line.description,
                line.debit,
                line.credit,
                line.interest,
                line.compensation,
                principal,
                total,
            )
        )
    return movements


@dataclass(frozen=True)
class _Document:
    day: date
    kind: MovementKind
    key: str
    bill: Bill | None = None
    payment: Payment | None = None


def _document_lines(bills: list[Bill], notes: list[Bill], payments: list[Payment]) -> list[_Line]:
    documents = [_Document(b.issue_date, MovementKind.BILL, b.number, bill=b) for b in bills]
    documents += [_Document(n.issue_date, MovementKind.CREDIT_NOTE, n.number, bill=n) for n in notes]
    documents += [
        _Document(
            p.payment_date, MovementKind.PAYMENT if p.amount > ZERO else MovementKind.REVERSAL, p.payment_id, payment=p
        )
        for p in payments
    ]
    documents.sort(key=lambda d: (d.day, _ORDER[d.kind], d.key))
    supplies = {b.number: b.supply_code for b in bills}
    known_bills: list[Bill] = []
    known_notes: list[Bill] = []
    known_payments: list[Payment] = []
    before: dict[str, Decimal] = {}
    lines: list[_Line] = []
    for document in documents:
        if document.bill is not None:
            (known_bills if document.kind is MovementKind.BILL else known_notes).append(document.bill)
        elif document.payment is not None:
            known_payments.append(document.payment)
        after = allocate(known_bills, known_notes, known_payments).residuals
        lines.append(_document_line(document, before, after, supplies))
        before = after
    return lines


def _document_line(
    document: _Document, before: dict[str, Decimal], after: dict[str, Decimal], supplies: dict[str, str]
) -> _Line:
    text = _allocation_text(document, before, after)
    if document.bill is not None:
        amount, on_supply = document.bill.amount, document.bill.supply_code
        if document.kind is MovementKind.BILL:
            return _Line(document.day, document.kind, document.key, on_supply, text, debit=amount)
        return _Line(document.day, document.kind, document.key, on_supply, text, credit=-amount)
    assert document.payment is not None
    payment = document.payment
    named = supplies.get(payment.bill_number) if payment.bill_number is not None else None
    if document.kind is MovementKind.PAYMENT:
        return _Line(document.day, document.kind, document.key, named, text, credit=payment.amount)
    return _Line(document.day, document.kind, document.key, named, text, debit=-payment.amount)


def _allocation_text(document: _Document, before: dict[str, Decimal], after: dict[str, Decimal]) -> str:
    """What the document did to the bills' residuals, in words (``… — imputato a B1 100,00 €; …``)."""
    applied: list[str] = []
    reopened: list[str] = []
    for number, residual in after.items():
        if document.kind is MovementKind.BILL and number == document.key:
            continue
        delta = residual - before.get(number, ZERO)
        if delta < ZERO:
            applied.append(f"{number} {format_euro(-delta)}")
        elif delta > ZERO:
            reopened.append(f"{number} {format_euro(delta)}")
    details: list[str] = []
    if document.bill is not None and document.kind is MovementKind.BILL:
        head = f"Bolletta {document.key}"
        covered = document.bill.amount - after.get(document.key, ZERO)
        if covered > ZERO:
            details.append(f"coperta dal credito del cliente per {format_euro(covered)}")
    elif document.kind is MovementKind.CREDIT_NOTE:
        head = f"Nota di credito {document.key}"
    else:
        assert document.payment is not None
        payment = document.payment
        method = f", {payment.method}" if payment.method else ""
        named = f" (indicata la bolletta {payment.bill_number})" if payment.bill_number else ""
        head = f"{document.kind.value} {document.key}{method}{named}"
    if applied:
        details.append("imputato a " + "; ".join(applied))
    if reopened:
        details.append("riapre " + "; ".join(reopened))
    if document.kind in (MovementKind.PAYMENT, MovementKind.CREDIT_NOTE) and not applied:
        details.append("a credito del cliente")
    return head + (" — " + ", ".join(details) if details else "")


def _charge_lines(bill_interest: BillInterest, supply: str, until: date) -> list[_Line]:
    number = bill_interest.bill_number
    lines: list[_Line] = []
    if bill_interest.flat_compensation > ZERO:
        lines.append(
            _Line(
                bill_interest.due_date + ONE_DAY,
                MovementKind.FLAT_COMPENSATION,
                number,
                supply,
                f"Bolletta {number} pagata oltre la scadenza (D.Lgs. 231/2002 art. 6)",
                compensation=bill_interest.flat_compensation,
            )
        )
    if bill_interest.interest > ZERO:
        first, last, count = bill_interest.lines[0].start, bill_interest.lines[-1].end, len(bill_interest.lines)
        lines.append(
            _Line(
                until,
                MovementKind.INTEREST,
                number,
                supply,
                f"Interessi sulla bolletta {number} dal {first:%d/%m/%Y} al {last:%d/%m/%Y} "
                f"({count} {'periodo' if count == 1 else 'periodi'}, vedi dettaglio interessi)",
                interest=bill_interest.interest,
            )
        )
    return lines
