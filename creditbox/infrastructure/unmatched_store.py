"""The ``unmatched_answers`` table (``UnmatchedAnswers``): inserted once per company, kind, reference and
digest (``ON CONFLICT DO NOTHING`` on its unique index), listed the latest first."""

from __future__ import annotations

import builtins
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, Row, select
from sqlalchemy.dialects import postgresql, sqlite

from creditbox.application.unmatched import UnmatchedAnswer
from creditbox.infrastructure.outbox_store import utc
from creditbox.infrastructure.write_gate import WriteGate
from creditbox.projections.database import WRITE
from creditbox.projections.schema import unmatched_answers

_KEY = ["company", "kind", "reference", "digest"]


class SqlUnmatchedAnswers:
    def __init__(self, engine: Engine, gate: WriteGate) -> None:
        self._engine = engine
        self._gate = gate

    def keep(self, answers: Sequence[UnmatchedAnswer]) -> int:
        if not answers:
            return 0
        rows = [
            {
                "company": a.company,
                "kind": a.kind,
                "reference": a.reference,
                "filename": a.filename,
                "digest": a.digest,
                "received_at": utc(a.received_at),
                "reason": a.reason,
                "details": json.dumps(dict(a.details), ensure_ascii=False, sort_keys=True, default=str),
            }
            for a in answers
        ]
        new = 0
        with self._gate.hold(), self._engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            for row in rows:
                statement = (
                    dialect.insert(unmatched_answers)
                    .values(row)
                    .on_conflict_do_nothing(index_elements=_KEY)
                    .returning(unmatched_answers.c.id)
                )
                new += len(conn.execute(statement).all())
        return new

    def list(
        self, company: str, *, kind: str | None = None, limit: int | None = None
    ) -> builtins.list[UnmatchedAnswer]:
        query = select(unmatched_answers).where(unmatched_answers.c.company == company)
        if kind is not None:
            query = query.where(unmatched_answers.c.kind == kind)
        query = query.order_by(unmatched_answers.c.received_at.desc(), unmatched_answers.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self._engine.connect() as conn:
            return [_answer(row) for row in conn.execute(query)]


def _answer(row: Row[Any]) -> UnmatchedAnswer:
    m = row._mapping
    return UnmatchedAnswer(
        company=m["company"],
        kind=m["kind"],
        reference=m["reference"],
        filename=m["filename"],
        digest=m["digest"],
        received_at=utc(m["received_at"]),
        reason=m["reason"],
        details=json.loads(m["details"]),
    )
