"""Late-payment interest (*interessi di mora*) per bill and rate period: a pure function of the
documents, the rates and the date asked.

Which rate (``regime_of``): a domestic customer is a consumer and owes the legal rate (*tasso legale*,
art. 1284 c.c.); a business (non-domestic, large account) or a public body owes the rate of
D.Lgs. 231/2002 (ECB main refinancing rate + 8 points, fixed per half-year) and, per late bill, the
flat compensation of art. 6 (*indennizzo forfettario*, 40 €). The rates and the flat amount come
from a :class:`RateTable` (shipped as a data file with their sources, never written in this code).

How it runs:

- from the day after the due date to the day asked (the payment date counts: a bill paid on its due
  date owes nothing, paid the day after owes one day);
- on the residual of the bill as the position's allocation (``domain/allocation.py``) gives it at the
  end of the day before: a payment dated ``d`` reduces the base from ``d + 1``;
- simple interest (no interest on interest), actual days over **365 in every year**, leap years too:
  the legal texts give an annual rate without a day-count convention, 365 is what the Italian
  courts' and the Bank of Italy's worked examples use, and it lets anyone redo a line by hand
  (``base × rate × days / 36500``); 29 February earns one day like any other;
- one line per stretch of constant base and rate; each line rounded to the cent (half up, the
  commercial rounding) at its end, the total being the sum of the rounded lines;
- days that no rate of the table covers are reported as :class:`RateGap` and earn nothing: the
  statement says so instead of inventing a rate.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from itertools import pairwise

from creditbox.domain.allocation import allocate
from creditbox.domain.codes import CustomerType
from creditbox.domain.documents import Bill, Payment
from creditbox.domain.money import CENT, ZERO

DAYS_IN_YEAR = Decimal(365)
ONE_DAY = timedelta(days=1)


class RateKind(Enum):
    """The kinds of rows of the rate table (the CSV's ``kind`` column)."""

    LEGAL = "legale"  # art. 1284 c.c., percent per year
    COMMERCIAL = "moratorio_231"  # D.Lgs. 231/2002 art. 5, percent per year
    FLAT_COMPENSATION = "indennizzo_231"  # D.Lgs. 231/2002 art. 6, euro per bill

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    RateKind.LEGAL: "Tasso legale (art. 1284 c.c.)",
    RateKind.COMMERCIAL: "Tasso di mora D.Lgs. 231/2002",
    RateKind.FLAT_COMPENSATION: "Indennizzo forfettario D.Lgs. 231/2002 art. 6",
}


@dataclass(frozen=True)
class Regime:
    """What a customer owes for a late bill: interest at ``rate_kind``, and the flat compensation or not."""

    rate_kind: RateKind
    flat_compensation: bool

    @property
    def label(self) -> str:
        if self.flat_compensation:
            return "D.Lgs. 231/2002 (tasso BCE + 8 punti, indennizzo forfettario per bolletta)"
        return "Tasso legale (art. 1284 c.c.)"


CONSUMER = Regime(RateKind.LEGAL, flat_compensation=False)
BUSINESS = Regime(RateKind.COMMERCIAL, flat_compensation=True)


def regime_of(customer_type: CustomerType) -> Regime:
    """Domestic customers are consumers; non-domestic, large accounts and public bodies are not."""
    return CONSUMER if customer_type is CustomerType.DOMESTIC else BUSINESS


@dataclass(frozen=True)
class RatePeriod:
    """One row of the rate table: ``rate`` from ``start`` to ``end`` (both included), and where it comes from.

    ``rate`` is a percentage per year for the interest kinds, an amount in euro for the flat compensation.
    """

    kind: RateKind
    start: date
    end: date
    rate: Decimal
    source: str


class RateTableError(ValueError):
    """The rate table is not usable (overlapping periods, a period ending before it starts)."""


