"""The statement of account (*estratto conto*) of one customer on a date.

Everything the customer was charged and paid up to the date asked, in date order: bills, credit notes,
payments and reversals — each payment and credit note with the bills it was allocated to (the
position's own allocation, ``domain/allocation.py``, replayed document by document) — then the flat
compensation of each late bill and the interest of each bill (``domain/interest.py``), principal and
interest apart, with the running balances. Beside it: one summary line per bill (paid, residual, days
late, interest, compensation, the two-year limitation flag of ``domain/limitation.py``) and the
interest lines per bill and rate period.

Built from the position in the event store as it is now, keeping the documents dated up to the date
asked (issue date, payment date): a payment of 28 February recorded on 5 March is in a statement as of
1 March. Rendering (Excel, PDF) is the ``StatementRenderer`` port's, wired at the composition root.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol

from creditbox.domain.allocation import allocate
from creditbox.domain.codes import CustomerType, Service
from creditbox.domain.documents import Bill, Payment
from creditbox.domain.errors import InvalidCommand
from creditbox.domain.interest import (
    ONE_DAY,
    BillInterest,
    InterestComputation,
    InterestLine,
    RateGap,
    RateTable,
    Regime,
    compute_interest,
    regime_of,
)
from creditbox.domain.limitation import LAW, LimitationStatus, limitation_status
from creditbox.domain.money import ZERO, format_euro
from creditbox.domain.position import Position


class StatementFormat(Enum):
    JSON = "json"
    XLSX = "xlsx"
    PDF = "pdf"

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self]


_MEDIA_TYPES = {
    StatementFormat.JSON: "application/json",
    StatementFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    StatementFormat.PDF: "application/pdf",
}


class MovementKind(Enum):
    BILL = "Bolletta"
    CREDIT_NOTE = "Nota di credito"
    PAYMENT = "Pagamento"
    REVERSAL = "Storno pagamento"
    FLAT_COMPENSATION = "Indennizzo forfettario"
    INTEREST = "Interessi di mora"


_ORDER = {kind: index for index, kind in enumerate(MovementKind)}


@dataclass(frozen=True)
class Movement:
    """One line of the statement: principal debit/credit, or a charge of interest or compensation."""

    day: date
    kind: MovementKind
    document: str
    supply_code: str | None
    description: str
    debit: Decimal  # principal charged (bill; a reversal gives money back to the customer's debt)
    credit: Decimal  # principal paid or credited
    interest: Decimal  # interest charged on this line
    compensation: Decimal  # flat compensation charged on this line
    principal_balance: Decimal  # running, principal only
    balance: Decimal  # running, principal + interest + compensation


@dataclass(frozen=True)
class StatementBill:
    """A bill on the statement's date: what was charged, settled and is owed, late-payment charges, limitation."""

    number: str
    supply_code: str
    service: Service | None
    issue_date: date
    due_date: date
    amount: Decimal
    residual: Decimal
    days_late: int  # days from the due date to the date asked, while something was owed on it
    interest: Decimal
    compensation: Decimal
    limitation: LimitationStatus | None  # None: the supply's service is unknown

    @property
    def settled(self) -> Decimal:
        return self.amount - self.residual

    @property
    def time_barred(self) -> bool:
        return self.limitation is not None and self.limitation.time_barred


@dataclass(frozen=True)
class Statement:
    company: str
    company_name: str
    customer_code: str
    customer_name: str
    customer_type: CustomerType
    fiscal_code: str | None
    vat_number: str | None
    as_of: date
    regime: Regime
    bills: tuple[StatementBill, ...]
    movements: tuple[Movement, ...]
    interest: InterestComputation
    credit: Decimal  # money of the customer not allocated to any bill
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def billed(self) -> Decimal:
        return sum((m.debit for m in self.movements if m.kind is MovementKind.BILL), ZERO)

    @property
    def credited(self) -> Decimal:
        return sum((m.credit for m in self.movements if m.kind is MovementKind.CREDIT_NOTE), ZERO)

    @property
    def paid(self) -> Decimal:
        """Payments net of reversals."""
        payments = (m for m in self.movements if m.kind in (MovementKind.PAYMENT, MovementKind.REVERSAL))
        return sum((m.credit - m.debit for m in payments), ZERO)

    @property
    def principal(self) -> Decimal:
        """What the customer owes on the bills (negative: in credit): billed − credited − paid."""
        return self.billed - self.credited - self.paid

    @property
    def interest_total(self) -> Decimal:
        return self.interest.interest

    @property
    def compensation_total(self) -> Decimal:
        return self.interest.flat_compensation

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest_total + self.compensation_total

    @property
    def time_barred(self) -> list[StatementBill]:
        return [b for b in self.bills if b.time_barred and b.residual > ZERO]

    @property
    def interest_lines(self) -> list[InterestLine]:
        return self.interest.lines

    @property
    def gaps(self) -> list[RateGap]:
        return self.interest.gaps


