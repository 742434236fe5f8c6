"""Date arithmetic of the read side that never overflows, whatever date is stored or asked.

Python's ``date`` ends at 31/12/9999 and starts at 01/01/0001; ``date + timedelta`` (and
``replace(year=…)``) past either end raises ``OverflowError`` / ``ValueError``. The input boundaries
bound business dates to a documented range, but the read side must not depend on it: a projection
that raised here would stop on one event. So the projections and the queries shift dates with these
functions, which **cap the result at the ends of the calendar** (``date.max`` / ``date.min``): a limit
that would fall after 31/12/9999 is stored as 31/12/9999 — "not within any window" — and a filter
reaching before 01/01/0001 starts there.
"""

from __future__ import annotations

from datetime import date

_FIRST = date.min.toordinal()
_LAST = date.max.toordinal()


def add_days(day: date, days: int) -> date:
    """``day + days`` (days may be negative), capped at ``date.min`` / ``date.max``."""
    return date.fromordinal(min(_LAST, max(_FIRST, day.toordinal() + int(days))))


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (29 February → 28 February), capped at ``date.min`` / ``date.max``."""
    year = day.year + int(years)
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=year, day=28)
