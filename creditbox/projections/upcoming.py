"""``upcoming``: every scheduled step and instalment of the open cases, with its due date."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import ClassVar

from sqlalchemy import Connection, Table

from creditbox.projections.dunning_rows import next_steps, upcoming_rows
from creditbox.projections.framework import Batch, lookups_of
from creditbox.projections.position_rows import replace_rows, touched_positions
from creditbox.projections.schema import upcoming


class UpcomingProjection:
    name: ClassVar[str] = "upcoming"
    tables: ClassVar[Sequence[Table]] = (upcoming,)

    def apply(self, batch: Batch, conn: Connection) -> None:
        lookups = lookups_of(batch)
        ids: list[str] = []
        rows = []
        for position_id, position, facts in touched_positions(batch):
            ids.append(str(position_id))
            steps = batch.memo(position_id, "next_steps", partial(next_steps, position, lookups, facts.allocation))
            rows.extend(upcoming_rows(position_id, position, steps, facts.allocation))
        if not ids:
            return
        replace_rows(conn, batch, upcoming, ids, rows)
