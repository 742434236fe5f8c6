"""A position's history straight from its events, and the position replayed as of a business date.

The one query that reads the event store rather than a projection: an auditor must see exactly
what was recorded. ``as_of`` replays only the events whose business date is on or before it
(``creditbox.application.history``: the same replay as ``positions show --as-of``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from creditbox.application.history import fields_of, replay_events
from creditbox.domain.errors import NotFound
from creditbox.domain.ids import position_id
from creditbox.domain.position import Position


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
    notes: list[str] = field(default_factory=list)  # what could not be dated exactly (Italian)


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


def read_history(
    event_store: Any, company: str, customer_code: str, *, as_of: date | None, zone: Any
) -> PositionHistory:
    """``event_store``: the eventsourcing application's ``repository.event_store``."""
    events = list(event_store.get(position_id(company, customer_code)))
    if not events:
        raise NotFound(f"cliente {customer_code!r} sconosciuto nell'azienda {company!r}")
    replay, applied = replay_events(events, as_of, zone)
    entries = [
        HistoryEntry(
            version=event.originator_version,
            type=type(event).__name__,
            business_date=business,
            recorded_at=event.timestamp,
            by=fields_of(event).get("by"),
            data={k: plain(v) for k, v in fields_of(event).items() if k != "by"},
        )
        for event, business in applied
    ]
    return PositionHistory(entries=entries, position=replay.position, notes=replay.notes)