@dataclass(frozen=True)
class RateTable:
    periods: tuple[RatePeriod, ...]

    def __post_init__(self) -> None:
        for kind in RateKind:
            rows = self.of(kind)
            for row in rows:
                if row.end < row.start:
                    raise RateTableError(f"{kind.value}: periodo dal {row.start:%d/%m/%Y} al {row.end:%d/%m/%Y}")
                if row.rate < 0:
                    raise RateTableError(f"{kind.value} dal {row.start:%d/%m/%Y}: valore negativo {row.rate}")
            for before, after in pairwise(rows):
                if after.start <= before.end:
                    raise RateTableError(
                        f"{kind.value}: il periodo dal {after.start:%d/%m/%Y} si sovrappone a quello "
                        f"dal {before.start:%d/%m/%Y} al {before.end:%d/%m/%Y}"
                    )

    def of(self, kind: RateKind) -> list[RatePeriod]:
        return sorted((p for p in self.periods if p.kind is kind), key=lambda p: p.start)

    def on(self, kind: RateKind, day: date) -> RatePeriod | None:
        for period in self.of(kind):
            if period.start <= day <= period.end:
                return period
        return None

    def segments(self, kind: RateKind, start: date, end: date) -> list[tuple[date, date, RatePeriod | None]]:
        """``[start, end]`` cut at the period boundaries; ``None`` where no period covers the days."""
        result: list[tuple[date, date, RatePeriod | None]] = []
        day = start
        for period in self.of(kind):
            if day > end:
                break
            if period.end < day:
                continue
            if period.start > day:
                gap_end = min(end, period.start - ONE_DAY)
                result.append((day, gap_end, None))
                day = gap_end + ONE_DAY
                if day > end:
                    break
            stop = min(end, period.end)
            result.append((day, stop, period))
            day = stop + ONE_DAY
        if day <= end:
            result.append((day, end, None))
        return result


# ---- the residual of each bill over time ----------------------------------------------------------


@dataclass(frozen=True)
class ResidualStep:
    """From ``start`` (included) the bill's residual is ``residual``, until the next step."""

    start: date
    residual: Decimal


def residual_schedules(
    bills: Iterable[Bill], credit_notes: Iterable[Bill], payments: Iterable[Payment]
) -> dict[str, list[ResidualStep]]:
    """For each bill, its residual day by day as steps: on day ``t`` the residual is the allocation
    of the documents dated up to ``t - 1`` (a document's date: issue date, payment date). A bill not
    yet issued has residual zero."""
    bills, notes, paid = list(bills), list(credit_notes), list(payments)
    dates = sorted({b.issue_date for b in bills} | {n.issue_date for n in notes} | {p.payment_date for p in paid})
    schedules: dict[str, list[ResidualStep]] = {b.number: [] for b in bills}
    for day in dates:
        allocation = allocate(
            (b for b in bills if b.issue_date <= day),
            (n for n in notes if n.issue_date <= day),
            (p for p in paid if p.payment_date <= day),
        )
        for number, steps in schedules.items():
            residual = allocation.residuals.get(number, ZERO)
            if (steps[-1].residual if steps else ZERO) != residual:
                steps.append(ResidualStep(day + ONE_DAY, residual))
    return schedules


def residual_on(steps: Sequence[ResidualStep], day: date) -> Decimal:
    current = ZERO
    for step in steps:
        if step.start > day:
            break
        current = step.residual
    return current


# ---- interest lines ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InterestLine:
    """Interest on ``base`` at ``rate`` % per year from ``start`` to ``end`` (both included)."""

    bill_number: str
    start: date
    end: date
    base: Decimal
    rate: Decimal
    source: str
    exact: Decimal  # base × rate × days / 36500, not rounded

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def amount(self) -> Decimal:
        """The line rounded to the cent, half up."""
        return self.exact.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RateGap:
    """Days a bill was late on which the rate table has no rate of ``kind``: no interest computed."""

    bill_number: str
    kind: RateKind
    start: date
    end: date
    base: Decimal


