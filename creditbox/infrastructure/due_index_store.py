"""The due index in SQL (``application.ports.DueIndex``): the scheduler's claims on the ``due_index``
table the ``due_index`` projection keeps.

A claim is a lease: the rows picked get ``claimed_by`` and ``claimed_until`` (now + the lease), in one
statement. On PostgreSQL the rows are picked ``FOR UPDATE SKIP LOCKED``: two schedulers at once never
claim the same row, and neither waits for the other. On SQLite the statement runs in a ``BEGIN
IMMEDIATE`` transaction: one writer at a time. A lease that ends without ``done`` (the process died)
lets the row be claimed again once it expires; running a position twice on one business date records
nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from sqlalchemy import Connection, Engine, bindparam, case, func, or_, select, text, update

from creditbox.application.ports import DueWork, Rescheduled
from creditbox.clock import Clock
from creditbox.projections.database import WRITE
from creditbox.projections.schema import due_index

CHUNK = 1000

# ``done`` on PostgreSQL: what the two statements of the other databases do (the newer wake-up wins by
# version; the claim released; ``checked_through`` moved forward), for a whole chunk in one statement.
DONE_POSTGRES = text(
    "UPDATE due_index AS t SET "
    "wake_on = CASE WHEN t.version <= d.v THEN d.w ELSE t.wake_on END, "
    "version = GREATEST(t.version, d.v), "
    "claimed_by = NULL, claimed_until = NULL, "
    "checked_through = CASE WHEN t.checked_through IS NULL OR t.checked_through < d.b "
    "THEN d.b ELSE t.checked_through END "
    "FROM unnest(CAST(:p AS varchar[]), CAST(:v AS integer[]), CAST(:w AS date[]), CAST(:b AS date[])) "
    "AS d(p, v, w, b) WHERE t.position_id = d.p"
)


class SqlDueIndex:
    def __init__(self, engine: Engine, clock: Clock, *, ensure_schema: Callable[[], None] | None = None) -> None:
        self._engine = engine
        self._clock = clock
        self._ensure_schema = ensure_schema

    def _write(self) -> Connection:
        if self._ensure_schema is not None:
            self._ensure_schema()
        return self._engine.connect().execution_options(**{WRITE: True})

    def _now(self) -> datetime:
        return self._clock.now().astimezone(UTC)

    def claim(
        self, business_date: date, limit: int, lease_seconds: float, claimer: str, *, company: str | None = None
    ) -> list[DueWork]:
        t = due_index
        now = self._now()
        picked = (
            select(t.c.position_id)
            .where(t.c.wake_on <= business_date, or_(t.c.claimed_until.is_(None), t.c.claimed_until < now))
            .order_by(t.c.wake_on)
            .limit(limit)
        )
        if company is not None:
            picked = picked.where(t.c.company == company)
        with self._write() as conn:
            if conn.dialect.name == "postgresql":
                picked = picked.with_for_update(skip_locked=True)
            statement = (
                update(t)
                .where(t.c.position_id.in_(picked.scalar_subquery()))
                .values(claimed_by=claimer[:128], claimed_until=now + timedelta(seconds=lease_seconds))
                .returning(t.c.position_id, t.c.company)
            )
            with conn.begin():
                rows = conn.execute(statement).all()
        return [DueWork(row.company, UUID(row.position_id), business_date) for row in rows]

    def release(self, position_ids: Sequence[UUID]) -> None:
        t = due_index
        ids = [str(i) for i in position_ids]
        with self._write() as conn, conn.begin():
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                conn.execute(update(t).where(t.c.position_id.in_(chunk)).values(claimed_by=None, claimed_until=None))

    def done(self, results: Sequence[Rescheduled]) -> None:
        if not results:
            return
        t = due_index
        rows = [{"p": str(r.position_id), "v": r.version, "w": r.wake_on, "b": r.business_date} for r in results]
        rescheduled = (
            update(t)
            .where(t.c.position_id == bindparam("p"), t.c.version <= bindparam("v"))
            .values(wake_on=bindparam("w"), version=bindparam("v"))
        )
        later = or_(t.c.checked_through.is_(None), t.c.checked_through < bindparam("b"))
        released = (
            update(t)
            .where(t.c.position_id == bindparam("p"))
            .values(
                claimed_by=None,
                claimed_until=None,
                checked_through=case((later, bindparam("b")), else_=t.c.checked_through),
            )
        )
        with self._write() as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                # Both moves of every row in one statement (one round trip for the chunk, not two per row).
                conn.execute(
                    DONE_POSTGRES,
                    {
                        "p": [r["p"] for r in rows],
                        "v": [r["v"] for r in rows],
                        "w": [r["w"] for r in rows],
                        "b": [r["b"] for r in rows],
                    },
                )
                return
            conn.execute(rescheduled, [{"p": r["p"], "v": r["v"], "w": r["w"]} for r in rows])
            conn.execute(released, [{"p": r["p"], "b": r["b"]} for r in rows])

    def count_due(self, business_date: date, *, company: str | None = None) -> int:
        """How many positions are due by ``business_date`` (leased or not)."""
        t = due_index
        query = select(func.count()).select_from(t).where(t.c.wake_on <= business_date)
        if company is not None:
            query = query.where(t.c.company == company)
        if self._ensure_schema is not None:
            self._ensure_schema()
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar_one())
