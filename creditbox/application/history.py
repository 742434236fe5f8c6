"""A position's history straight from its events, and the position as it stood on a business date,
replayed from them (CLI ``positions show --as-of``, the API's ``history`` and ``history?as_of=``).

The API's one query of the event store rather than a projection (through the ``EventHistory``
port): an auditor must see exactly what was recorded.

Each event has a business date: its own (``business_date``, ``outcome_date``, ``payment_date``,
``issue_date``, a legal milestone's ``occurred_on``, a lock's ``start`` or ``lifted_on``...). Master
data sent by the billing system (customer details, supplies and their statuses) carries none: such an
event takes the date of the event before it, and the leading ones (the registration) the earlier of
their recorded date and the position's earliest business date. The replay applies, in log order, the
events dated on or before the date asked and says how many undated ones it had to date that way.

Two ways of cutting a history, which can be combined:

- by **business date** (``as_of``): "what did we know of this debt on 1 March" — every event whose
  business date is on or before it, whenever it was recorded (a payment of 28 February recorded on
  5 March is in);
- by **recording time** (``as_recorded_at``): "what did the system show on 1 March at 10:00" — the
  events recorded up to that instant, nothing recorded later. The events of a position are recorded
  in version order with rising timestamps, so this cut is a prefix of the log: the replay is exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from creditbox.application.ports import EventHistory
from creditbox.domain.errors import NotFound
from creditbox.domain.ids import position_id
from creditbox.domain.position import Position
from creditbox.projections.describe import describe

META = frozenset(("originator_id", "originator_version", "timestamp", "originator_topic"))
# Event fields that carry the business date, most specific first.
DATE_FIELDS = (
    "business_date",
    "outcome_date",
    "occurred_on",  # a legal milestone's
    "payment_date",
    "issue_date",
    "lifted_on",
    "start",
    "revoked_on",
    "issued_on",
    "on",
    "date",
)


def fields_of(event: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(event).items() if k not in META}


def own_date(fields: dict[str, Any]) -> date | None:
    for name in DATE_FIELDS:
        value = fields.get(name)
        if value is None:
            continue
        if type(value) is date or (isinstance(value, date) and not isinstance(value, datetime)):
            return value
    return None


def business_dates(events: list[Any], zone: Any, fields: list[dict[str, Any]] | None = None) -> list[date]:
    """The business date of each event (see the module's docstring); ``fields``: each event's
    :func:`fields_of`, when the caller has them already."""
    own = [own_date(f) for f in (fields if fields is not None else map(fields_of, events))]
    dated = [d for d in own if d is not None]
    first_dated = min(dated) if dated else None
    result: list[date] = []
    previous: date | None = None
    for event, own_date_ in zip(events, own, strict=True):
        if own_date_ is not None:
            current = own_date_
        elif previous is not None:
            current = previous
        else:  # a leading undated event: its recorded date (read only here, where it counts)
            moment = event.timestamp
            recorded_date = moment.astimezone(zone).date() if zone is not None else moment.date()
            current = min(recorded_date, first_dated) if first_dated is not None else recorded_date
        result.append(current)
        previous = current
    return result


@dataclass
class Replay:
    position: Position | None
    as_of: date
    applied: int = 0
    left_out: int = 0  # events dated after ``as_of``
    # Master-data events applied with the date of the event before them (the registration apart).
    undated_applied: list[str] = field(default_factory=list)
    as_recorded_at: datetime | None = None
    recorded_later: int = 0  # events recorded after ``as_recorded_at``

    @property
    def notes(self) -> list[str]:
        """What the output must say about the cut (Italian; empty when nothing was left out)."""
        notes: list[str] = []
        if self.as_recorded_at is not None and self.recorded_later:
            notes.append(
                f"Posizione come risultava il {self.as_recorded_at:%d/%m/%Y alle %H:%M:%S} ({self.as_recorded_at:%Z}): "
                f"{self.recorded_later} eventi registrati dopo esclusi."
            )
        if not self.left_out:
            return notes
        notes += [
            f"Posizione ricostruita al {self.as_of:%d/%m/%Y} dai suoi eventi: "
            f"{self.applied} applicati, {self.left_out} successivi esclusi."
        ]
        if self.undated_applied:
            notes.append(
                "Anagrafica e forniture inviate dal gestionale non hanno una data contabile propria: "
                f"{len(self.undated_applied)} variazioni ({', '.join(sorted(set(self.undated_applied)))}) "
                "sono datate con l'evento che le precede e potrebbero essere più recenti della data richiesta."
            )
        return notes


def recorded_by(events: Iterable[Any], as_recorded_at: datetime | None) -> list[Any]:
    """The events recorded up to ``as_recorded_at`` (all when None): a prefix of the log."""
    listed = list(events)
    if as_recorded_at is None:
        return listed
    cut = as_recorded_at if as_recorded_at.tzinfo is not None else as_recorded_at.replace(tzinfo=UTC)
    prefix: list[Any] = []
    for event in listed:
        if event.timestamp > cut:
            break
        prefix.append(event)
    return prefix


def replay_events(
    events: Iterable[Any], as_of: date | None, zone: Any, as_recorded_at: datetime | None = None
) -> tuple[Replay, list[tuple[Any, date]]]:
    """Apply the events recorded up to ``as_recorded_at`` and dated on or before ``as_of`` (all when
    None). Returns the replay and the applied events with their business dates."""
    replay, applied = _replay(events, as_of, zone, as_recorded_at)
    return replay, [(event, business) for event, business, _ in applied]


def _replay(
    events: Iterable[Any], as_of: date | None, zone: Any, as_recorded_at: datetime | None
) -> tuple[Replay, list[tuple[Any, date, dict[str, Any]]]]:
    """:func:`replay_events`, each applied event with its fields (:func:`fields_of`, computed once)."""
    everything = list(events)
    listed = recorded_by(everything, as_recorded_at)
    fields = [fields_of(event) for event in listed]
    dates = business_dates(listed, zone, fields)
    aggregate: Any = None
    replay = Replay(None, as_of or date.max, as_recorded_at=as_recorded_at)
    replay.recorded_later = len(everything) - len(listed)
    applied: list[tuple[Any, date, dict[str, Any]]] = []
    for event, business, data in zip(listed, dates, fields, strict=True):
        if as_of is not None and business > as_of:
            replay.left_out += 1
            continue
        if aggregate is None and event.originator_version != 1:
            replay.left_out += 1
            continue  # nothing can apply before the position exists
        if aggregate is not None:
            # Events after ``as_of`` were left out: align the version so the next one applies.
            aggregate.version = event.originator_version - 1
            if own_date(data) is None:
                replay.undated_applied.append(type(event).__name__)
        aggregate = event.mutate(aggregate)
        replay.applied += 1
        applied.append((event, business, data))
    replay.position = aggregate if isinstance(aggregate, Position) else None
    return replay, applied


def events_of_position(history: EventHistory, company: str, customer_code: str) -> list[Any]:
    """The position's stored events, in order (``NotFound`` when it recorded none)."""
    events = history.events_of(position_id(company, customer_code))
    if not events:
        raise NotFound(f"cliente {customer_code!r} sconosciuto nell'azienda {company!r}")
    return events


def position_as_of(
    history: EventHistory,
    company: str,
    customer_code: str,
    as_of: date | None,
    zone: Any,
    as_recorded_at: datetime | None = None,
) -> Replay:
    replay, _ = replay_events(events_of_position(history, company, customer_code), as_of, zone, as_recorded_at)
    if replay.position is None:
        when = f"al {as_of:%d/%m/%Y}" if as_of is not None else ""
        if as_recorded_at is not None:
            when = f"{when} registrato entro il {as_recorded_at:%d/%m/%Y %H:%M:%S}".strip()
        raise NotFound(f"cliente {customer_code!r} non ancora registrato {when}".strip())
    return replay


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded event of a position: its fields as recorded (``data``, without ``by``)."""

    version: int
    type: str
    business_date: date
    recorded_at: datetime
    by: str | None
    data: dict[str, Any]
    description: str = ""  # Italian, the audit trail's sentence


@dataclass(frozen=True)
class PositionHistory:
    entries: list[HistoryEntry]
    position: Position | None  # replayed from the entries
    notes: list[str] = field(default_factory=list)  # what could not be dated exactly (Italian)


def _entry(event: Any, business: date, data: dict[str, Any]) -> HistoryEntry:
    """``data``: the event's :func:`fields_of`."""
    return HistoryEntry(
        version=event.originator_version,
        type=type(event).__name__,
        business_date=business,
        recorded_at=event.timestamp,
        by=data.get("by"),
        data={k: v for k, v in data.items() if k != "by"},
        description=describe(event, data),
    )


def position_history(
    history: EventHistory,
    company: str,
    customer_code: str,
    *,
    as_of: date | None,
    zone: Any,
    as_recorded_at: datetime | None = None,
) -> PositionHistory:
    """Every event of the position recorded up to ``as_recorded_at`` and dated on or before ``as_of``
    (all when None), in order, with the position replayed from them: what an auditor sees, exactly
    as recorded."""
    replay, applied = _replay(events_of_position(history, company, customer_code), as_of, zone, as_recorded_at)
    entries = [_entry(event, business, data) for event, business, data in applied]
    return PositionHistory(entries=entries, position=replay.position, notes=replay.notes)