class StatementRenderer(Protocol):
    def __call__(self, statement: Statement) -> bytes: ...


class PositionSource(Protocol):
    def load(self, company: str, customer_code: str) -> Position: ...


class CompanyNames(Protocol):
    def require(self, code: str) -> str: ...


class StatementService:
    """Builds a customer's statement and renders it in the formats the composition root wired."""

    def __init__(
        self,
        positions: PositionSource,
        companies: CompanyNames,
        company_name: Callable[[str], str],
        rates: Callable[[], RateTable],
        renderers: Mapping[StatementFormat, StatementRenderer],
    ) -> None:
        self._positions = positions
        self._companies = companies
        self._company_name = company_name
        self._rates = rates
        self._renderers = renderers

    def build(self, company: str, customer_code: str, as_of: date) -> Statement:
        code = self._companies.require(company)
        position = self._positions.load(code, customer_code)
        return build_statement(position, self._company_name(code), self._rates(), as_of)

    def render(self, statement: Statement, fmt: StatementFormat) -> bytes:
        renderer = self._renderers.get(fmt)
        if renderer is None:
            raise InvalidCommand(f"formato {fmt.value!r} non disponibile per l'estratto conto")
        return renderer(statement)


def build_statement(position: Position, company_name: str, rates: RateTable, as_of: date) -> Statement:
    """The statement of ``position`` on ``as_of`` (a pure function of the position, the rates and the date)."""
    bills = [b for b in position.bills.values() if b.issue_date <= as_of]
    notes = [n for n in position.credit_notes.values() if n.issue_date <= as_of]
    payments = [p for p in position.payments.values() if p.payment_date <= as_of]
    details = position.details
    regime = regime_of(details.customer_type)
    interest = compute_interest(bills, notes, payments, regime, rates, as_of)
    allocation = allocate(bills, notes, payments)
    by_bill = {b.bill_number: b for b in interest.bills}
    summary = tuple(
        _bill_line(position, bill, allocation.residuals[bill.number], by_bill[bill.number], as_of)
        for bill in sorted(bills, key=lambda b: (b.due_date, b.issue_date, b.number))
    )
    movements = _movements(bills, notes, payments, interest, position)
    statement = Statement(
        company=position.company,
        company_name=company_name,
        customer_code=position.customer_code,
        customer_name=details.name,
        customer_type=details.customer_type,
        fiscal_code=details.fiscal_code,
        vat_number=details.vat_number,
        as_of=as_of,
        regime=regime,
        bills=summary,
        movements=tuple(movements),
        interest=interest,
        credit=max(allocation.credit, ZERO),
    )
    return _with_notes(statement)


def _bill_line(position: Position, bill: Bill, residual: Decimal, interest: BillInterest, as_of: date) -> StatementBill:
    supply = position.supplies.get(bill.supply_code)
    service = supply.service if supply is not None else None
    limitation = (
        limitation_status(position.details.customer_type, service, bill.due_date, as_of)
        if service is not None
        else None
    )
    late_days = sum(line.days for line in interest.lines) + sum((g.end - g.start).days + 1 for g in interest.gaps)
    return StatementBill(
        number=bill.number,
        supply_code=bill.supply_code,
        service=service,
        issue_date=bill.issue_date,
        due_date=bill.due_date,
        amount=bill.amount,
        residual=residual,
        days_late=late_days,
        interest=interest.interest,
        compensation=interest.flat_compensation,
        limitation=limitation,
    )


@dataclass(frozen=True)
class _Document:
    day: date
    kind: MovementKind
    number: str
    supply_code: str | None
    amount: Decimal  # signed as stored


