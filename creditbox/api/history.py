"""A position's history straight from its events, and the position replayed as of a business date.

The one query that reads the event store rather than a projection: an auditor must see exactly
what was recorded. ``as_of`` replays only the events whose business date is on or before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from creditbox.domain.errors import NotFound
from creditbox.domain.ids import position_id
from creditbox.domain.position import Position

_META = ("originator_id", "originator_version", "timestamp", "originator_topic")
# Event fields that carry the business date, most specific first.
_DATE_FIELDS = (
    "business_date",
    "outcome_date",
    "payment_date",
    "issue_date",
    "revoked_on",
    "issued_on",
    "on",
    "date",
)


@dataclass(frozen=True)
class HistoryEntry:
    version: int
    type: str
    business_date: date
    recorded_at: datetime
    by: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class PositionHistory:
    entries: list[HistoryEntry]
    position: Position | None  # replayed from the entries


def plain(value: Any) -> Any:
    """JSON-friendly values: dates ISO, amounts as decimal strings, codes as their value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _own_date(fields: dict[str, Any]) -> date | None:
    for name in _DATE_FIELDS:
        value = fields.get(name)
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
    return None


def business_dates(events: list[Any], zone: Any) -> list[date]:
    """The business date of each event.

    An event with a date of its own (``business_date``, ``issue_date``, ``payment_date``...) has
    that one. Master data (customer, supplies) carry none: an event without a date takes the one
    of the event before it; the leading ones (the registration) take the earlier of their recorded
    date and the earliest business date of the position, so they are part of every replay that has any data.
    """
    own = [_own_date({k: v for k, v in vars(e).items() if k not in _META}) for e in events]
    recorded = [e.timestamp.astimezone(zone).date() if zone is not None else e.timestamp.date() for e in events]
    dated = [d for d in own if d is not None]
    first_dated = min(dated) if dated else None
    result: list[date] = []
    previous: date | None = None
    for own_date, recorded_date in zip(own, recorded, strict=True):
        if own_date is not None:
            current = own_date
        elif previous is not None:
            current = previous
        else:
            current = min(recorded_date, first_dated) if first_dated is not None else recorded_date
        result.append(current)
        previous = current
    return result


def read_history(
    event_store: Any, company: str, customer_code: str, *, as_of: date | None, zone: Any
) -> PositionHistory:
    """``event_store``: the eventsourcing application's ``repository.event_store``."""
    events = list(event_store.get(position_id(company, customer_code)))
    if not events:
        raise NotFound(f"cliente {customer_code!r} sconosciuto nell'azienda {company!r}")
    entries: list[HistoryEntry] = []
    aggregate: Any = None
    for event, business in zip(events, business_dates(events, zone), strict=True):
        if as_of is not None and business > as_of:
            continue
        if aggregate is None and event.originator_version != 1:
            continue  # nothing can apply before the position exists
        fields = {k: v for k, v in vars(event).items() if k not in _META}
        if aggregate is not None:
            # Events after ``as_of`` were left out: align the version so the next one applies.
            aggregate.version = event.originator_version - 1
        aggregate = event.mutate(aggregate)
        entries.append(
            HistoryEntry(
                version=event.originator_version,
                type=type(event).__name__,
                business_date=business,
                recorded_at=event.timestamp,
                by=fields.get("by"),
                data={k: plain(v) for k, v in fields.items() if k != "by"},
            )
        )
    return PositionHistory(entries=entries, position=aggregate if isinstance(aggregate, Position) else None)
