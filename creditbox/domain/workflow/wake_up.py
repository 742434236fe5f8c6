"""When a position next needs the engine (*risveglio*): the earliest business date on which
``engine.decide`` could record something for it, per supply and overall.

The scheduler runs a position only on or after its wake-up date (the due index,
``creditbox.projections.due_index``), so the answer must never be *later* than a date on which the
engine would act; earlier only costs a run that records nothing.

How it is found: with the position's state fixed, what the engine decides for a supply changes only
on a few dates — the *marks*:

- the documents: a bill's issue date and the day after its due date (it becomes overdue), a credit
  note's issue date, a payment's date (the allocation as of a day counts the documents dated up to it);
- opening a case: each of the supply's bills' due date plus the grace period (at least one day);
- the open case: the next step's due date (``ladder.due_date``, for every row the step may take,
  moved to the suspension calendar's next allowed day for an interruption), each instalment's due
  date plus the tolerance days plus one;
- the locks covering the supply: their start, the day after their end, the day they were lifted;
- the first day the engine decides anything for the supply at all: the latest business date its
  cases were decided for (``DunningCase.decided_until``; earlier runs decide nothing), or ``since``.

Between two marks the engine's answer is the same every day, except for a suspension, refused on the
calendar's forbidden days: so the engine itself (``engine.decide_supply``) is asked on each mark in
turn, and on the next allowed day after a forbidden mark; the first one where it decides something is
the wake-up date. The answer is exact, not an estimate — except that a supply with very many marks
before its last document date (a long history never run) gets the first mark beyond the budget of
exact checks: earlier, never later.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from creditbox.domain.allocation import Allocation
from creditbox.domain.business_dates import add_days
from creditbox.domain.company import CompanySettings
from creditbox.domain.workflow.calendar import SuspensionCalendar
from creditbox.domain.workflow.cases import DunningCase
from creditbox.domain.workflow.engine import decide_supply
from creditbox.domain.workflow.ladder import TableVersion, due_date, is_interruption, next_seq, rows_of
from creditbox.domain.workflow.view import PositionView

# Exact checks of days before the position's last document (each recomputes the allocation as of that
# day); past the budget the next mark is answered as is (earlier, never later).
HISTORY_BUDGET = 48
# Exact checks of one supply in all: a guard against pathological positions.
TOTAL_BUDGET = 400


@dataclass(frozen=True)
class WakeUp:
    """Per supply, the earliest business date the engine could record something (None: never,
    with the state as it is: only a new fact, a table or a settings change can wake it)."""

    supplies: Mapping[str, date | None]

    @property
    def on(self) -> date | None:
        """The position's wake-up date: the earliest of its supplies'."""
        return min((d for d in self.supplies.values() if d is not None), default=None)


def wake_up(
    position: PositionView, table: TableVersion, settings: CompanySettings, since: date | None = None
) -> WakeUp:
    """The earliest business date, not before ``since`` (when given), on which ``engine.decide``
    could record something for ``position`` with this actions-table version and these settings."""
    calendar = SuspensionCalendar(settings)
    documents = _Documents.of(position)
    found = {
        code: _supply_wake_up(position, table, settings, calendar, documents, code, since)
        for code in sorted(position.supplies)
    }
    return WakeUp(found)


@dataclass
class _Documents:
    """The dates on which the position's allocation can change, and its allocation after the last one."""

    marks: set[date]
    last: date
    final: Allocation

    @classmethod
    def of(cls, position: PositionView) -> _Documents:
        marks = {bill.issue_date for bill in position.bills.values()}
        marks |= {note.issue_date for note in position.credit_notes.values()}
        marks |= {payment.payment_date for payment in position.payments.values()}
        last = max(marks, default=date.min)
        return cls(marks, last, position.allocation(None) if marks else position.allocation(date.min))

    def allocation(self, position: PositionView, day: date) -> Allocation:
        return self.final if day >= self.last else position.allocation(day)


def _supply_wake_up(
    position: PositionView,
    table: TableVersion,
    settings: CompanySettings,
    calendar: SuspensionCalendar,
    documents: _Documents,
    code: str,
    since: date | None,
) -> date | None:
    cases = position.dunning.cases_of(code)
    open_case = position.dunning.open_case(code)
    bills = [bill for bill in position.bills.values() if bill.supply_code == code]
    if open_case is None and not bills:
        return None  # nothing owed on it, ever: only a new bill can wake it
    start = max([c.decided_until for c in cases], default=date.min)
    if since is not None:
        start = max(start, since)
    marks = set(documents.marks)
    grace = max(settings.grace_period_days, 1)
    for bill in bills:
        marks.add(add_days(bill.due_date, 1))
        marks.add(add_days(bill.due_date, grace))
    for lock in position.dunning.locks.values():
        if lock.covers(code):
            marks.add(lock.start)
            if lock.until is not None:
                marks.add(add_days(lock.until, 1))
            if lock.lifted_on is not None:
                marks.add(lock.lifted_on)
    if open_case is not None:
        marks |= _case_marks(open_case, table, settings, calendar)
    queue = [start, *(m for m in marks if m > start)]
    heapq.heapify(queue)
    return _first_decision(position, table, settings, calendar, documents, code, queue, open_case is not None)


def _case_marks(
    case: DunningCase, table: TableVersion, settings: CompanySettings, calendar: SuspensionCalendar
) -> set[date]:
    marks: set[date] = set()
    plan = case.plan
    if plan is not None:
        marks |= {add_days(i.due_date, settings.instalment_tolerance_days + 1) for i in plan.instalments}
    seq = next_seq(table, case.ladder, case.last_seq)
    if seq is None:
        return marks
    for row in rows_of(table, case.ladder, seq):
        due = due_date(case, row)
        if due.on is None:
            continue
        marks.add(due.on)
        if is_interruption(row.action_code, row.parameter("tech")):
            marks.add(_next_allowed(calendar, due.on))
    return marks


def _first_decision(
    position: PositionView,
    table: TableVersion,
    settings: CompanySettings,
    calendar: SuspensionCalendar,
    documents: _Documents,
    code: str,
    queue: list[date],
    has_case: bool,
) -> date | None:
    seen: set[date] = set()
    history = checks = 0
    while queue:
        day = heapq.heappop(queue)
        if day in seen:
            continue
        seen.add(day)
        if day < documents.last:
            history += 1
        checks += 1
        if history > HISTORY_BUDGET or checks > TOTAL_BUDGET:
            return day  # out of budget: this day, earlier than or equal to any later decision
        allocation = documents.allocation(position, day)
        if decide_supply(position, table, settings, day, code, allocation, calendar):
            return day
        if has_case and day < date.max and calendar.is_forbidden(day):
            # Only a suspension may be waiting for an allowed day: the next one starts a new interval.
            heapq.heappush(queue, _next_allowed(calendar, day))
    return None


def _next_allowed(calendar: SuspensionCalendar, day: date) -> date:
    """The calendar's next allowed day; ``day`` itself when the settings allow none within a year
    (the engine refuses to run then: waking on ``day`` shows it)."""
    try:
        return calendar.next_allowed(day)
    except ValueError:
        return day
