"""Every projection, by name."""

from __future__ import annotations

from collections.abc import Iterable

from creditbox.projections.audit_trail import AuditTrailProjection
from creditbox.projections.cases import CasesProjection
from creditbox.projections.framework import Projection
from creditbox.projections.imports import ImportsProjection
from creditbox.projections.open_items import OpenItemsProjection
from creditbox.projections.positions import PositionsProjection
from creditbox.projections.upcoming import UpcomingProjection
from creditbox.projections.worklists import WorklistsProjection


def all_projections() -> list[Projection]:
    return [
        PositionsProjection(),
        OpenItemsProjection(),
        CasesProjection(),
        WorklistsProjection(),
        UpcomingProjection(),
        AuditTrailProjection(),
        ImportsProjection(),
    ]


def select_projections(names: Iterable[str] | None = None) -> list[Projection]:
    """The projections named (all when ``names`` is empty); an unknown name is a clear error."""
    available = {p.name: p for p in all_projections()}
    wanted = [n for n in (names or []) if n]
    unknown = [n for n in wanted if n not in available]
    if unknown:
        raise ValueError(f"proiezione sconosciuta: {', '.join(unknown)} (disponibili: {', '.join(available)})")
    return [available[n] for n in wanted] if wanted else list(available.values())
