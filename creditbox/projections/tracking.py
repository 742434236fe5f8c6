"""Each projection's position in the notification log, written in the transaction of its view updates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, select, update

from creditbox.projections.schema import projection_tracking


@dataclass(frozen=True)
class Tracking:
    name: str
    notification_id: int
    as_of: date | None


def ensure(conn: Connection, names: Iterable[str]) -> None:
    existing = set(conn.scalars(select(projection_tracking.c.name)))
    missing = [{"name": n, "notification_id": 0, "as_of": None} for n in names if n not in existing]
    if missing:
        conn.execute(projection_tracking.insert(), missing)


def read(conn: Connection, names: Iterable[str]) -> dict[str, Tracking]:
    wanted = list(names)
    rows = conn.execute(select(projection_tracking).where(projection_tracking.c.name.in_(wanted)))
    found = {r.name: Tracking(r.name, int(r.notification_id), r.as_of) for r in rows}
    return {n: found.get(n, Tracking(n, 0, None)) for n in wanted}


def lock(conn: Connection, name: str) -> None:
    """Hold ``name``'s tracking row until the transaction ends (PostgreSQL; on SQLite the write
    transaction already excludes other writers): a quarantine retry and a runner take turns."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(projection_tracking.c.name).where(projection_tracking.c.name == name).with_for_update())


def place(conn: Connection, name: str, notification_id: int, as_of: date | None) -> None:
    """Put ``name`` at ``notification_id`` (a rebuild swapped in)."""
    conn.execute(
        update(projection_tracking)
        .where(projection_tracking.c.name == name)
        .values(notification_id=notification_id, as_of=as_of)
    )


class TrackingMoved(RuntimeError):
    """Another runner moved this projection meanwhile: the transaction is rolled back, nothing is lost."""


def advance(conn: Connection, name: str, old: int, new: int) -> None:
    """Move ``name`` from ``old`` to ``new``; refuses (and so rolls back) if it is no longer at ``old``."""
    result = conn.execute(
        update(projection_tracking)
        .where(projection_tracking.c.name == name, projection_tracking.c.notification_id == old)
        .values(notification_id=new)
    )
    if result.rowcount != 1:
        raise TrackingMoved(f"proiezione {name!r}: posizione cambiata da un altro processo")


def set_as_of(conn: Connection, name: str, as_of: date) -> None:
    conn.execute(update(projection_tracking).where(projection_tracking.c.name == name).values(as_of=as_of))


def reset(conn: Connection, name: str) -> None:
    conn.execute(
        update(projection_tracking).where(projection_tracking.c.name == name).values(notification_id=0, as_of=None)
    )
