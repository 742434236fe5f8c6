"""Every projection, by name."""

from __future__ import annotations

from collections.abc import Iterable

from creditbox.projections.audit_trail import AuditTrailProjection
from creditbox.projections.due_index import DueIndexProjection
from creditbox.projections.framework import Projection
from creditbox.projections.imports import ImportsProjection
from creditbox.projections.outbox import OutboxProjection
from creditbox.projections.position_views import CASES, OPEN_ITEMS, UPCOMING, WORKLISTS
from creditbox.projections.positions import PositionsProjection


def all_projections() -> list[Projection]:
    return [
        PositionsProjection(),
        OPEN_ITEMS,
        CASES,
        WORKLISTS,
        UPCOMING,
        AuditTrailProjection(),
        ImportsProjection(),
        OutboxProjection(),
        DueIndexProjection(),
    ]


def select_projections(names: Iterable[str] | None = None) -> list[Projection]:
    """The projections named (all when ``names`` is empty); an unknown name is a clear error."""
    available = {p.name: p for p in all_projections()}
    wanted = [n for n in (names or []) if n]
    unknown = [n for n in wanted if n not in available]
    if unknown:
        raise ValueError(f"proiezione sconosciuta: {', '.join(unknown)} (disponibili: {', '.join(available)})")
    return [available[n] for n in wanted] if wanted else list(available.values())
