"""Days on which suspension is never requested (company settings; default for water: Friday,
Saturday, Italian public holidays — Easter Monday included — and the day before a holiday).

A suspension due on a forbidden day moves to the next allowed day.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays

from creditbox.domain.business_dates import add_days
from creditbox.domain.company import CompanySettings


@lru_cache(maxsize=64)
def italian_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("IT", years=year).keys())


def is_holiday(day: date) -> bool:
    return day in italian_holidays(day.year)


class SuspensionCalendar:
    def __init__(self, settings: CompanySettings) -> None:
        self._weekdays = frozenset(settings.suspension_forbidden_weekdays)
        self._holidays = settings.suspension_forbidden_on_holidays
        self._eves = settings.suspension_forbidden_on_holiday_eves

    def is_forbidden(self, day: date) -> bool:
        return self.why_forbidden(day) is not None

    def why_forbidden(self, day: date) -> str | None:
        if day.weekday() in self._weekdays:
            return "giorno della settimana escluso"
        if self._holidays and is_holiday(day):
            return "giorno festivo"
        if self._eves and is_holiday(add_days(day, 1)):
            return "vigilia di festivo"
        return None

    def next_allowed(self, day: date) -> date:
        for _ in range(366):
            if not self.is_forbidden(day) or day == date.max:
                return day  # the end of the calendar: nothing later to move to
            day = add_days(day, 1)
        raise ValueError("nessun giorno ammesso per la sospensione entro un anno: controllare le impostazioni")
