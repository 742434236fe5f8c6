"""The event store as the use cases see it: load aggregates, save them together, atomically."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol
from uuid import UUID


class EventStore(Protocol):
    def get_or_none(self, aggregate_id: UUID) -> Any | None: ...

    def exists(self, aggregate_id: UUID) -> bool: ...

    def save(self, *objs: Any) -> Any: ...

    def originators_of(self, topic: str) -> list[UUID]:
        """Ids of the aggregates that recorded an event of this topic, in log order."""
        ...


class BulkLoader(Protocol):
    """Loads many aggregates in few round trips (the import loads thousands at once)."""

    def load_many(self, aggregate_ids: Iterable[UUID]) -> dict[UUID, Any]: ...
