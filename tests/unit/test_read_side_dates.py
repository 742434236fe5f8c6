"""The read side's date arithmetic never overflows: results are capped at the ends of the calendar."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from creditbox.projections.dates import add_days, add_years
from creditbox.projections.position_rows import prescription_date


def test_prescription_date_is_two_years_later_and_caps_at_the_end_of_the_calendar() -> None:
    assert prescription_date(date(2026, 1, 31)) == date(2028, 1, 31)
    assert prescription_date(date(2024, 2, 29)) == date(2026, 2, 28)
    assert prescription_date(date(9997, 12, 31)) == date(9999, 12, 31)
    assert prescription_date(date(9998, 1, 1)) == date.max
    assert prescription_date(date(9999, 12, 31)) == date.max


def test_shifting_past_either_end_gives_that_end() -> None:
    assert add_days(date(9999, 12, 1), 30) == date(9999, 12, 31)
    assert add_days(date(9999, 12, 1), 31) == date.max
    assert add_days(date(1, 1, 10), -365) == date.min
    assert add_days(date(2026, 3, 2), 10**30) == date.max
    assert add_days(date(2026, 3, 2), -(10**30)) == date.min
    assert add_years(date(1, 6, 1), -5) == date.min
    assert add_years(date(2026, 6, 1), 10**12) == date.max


@given(st.dates(), st.integers(min_value=-(10**15), max_value=10**15))
def test_add_days_equals_the_calendar_within_it_and_never_raises(day: date, days: int) -> None:
    shifted = add_days(day, days)
    try:
        expected = day + timedelta(days=days)
    except OverflowError:
        expected = date.max if days > 0 else date.min
    assert shifted == expected


@given(st.dates(), st.integers(min_value=-20_000, max_value=20_000))
def test_add_years_never_raises_and_keeps_the_day_when_it_exists(day: date, years: int) -> None:
    shifted = add_years(day, years)
    if date.min.year <= day.year + years <= date.max.year:
        assert shifted.year == day.year + years and shifted.month == day.month
        assert shifted.day == day.day or (day.month, day.day, shifted.day) == (2, 29, 28)
    else:
        assert shifted in (date.min, date.max)
