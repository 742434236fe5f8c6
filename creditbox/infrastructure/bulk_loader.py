"""Loading many aggregates at once for batch work (imports, ticks)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from creditbox.infrastructure.event_store import CreditBoxApplication


class RepositoryBulkLoader:
    """Loads through the repository, one aggregate at a time (correct on every backend)."""

    def __init__(self, app: CreditBoxApplication) -> None:
        self._app = app

    def load_many(self, aggregate_ids: Iterable[UUID]) -> dict[UUID, Any]:
        loaded: dict[UUID, Any] = {}
        for aggregate_id in aggregate_ids:
            aggregate = self._app.get_or_none(aggregate_id)
            if aggregate is not None:
                loaded[aggregate_id] = aggregate
        return loaded
