"""Business dates in the domain: one range, refusals of dates ahead of the business date, and
date arithmetic that never overflows (near ``date.max`` or with absurd waits)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditbox.api.schemas.common import parse_iso_date
from creditbox.domain.actions import ActionRow, StartPoint
from creditbox.domain.business_dates import (
    EARLIEST,
    LATEST,
    DateInFuture,
    DateOutOfRange,
    DateWindow,
    add_days,
    check_in_range,
)
from creditbox.domain.codes import ActionCode
from creditbox.domain.company import CompanySettings
from creditbox.domain.errors import Field
from creditbox.domain.position import Position
from creditbox.domain.workflow.calendar import SuspensionCalendar
from creditbox.domain.workflow.cases import DunningCase, StepRecord, StepStatus
from creditbox.domain.workflow.ladder import StaticTable, due_date
from creditbox.domain.workflow.locks import validate_lock_dates
from creditbox.domain.workflow.outcomes import LockReason, StepOutcome, WriteOffKind
from creditbox.domain.workflow.plans import build_instalments, split_evenly
from creditbox.infrastructure.actions_csv import standard_rows
from creditbox.infrastructure.excel import values
from creditbox.infrastructure.excel.profile_reader import dated
from tests.builders import a_position, bill, pay

OUT_OF_RANGE = [
    date(1, 1, 1),  # year 1 (0001-01-01, date.min)
    date(1989, 12, 31),  # the day before the range
    date(2100, 1, 1),  # the day after the range
    date(2999, 6, 15),  # a far-future year
    date(9999, 12, 1),  # the reproduction of the issue
    date.max,
]
IN_RANGE = [EARLIEST, date(2026, 3, 2), LATEST]


@pytest.mark.parametrize("day", OUT_OF_RANGE, ids=str)
def test_a_date_outside_the_range_is_refused_naming_its_field(day: date) -> None:
    with pytest.raises(DateOutOfRange, match="fuori dall'intervallo ammesso") as refused:
        check_in_range(day, Field.DUE_DATE, "scadenza")
    assert refused.value.field is Field.DUE_DATE


@pytest.mark.parametrize("day", IN_RANGE, ids=str)
def test_the_bounds_of_the_range_are_accepted(day: date) -> None:
    assert check_in_range(day) == day


class TestTheWindowOfTheBusinessDate:
    today = date(2026, 3, 2)

    @pytest.mark.parametrize(
        ("tolerance", "day"),
        [(1, date(2026, 3, 4)), (1, date(2029, 3, 1)), (0, date(2026, 3, 3)), (2, date(2026, 3, 5))],
        ids=str,
    )
    def test_a_date_beyond_today_plus_the_tolerance_is_refused(self, tolerance: int, day: date) -> None:
        with pytest.raises(DateInFuture, match="controllare l'anno") as refused:
            DateWindow(self.today, tolerance).check(day, Field.OUTCOME_DATE, "data esito")
        assert refused.value.field is Field.OUTCOME_DATE

    @pytest.mark.parametrize(
        ("tolerance", "day"),
        [(1, date(2026, 3, 3)), (1, date(2026, 3, 2)), (0, date(2026, 3, 2)), (2, date(2026, 3, 4)), (1, EARLIEST)],
        ids=str,
    )
    def test_today_and_dates_just_inside_the_tolerance_are_accepted(self, tolerance: int, day: date) -> None:
        assert DateWindow(self.today, tolerance).check(day) == day

    def test_the_window_refuses_out_of_range_dates_first(self) -> None:
        with pytest.raises(DateOutOfRange):
            DateWindow(self.today).check(date(1, 1, 1))

    def test_the_window_of_the_last_day_of_the_range_does_not_pass_it(self) -> None:
        assert DateWindow(LATEST, 5).latest == LATEST
        assert DateWindow(date.max, 5).latest == LATEST


@pytest.mark.parametrize(
    ("day", "days", "expected"),
    [
        (date.max, 1, date.max),
        (date(9999, 12, 30), 10, date.max),
        (date(2026, 3, 2), 10**9, date.max),
        (date.min, -1, date.min),
        (date(2026, 3, 2), -(10**9), date.min),
        (date(2026, 3, 2), 30, date(2026, 4, 1)),
    ],
    ids=str,
)
def test_adding_days_saturates_at_the_ends_of_the_calendar(day: date, days: int, expected: date) -> None:
    assert add_days(day, days) == expected


class TestTheLastWallInThePosition:
    @pytest.mark.parametrize("day", OUT_OF_RANGE, ids=str)
    def test_a_bill_dated_outside_the_range_is_refused(self, day: date) -> None:
        position = a_position()
        with pytest.raises(DateOutOfRange) as as_due:
            position.issue_bill("B1", "S1", date(2026, 1, 1), day, Decimal("10.00"), by="t")
        with pytest.raises(DateOutOfRange) as as_issue:
            position.issue_bill("B2", "S1", day, day, Decimal("10.00"), by="t")
        assert (as_due.value.field, as_issue.value.field) == (Field.DUE_DATE, Field.ISSUE_DATE)
        assert position.bills == {}

    @pytest.mark.parametrize("day", OUT_OF_RANGE, ids=str)
    def test_a_payment_dated_outside_the_range_is_refused(self, day: date) -> None:
        position = a_position()
        with pytest.raises(DateOutOfRange) as refused:
            pay(position, "P1", day, "10.00")
        assert refused.value.field is Field.PAYMENT_DATE and position.payments == {}

    @pytest.mark.parametrize("day", [date(1, 1, 1), date(2100, 1, 1), date.max], ids=str)
    def test_the_workflow_does_not_run_for_a_date_outside_the_range(self, day: date) -> None:
        position = a_position()
        with pytest.raises(DateOutOfRange):
            position.run_workflow(_EMPTY_TABLE, CompanySettings(), day, by="t")


_EMPTY_TABLE = StaticTable(1, ())
_STANDARD_TABLE = StaticTable(1, standard_rows())


class TestCaseCommandsRefuseOutOfRangeDates:
    @pytest.mark.parametrize("day", [date(1, 1, 1), date(2100, 1, 1), date(9999, 12, 31)], ids=str)
    def test_locks_and_lifts(self, day: date) -> None:
        position = a_position()
        with pytest.raises(DateOutOfRange):
            position.set_lock(LockReason.MANUAL, None, day, None, "", by="t")
        with pytest.raises(DateOutOfRange):
            validate_lock_dates(date(2026, 3, 2), day)
        lock_id, _ = position.set_lock(LockReason.MANUAL, None, date(2026, 3, 2), None, "", by="t")
        with pytest.raises(DateOutOfRange):
            position.lift_lock(lock_id, day, "", by="t")

    @pytest.mark.parametrize("day", [date(1, 1, 1), date(2100, 1, 1), date.max], ids=str)
    def test_instalments(self, day: date) -> None:
        with pytest.raises(DateOutOfRange):
            build_instalments(date(2026, 3, 2), [(day, Decimal("10.00"))])

    @pytest.mark.parametrize("day", [date(1, 1, 1), date(2100, 1, 1), date.max], ids=str)
    def test_business_dates_and_outcome_dates_of_commands(self, day: date) -> None:
        position = _with_an_open_case()
        with pytest.raises(DateOutOfRange):
            position.confirm_proposal("S1/1", 1, day, by="t")
        with pytest.raises(DateOutOfRange):
            position.request_write_off("S1/1", WriteOffKind.WRITE_OFF, Decimal("0"), day, "", by="t")
        with pytest.raises(DateOutOfRange):
            position.record_outcome("S1/1", 1, StepOutcome.DELIVERED, day, "", by="t")
        with pytest.raises(DateOutOfRange):
            position.correct_outcome("S1/1", 1, None, StepOutcome.DELIVERED, day, "errore", by="t")


def _with_an_open_case() -> Position:
    """C1 with a bill due 31/01/2026 and the standard table run on 10/02/2026: case S1/1, SMS sent."""
    position = a_position()
    bill(position, "B1", due=date(2026, 1, 31), amount="100.00")
    position.run_workflow(_STANDARD_TABLE, CompanySettings(), date(2026, 2, 10), by="t")
    assert position.case("S1/1").step(1) is not None
    return position


class TestOverflowSafeArithmetic:
    def _case(self, opened: date, executed: date | None = None, delivered: date | None = None) -> DunningCase:
        case = DunningCase("S1/1", "S1", "A", opened, Decimal("10"), "A/1", 1, Decimal("100"))
        if executed is not None:
            step = StepRecord(
                1, "A/1", 1, ActionCode.REGISTERED_LETTER, "lettera", StepStatus.EXECUTED, executed, Decimal("100")
            )
            step.executed_on = executed
            step.wait_after_days = 10**6
            if delivered is not None:
                step.outcomes.append((StepOutcome.DELIVERED, delivered))
            case.steps.append(step)
        return case

    def _row(self, wait: int, start: StartPoint = StartPoint.OPENED) -> ActionRow:
        return replace(standard_rows()[0], wait_before_days=wait, start_point=start)

    @pytest.mark.parametrize("wait", [7, 10**6, 10**9])
    def test_a_ladder_wait_from_near_the_end_of_the_calendar_saturates(self, wait: int) -> None:
        assert due_date(self._case(date(9999, 12, 25)), self._row(wait)).on == date.max

    def test_a_wait_after_a_step_executed_near_the_end_saturates(self) -> None:
        case = self._case(date(9999, 1, 1), executed=date(9999, 12, 30), delivered=date(9999, 12, 31))
        assert due_date(case, self._row(10**9, StartPoint.PREVIOUS_DELIVERED)).on == date.max

    def test_the_suspension_calendar_stops_at_the_end_of_the_calendar(self) -> None:
        every_day = replace(CompanySettings(), suspension_forbidden_weekdays=(0, 1, 2, 3, 4, 5, 6))
        assert SuspensionCalendar(every_day).next_allowed(date(9999, 12, 30)) == date.max
        eves_only = replace(CompanySettings(), suspension_forbidden_weekdays=(), suspension_forbidden_on_holidays=False)
        assert SuspensionCalendar(eves_only).why_forbidden(date.max) is None  # the day after: none to look at

    @pytest.mark.parametrize("first", [date(9999, 11, 30), date.max, LATEST], ids=str)
    def test_monthly_instalments_never_pass_the_end_of_the_calendar(self, first: date) -> None:
        schedule = split_evenly(Decimal("120.00"), 3, first)
        assert [due >= first for due, _ in schedule] == [True, True, True]
        assert sum(amount for _, amount in schedule) == Decimal("120.00")

    def test_the_instalment_tolerance_after_a_plan_due_late_does_not_overflow(self) -> None:
        position = _with_an_open_case()
        overdue = Decimal("100.00")
        position.agree_plan("S1/1", [(LATEST, overdue)], date(2026, 2, 11), by="t")
        huge = replace(CompanySettings(), instalment_tolerance_days=10**7)
        position.run_workflow(_STANDARD_TABLE, huge, LATEST, by="t")
        plan = position.case("S1/1").plan
        assert plan is not None and plan.is_running  # not missed: the tolerance reaches past the calendar


class TestAnyDateWhatsoever:
    """Property-based: whatever the date (year 1 to 9999) and whatever the wait, nothing raises but
    the typed refusal, and every boundary parser either returns a date in the range or refuses."""

    @settings(max_examples=300, deadline=None)
    @given(day=st.dates(), days=st.integers(min_value=-(10**10), max_value=10**10))
    def test_adding_days_never_raises_and_stays_in_the_calendar(self, day: date, days: int) -> None:
        moved = add_days(day, days)
        assert date.min <= moved <= date.max
        assert (moved >= day) if days >= 0 else (moved <= day)

    @settings(max_examples=300, deadline=None)
    @given(day=st.dates(), today=st.dates(EARLIEST, LATEST), tolerance=st.integers(0, 31))
    def test_the_window_accepts_exactly_the_range_up_to_today_plus_the_tolerance(
        self, day: date, today: date, tolerance: int
    ) -> None:
        window = DateWindow(today, tolerance)
        try:
            window.check(day, Field.OUTCOME_DATE)
        except (DateOutOfRange, DateInFuture) as refused:
            assert refused.field is Field.OUTCOME_DATE
            assert not EARLIEST <= day <= min(add_days(today, tolerance), LATEST)
        else:
            assert EARLIEST <= day <= min(add_days(today, tolerance), LATEST)

    @settings(max_examples=300, deadline=None)
    @given(day=st.dates(), as_text=st.sampled_from(["cell", "iso", "italian", "theirs"]))
    def test_every_reader_of_a_date_returns_one_in_the_range_or_refuses_it(self, day: date, as_text: str) -> None:
        cell: object = {
            "cell": day,
            "iso": f"{day.year:04d}-{day.month:02d}-{day.day:02d}",
            "italian": f"{day.day:02d}/{day.month:02d}/{day.year:04d}",
            "theirs": f"{day.day:02d}.{day.month:02d}.{day.year:04d}",
        }[as_text]
        parsers = [values.a_date, dated("%d.%m.%Y")] if as_text in ("cell", "theirs") else [values.a_date]
        if as_text == "iso":
            parsers.append(parse_iso_date)
        for parse in parsers:
            try:
                parsed = parse(cell)
            except ValueError as refused:
                assert not EARLIEST <= day <= LATEST and "fuori dall'intervallo ammesso" in str(refused)
            else:
                assert parsed == day and EARLIEST <= parsed <= LATEST

    @settings(max_examples=200, deadline=None)
    @given(opened=st.dates(), wait=st.integers(0, 10**9), executed=st.dates(), after=st.integers(0, 10**9))
    def test_a_step_falls_due_on_a_date_whatever_the_dates_and_waits(
        self, opened: date, wait: int, executed: date, after: int
    ) -> None:
        case = DunningCase("S1/1", "S1", "A", opened, Decimal("10"), "A/1", 1, Decimal("100"))
        step = StepRecord(1, "A/1", 1, ActionCode.SMS, "sms", StepStatus.EXECUTED, executed, Decimal("100"))
        step.executed_on, step.wait_after_days = executed, after
        case.steps.append(step)
        row = replace(standard_rows()[0], wait_before_days=wait, start_point=StartPoint.PREVIOUS_SENT)
        due = due_date(case, row).on
        assert due is not None and due >= executed
