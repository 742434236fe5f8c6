"""``open_items``: every bill with something still owed, with its due date and prescription date.

Ageing buckets are relative to a date, so they are computed by the query for the date asked
(see ``creditbox.projections.queries.ageing``); the rows themselves do not depend on any date.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from sqlalchemy import Connection, Table

from creditbox.projections.framework import Batch
from creditbox.projections.position_rows import open_item_rows, replace_rows, touched_positions
from creditbox.projections.schema import open_items


class OpenItemsProjection:
    name: ClassVar[str] = "open_items"
    tables: ClassVar[Sequence[Table]] = (open_items,)

    def apply(self, batch: Batch, conn: Connection) -> None:
        ids: list[str] = []
        rows = []
        for position_id, position, facts in touched_positions(batch):
            ids.append(str(position_id))
            rows.extend(open_item_rows(position_id, position, facts))
        if not ids:
            return
        replace_rows(conn, batch, open_items, ids, rows)
