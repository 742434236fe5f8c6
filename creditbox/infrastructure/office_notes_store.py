"""The ``office_notes`` table on SQL (``OfficeNotes``): planned dates and promises to pay, inserted
once (``ON CONFLICT DO NOTHING`` on action, kind and date), never rewritten."""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, select
from sqlalchemy.dialects import postgresql, sqlite

from creditbox.application.office_notes import OfficeNote
from creditbox.infrastructure.write_gate import WriteGate
from creditbox.projections.database import WRITE
from creditbox.projections.schema import office_notes


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _note_of(row: Row[Any]) -> OfficeNote:
    m = row._mapping
    return OfficeNote(
        company=m["company"],
        action_key=m["action_key"],
        kind=m["kind"],
        on_date=m["on_date"],
        customer_code=m["customer_code"],
        case_id=m["case_id"],
        amount=m["amount"],
        note=m["note"],
        source=m["source"],
        recorded_at=_utc(m["recorded_at"]),
        recorded_by=m["recorded_by"],
    )


class SqlOfficeNotes:
    def __init__(self, engine: Engine, gate: WriteGate) -> None:
        self._engine = engine
        self._gate = gate

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self._gate.hold(), self._engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
            yield conn

    def add(self, note: OfficeNote) -> bool:
        if note.recorded_at is None:
            raise ValueError("una nota d'ufficio richiede il momento in cui è registrata")
        row = {
            "action_key": note.action_key,
            "kind": note.kind,
            "on_date": note.on_date,
            "company": note.company,
            "customer_code": note.customer_code,
            "case_id": note.case_id,
            "amount": note.amount,
            "note": note.note,
            "source": note.source,
            "recorded_at": _utc(note.recorded_at),
            "recorded_by": note.recorded_by,
        }
        with self._writing() as conn:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            statement = (
                dialect.insert(office_notes)
                .values(row)
                .on_conflict_do_nothing(index_elements=["action_key", "kind", "on_date"])
                .returning(office_notes.c.action_key)
            )
            # The row comes back only when it was inserted (``rowcount`` is not reliable here on PostgreSQL).
            return conn.execute(statement).first() is not None

    def list(self, company: str, kind: str | None = None, *, customer: str | None = None) -> builtins.list[OfficeNote]:
        c = office_notes.c
        query = select(office_notes).where(c.company == company)
        if kind is not None:
            query = query.where(c.kind == kind)
        if customer is not None:
            query = query.where(c.customer_code == customer)
        query = query.order_by(c.action_key, c.kind, c.on_date)
        with self._engine.connect() as conn:
            return [_note_of(row) for row in conn.execute(query)]
