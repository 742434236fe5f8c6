"""The dates a command or a record may carry now: the business date from the clock and the
tolerance for dates slightly ahead of it (``CREDITBOX_FUTURE_DATE_TOLERANCE_DAYS``)."""

from __future__ import annotations

from dataclasses import dataclass

from creditbox.clock import Clock
from creditbox.domain.business_dates import DEFAULT_FUTURE_TOLERANCE_DAYS, DateWindow


@dataclass(frozen=True)
class DatePolicy:
    clock: Clock
    tolerance_days: int = DEFAULT_FUTURE_TOLERANCE_DAYS

    def window(self) -> DateWindow:
        """The window of the business date as of now (read from the clock at each call)."""
        return DateWindow(self.clock.today(), self.tolerance_days)