def _movements(
    bills: list[Bill], notes: list[Bill], payments: list[Payment], interest: InterestComputation, position: Position
) -> list[Movement]:
    documents = [_Document(b.issue_date, MovementKind.BILL, b.number, b.supply_code, b.amount) for b in bills]
    documents += [_Document(n.issue_date, MovementKind.CREDIT_NOTE, n.number, n.supply_code, n.amount) for n in notes]
    documents += [
        _Document(
            p.payment_date,
            MovementKind.PAYMENT if p.amount > ZERO else MovementKind.REVERSAL,
            p.payment_id,
            position.bills[p.bill_number].supply_code if p.bill_number in position.bills else None,
            p.amount,
        )
        for p in payments
    ]
    documents.sort(key=lambda d: (d.day, _ORDER[d.kind], d.number))
    by_number = {b.number: b for b in bills}
    note_by_number = {n.number: n for n in notes}
    payment_by_id = {p.payment_id: p for p in payments}
    known_bills: list[Bill] = []
    known_notes: list[Bill] = []
    known_payments: list[Payment] = []
    residuals: dict[str, Decimal] = {}
    rows: list[tuple[_Document, str]] = []
    for document in documents:
        if document.kind is MovementKind.BILL:
            known_bills.append(by_number[document.number])
        elif document.kind is MovementKind.CREDIT_NOTE:
            known_notes.append(note_by_number[document.number])
        else:
            known_payments.append(payment_by_id[document.number])
        after = allocate(known_bills, known_notes, known_payments).residuals
        rows.append((document, _allocation_text(document, residuals, after, payment_by_id)))
        residuals = after
    charges: list[tuple[date, MovementKind, str, str | None, Decimal, str]] = []
    for bill_interest in interest.bills:
        supply = by_number[bill_interest.bill_number].supply_code
        if bill_interest.flat_compensation > ZERO:
            charges.append(
                (
                    bill_interest.due_date + ONE_DAY,
                    MovementKind.FLAT_COMPENSATION,
                    bill_interest.bill_number,
                    supply,
                    bill_interest.flat_compensation,
                    f"Bolletta {bill_interest.bill_number} pagata oltre la scadenza (D.Lgs. 231/2002 art. 6)",
                )
            )
        if bill_interest.interest > ZERO:
            periods = len(bill_interest.lines)
            charges.append(
                (
                    interest.until,
                    MovementKind.INTEREST,
                    bill_interest.bill_number,
                    supply,
                    bill_interest.interest,
                    f"Interessi sulla bolletta {bill_interest.bill_number} dal "
                    f"{bill_interest.lines[0].start:%d/%m/%Y} al {bill_interest.lines[-1].end:%d/%m/%Y} "
                    f"({periods} {'periodo' if periods == 1 else 'periodi'}, vedi dettaglio interessi)",
                )
            )
    entries: list[tuple[tuple[Any, ...], Any]] = [((d.day, _ORDER[d.kind], d.number), (d, text)) for d, text in rows]
    entries += [((c[0], _ORDER[c[1]], c[2]), c) for c in charges]
    entries.sort(key=lambda e: e[0])
    movements: list[Movement] = []
    principal = total = ZERO
    for _key, entry in entries:
        if isinstance(entry[0], _Document):
            document, text = entry
            debit = document.amount if document.kind in (MovementKind.BILL,) else ZERO
            credit = ZERO
            if document.kind is MovementKind.CREDIT_NOTE:
                credit = -document.amount
            elif document.kind is MovementKind.PAYMENT:
                credit = document.amount
            elif document.kind is MovementKind.REVERSAL:
                debit = -document.amount
            principal += debit - credit
            total += debit - credit
            movements.append(
                Movement(
                    document.day,
                    document.kind,
                    document.number,
                    document.supply_code,
                    text,
                    debit,
                    credit,
                    ZERO,
                    ZERO,
                    principal,
                    total,
                )
            )
        else:
            day, kind, number, supply, amount, text = entry
            is_interest = kind is MovementKind.INTEREST
            total += amount
            movements.append(
                Movement(
                    day,
                    kind,
                    number,
                    supply,
                    text,
                    ZERO,
                    ZERO,
                    amount if is_interest else ZERO,
                    ZERO if is_interest else amount,
                    principal,
                    total,
                )
            )
    return movements


def _allocation_text(
    document: _Document, before: dict[str, Decimal], after: dict[str, Decimal], payments: dict[str, Payment]
) -> str:
    """What the document did to the bills' residuals, in words (``Imputato a B1 100,00 €; …``)."""
    applied: list[str] = []
    reopened: list[str] = []
    for number in after:
        if document.kind is MovementKind.BILL and number == document.number:
            continue
        delta = after[number] - before.get(number, ZERO)
        if delta < ZERO:
            applied.append(f"{number} {format_euro(-delta)}")
        elif delta > ZERO:
            reopened.append(f"{number} {format_euro(delta)}")
    parts: list[str] = []
    if document.kind is MovementKind.BILL:
        covered = after.get(document.number, ZERO)
        parts.append(f"Bolletta {document.number}")
        if covered < document.amount:
            parts.append(f"coperta dal credito del cliente per {format_euro(document.amount - covered)}")
    elif document.kind is MovementKind.CREDIT_NOTE:
        parts.append(f"Nota di credito {document.number}")
    else:
        payment = payments[document.number]
        named = f" (indicata la bolletta {payment.bill_number})" if payment.bill_number else ""
        method = f", {payment.method}" if payment.method else ""
        parts.append(f"{document.kind.value} {document.number}{method}{named}")
    if applied:
        parts.append("imputato a " + "; ".join(applied))
    if reopened:
        parts.append("riapre " + "; ".join(reopened))
    if document.kind in (MovementKind.PAYMENT, MovementKind.CREDIT_NOTE) and not applied:
        parts.append("a credito del cliente")
    return ": ".join(parts[:1]) + (" — " + ", ".join(parts[1:]) if len(parts) > 1 else "")


