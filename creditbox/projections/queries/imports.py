"""Imported files with their counts, and their rejected rows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from creditbox.projections.queries.paging import DEFAULT_LIMIT, Ordering, Page, check_limit, page_of
from creditbox.projections.schema import import_rejections, imports

i = imports.c
ORDERING = Ordering("imports", (i.imported_at, i.import_id), ("datetime", "str"), descending=True)


@dataclass(frozen=True)
class ImportRow:
    import_id: str
    company: str
    file_name: str
    file_sha256: str
    profile: str
    by: str | None
    imported_at: datetime
    runs: int
    accepted: int
    unchanged: int
    rejected: int
    counts: dict[str, dict[str, int]]
    warnings: list[str]
    version: int


@dataclass(frozen=True)
class Rejection:
    seq: int
    sheet: str | None
    row_number: int | None
    column_name: str | None
    reason: str


def _row(r: Any) -> ImportRow:
    m = dict(r._mapping)
    m["counts"] = json.loads(m["counts"])
    m["warnings"] = json.loads(m["warnings"])
    return ImportRow(**m)


def imports_page(
    conn: Connection, company: str, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None
) -> Page[ImportRow]:
    """The company's imports, newest first."""
    check_limit(limit)
    query = select(imports).where(i.company == company)
    query = ORDERING.after(query, cursor).order_by(*ORDERING.order_by()).limit(limit + 1)
    rows, next_cursor = page_of(
        [_row(r) for r in conn.execute(query)], limit, ORDERING, lambda r: [r.imported_at, r.import_id]
    )
    return Page(rows, next_cursor)


def get_import(conn: Connection, company: str, import_id: str) -> ImportRow | None:
    row = conn.execute(select(imports).where(i.company == company, i.import_id == import_id)).first()
    return _row(row) if row is not None else None


def rejections_of(conn: Connection, company: str, import_id: str) -> list[Rejection]:
    r = import_rejections.c
    query = (
        select(r.seq, r.sheet, r.row_number, r.column_name, r.reason)
        .where(r.company == company, r.import_id == import_id)
        .order_by(r.seq)
    )
    return [Rejection(**dict(x._mapping)) for x in conn.execute(query)]
