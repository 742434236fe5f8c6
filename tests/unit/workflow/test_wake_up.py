"""The wake-up date of a position: never later than the engine would act (a property over random
histories, checked day by day against ``engine.decide``), and the dates of the usual cases."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from functools import reduce
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditbox.domain.codes import CustomerType, Service, SupplyType
from creditbox.domain.company import CompanySettings
from creditbox.domain.documents import SupplyDetails
from creditbox.domain.errors import DomainError
from creditbox.domain.position import Position
from creditbox.domain.workflow import engine
from creditbox.domain.workflow.ladder import is_interruption
from creditbox.domain.workflow.outcomes import LockReason
from creditbox.domain.workflow.wake_up import wake_up
from tests.unit.workflow.scenario import DUE, Scenario, walk
from tests.unit.workflow.table import standard_table
from tests.unit.workflow.test_properties import START, TABLE, _operator_command, _position, ops

SETTINGS_CHOICES = [
    CompanySettings(),
    replace(CompanySettings(), grace_period_days=0, instalment_tolerance_days=0),
    replace(CompanySettings(), grace_period_days=25, suspension_forbidden_weekdays=(0, 1, 2, 3)),
]
WINDOW_BEFORE = 30  # days before the current day checked against the engine
WINDOW_AFTER = 120  # days after it


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _first_action(position: Position, company: CompanySettings, days: list[date]) -> date | None:
    """The first of ``days`` on which the engine decides something (the position left unchanged)."""
    return next((d for d in days if engine.decide(position, TABLE, company, d)), None)


def _check(position: Position, company: CompanySettings, today: date) -> None:
    days = _days(today - timedelta(days=WINDOW_BEFORE), today + timedelta(days=WINDOW_AFTER))
    # Without ``since``: never later than any day the engine acts on.
    woken = wake_up(position, TABLE, company).on
    acted = _first_action(position, company, days)
    if acted is not None:
        assert woken is not None and woken <= acted, (woken, acted)
    # From today: exact (the engine acts on that very day, and on no day before it).
    woken = wake_up(position, TABLE, company, since=today).on
    acted = _first_action(position, company, [d for d in days if d >= today])
    if acted is not None:
        assert woken == acted, (woken, acted)
    elif woken is not None and woken <= days[-1]:
        raise AssertionError(f"woken on {woken}, the engine does nothing until {days[-1]}")


def _apply(position: Position, op: tuple[Any, ...], today: date, n: int, company: CompanySettings) -> date:
    kind = op[0]
    if kind == "tick":
        for _ in range(op[1]):
            today += timedelta(days=1)
            position.run_workflow(TABLE, company, today, by="scheduler")
    elif kind == "bill":
        due = today + timedelta(days=op[3])
        position.issue_bill(f"B{n}", op[1], due - timedelta(days=30), due, Decimal(op[2]), by="t")
    elif kind == "pay":
        position.receive_payment(f"P{n}", today, Decimal(op[1]), by="t")
    else:
        with contextlib.suppress(DomainError):
            _operator_command(position, op, today)
    return today


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops, st.sampled_from(SETTINGS_CHOICES), st.data())
def test_never_later_than_the_engine(operations: list[tuple[Any, ...]], company: CompanySettings, data: Any) -> None:
    position = _position(data.draw(st.sampled_from(list(CustomerType))))
    today = START
    for n, op in enumerate(operations):
        today = _apply(position, op, today, n, company)
        position.collect_events()
        if data.draw(st.booleans()):
            _check(position, company, today)
    _check(position, company, today)


# ---- examples ------------------------------------------------------------------------------------


def test_an_unpaid_bill_wakes_after_the_grace_period() -> None:
    s = Scenario.given()
    grace = s.settings.grace_period_days
    assert wake_up(s.position, s.table, s.settings).on == DUE + timedelta(days=grace)
    assert s.tick(DUE + timedelta(days=grace)) == ["DunningCaseOpened", "StepExecuted"]


def test_a_paid_bill_never_wakes() -> None:
    s = Scenario.given()
    s.pay("120.00", on=DUE)
    assert wake_up(s.position, s.table, s.settings, since=DUE).on is None


def test_an_amount_below_every_threshold_never_wakes() -> None:
    s = Scenario.given(amount="1.00")
    assert wake_up(s.position, s.table, s.settings, since=DUE).on is None


def test_the_next_step_wakes_on_its_due_date() -> None:
    s = Scenario.given()
    opened = DUE + timedelta(days=s.settings.grace_period_days)
    s.tick(opened)
    woken = wake_up(s.position, s.table, s.settings).on
    assert woken is not None and woken > opened
    assert _exactly_when_the_engine_acts(s, opened) == woken
    assert s.tick(woken)


def test_a_case_paid_below_its_threshold_wakes_at_once() -> None:
    s = Scenario.given()
    opened = DUE + timedelta(days=s.settings.grace_period_days)
    s.tick(opened)
    s.pay("120.00", on=opened)
    assert wake_up(s.position, s.table, s.settings).on == opened
    assert s.tick(opened + timedelta(days=1)) == ["CaseClosedAsPaid"]
    assert wake_up(s.position, s.table, s.settings).on is None


def test_a_lock_moves_the_wake_up_to_the_day_after_it_ends() -> None:
    s = Scenario.given()
    opened = DUE + timedelta(days=s.settings.grace_period_days)
    s.tick(opened)
    step_due = wake_up(s.position, s.table, s.settings).on
    assert step_due is not None
    until = step_due + timedelta(days=30)
    s.position.set_lock(LockReason.DISPUTE, None, opened, until, "", by="op")
    s.collect()
    assert wake_up(s.position, s.table, s.settings).on == until + timedelta(days=1)


def test_an_instalment_wakes_after_its_tolerance() -> None:
    s = Scenario.given()
    opened = DUE + timedelta(days=s.settings.grace_period_days)
    s.tick(opened)
    first = opened + timedelta(days=10)
    s.position.agree_plan(
        s.case.case_id, [(first, Decimal("60.00")), (first + timedelta(days=30), Decimal("60.00"))], opened, by="op"
    )
    s.collect()
    expected = first + timedelta(days=s.settings.instalment_tolerance_days + 1)
    assert wake_up(s.position, s.table, s.settings).on == expected
    assert s.tick(expected - timedelta(days=1)) == []
    assert s.tick(expected)[0] == "InstalmentMissed"


def _exactly_when_the_engine_acts(s: Scenario, since: date) -> date:
    """The wake-up from ``since``; the engine decides nothing on any day before it and something on it."""
    woken = wake_up(s.position, s.table, s.settings, since=since).on
    assert woken is not None
    for day in _days(since, woken - timedelta(days=1)):
        assert engine.decide(s.position, s.table, s.settings, day) == []
    assert engine.decide(s.position, s.table, s.settings, woken)
    return woken


def test_a_suspension_waits_for_an_allowed_day() -> None:
    sundays_only = replace(CompanySettings(), suspension_forbidden_weekdays=(0, 1, 2, 3, 4, 5))
    s = Scenario.given(settings=sundays_only)
    walk(s, date(2026, 6, 30))
    suspension = next(
        (i, e)
        for i, e in enumerate(s.history)
        if type(e).__name__ == "StepExecuted" and is_interruption(e.action_code, e.parameters.get("tech"))
    )
    index, executed = suspension
    before = reduce(lambda aggregate, event: event.mutate(aggregate), s.history[:index], None)
    assert executed.business_date.weekday() == 6
    assert wake_up(before, s.table, sundays_only).on == executed.business_date


def test_settings_and_table_are_the_ones_given() -> None:
    s = Scenario.given()
    later = replace(s.settings, grace_period_days=s.settings.grace_period_days + 10)
    assert wake_up(s.position, standard_table(2), later).on == DUE + timedelta(days=later.grace_period_days)


def test_each_supply_has_its_own_wake_up() -> None:
    s = Scenario.given()
    s.position.register_supply(SupplyDetails("S2", Service.GAS, SupplyType.SUSPENDABLE), by="t")
    s.collect()
    woken = wake_up(s.position, s.table, s.settings)
    assert woken.supplies["S2"] is None
    assert woken.supplies["S1"] == woken.on == DUE + timedelta(days=s.settings.grace_period_days)