@dataclass(frozen=True)
class BillInterest:
    bill_number: str
    due_date: date
    lines: tuple[InterestLine, ...]
    gaps: tuple[RateGap, ...]
    late: bool  # some residual was owed after the due date (up to the date asked)
    flat_compensation: Decimal  # 40 € (from the table) for a late bill under D.Lgs. 231/2002, else zero
    flat_source: str | None = None

    @property
    def interest(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


def accrue(
    bill_number: str,
    steps: Sequence[ResidualStep],
    kind: RateKind,
    table: RateTable,
    start: date,
    end: date,
) -> tuple[list[InterestLine], list[RateGap]]:
    """Interest on the residual ``steps`` from ``start`` to ``end`` (both included): one line per
    stretch of constant base and rate, gaps where the table has no rate."""
    lines: list[InterestLine] = []
    gaps: list[RateGap] = []
    if end < start:
        return lines, gaps
    for piece_start, piece_end, base in _base_pieces(steps, start, end):
        if base <= ZERO:
            continue
        for seg_start, seg_end, period in table.segments(kind, piece_start, piece_end):
            if period is None:
                gaps.append(RateGap(bill_number, kind, seg_start, seg_end, base))
                continue
            days = Decimal((seg_end - seg_start).days + 1)
            exact = base * period.rate * days / (DAYS_IN_YEAR * 100)
            lines.append(InterestLine(bill_number, seg_start, seg_end, base, period.rate, period.source, exact))
    return lines, gaps


def _base_pieces(steps: Sequence[ResidualStep], start: date, end: date) -> list[tuple[date, date, Decimal]]:
    """``[start, end]`` cut where the residual changes, with the residual of each piece."""
    cuts = sorted({start} | {s.start for s in steps if start < s.start <= end})
    pieces = []
    for index, piece_start in enumerate(cuts):
        piece_end = cuts[index + 1] - ONE_DAY if index + 1 < len(cuts) else end
        pieces.append((piece_start, piece_end, residual_on(steps, piece_start)))
    return pieces


def bill_interest(
    bill: Bill, steps: Sequence[ResidualStep], regime: Regime, table: RateTable, until: date
) -> BillInterest:
    """The interest of ``bill`` up to ``until`` (included), and its flat compensation when late."""
    first_day = bill.due_date + ONE_DAY
    lines, gaps = accrue(bill.number, steps, regime.rate_kind, table, first_day, until)
    late = bool(lines or gaps)
    flat, flat_source = ZERO, None
    if late and regime.flat_compensation:
        row = table.on(RateKind.FLAT_COMPENSATION, first_day)
        if row is not None:
            flat, flat_source = row.rate.quantize(CENT), row.source
        else:
            gaps.append(RateGap(bill.number, RateKind.FLAT_COMPENSATION, first_day, first_day, bill.amount))
    return BillInterest(bill.number, bill.due_date, tuple(lines), tuple(gaps), late, flat, flat_source)


@dataclass(frozen=True)
class InterestComputation:
    """Every bill's interest up to ``until`` under ``regime``."""

    until: date
    regime: Regime
    bills: tuple[BillInterest, ...] = field(default_factory=tuple)

    @property
    def interest(self) -> Decimal:
        return sum((b.interest for b in self.bills), ZERO)

    @property
    def flat_compensation(self) -> Decimal:
        return sum((b.flat_compensation for b in self.bills), ZERO)

    @property
    def lines(self) -> list[InterestLine]:
        return [line for b in self.bills for line in b.lines]

    @property
    def gaps(self) -> list[RateGap]:
        return [gap for b in self.bills for gap in b.gaps]


def compute_interest(
    bills: Iterable[Bill],
    credit_notes: Iterable[Bill],
    payments: Iterable[Payment],
    regime: Regime,
    table: RateTable,
    until: date,
) -> InterestComputation:
    """Interest of every bill issued up to ``until``, on the documents dated up to ``until``."""
    known_bills = sorted((b for b in bills if b.issue_date <= until), key=lambda b: (b.due_date, b.number))
    notes = [n for n in credit_notes if n.issue_date <= until]
    paid = [p for p in payments if p.payment_date <= until]
    schedules = residual_schedules(known_bills, notes, paid)
    return InterestComputation(
        until,
        regime,
        tuple(bill_interest(b, schedules[b.number], regime, table, until) for b in known_bills),
    )
