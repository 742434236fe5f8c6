"""The outbox table on SQL (``OutboxStore``): entries inserted by the ``outbox`` projection, their
statuses changed here by compare-and-set (an ``UPDATE … WHERE status = expected`` that says whether it
took).

On PostgreSQL the rows a relay hands out and the entry a worker claims are picked with
``FOR UPDATE SKIP LOCKED``: two relays or two workers never take the same row at once, and neither
waits for the other. On SQLite the process's writers take turns at the write gate and each write
transaction starts with ``BEGIN IMMEDIATE``, so the same statements are serialised.

Moments are stored in UTC (SQLite keeps them as text without a zone, compared as text).
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, Engine, Row, and_, func, select, update

from creditbox.application.ports import (
    FAILED,
    MARKED_SENT,
    PENDING,
    SENDING,
    SENT,
    UNCERTAIN,
    WITHDRAWN,
    HistoryCutoff,
    OutboxEntry,
)
from creditbox.domain.codes import ActionCode
from creditbox.infrastructure.write_gate import WriteGate
from creditbox.projections.database import WRITE
from creditbox.projections.schema import outbox

ERROR_WIDTH = 2000  # the last error is kept this long at most


def utc(moment: datetime) -> datetime:
    """An aware moment in UTC (a naive one, as SQLite gives back, is taken as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def entry_of(row: Row[Any]) -> OutboxEntry:
    m = row._mapping
    return OutboxEntry(
        action_key=m["action_key"],
        company=m["company"],
        position_id=UUID(m["position_id"]),
        customer_code=m["customer_code"],
        case_id=m["case_id"],
        seq=m["seq"],
        action_code=ActionCode.from_code(int(m["action_code"])),
        channel=m["channel"],
        recipient=m["recipient"],
        business_date=m["business_date"],
        payload=json.loads(m["payload"]),
        status=m["status"],
        attempts=int(m["attempts"]),
        last_error=m["last_error"],
        next_attempt_at=utc(m["next_attempt_at"]),
        created_at=utc(m["created_at"]),
        updated_at=utc(m["updated_at"]),
    )


class SqlOutboxStore:
    def __init__(self, engine: Engine, gate: WriteGate) -> None:
        self._engine = engine
        self._gate = gate

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self._gate.hold(), self._engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
            yield conn

    def _skip_locked(self, conn: Connection) -> dict[str, Any]:
        return {"skip_locked": True} if conn.dialect.name == "postgresql" else {}

    # ---- reads ----------------------------------------------------------------------------

    def get(self, action_key: str) -> OutboxEntry | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(outbox).where(outbox.c.action_key == action_key)).first()
        return entry_of(row) if row is not None else None

    def list(
        self, company: str, *, status: str | None = None, since: date | None = None, limit: int | None = None
    ) -> list[OutboxEntry]:
        c = outbox.c
        query = select(outbox).where(c.company == company)
        if status is not None:
            query = query.where(c.status == status)
        if since is not None:
            query = query.where(c.business_date >= since)
        query = query.order_by(c.business_date, c.created_at, c.action_key)
        if limit is not None:
            query = query.limit(limit)
        with self._engine.connect() as conn:
            return [entry_of(row) for row in conn.execute(query)]

    def counts(self, company: str) -> dict[str, int]:
        """How many entries of ``company`` are in each status."""

        c = outbox.c
        query = select(c.status, func.count()).where(c.company == company).group_by(c.status)
        with self._engine.connect() as conn:
            return {status: int(n) for status, n in conn.execute(query)}

    # ---- history recorded before the outbox ------------------------------------------------

    def _pending_history(self, company: str, cutoff: HistoryCutoff) -> ColumnElement[bool]:
        """Pending entries of ``company`` within ``cutoff``. An entry's ``created_at`` is the moment
        its action's event was recorded (the projection writes the event's timestamp)."""
        c = outbox.c
        conditions = [c.company == company, c.status == PENDING]
        if cutoff.before is not None:
            conditions.append(c.business_date < cutoff.before)
        if cutoff.recorded_before is not None:
            conditions.append(c.created_at < utc(cutoff.recorded_before))
        return and_(*conditions)

    def pending_history(
        self, company: str, cutoff: HistoryCutoff, *, limit: int | None = None
    ) -> builtins.list[OutboxEntry]:
        c = outbox.c
        query = (
            select(outbox)
            .where(self._pending_history(company, cutoff))
            .order_by(c.business_date, c.created_at, c.action_key)
        )
        if limit is not None:
            query = query.limit(limit)
        with self._engine.connect() as conn:
            return [entry_of(row) for row in conn.execute(query)]

    def count_pending_history(self, company: str, cutoff: HistoryCutoff) -> int:
        query = select(func.count()).select_from(outbox).where(self._pending_history(company, cutoff))
        with self._engine.connect() as conn:
            return int(conn.scalar(query) or 0)

    def mark_history_sent(self, company: str, cutoff: HistoryCutoff, note: str, now: datetime) -> int:
        """One compare-and-set over every pending entry within ``cutoff``: an entry a worker claimed
        meanwhile (``sending``) is left to it, one marked already is not touched again."""
        with self._writing() as conn:
            result = conn.execute(
                update(outbox)
                .where(self._pending_history(company, cutoff))
                .values(status=MARKED_SENT, last_error=note[:ERROR_WIDTH], updated_at=utc(now))
            )
            return int(result.rowcount)

    # ---- the relay ------------------------------------------------------------------------

    def take_due(self, now: datetime, hold_until: datetime, *, limit: int) -> builtins.list[str]:
        """The keys of pending entries due at ``now`` (oldest first), each held until ``hold_until``
        so that another relay does not hand it out again meanwhile (a message lost on the way is
        handed out again once the hold expires)."""
        c = outbox.c
        with self._writing() as conn:
            query = (
                select(c.action_key)
                .where(c.status == PENDING, c.next_attempt_at <= utc(now))
                .order_by(c.next_attempt_at, c.action_key)
                .limit(limit)
                .with_for_update(**self._skip_locked(conn))
            )
            keys = list(conn.scalars(query))
            if keys:
                conn.execute(
                    update(outbox)
                    .where(c.action_key.in_(keys), c.status == PENDING)
                    .values(next_attempt_at=utc(hold_until), updated_at=utc(now))
                )
        return keys

    # ---- one entry ------------------------------------------------------------------------

    def claim(self, action_key: str, now: datetime) -> OutboxEntry | None:
        """One statement: the compare-and-set and the read of the entry as it now is (a concurrent
        claim waits for the row lock, then finds it no longer pending and claims nothing)."""
        c = outbox.c
        with self._writing() as conn:
            row = conn.execute(
                update(outbox)
                .where(c.action_key == action_key, c.status == PENDING)
                .values(status=SENDING, attempts=c.attempts + 1, updated_at=utc(now))
                .returning(*outbox.c)
            ).first()
        return entry_of(row) if row is not None else None

    def _move(self, action_key: str, expected: str, **values: Any) -> bool:
        c = outbox.c
        with self._writing() as conn:
            result = conn.execute(
                update(outbox).where(c.action_key == action_key, c.status == expected).values(**values)
            )
            return result.rowcount == 1

    def mark_sent(self, action_key: str, now: datetime) -> bool:
        return self._move(action_key, SENDING, status=SENT, last_error=None, updated_at=utc(now))

    def claim_many(self, action_keys: Sequence[str], now: datetime) -> builtins.list[OutboxEntry]:
        if not action_keys:
            return []
        c = outbox.c
        with self._writing() as conn:
            rows = conn.execute(
                update(outbox)
                .where(c.action_key.in_(list(action_keys)), c.status == PENDING)
                .values(status=SENDING, attempts=c.attempts + 1, updated_at=utc(now))
                .returning(*outbox.c)
            ).all()
        order = {key: n for n, key in enumerate(action_keys)}
        return sorted((entry_of(row) for row in rows), key=lambda entry: order[entry.action_key])

    def mark_sent_many(self, action_keys: Sequence[str], now: datetime) -> int:
        if not action_keys:
            return 0
        c = outbox.c
        with self._writing() as conn:
            result = conn.execute(
                update(outbox)
                .where(c.action_key.in_(list(action_keys)), c.status == SENDING)
                .values(status=SENT, last_error=None, updated_at=utc(now))
            )
            return int(result.rowcount)

    def retry_later(self, action_key: str, error: str, next_attempt_at: datetime, now: datetime) -> bool:
        return self._move(
            action_key,
            SENDING,
            status=PENDING,
            last_error=error[:ERROR_WIDTH],
            next_attempt_at=utc(next_attempt_at),
            updated_at=utc(now),
        )

    def mark_failed(self, action_key: str, error: str, now: datetime) -> bool:
        return self._move(action_key, SENDING, status=FAILED, last_error=error[:ERROR_WIDTH], updated_at=utc(now))

    def mark_withdrawn(self, action_key: str, reason: str, now: datetime) -> bool:
        return self._move(action_key, SENDING, status=WITHDRAWN, last_error=reason[:ERROR_WIDTH], updated_at=utc(now))

    # ---- reconciliation -------------------------------------------------------------------

    def stale_sending(self, before: datetime, *, limit: int) -> builtins.list[OutboxEntry]:
        c = outbox.c
        query = (
            select(outbox)
            .where(c.status == SENDING, c.updated_at < utc(before))
            .order_by(c.updated_at, c.action_key)
            .limit(limit)
        )
        with self._engine.connect() as conn:
            return [entry_of(row) for row in conn.execute(query)]

    def resolve_stale(self, action_key: str, status: str, note: str | None, now: datetime) -> bool:
        if status not in (SENT, UNCERTAIN):
            raise ValueError(f"stato non ammesso per una riconciliazione: {status!r}")
        return self._move(action_key, SENDING, status=status, last_error=note, updated_at=utc(now))
