"""What a projection is, and the batch of events it is given.

A projection turns a :class:`Batch` of domain events (in notification order) into writes on its own
tables, through the SQLAlchemy connection of the transaction that also moves its tracking position.
Views derived from an aggregate's state (positions, open items, cases, worklists, upcoming) do not
re-derive business rules from events: they ask the batch for the aggregate's state after the batch
(:meth:`Batch.state`) and rewrite that aggregate's rows, so applying a batch twice gives the same rows.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

from sqlalchemy import Connection, Table

from creditbox.infrastructure.bulk_loader import SqlBulkLoader
from creditbox.infrastructure.event_store import CreditBoxApplication
from creditbox.projections.lookups import Lookups

_MISSING = object()


@dataclass(frozen=True)
class Item:
    """One notification of the log, decoded."""

    notification_id: int
    event: Any  # a decoded domain event (originator_id, originator_version, timestamp, mutate())
    # The stored JSON of the event (None when the store compresses or encrypts it).
    state: bytes | None = None


@dataclass(frozen=True)
class Undecodable:
    """Stands in a batch for a notification whose event could not be decoded: the runner quarantines
    it (with the later events of its aggregate) instead of handing it to the projections."""

    originator_id: UUID
    originator_version: int
    topic: str
    error: BaseException

    @property
    def name(self) -> str:
        return self.topic.rsplit(".", 1)[-1].rsplit(":", 1)[-1]


class Projection(Protocol):
    """A projection: a class with ``name`` and ``tables`` as class attributes, or an instance holding them
    (see :class:`creditbox.projections.position_views.PositionRowsProjection`)."""

    @property
    def name(self) -> str: ...

    @property
    def tables(self) -> Sequence[Table]:  # the tables this projection owns: emptied on rebuild
        ...

    def apply(self, batch: Batch, conn: Connection) -> None: ...


def lookups_of(batch: Batch) -> Lookups:
    if batch.lookups is None:
        raise ValueError("batch without lookups")
    return batch.lookups


def valuation_date(batch: Batch) -> date:
    if batch.as_of is None:
        raise ValueError("batch without a valuation date")
    return batch.as_of


@runtime_checkable
class DateRelative(Protocol):
    """A projection with columns relative to a valuation date (refreshed when the date moves)."""

    def revalue(self, conn: Connection, states: StateCache, old: date | None, new: date) -> None: ...


class StateCache:
    """Aggregates as of a given version, kept warm while following the log (LRU).

    Mutates a cached aggregate with the next events when it has exactly the preceding version,
    otherwise reads it back from the event store at the wanted version. Correct on a cold start
    and after a failed batch; fast when following the log in order.
    """

    def __init__(self, app: CreditBoxApplication, *, max_size: int = 20_000) -> None:
        self._app = app
        self._max_size = max_size
        self._cache: OrderedDict[UUID, Any] = OrderedDict()
        self.loads = 0

    def advance(self, originator_id: UUID, events: Sequence[Any]) -> Any:
        """The aggregate after ``events`` (consecutive events of one aggregate, in order)."""
        cached = self._cache.get(originator_id)
        first, last = events[0].originator_version, events[-1].originator_version
        if cached is not None and cached.version == last:
            aggregate = cached
        elif (cached is None and first == 1) or (cached is not None and cached.version == first - 1):
            aggregate = cached
            expected = first
            for event in events:
                if event.originator_version != expected:  # a gap: the caller skipped some events
                    return self._load(originator_id, last)
                aggregate = event.mutate(aggregate)
                expected += 1
        else:
            return self._load(originator_id, last)
        self._remember(originator_id, aggregate)
        return aggregate

    def preload(self, wanted: Mapping[UUID, tuple[int, int]]) -> None:
        """Make ready, in a few queries, the aggregates :meth:`advance` would read back one by one:
        ``wanted`` gives each aggregate's first and last version in the batch; those the cache
        cannot take there by applying the batch's events are read at once (the bulk loader), and kept
        when read exactly at the last version. The others (written again since) are left to
        :meth:`advance`, which reads each at its version as before."""
        missing = [
            originator_id
            for originator_id, (first, last) in wanted.items()
            if not self._advances(self._cache.get(originator_id), first, last)
        ]
        if len(missing) < 2:
            return
        try:
            loaded = SqlBulkLoader(self._app).load_many(missing)
        except Exception:  # e.g. one undecodable event: each is read alone, where the error belongs
            return
        self.loads += len(missing)
        for originator_id, aggregate in loaded.items():
            if aggregate.version == wanted[originator_id][1]:
                self._remember(originator_id, aggregate)

    @staticmethod
    def _advances(cached: Any, first: int, last: int) -> bool:
        if cached is None:
            return first == 1
        return bool(cached.version == last or cached.version == first - 1)

    def at(self, originator_id: UUID, version: int) -> Any:
        cached = self._cache.get(originator_id)
        if cached is not None and cached.version == version:
            return cached
        return self._load(originator_id, version)

    def clear(self) -> None:
        self._cache.clear()

    def _load(self, originator_id: UUID, version: int) -> Any:
        self.loads += 1
        aggregate: Any = self._app.repository.get(originator_id, version=version)
        self._remember(originator_id, aggregate)
        return aggregate

    def _remember(self, originator_id: UUID, aggregate: Any) -> None:
        self._cache[originator_id] = aggregate
        self._cache.move_to_end(originator_id)
        while len(self._cache) > self._max_size:
            self._cache.popitem(last=False)


@dataclass
class Batch:
    """Consecutive notifications; states of their aggregates after the batch, computed on demand."""

    items: Sequence[Item]
    states: StateCache
    # The business date the runner values date-relative columns at (its clock's today).
    as_of: date | None = None
    # Actions-table versions and company settings, for the dunning views.
    lookups: Lookups | None = None
    parent: Batch | None = None
    # True when every notification from first_id to last_id is in ``items`` (False: a subset of
    # aggregates, see :meth:`only`), for projections that replace their rows by notification id.
    contiguous: bool = True
    _by_originator: dict[UUID, list[Any]] = field(default_factory=dict, init=False)
    _computed: dict[UUID, Any] = field(default_factory=dict, init=False)
    _memo: dict[tuple[UUID, str], Any] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        for item in self.items:
            self._by_originator.setdefault(item.event.originator_id, []).append(item.event)

    @property
    def first_id(self) -> int:
        return self.items[0].notification_id

    @property
    def last_id(self) -> int:
        return self.items[-1].notification_id

    def originators(self) -> Iterable[UUID]:
        return self._by_originator.keys()

    def events_of(self, originator_id: UUID) -> list[Any]:
        return self._by_originator[originator_id]

    def state(self, originator_id: UUID) -> Any:
        """The aggregate after this batch's last event of it."""
        if self.parent is not None:
            return self.parent.state(originator_id)
        if originator_id not in self._computed:
            self._computed[originator_id] = self.states.advance(originator_id, self._by_originator[originator_id])
        return self._computed[originator_id]

    def preload(self, originator_ids: Iterable[UUID]) -> None:
        """Ready the states of these aggregates (:meth:`state`) in a few queries, not one each."""
        if self.parent is not None:
            self.parent.preload(originator_ids)
            return
        wanted: dict[UUID, tuple[int, int]] = {}
        for originator_id in originator_ids:
            if originator_id in self._computed:
                continue
            events = self._by_originator[originator_id]
            wanted[originator_id] = (events[0].originator_version, events[-1].originator_version)
        self.states.preload(wanted)

    def memo(self, originator_id: UUID, key: str, compute: Callable[[], Any]) -> Any:
        """Something derived from an aggregate's state after the batch, computed once for all projections."""
        if self.parent is not None:
            return self.parent.memo(originator_id, key, compute)
        found = self._memo.get((originator_id, key), _MISSING)
        if found is _MISSING:
            found = self._memo[(originator_id, key)] = compute()
        return found

    def since(self, notification_id: int) -> Batch:
        """The part of this batch after ``notification_id``. Its aggregates end in the same state
        (the part is a suffix), so the states are the parent's, computed once for every projection."""
        if notification_id < self.first_id:
            return self
        part = [i for i in self.items if i.notification_id > notification_id]
        return Batch(part, self.states, as_of=self.as_of, lookups=self.lookups, parent=self, contiguous=self.contiguous)

    def only(self, originator_ids: Collection[UUID]) -> Batch:
        """The part of this batch about the given aggregates (the others left out), same states."""
        part = [i for i in self.items if i.event.originator_id in originator_ids]
        return Batch(part, self.states, as_of=self.as_of, lookups=self.lookups, parent=self, contiguous=False)

    def undecodable(self) -> dict[UUID, Undecodable]:
        """The aggregates with an event that could not be decoded, each with the first such event."""
        found: dict[UUID, Undecodable] = {}
        for item in self.items:
            if isinstance(item.event, Undecodable):
                found.setdefault(item.event.originator_id, item.event)
        return found

    def notification_ids(self) -> list[int]:
        return [i.notification_id for i in self.items]
