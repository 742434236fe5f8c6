"""The quarantine of the projections (``projection_quarantine``).

When a projection cannot apply an aggregate's events (a poison event: a date that overflows, a value a
view cannot hold, a bug), the runner puts those events here and moves the projection's tracking past
them, so every other aggregate — every other company — stays current. The **later events of the same
aggregate are held** behind the failed one (``held_behind``): a position's rows are rewritten from its
state, and writing them from a state after an event the view could not take would build them out of
order; its rows stay as they were before the poison event until ``creditbox projections retry``
applies the held events, in notification order, after a fix.

Rows carry ids and the error text; the health route shows only counts and ids (no personal data).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, delete, func, select

from creditbox.projections.schema import quarantine

MAX_ERROR = 2000


@dataclass(frozen=True)
class Quarantined:
    projection: str
    notification_id: int
    originator_id: str
    originator_version: int
    company: str | None
    customer_code: str | None
    event: str
    held_behind: int | None
    error: str
    attempts: int
    quarantined_at: datetime

    @property
    def failed(self) -> bool:
        """True: this event itself failed; False: it only waits behind one that did."""
        return self.held_behind is None


@dataclass(frozen=True)
class Counts:
    failed: int
    held: int

    @property
    def total(self) -> int:
        return self.failed + self.held


def held_originators(conn: Connection, projection: str) -> set[UUID]:
    """The aggregates with quarantined events in ``projection``: their next events are held too."""
    q = quarantine.c
    return {UUID(oid) for oid in conn.scalars(select(q.originator_id).where(q.projection == projection).distinct())}


def first_of(conn: Connection, projection: str, originator_ids: Iterable[UUID]) -> dict[UUID, int]:
    """The first quarantined notification of each aggregate (what its later events wait behind)."""
    q = quarantine.c
    wanted = [str(oid) for oid in originator_ids]
    if not wanted:
        return {}
    rows = conn.execute(
        select(q.originator_id, func.min(q.notification_id))
        .where(q.projection == projection, q.originator_id.in_(wanted))
        .group_by(q.originator_id)
    )
    return {UUID(oid): int(nid) for oid, nid in rows}


def put(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(quarantine.insert(), [{**r, "error": r["error"][:MAX_ERROR]} for r in rows])


def of_projection(conn: Connection, projection: str) -> list[Quarantined]:
    """Every quarantined event of ``projection``, in notification order."""
    q = quarantine.c
    rows = conn.execute(select(quarantine).where(q.projection == projection).order_by(q.notification_id))
    return [_quarantined(r._mapping) for r in rows]


def listing(
    conn: Connection, projections: Iterable[str] | None = None, *, limit: int | None = None
) -> list[Quarantined]:
    q = quarantine.c
    query = select(quarantine).order_by(q.projection, q.notification_id)
    if projections is not None:
        query = query.where(q.projection.in_(list(projections)))
    if limit is not None:
        query = query.limit(limit)
    return [_quarantined(r._mapping) for r in conn.execute(query)]


def counts(conn: Connection) -> dict[str, Counts]:
    """Per projection: how many events failed, how many are held behind them."""
    q = quarantine.c
    rows = conn.execute(
        select(q.projection, q.held_behind.is_(None), func.count()).group_by(q.projection, q.held_behind.is_(None))
    )
    found: dict[str, dict[bool, int]] = {}
    for name, failed, count in rows:
        found.setdefault(name, {})[bool(failed)] = int(count)
    return {name: Counts(c.get(True, 0), c.get(False, 0)) for name, c in sorted(found.items())}


def release(conn: Connection, projection: str, originator_id: UUID) -> int:
    """Remove an aggregate's events from the quarantine (they have been applied)."""
    q = quarantine.c
    result = conn.execute(delete(quarantine).where(q.projection == projection, q.originator_id == str(originator_id)))
    return int(result.rowcount)


def note_failure(conn: Connection, projection: str, originator_id: UUID, error: str) -> None:
    """A retry failed again: count the attempt and keep the newest error on the failed event."""
    q = quarantine.c
    conn.execute(
        quarantine.update()
        .where(q.projection == projection, q.originator_id == str(originator_id))
        .values(attempts=q.attempts + 1)
    )
    conn.execute(
        quarantine.update()
        .where(q.projection == projection, q.originator_id == str(originator_id), q.held_behind.is_(None))
        .values(error=error[:MAX_ERROR])
    )


def replace_projection(conn: Connection, projection: str, rows: Sequence[Quarantined]) -> None:
    """The quarantine of ``projection`` becomes ``rows`` (a rebuild's own)."""
    conn.execute(delete(quarantine).where(quarantine.c.projection == projection))
    put(conn, [vars(r) for r in rows])


def _quarantined(row: Any) -> Quarantined:
    return Quarantined(
        projection=row["projection"],
        notification_id=int(row["notification_id"]),
        originator_id=row["originator_id"],
        originator_version=int(row["originator_version"]),
        company=row["company"],
        customer_code=row["customer_code"],
        event=row["event"],
        held_behind=None if row["held_behind"] is None else int(row["held_behind"]),
        error=row["error"],
        attempts=int(row["attempts"]),
        quarantined_at=row["quarantined_at"],
    )
