"""``positions``: one row per position, for worklists (filter by overdue, stage, customer type, service),
with the customer's contacts; and one row per supply of the position (``rm_supplies``), rewritten
with it from the aggregate's state.

``overdue`` is valued at the runner's business date (``projection_tracking.as_of``): when the date
moves, the rows whose next open bill falls due in between are revalued from the position's state at
the row's version, so the table always equals a fresh rebuild at the same date.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar
from uuid import UUID

from sqlalchemy import Connection, Table, bindparam, select, update

from creditbox.domain.position import Position
from creditbox.projections.framework import Batch, StateCache, valuation_date
from creditbox.projections.position_rows import (
    position_row,
    replace_rows,
    supply_rows,
    touched_positions,
    valuation,
)
from creditbox.projections.schema import positions, supplies

log = logging.getLogger(__name__)


class PositionsProjection:
    name: ClassVar[str] = "positions"
    tables: ClassVar[Sequence[Table]] = (positions, supplies)

    def apply(self, batch: Batch, conn: Connection) -> None:
        as_of = valuation_date(batch)
        rows: list[dict[str, Any]] = []
        supply_list: list[dict[str, Any]] = []
        for pid, position, facts in touched_positions(batch):
            rows.append(position_row(pid, position, facts, as_of))
            supply_list += supply_rows(pid, position)
        if not rows:
            return
        touched = [r["position_id"] for r in rows]
        replace_rows(conn, batch, positions, touched, rows)
        replace_rows(conn, batch, supplies, touched, supply_list)

    def revalue(self, conn: Connection, states: StateCache, old: date | None, new: date) -> None:
        query = select(positions.c.position_id, positions.c.version)
        if old is None or new < old:
            query = query.where(positions.c.oldest_due_date.is_not(None))
        else:
            query = query.where(positions.c.next_due_date < new)
        changes = []
        for position_id, version in conn.execute(query).all():
            try:
                position = states.at(UUID(position_id), int(version))
                assert isinstance(position, Position)
                changes.append({"pid": position_id, **valuation(position.open_items(), new)})
            except Exception:  # one unreadable position keeps its old valuation; the others move on
                log.exception("position %s (version %s) not revalued at %s", position_id, version, new)
        if changes:
            conn.execute(
                update(positions)
                .where(positions.c.position_id == bindparam("pid"))
                .values(overdue=bindparam("overdue"), next_due_date=bindparam("next_due_date")),
                changes,
            )
