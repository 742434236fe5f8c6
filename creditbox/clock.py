"""Time is injected. The domain never reads a clock: commands receive business dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware datetime in the company's time zone."""
        ...

    def today(self) -> date:
        """The business date."""
        ...


class SystemClock:
    def __init__(self, timezone: str = "Europe/Rome") -> None:
        self._zone = ZoneInfo(timezone)

    def now(self) -> datetime:
        return datetime.now(self._zone)

    def today(self) -> date:
        return self.now().date()


class FixedClock:
    """A settable clock for tests and simulation."""

    def __init__(self, moment: datetime | date) -> None:
        self._now = _aware(moment)

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.date()

    def set(self, moment: datetime | date) -> None:
        self._now = _aware(moment)

    def advance(self, *, days: int = 0, seconds: float = 0) -> None:
        self._now = self._now + timedelta(days=days, seconds=seconds)


def _aware(moment: datetime | date) -> datetime:
    if isinstance(moment, datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=ROME)
    return datetime(moment.year, moment.month, moment.day, 9, 0, tzinfo=ROME)
