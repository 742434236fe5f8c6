"""``imports``: every imported file with its counts, and its rejected rows (sheet, row, column, reason)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar
from uuid import UUID

from sqlalchemy import Connection, Table, delete

from creditbox.domain.imports import Import
from creditbox.projections.bulk import insert_rows
from creditbox.projections.framework import Batch
from creditbox.projections.schema import import_rejections, imports


def _total(counts: dict[str, dict[str, int]], key: str) -> int:
    return sum(int(sheet.get(key, 0)) for sheet in counts.values())


def import_row(import_id: UUID, state: Import, by: str | None) -> dict[str, Any]:
    return {
        "import_id": str(import_id),
        "company": state.company,
        "file_name": state.file_name,
        "file_sha256": state.file_sha256,
        "profile": state.profile,
        "by": by,
        "imported_at": state.imported_at,
        "runs": state.runs,
        "accepted": _total(state.counts, "accepted"),
        "unchanged": _total(state.counts, "unchanged"),
        "rejected": _total(state.counts, "rejected"),
        "counts": json.dumps(state.counts, ensure_ascii=False, sort_keys=True),
        "warnings": json.dumps(list(state.warnings), ensure_ascii=False),
        "version": state.version,
    }


def rejection_rows(import_id: UUID, state: Import) -> list[dict[str, Any]]:
    return [
        {
            "import_id": str(import_id),
            "seq": seq,
            "company": state.company,
            "sheet": rejected.get("sheet"),
            "row_number": rejected.get("row"),
            "column_name": rejected.get("column"),
            "reason": str(rejected.get("reason", "")),
        }
        for seq, rejected in enumerate(state.rejected, start=1)
    ]


class ImportsProjection:
    name: ClassVar[str] = "imports"
    tables: ClassVar[Sequence[Table]] = (imports, import_rejections)

    def apply(self, batch: Batch, conn: Connection) -> None:
        rows: list[dict[str, Any]] = []
        rejections: list[dict[str, Any]] = []
        for originator_id in batch.originators():
            events = batch.events_of(originator_id)
            if not isinstance(events[0], Import.Event):
                continue
            state = batch.state(originator_id)
            by = getattr(events[-1], "by", None)
            rows.append(import_row(originator_id, state, by if isinstance(by, str) else None))
            rejections.extend(rejection_rows(originator_id, state))
        if not rows:
            return
        ids = [r["import_id"] for r in rows]
        conn.execute(delete(import_rejections).where(import_rejections.c.import_id.in_(ids)))
        conn.execute(delete(imports).where(imports.c.import_id.in_(ids)))
        insert_rows(conn, imports, rows)
        if rejections:
            insert_rows(conn, import_rejections, rejections)
