"""The ``due_index`` projection: the durable timers of the dunning workflow.

For each position a batch touches, the row is rewritten from the position's state after the batch:
its wake-up date (``creditbox.domain.workflow.wake_up``) with the company's actions-table version and
settings in force, from the business date the position last ran for (``checked_through``, kept by the
scheduler) — in the same transaction as the projection's tracking position, so each event counts
exactly once, and a payment, a lock or a closure moves (or clears) the wake-up it makes moot.

A new actions-table version (a revision) or a change of the company settings can move every wake-up of the
company: the batch holding it makes every position of that company due (``wake_on`` set to the
earliest date), so the next tick runs each once with the new table and writes its exact wake-up
(earlier, never later). The lease columns (``claimed_by``, ``claimed_until``) are never touched here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Table, select, update
from sqlalchemy.dialects import postgresql, sqlite

from creditbox.domain.position import Position
from creditbox.domain.workflow.wake_up import wake_up
from creditbox.projections import schema
from creditbox.projections.framework import Batch, lookups_of
from creditbox.projections.lookups import Lookups
from creditbox.projections.position_rows import touched_positions

# ``wake_on`` of every position of a company whose table or settings changed: due at the next tick.
EARLIEST = date(1, 1, 1)
TABLE_EVENTS = frozenset({"ActionsTableRevised"})
SETTINGS_EVENTS = frozenset({"CompanySettingsChanged"})


class DueIndexProjection:
    name = "due_index"
    tables: Sequence[Table] = (schema.due_index,)

    def apply(self, batch: Batch, conn: Connection) -> None:
        lookups = lookups_of(batch)
        # First every position of a company whose table or settings changed is made due, then the
        # positions of the batch are rewritten (with the table and settings in force now).
        for company in sorted(self._companies_moved(batch, lookups)):
            table = schema.due_index
            conn.execute(update(table).where(table.c.company == company).values(wake_on=EARLIEST))
        touched = list(touched_positions(batch))
        if touched:
            checked = _checked_through(conn, [str(pid) for pid, _, _ in touched])
            rows = [_row(pid, position, lookups, checked.get(str(pid))) for pid, position, _ in touched]
            upsert(conn, rows)

    @staticmethod
    def _companies_moved(batch: Batch, lookups: Lookups) -> set[str]:
        """The companies with a new table version or new settings in the batch (their table read again)."""
        moved: set[str] = set()
        for originator_id in batch.originators():
            names = {type(e).__name__ for e in batch.events_of(originator_id)}
            if not names & (TABLE_EVENTS | SETTINGS_EVENTS):
                continue
            state = batch.state(originator_id)
            company = getattr(state, "company", None) or getattr(state, "code", None)
            if not isinstance(company, str):
                continue
            if names & TABLE_EVENTS:
                lookups.forget_table(company)
            moved.add(company)
        return moved


def _checked_through(conn: Connection, ids: list[str]) -> dict[str, date | None]:
    table = schema.due_index
    found: dict[str, date | None] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        query = select(table.c.position_id, table.c.checked_through).where(table.c.position_id.in_(chunk))
        found.update({row.position_id: row.checked_through for row in conn.execute(query)})
    return found


def _row(position_id: UUID, position: Position, lookups: Lookups, checked: date | None) -> dict[str, Any]:
    return {
        "position_id": str(position_id),
        "company": position.company,
        "customer_code": position.customer_code,
        "wake_on": wake_on(position, lookups, checked),
        "version": position.version,
    }


def wake_on(position: Position, lookups: Lookups, since: date | None) -> date | None:
    """The position's wake-up date with its company's table and settings in force; without them
    (a company being set up) the earliest date: the tick finds out."""
    table = lookups.current_table(position.company)
    settings = lookups.settings(position.company)
    if table is None or settings is None:
        return since or EARLIEST
    return wake_up(position, table, settings, since=since).on


def upsert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert or rewrite the rows (wake-up, version), never going back to an older version of a
    position; the lease and ``checked_through`` columns stay as they are."""
    if not rows:
        return
    table = schema.due_index
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.position_id],
        set_={
            "company": excluded.company,
            "customer_code": excluded.customer_code,
            "wake_on": excluded.wake_on,
            "version": excluded.version,
        },
        where=table.c.version <= excluded.version,
    )
    conn.execute(statement, rows)
