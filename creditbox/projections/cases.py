"""``cases``: one row per dunning case (supply, ladder, current step and action, status, next due date, amount)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import ClassVar

from sqlalchemy import Connection, Table

from creditbox.projections.dunning_rows import case_rows, next_steps, waiting_by_case
from creditbox.projections.framework import Batch, lookups_of
from creditbox.projections.position_rows import replace_rows, touched_positions
from creditbox.projections.schema import cases


class CasesProjection:
    name: ClassVar[str] = "cases"
    tables: ClassVar[Sequence[Table]] = (cases,)

    def apply(self, batch: Batch, conn: Connection) -> None:
        lookups = lookups_of(batch)
        ids: list[str] = []
        rows = []
        for position_id, position, facts in touched_positions(batch):
            ids.append(str(position_id))
            steps = batch.memo(position_id, "next_steps", partial(next_steps, position, lookups, facts.allocation))
            waiting = waiting_by_case(position, lookups, facts.allocation)
            rows.extend(case_rows(position_id, position, steps, facts.allocation, waiting))
        if not ids:
            return
        replace_rows(conn, batch, cases, ids, rows)
