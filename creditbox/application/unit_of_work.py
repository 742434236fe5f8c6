"""The event store as the use cases see it: load aggregates, save them together, atomically."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
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


class BatchSaver(Protocol):
    """Saves batch after batch of aggregates, each batch atomically and in the order given.
    Used as a context manager: leaving it without error means every batch is committed."""

    def save(self, *aggregates: Any) -> None: ...


# Given how many records a run will apply, a context manager that saves its batches: the
# event store itself for small runs, a background writer for big ones (composition root).
BatchSavers = Callable[[int], AbstractContextManager[BatchSaver]]
