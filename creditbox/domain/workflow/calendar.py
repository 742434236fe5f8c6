"""Days on which suspension is never requested (company settings; default for water: Friday,
Saturday, Italian public holidays — Easter Monday included — and the day before a holiday), plus
the company's own days (e.g. the patron saint's day), which count as holidays: never a suspension
on them, nor on their eve when the eves rule is on.

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
        self._settings = settings

    def is_forbidden(self, day: date) -> bool:
        return self.why_forbidden(day) is not None

    def why_forbidden(self, day: date) -> str | None:
        if day.weekday() in self._weekdays:
            return "giorno della settimana escluso"
        own = self._settings.company_day(day)
        if own is not None:
            return f"giorno dell'azienda: {own.label}"
        if self._holidays and is_holiday(day):
            return "giorno festivo"
        if self._eves:
            eve_of = add_days(day, 1)
            own = self._settings.company_day(eve_of)
            if own is not None:
                return f"vigilia di {own.label}"
            if is_holiday(eve_of):
                return "vigilia di festivo"
        return None

    def next_allowed(self, day: date) -> date:
        for _ in range(366):
            if not self.is_forbidden(day) or day == date.max:
                return day  # the end of the calendar: nothing later to move to
            day = add_days(day, 1)
        raise ValueError("nessun giorno ammesso per la sospensione entro un anno: controllare le impostazioni")
