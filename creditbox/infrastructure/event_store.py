"""The eventsourcing Application that holds every aggregate of CreditBox in one event store.

One notification log (global order) for positions, companies, actions tables and imports,
so projections follow a single sequence.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import DomainEventProtocol, MutableOrImmutableAggregate
from eventsourcing.persistence import JSONTranscoder, Recording

from creditbox.infrastructure.transcodings import register_domain_transcodings
from creditbox.infrastructure.write_gate import WriteGate

# No serialisation until the composition root sets the application's gate (``bootstrap``).
_OPEN_GATE = WriteGate(serialise=False, wait=0.0)


class CreditBoxApplication(Application[UUID]):
    name = "CreditBox"
    # Writes of this process take turns on SQLite (``infrastructure/write_gate.py``).
    write_gate: WriteGate = _OPEN_GATE

    def save(
        self, *objs: MutableOrImmutableAggregate[UUID] | DomainEventProtocol[UUID] | None, **kwargs: Any
    ) -> list[Recording[UUID]]:
        with self.write_gate.hold():
            return super().save(*objs, **kwargs)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder)

    def get_or_none(self, aggregate_id: UUID) -> Any | None:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def exists(self, aggregate_id: UUID) -> bool:
        return self.repository.__contains__(aggregate_id)

    def events_of(self, aggregate_id: UUID) -> list[Any]:
        """Every stored event of the aggregate, in order (as-of replays)."""
        return list(self.repository.event_store.get(aggregate_id))

    def originators_of(self, topic: str) -> list[UUID]:
        ids: list[UUID] = []
        start = 1
        while True:
            page = self.recorder.select_notifications(start=start, limit=1000, topics=[topic])
            if not page:
                return ids
            ids.extend(UUID(str(n.originator_id)) for n in page)
            start = page[-1].id + 1

    def last_notification_id(self) -> int:
        return self.recorder.max_notification_id() or 0

    def events_after(self, notification_id: int) -> tuple[list[tuple[str, UUID]], int]:
        events: list[tuple[str, UUID]] = []
        last = notification_id
        while True:
            page = self.recorder.select_notifications(start=last + 1, limit=1000)
            if not page:
                return events, last
            events.extend((n.topic.rsplit(".", 1)[-1], UUID(str(n.originator_id))) for n in page)
            last = page[-1].id
