"""Finding the poison events of a batch a projection could not apply.

The runner first applies a batch whole (the fast path). When the projection's ``apply`` raises, the
batch is applied again in one transaction, the aggregates split in halves, each half in a savepoint,
down to the single aggregates that fail; the events of such an aggregate are then applied one at a
time (each at its own version), so its rows end at the state just before the first event that fails.
That event and the aggregate's later ones in the batch go to the quarantine; everything else commits.

Failures of the database itself (connection lost, lock timeout, ``OperationalError``) are never
quarantined: they say nothing about the events, so the projection's batch is rolled back as a whole
and tried again at the next catch-up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import psycopg
from sqlalchemy import Connection
from sqlalchemy import exc as sa_exc

from creditbox.projections.describe import event_name
from creditbox.projections.framework import Batch, Item, Projection, Undecodable
from creditbox.projections.tracking import TrackingMoved

Subject = tuple[str | None, str | None]  # (company, customer code)

_INFRASTRUCTURE = (
    TrackingMoved,
    MemoryError,
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)


def isolatable(error: BaseException) -> bool:
    """Whether ``error`` may come from the events (quarantine them) rather than from the database."""
    if isinstance(error, _INFRASTRUCTURE):
        return False
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return False
    return isinstance(error, Exception)


def error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def failing_aggregates(
    conn: Connection, projection: Projection, part: Batch, originators: Sequence[UUID]
) -> dict[UUID, BaseException]:
    """Apply the part of ``part`` about ``originators``; halves that fail are split down to the single
    aggregates that fail, which are returned (the others are applied, each half in a savepoint)."""
    if not originators:
        return {}
    try:
        with conn.begin_nested():
            projection.apply(part.only(set(originators)), conn)
        return {}
    except Exception as error:
        if not isolatable(error):
            raise
        part.states.clear()  # an aggregate may have been left half-mutated in the cache
        if len(originators) == 1:
            return {originators[0]: error}
        middle = len(originators) // 2
        return {
            **failing_aggregates(conn, projection, part, originators[:middle]),
            **failing_aggregates(conn, projection, part, originators[middle:]),
        }


def first_poison(
    conn: Connection, projection: Projection, items: Sequence[Item], template: Batch
) -> tuple[int, BaseException] | None:
    """Apply one aggregate's events one at a time, each at its own version; the index of the first
    that fails, with its error (None: they all applied)."""
    for index, item in enumerate(items):
        if isinstance(item.event, Undecodable):
            return index, item.event.error
        single = Batch([item], template.states, as_of=template.as_of, lookups=template.lookups)
        try:
            with conn.begin_nested():
                projection.apply(single, conn)
        except Exception as error:
            if not isolatable(error):
                raise
            template.states.clear()
            return index, error
    return None


def quarantine_rows(
    projection: str,
    items: Sequence[Item],
    *,
    error: str,
    held_behind: int | None,
    subject: Callable[[UUID], Subject],
    attempts: int = 1,
) -> list[dict[str, Any]]:
    """Rows for ``items`` (one aggregate's events in order): the first failed with ``error`` when
    ``held_behind`` is None, the others wait behind it."""
    rows: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    for item in items:
        event = item.event
        company, customer = subject(event.originator_id)
        behind = held_behind if held_behind is not None else (rows[0]["notification_id"] if rows else None)
        rows.append(
            {
                "projection": projection,
                "notification_id": item.notification_id,
                "originator_id": str(event.originator_id),
                "originator_version": int(event.originator_version),
                "company": company,
                "customer_code": customer,
                "event": (event.name if isinstance(event, Undecodable) else event_name(event))[:64],
                "held_behind": behind,
                "error": error if behind is None else f"in attesa dietro la notifica {behind} (stessa posizione)",
                "attempts": attempts,
                "quarantined_at": now,
            }
        )
    return rows
