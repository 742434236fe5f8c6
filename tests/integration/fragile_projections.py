"""Test-only projections that fail on some events, put in place of the real ones by the registry."""

from __future__ import annotations

from typing import ClassVar

import pytest
from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

from creditbox.projections import registry
from creditbox.projections.framework import Batch, Projection
from creditbox.projections.position_rows import PRESCRIPTION_YEARS, touched_positions
from creditbox.projections.position_views import OPEN_ITEMS, WORKLISTS, PositionRowsProjection


class OpenItemsProjection(PositionRowsProjection):
    """The real ``open_items``, to be given a bug below."""

    def __init__(self) -> None:
        super().__init__(OPEN_ITEMS.name, OPEN_ITEMS.table, OPEN_ITEMS.build_rows)


class WorklistsProjection(PositionRowsProjection):
    """The real ``worklists``, to be given a failing database below."""

    def __init__(self) -> None:
        super().__init__(WORKLISTS.name, WORKLISTS.table, WORKLISTS.build_rows)


class FragileOpenItems(OpenItemsProjection):
    """``open_items`` as it computed the prescription date before it was made overflow-safe: a bill due
    in 9998 or 9999 raises (year 10000+). ``fixed`` stands for the fix deployed."""

    fixed: ClassVar[bool] = False

    def apply(self, batch: Batch, conn: Connection) -> None:
        if not type(self).fixed:
            for _, _, facts in touched_positions(batch):
                for item in facts.items:
                    item.due_date.replace(year=item.due_date.year + PRESCRIPTION_YEARS)
        super().apply(batch, conn)


class OpenItemsFailingFor(OpenItemsProjection):
    """``open_items`` with a bug that raises for the positions of the customers in ``customers``."""

    customers: ClassVar[set[str]] = set()

    def apply(self, batch: Batch, conn: Connection) -> None:
        for _, position, _ in touched_positions(batch):
            if position.customer_code in type(self).customers:
                raise RuntimeError(f"bug in open_items ({position.details.name})")
        super().apply(batch, conn)


class UnreachableWorklists(WorklistsProjection):
    """``worklists`` whose database fails (not an event: nothing to quarantine) while ``down``."""

    down: ClassVar[bool] = True

    def apply(self, batch: Batch, conn: Connection) -> None:
        if type(self).down:
            raise OperationalError("INSERT INTO rm_worklist", {}, Exception("server closed the connection"))
        super().apply(batch, conn)


def use_projections(monkeypatch: pytest.MonkeyPatch, *replacements: Projection) -> None:
    """The registry gives ``replacements`` in place of the real projections of the same names."""
    real = registry.all_projections

    def patched() -> list[Projection]:
        by_name = {p.name: p for p in replacements}
        return [by_name.get(p.name, p) for p in real()]

    monkeypatch.setattr(registry, "all_projections", patched)