def _with_notes(statement: Statement) -> Statement:
    notes: list[str] = [
        f"Interessi di mora: {statement.regime.label}; dal giorno successivo alla scadenza alla data del "
        "pagamento o dell'estratto conto, sul residuo di ciascuna bolletta, interesse semplice, giorni "
        "effettivi / 365, arrotondamento al centesimo per periodo."
    ]
    for gap in statement.gaps:
        notes.append(
            f"Bolletta {gap.bill_number}: nessun tasso «{gap.kind.label}» nella tabella dei tassi dal "
            f"{gap.start:%d/%m/%Y} al {gap.end:%d/%m/%Y}: interessi non calcolati per quei giorni "
            "(aggiornare la tabella dei tassi)."
        )
    barred = statement.time_barred
    if barred:
        numbers = ", ".join(b.number for b in barred)
        residual = sum((b.residual for b in barred), ZERO)
        notes.append(
            f"Prescrivibili ({LAW}): {numbers} per {format_euro(residual)} — scadute da oltre due anni; "
            "verificare eventuali atti interruttivi della prescrizione."
        )
    return replace(statement, notes=tuple(notes))


def parse_format(raw: str) -> StatementFormat:
    text = raw.strip().lower()
    for fmt in StatementFormat:
        if fmt.value == text:
            return fmt
    allowed = ", ".join(f.value for f in StatementFormat)
    raise InvalidCommand(f"formato sconosciuto {raw!r} (ammessi: {allowed})")


def statement_as_json(statement: Statement) -> dict[str, Any]:
    """The statement as plain JSON (amounts as strings with two decimals, dates ISO)."""

    def euro(value: Decimal) -> str:
        return f"{value:.2f}"

    return {
        "company": statement.company,
        "company_name": statement.company_name,
        "customer_code": statement.customer_code,
        "customer_name": statement.customer_name,
        "customer_type": statement.customer_type.label,
        "as_of": statement.as_of.isoformat(),
        "regime": statement.regime.label,
        "totals": {
            "billed": euro(statement.billed),
            "credited": euro(statement.credited),
            "paid": euro(statement.paid),
            "principal": euro(statement.principal),
            "interest": euro(statement.interest_total),
            "compensation": euro(statement.compensation_total),
            "total": euro(statement.total),
            "credit": euro(statement.credit),
        },
        "bills": [
            {
                "number": b.number,
                "supply_code": b.supply_code,
                "service": b.service.label if b.service is not None else None,
                "issue_date": b.issue_date.isoformat(),
                "due_date": b.due_date.isoformat(),
                "amount": euro(b.amount),
                "settled": euro(b.settled),
                "residual": euro(b.residual),
                "days_late": b.days_late,
                "interest": euro(b.interest),
                "compensation": euro(b.compensation),
                "limitation": None
                if b.limitation is None
                else {
                    "covered": b.limitation.covered,
                    "limitation_date": b.limitation.limitation_date.isoformat(),
                    "time_barred": b.limitation.time_barred,
                    "label": b.limitation.label,
                },
            }
            for b in statement.bills
        ],
        "movements": [
            {
                "date": m.day.isoformat(),
                "kind": m.kind.value,
                "document": m.document,
                "supply_code": m.supply_code,
                "description": m.description,
                "debit": euro(m.debit),
                "credit": euro(m.credit),
                "interest": euro(m.interest),
                "compensation": euro(m.compensation),
                "principal_balance": euro(m.principal_balance),
                "balance": euro(m.balance),
            }
            for m in statement.movements
        ],
        "interest": [
            {
                "bill_number": line.bill_number,
                "from": line.start.isoformat(),
                "to": line.end.isoformat(),
                "days": line.days,
                "base": euro(line.base),
                "rate": str(line.rate),
                "amount": euro(line.amount),
                "source": line.source,
            }
            for line in statement.interest_lines
        ],
        "rate_gaps": [
            {
                "bill_number": g.bill_number,
                "kind": g.kind.value,
                "from": g.start.isoformat(),
                "to": g.end.isoformat(),
                "base": euro(g.base),
            }
            for g in statement.gaps
        ],
        "notes": list(statement.notes),
    }
