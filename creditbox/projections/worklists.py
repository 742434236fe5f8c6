"""``worklists``: what people must act on — proposals, approvals (with the level needed), failed
deliveries, missing contacts, technical-office and agency lists, litigation, broken plans, exhausted ladders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from sqlalchemy import Connection, Table

from creditbox.projections.dunning_rows import worklist_rows
from creditbox.projections.framework import Batch, lookups_of
from creditbox.projections.position_rows import replace_rows, touched_positions
from creditbox.projections.schema import worklist


class WorklistsProjection:
    name: ClassVar[str] = "worklists"
    tables: ClassVar[Sequence[Table]] = (worklist,)

    def apply(self, batch: Batch, conn: Connection) -> None:
        lookups = lookups_of(batch)
        ids: list[str] = []
        rows = []
        for position_id, position, facts in touched_positions(batch):
            ids.append(str(position_id))
            rows.extend(worklist_rows(position_id, position, lookups, facts.allocation))
        if not ids:
            return
        replace_rows(conn, batch, worklist, ids, rows)
