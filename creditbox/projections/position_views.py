"""The views with rows per position, each rewritten from the state of every position a batch touches:
``open_items``, ``cases``, ``worklists`` and ``upcoming`` — one projection class, one instance per view.

``open_items`` holds every bill with something still owed, with its due and prescription dates; its ageing
buckets are relative to a date, so the query computes them for the date asked
(:mod:`creditbox.projections.queries.ageing`). ``cases`` holds one row per dunning case (supply, ladder,
current step and action, status, next due date, amount); ``worklists`` what people must act on
(:mod:`creditbox.projections.worklist_rows`); ``upcoming`` every scheduled step and instalment of the
open cases, with its due date.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Table

from creditbox.domain.position import Position
from creditbox.projections import schema
from creditbox.projections.dunning_rows import NextStep, case_rows, next_steps, upcoming_rows, waiting_by_case
from creditbox.projections.framework import Batch, lookups_of
from creditbox.projections.position_rows import Facts, open_item_rows, replace_rows, touched_positions
from creditbox.projections.worklist_rows import worklist_rows

RowBuilder = Callable[[Batch, UUID, Position, Facts], list[dict[str, Any]]]


class PositionRowsProjection:
    """A view keyed by ``position_id`` whose rows ``build_rows`` computes from one position's state:
    the rows of the positions a batch touches are replaced by the ones built from their new state."""

    def __init__(self, name: str, table: Table, build_rows: RowBuilder) -> None:
        self.name = name
        self.table = table
        self.build_rows = build_rows

    @property
    def tables(self) -> Sequence[Table]:
        return (self.table,)

    def apply(self, batch: Batch, conn: Connection) -> None:
        ids: list[str] = []
        rows: list[dict[str, Any]] = []
        for position_id, position, facts in touched_positions(batch):
            ids.append(str(position_id))
            rows.extend(self.build_rows(batch, position_id, position, facts))
        if ids:
            replace_rows(conn, batch, self.table, ids, rows)


def _next_steps(batch: Batch, position_id: UUID, position: Position, facts: Facts) -> dict[str, NextStep]:
    """The next step of each case, computed once per batch for the views that need it."""
    compute = partial(next_steps, position, lookups_of(batch), facts.allocation)
    steps: dict[str, NextStep] = batch.memo(position_id, "next_steps", compute)
    return steps


def open_item_view(batch: Batch, position_id: UUID, position: Position, facts: Facts) -> list[dict[str, Any]]:
    return open_item_rows(position_id, position, facts)


def case_view(batch: Batch, position_id: UUID, position: Position, facts: Facts) -> list[dict[str, Any]]:
    steps = _next_steps(batch, position_id, position, facts)
    waiting = waiting_by_case(position, lookups_of(batch), facts.allocation)
    return case_rows(position_id, position, steps, facts.allocation, waiting)


def worklist_view(batch: Batch, position_id: UUID, position: Position, facts: Facts) -> list[dict[str, Any]]:
    return worklist_rows(position_id, position, lookups_of(batch), facts.allocation)


def upcoming_view(batch: Batch, position_id: UUID, position: Position, facts: Facts) -> list[dict[str, Any]]:
    return upcoming_rows(position_id, position, _next_steps(batch, position_id, position, facts), facts.allocation)


OPEN_ITEMS = PositionRowsProjection("open_items", schema.open_items, open_item_view)
CASES = PositionRowsProjection("cases", schema.cases, case_view)
WORKLISTS = PositionRowsProjection("worklists", schema.worklist, worklist_view)
UPCOMING = PositionRowsProjection("upcoming", schema.upcoming, upcoming_view)
