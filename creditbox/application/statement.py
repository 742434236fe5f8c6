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

from creditbox.application.statement_movements import Movement, MovementKind, statement_movements
from creditbox.domain.allocation import allocate
from creditbox.domain.codes import CustomerType, Service
from creditbox.domain.documents import Bill
from creditbox.domain.errors import InvalidCommand
from creditbox.domain.interest import (
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
    movements = statement_movements(bills, notes, payments, interest)
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
