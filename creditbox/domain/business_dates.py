"""Business dates: the one range every date entering CreditBox must lie in, the refusal of dates
later than the business date, and overflow-safe date arithmetic.

Range: **1 January 1990 – 31 December 2099** (``EARLIEST`` – ``LATEST``). A group's oldest open
credits are well within 30 years (prescription runs 5 or 10 years), and the longest schedules it
records (repayment plans, due dates) reach a few years ahead: anything before 1990 or after 2099
is a typing error (``0026`` for ``2026``, ``9999`` as "no date"). The bound also keeps every
computation on a stored date (prescription, ageing, ladder waits, instalment tolerance) thousands
of years away from the end of the calendar (``date.max``).

Facts and commands (outcomes, payments, locks, lifts, case commands) may not be dated later than
the business date plus a small tolerance (``CREDITBOX_FUTURE_DATE_TOLERANCE_DAYS``, default 1):
a mistyped year would otherwise stop a case until that year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from creditbox.domain.errors import Field, InvalidCommand

EARLIEST = date(1990, 1, 1)
LATEST = date(2099, 12, 31)
DEFAULT_FUTURE_TOLERANCE_DAYS = 1
RANGE_TEXT = f"dal {EARLIEST:%d/%m/%Y} al {LATEST:%d/%m/%Y}"


class DateRefused(InvalidCommand):
    """A date refused as such (out of range, too far ahead). ``field`` names the datum."""


class DateOutOfRange(DateRefused):
    """A date outside ``EARLIEST`` – ``LATEST``."""


class DateInFuture(DateRefused):
    """A fact or command dated later than the business date plus the tolerance."""


def in_range(day: date) -> bool:
    return EARLIEST <= day <= LATEST


def range_error(day: date) -> str:
    """The Italian reason a date outside the range is refused (for the edges' own refusals)."""
    return f"data {day:%d/%m/%Y} fuori dall'intervallo ammesso ({RANGE_TEXT})"


def check_in_range(day: date, field: Field | None = None, what: str = "data") -> date:
    """``day`` if it lies in the range, else :class:`DateOutOfRange` naming ``field``."""
    if not in_range(day):
        raise DateOutOfRange(f"{what} {day:%d/%m/%Y} fuori dall'intervallo ammesso ({RANGE_TEXT})", field=field)
    return day


def add_days(day: date, days: int) -> date:
    """``day + days``, saturating at ``date.min`` / ``date.max`` instead of overflowing."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


@dataclass(frozen=True)
class DateWindow:
    """The dates a fact or command may carry on ``today`` (the business date): within the range
    and not later than ``today`` + ``tolerance_days``."""

    today: date
    tolerance_days: int = DEFAULT_FUTURE_TOLERANCE_DAYS

    @property
    def latest(self) -> date:
        return min(add_days(self.today, max(self.tolerance_days, 0)), LATEST)

    def check(self, day: date, field: Field | None = None, what: str = "data") -> date:
        check_in_range(day, field, what)
        if day > self.latest:
            raise DateInFuture(
                f"{what} {day:%d/%m/%Y} successiva alla data odierna ({self.today:%d/%m/%Y}) oltre la tolleranza "
                f"di {self.tolerance_days} giorni: controllare l'anno",
                field=field,
            )
        return day
