"""Late-payment interest (``domain/interest.py``) on the shipped rate table: worked examples computed
by hand (the computation is written beside each expected value), then properties over generated
documents (never negative, zero when paid on time, additive over periods, equal to a day-by-day sum).

Every line is ``base × rate × days / 36500``, rounded half up to the cent; the days run from the day
after the due date to the payment date (or the date asked), both included.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditbox.domain.allocation import allocate
from creditbox.domain.codes import CustomerType
from creditbox.domain.documents import Bill, Payment
from creditbox.domain.interest import (
    BUSINESS,
    CONSUMER,
    RateKind,
    RatePeriod,
    RateTable,
    RateTableError,
    ResidualStep,
    accrue,
    compute_interest,
    regime_of,
    residual_schedules,
)
from creditbox.domain.money import ZERO
from creditbox.infrastructure.interest_rates import RateFileError, load_rates, parse_rates, standard_rates

D = Decimal
RATES = standard_rates()


def lines_of(result: object) -> list[tuple[date, date, int, Decimal, Decimal, Decimal]]:
    return [(ln.start, ln.end, ln.days, ln.base, ln.rate, ln.amount) for ln in result.lines]  # type: ignore[attr-defined]


# ---- worked examples --------------------------------------------------------------------------------


def test_consumer_across_a_change_of_the_legal_rate() -> None:
    # A domestic customer; bill of 1.200,00 € due 31/10/2022, unpaid; statement on 31/03/2023.
    # Legal rate 1,25% in 2022 (D.M. 13/12/2021), 5% in 2023 (D.M. 13/12/2022).
    #   01/11/2022–31/12/2022: 30 + 31 = 61 days; 1200 × 1,25 × 61 / 36500 = 91500 / 36500 = 2,50684… → 2,51
    #   01/01/2023–31/03/2023: 31 + 28 + 31 = 90 days; 1200 × 5 × 90 / 36500 = 540000 / 36500 = 14,79452… → 14,79
    #   total 2,51 + 14,79 = 17,30; no flat compensation for a consumer.
    bill = Bill("B1", "S1", date(2022, 10, 1), date(2022, 10, 31), D("1200.00"))
    result = compute_interest([bill], [], [], regime_of(CustomerType.DOMESTIC), RATES, date(2023, 3, 31))
    assert lines_of(result) == [
        (date(2022, 11, 1), date(2022, 12, 31), 61, D("1200.00"), D("1.25"), D("2.51")),
        (date(2023, 1, 1), date(2023, 3, 31), 90, D("1200.00"), D("5.00"), D("14.79")),
    ]
    assert result.interest == D("17.30")
    assert result.flat_compensation == ZERO


def test_business_across_two_half_years_with_the_flat_compensation() -> None:
    # A non-domestic customer; bill of 5.000,00 € due 15/05/2023, paid in full on 14/08/2023;
    # statement on 31/12/2023. D.Lgs. 231/2002: ECB 2,50% + 8 = 10,50% in the first half of 2023,
    # ECB 4,00% + 8 = 12,00% in the second.
    #   16/05/2023–30/06/2023: 16 + 30 = 46 days; 5000 × 10,5 × 46 / 36500 = 2415000 / 36500 = 66,16438… → 66,16
    #   01/07/2023–14/08/2023: 31 + 14 = 45 days; 5000 × 12 × 45 / 36500 = 2700000 / 36500 = 73,97260… → 73,97
    #   (the day of payment counts; nothing after it)
    #   interest 66,16 + 73,97 = 140,13; flat compensation 40,00 (art. 6); together 180,13.
    bill = Bill("F7", "S1", date(2023, 4, 15), date(2023, 5, 15), D("5000.00"))
    payment = Payment("P1", date(2023, 8, 14), D("5000.00"), "F7")
    result = compute_interest([bill], [], [payment], regime_of(CustomerType.NON_DOMESTIC), RATES, date(2023, 12, 31))
    assert lines_of(result) == [
        (date(2023, 5, 16), date(2023, 6, 30), 46, D("5000.00"), D("10.50"), D("66.16")),
        (date(2023, 7, 1), date(2023, 8, 14), 45, D("5000.00"), D("12.00"), D("73.97")),
    ]
    assert result.interest == D("140.13")
    assert result.flat_compensation == D("40.00")
    assert result.interest + result.flat_compensation == D("180.13")


def test_a_partial_payment_in_the_middle_reduces_the_base_from_the_next_day() -> None:
    # A domestic customer; bill of 800,00 € due 30/11/2023; 300,00 € paid on 15/01/2024; statement on
    # 29/02/2024 (a leap day: it counts as a day, the year still has 365 for the division).
    #   01/12/2023–31/12/2023: 31 days on 800 at 5%:   800 × 5 × 31 / 36500 = 124000 / 36500 = 3,39726… → 3,40
    #   01/01/2024–15/01/2024: 15 days on 800 at 2,5%: 800 × 2,5 × 15 / 36500 = 30000 / 36500 = 0,82191… → 0,82
    #   16/01/2024–29/02/2024: 16 + 29 = 45 days on 500 at 2,5%: 500 × 2,5 × 45 / 36500 = 56250 / 36500
    #                          = 1,54109… → 1,54
    #   total 3,40 + 0,82 + 1,54 = 5,76
    bill = Bill("B2", "S1", date(2023, 11, 1), date(2023, 11, 30), D("800.00"))
    payment = Payment("P1", date(2024, 1, 15), D("300.00"))
    result = compute_interest([bill], [], [payment], CONSUMER, RATES, date(2024, 2, 29))
    assert lines_of(result) == [
        (date(2023, 12, 1), date(2023, 12, 31), 31, D("800.00"), D("5.00"), D("3.40")),
        (date(2024, 1, 1), date(2024, 1, 15), 15, D("800.00"), D("2.50"), D("0.82")),
        (date(2024, 1, 16), date(2024, 2, 29), 45, D("500.00"), D("2.50"), D("1.54")),
    ]
    assert result.interest == D("5.76")


def test_business_partial_payment_across_the_half_years_of_2024() -> None:
    # A public body; bill of 10.000,00 € due 31/05/2024; 4.000,00 € paid on 31/07/2024; rest unpaid;
    # statement on 31/10/2024. 12,50% (first half 2024), 12,25% (second half).
    #   01/06/2024–30/06/2024: 30 days on 10000 at 12,5%:  10000 × 12,5 × 30 / 36500 = 3750000 / 36500
    #                          = 102,73972… → 102,74
    #   01/07/2024–31/07/2024: 31 days on 10000 at 12,25%: 10000 × 12,25 × 31 / 36500 = 3797500 / 36500
    #                          = 104,04109… → 104,04
    #   01/08/2024–31/10/2024: 31 + 30 + 31 = 92 days on 6000 at 12,25%: 6000 × 12,25 × 92 / 36500
    #                          = 6762000 / 36500 = 185,26027… → 185,26
    #   interest 102,74 + 104,04 + 185,26 = 392,04; flat compensation 40,00.
    bill = Bill("F9", "S1", date(2024, 5, 1), date(2024, 5, 31), D("10000.00"))
    payment = Payment("P9", date(2024, 7, 31), D("4000.00"), "F9")
    result = compute_interest([bill], [], [payment], regime_of(CustomerType.PUBLIC_BODY), RATES, date(2024, 10, 31))
    assert [line.amount for line in result.lines] == [D("102.74"), D("104.04"), D("185.26")]
    assert [line.base for line in result.lines] == [D("10000.00"), D("10000.00"), D("6000.00")]
    assert result.interest == D("392.04")
    assert result.flat_compensation == D("40.00")


def test_a_whole_leap_year_is_366_days_over_365() -> None:
    # 1.000,00 € late for all of 2024 at 2,5%: 1000 × 2,5 × 366 / 36500 = 915000 / 36500 = 25,06849… → 25,07
    bill = Bill("B3", "S1", date(2023, 12, 1), date(2023, 12, 31), D("1000.00"))
    result = compute_interest([bill], [], [], CONSUMER, RATES, date(2024, 12, 31))
    assert lines_of(result) == [(date(2024, 1, 1), date(2024, 12, 31), 366, D("1000.00"), D("2.50"), D("25.07"))]


def test_paid_on_the_due_date_owes_nothing_the_day_after_owes_one_day() -> None:
    bill = Bill("B4", "S1", date(2023, 1, 1), date(2023, 1, 31), D("3650.00"))
    on_time = compute_interest(
        [bill], [], [Payment("P", date(2023, 1, 31), D("3650.00"))], BUSINESS, RATES, date(2023, 6, 30)
    )
    assert on_time.lines == [] and on_time.flat_compensation == ZERO and not on_time.bills[0].late
    # 3650 × 10,5 × 1 / 36500 = 1,05
    late = compute_interest(
        [bill], [], [Payment("P", date(2023, 2, 1), D("3650.00"))], BUSINESS, RATES, date(2023, 6, 30)
    )
    assert lines_of(late) == [(date(2023, 2, 1), date(2023, 2, 1), 1, D("3650.00"), D("10.50"), D("1.05"))]
    assert late.flat_compensation == D("40.00")


def test_days_without_a_rate_are_reported_not_invented() -> None:
    table = RateTable((RatePeriod(RateKind.LEGAL, date(2025, 1, 1), date(2025, 12, 31), D("2.00"), "D.M. 10/12/2024"),))
    bill = Bill("B5", "S1", date(2025, 11, 1), date(2025, 11, 30), D("730.00"))
    result = compute_interest([bill], [], [], CONSUMER, table, date(2026, 1, 31))
    # 01/12/2025–31/12/2025: 730 × 2 × 31 / 36500 = 1,24; January 2026 has no rate in this table.
    assert lines_of(result) == [(date(2025, 12, 1), date(2025, 12, 31), 31, D("730.00"), D("2.00"), D("1.24"))]
    assert [(g.start, g.end, g.base) for g in result.gaps] == [(date(2026, 1, 1), date(2026, 1, 31), D("730.00"))]


def test_regimes_by_customer_type() -> None:
    assert regime_of(CustomerType.DOMESTIC) == CONSUMER
    for kind in (CustomerType.NON_DOMESTIC, CustomerType.LARGE_ACCOUNT, CustomerType.PUBLIC_BODY):
        assert regime_of(kind) == BUSINESS


# ---- the rate table ---------------------------------------------------------------------------------


def test_the_shipped_table_has_every_year_from_2019_to_2026_with_its_source() -> None:
    for year in range(2019, 2027):
        legal = RATES.on(RateKind.LEGAL, date(year, 6, 15))
        assert legal is not None and legal.source, year
        first_half = RATES.on(RateKind.COMMERCIAL, date(year, 1, 1))
        assert first_half is not None and "231/2002" in first_half.source, year
    for year in range(2019, 2026):
        second_half = RATES.on(RateKind.COMMERCIAL, date(year, 7, 1))
        assert second_half is not None and second_half.start == date(year, 7, 1), year
    flat = RATES.on(RateKind.FLAT_COMPENSATION, date(2024, 1, 1))
    assert flat is not None and flat.rate == D("40.00")


def test_a_company_file_replaces_the_table_and_bad_rows_are_named(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    good = folder / "tassi.csv"
    good.write_text("kind,from,to,rate,source\nlegale,2024-01-01,2024-12-31,9.00,delibera interna\n", encoding="utf-8")
    assert load_rates(good).on(RateKind.LEGAL, date(2024, 5, 1)) == RatePeriod(
        RateKind.LEGAL, date(2024, 1, 1), date(2024, 12, 31), D("9.00"), "delibera interna"
    )
    with pytest.raises(RateFileError, match="riga 2, colonna 'rate'"):
        parse_rates("kind,from,to,rate,source\nlegale,2024-01-01,2024-12-31,tre,x\n", "tassi.csv")
    with pytest.raises(RateFileError, match="riga 3, colonna 'kind'"):
        parse_rates("kind,from,to,rate,source\nlegale,2024-01-01,2024-12-31,1,x\nmora,2024-01-01,2024-12-31,1,x\n", "t")
    with pytest.raises(RateFileError, match="si sovrappone"):
        parse_rates(
            "kind,from,to,rate,source\nlegale,2024-01-01,2024-12-31,1,x\nlegale,2024-06-01,2025-12-31,1,y\n", "t"
        )
    with pytest.raises(RateFileError, match="fonte mancante"):
        parse_rates("kind,from,to,rate,source\nlegale,2024-01-01,2024-12-31,1,\n", "t")
    with pytest.raises(RateFileError, match="colonne mancanti: source"):
        parse_rates("kind,from,to,rate\n", "t")
    with pytest.raises(RateFileError, match="file dei tassi"):
        load_rates(folder / "missing.csv")
    with pytest.raises(RateTableError):
        RateTable((RatePeriod(RateKind.LEGAL, date(2024, 2, 1), date(2024, 1, 1), D("1"), "x"),))


# ---- properties -------------------------------------------------------------------------------------

START = date(2022, 1, 1)
amounts = st.integers(min_value=1, max_value=300_000).map(lambda c: D(c) / 100)


@st.composite
def documents(draw: st.DrawFn) -> tuple[list[Bill], list[Bill], list[Payment]]:
    bills = []
    for n in range(draw(st.integers(min_value=1, max_value=4))):
        issued = START + timedelta(days=draw(st.integers(min_value=0, max_value=700)))
        due = issued + timedelta(days=draw(st.integers(min_value=0, max_value=60)))
        bills.append(Bill(f"B{n}", "S1", issued, due, draw(amounts)))
    notes = [
        Bill(f"N{n}", "S1", START + timedelta(days=draw(st.integers(0, 900))), START, -draw(amounts))
        for n in range(draw(st.integers(min_value=0, max_value=1)))
    ]
    payments = []
    for n in range(draw(st.integers(min_value=0, max_value=4))):
        named = draw(st.none() | st.sampled_from([b.number for b in bills]))
        amount = draw(amounts) * (-1 if draw(st.integers(0, 5)) == 0 else 1)
        payments.append(Payment(f"P{n}", START + timedelta(days=draw(st.integers(0, 900))), amount, named))
    return bills, notes, payments


regimes = st.sampled_from([CONSUMER, BUSINESS])
untils = st.integers(min_value=0, max_value=1200).map(lambda d: START + timedelta(days=d))


@settings(max_examples=60, deadline=None)
@given(docs=documents(), regime=regimes, until=untils)
def test_interest_is_never_negative_and_equals_the_day_by_day_sum(
    docs: tuple[list[Bill], list[Bill], list[Payment]], regime: object, until: date
) -> None:
    bills, notes, payments = docs
    result = compute_interest(bills, notes, payments, regime, RATES, until)  # type: ignore[arg-type]
    assert all(line.exact > 0 and line.amount >= 0 and line.base > 0 for line in result.lines)
    assert result.interest >= 0 and result.flat_compensation >= 0
    # Oracle: day by day, the allocation of the documents dated up to the day before, at the day's rate.
    kind = regime.rate_kind  # type: ignore[attr-defined]
    expected = {b.number: ZERO for b in bills}
    day = min(b.due_date for b in bills) + timedelta(days=1)
    while day <= until:
        before = day - timedelta(days=1)
        allocation = allocate(
            [b for b in bills if b.issue_date <= before],
            [n for n in notes if n.issue_date <= before],
            [p for p in payments if p.payment_date <= before],
        )
        period = RATES.on(kind, day)
        for bill in bills:
            residual = allocation.residuals.get(bill.number, ZERO)
            if day > bill.due_date and bill.issue_date <= until and residual > 0 and period is not None:
                expected[bill.number] += residual * period.rate / D(36500)
        day += timedelta(days=1)
    for bill in bills:
        computed = sum((ln.exact for ln in result.lines if ln.bill_number == bill.number), ZERO)
        assert abs(computed - expected[bill.number]) < D("0.000001"), bill.number


@settings(max_examples=150, deadline=None)
@given(docs=documents(), regime=regimes)
def test_zero_when_every_bill_is_paid_by_its_due_date(
    docs: tuple[list[Bill], list[Bill], list[Payment]], regime: object
) -> None:
    bills, _, _ = docs
    # Each bill paid in full, naming it, between its issue and its due date.
    on_time = [
        Payment(f"P{b.number}", max(b.issue_date, b.due_date - timedelta(days=i % 3)), b.amount, b.number)
        for i, b in enumerate(bills)
    ]
    result = compute_interest(bills, [], on_time, regime, RATES, START + timedelta(days=1500))  # type: ignore[arg-type]
    assert result.lines == [] and result.gaps == []
    assert result.interest == ZERO and result.flat_compensation == ZERO


steps = st.lists(
    st.tuples(st.integers(min_value=0, max_value=1000), amounts | st.just(ZERO)), min_size=1, max_size=6
).map(lambda raw: sorted({START + timedelta(days=d): a for d, a in raw}.items()))


@settings(max_examples=200, deadline=None)
@given(
    raw=steps,
    kind=st.sampled_from([RateKind.LEGAL, RateKind.COMMERCIAL]),
    a=st.integers(min_value=0, max_value=1500),
    b=st.integers(min_value=0, max_value=1500),
    c=st.integers(min_value=0, max_value=1500),
)
def test_interest_is_additive_over_periods(
    raw: list[tuple[date, Decimal]], kind: RateKind, a: int, b: int, c: int
) -> None:
    first, middle, last = (START + timedelta(days=d) for d in sorted((a, b, c)))
    schedule = [ResidualStep(day, amount) for day, amount in raw]
    whole, _ = accrue("B", schedule, kind, RATES, first, last)
    left, _ = accrue("B", schedule, kind, RATES, first, middle)
    right, _ = accrue("B", schedule, kind, RATES, middle + timedelta(days=1), last)
    exact = sum((ln.exact for ln in whole), ZERO)
    assert abs(exact - sum((ln.exact for ln in left + right), ZERO)) < D("0.0000001")
    assert sum(ln.days for ln in whole) == sum(ln.days for ln in left + right)
    # Rounded per line: cutting at one date splits at most one line, so at most one cent apart.
    rounded = sum((ln.amount for ln in whole), ZERO)
    assert abs(rounded - sum((ln.amount for ln in left + right), ZERO)) <= D("0.01")
    assert all(ln.exact >= 0 for ln in whole)


@settings(max_examples=100, deadline=None)
@given(docs=documents(), regime=regimes, d1=untils, d2=untils)
def test_interest_never_decreases_with_the_date_asked(
    docs: tuple[list[Bill], list[Bill], list[Payment]], regime: object, d1: date, d2: date
) -> None:
    bills, notes, payments = docs
    early, late = sorted((d1, d2))
    first = compute_interest(bills, notes, payments, regime, RATES, early)  # type: ignore[arg-type]
    second = compute_interest(bills, notes, payments, regime, RATES, late)  # type: ignore[arg-type]
    assert sum((ln.exact for ln in first.lines), ZERO) <= sum((ln.exact for ln in second.lines), ZERO)
    assert first.flat_compensation <= second.flat_compensation


def test_residual_schedules_follow_the_allocation() -> None:
    bills = [
        Bill("B1", "S1", date(2024, 1, 1), date(2024, 1, 31), D("100.00")),
        Bill("B2", "S1", date(2024, 2, 1), date(2024, 2, 29), D("50.00")),
    ]
    payments = [Payment("P1", date(2024, 3, 10), D("120.00")), Payment("R1", date(2024, 3, 20), D("-30.00"))]
    schedules = residual_schedules(bills, [], payments)
    # From 11/03 the payment pays B1 then 20 of B2 (oldest due first); from 21/03 the unnamed reversal
    # is netted with it: 90 pay B1 only (oldest due first), B1 owes 10 again and B2 all of its 50.
    assert schedules["B1"] == [
        ResidualStep(date(2024, 1, 2), D("100.00")),
        ResidualStep(date(2024, 3, 11), ZERO),
        ResidualStep(date(2024, 3, 21), D("10.00")),
    ]
    assert schedules["B2"] == [
        ResidualStep(date(2024, 2, 2), D("50.00")),
        ResidualStep(date(2024, 3, 11), D("30.00")),
        ResidualStep(date(2024, 3, 21), D("50.00")),
    ]
