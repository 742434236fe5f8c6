"""Loading many aggregates at once for batch work (imports, ticks).

``SqlBulkLoader`` fetches the stored events of many aggregates in one SQL query per chunk
(PostgreSQL: ``originator_id = ANY(%s)``; SQLite: ``IN (...)``) through the application's own
recorder connection, and rebuilds each aggregate with the application's mapper, exactly as the
repository would (``mutate`` event after event). Anything it does not know how to read (another
recorder, snapshots) falls back to ``RepositoryBulkLoader``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from creditbox.infrastructure.event_store import CreditBoxApplication

POSTGRES_CHUNK = 5000
# SQLite's default limit on bound parameters is 32766 (999 before 3.32): stay well below.
SQLITE_CHUNK = 900


class RepositoryBulkLoader:
    """Loads through the repository, one aggregate at a time (correct on every backend)."""

    def __init__(self, app: CreditBoxApplication) -> None:
        self._app = app

    def load_many(self, aggregate_ids: Iterable[UUID]) -> dict[UUID, Any]:
        loaded: dict[UUID, Any] = {}
        for aggregate_id in aggregate_ids:
            aggregate = self._app.get_or_none(aggregate_id)
            if aggregate is not None:
                loaded[aggregate_id] = aggregate
        return loaded


class SqlBulkLoader:
    """One query per chunk of ids instead of one per aggregate."""

    def __init__(self, app: CreditBoxApplication) -> None:
        self._app = app
        self._fallback = RepositoryBulkLoader(app)

    def load_many(self, aggregate_ids: Iterable[UUID]) -> dict[UUID, Any]:
        ids = list(dict.fromkeys(aggregate_ids))
        if not ids:
            return {}
        select = self._selector()
        if select is None:
            return self._fallback.load_many(ids)
        mapper = self._app.mapper
        loaded: dict[UUID, Any] = {}
        current_id: UUID | None = None
        aggregate: Any = None
        for stored in select(ids):
            if stored.originator_id != current_id:
                if current_id is not None and aggregate is not None:
                    loaded[current_id] = aggregate
                current_id, aggregate = stored.originator_id, None
            aggregate = mapper.to_domain_event(stored).mutate(aggregate)  # type: ignore[attr-defined]
        if current_id is not None and aggregate is not None:
            loaded[current_id] = aggregate
        return loaded

    def _selector(self) -> Any:
        if self._app.snapshots is not None:
            return None
        recorder = self._app.recorder
        if isinstance(recorder, PostgresApplicationRecorder):
            return lambda ids: _select_postgres(recorder, ids)
        if isinstance(recorder, SQLiteApplicationRecorder):
            return lambda ids: _select_sqlite(recorder, ids)
        return None


def _select_postgres(recorder: Any, ids: list[UUID]) -> Iterator[StoredEvent]:
    from psycopg.sql import SQL, Identifier

    statement = SQL(
        "SELECT originator_id, originator_version, topic, state FROM {schema}.{table} "
        "WHERE originator_id = ANY(%b) ORDER BY originator_id, originator_version"  # %b: binary, unescaped
    ).format(schema=Identifier(recorder.datastore.schema), table=Identifier(recorder.events_table_name))
    for start in range(0, len(ids), POSTGRES_CHUNK):
        chunk = ids[start : start + POSTGRES_CHUNK]
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, (chunk,))
            rows = curs.fetchall()
        for row in rows:
            yield StoredEvent(
                originator_id=row["originator_id"],
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )


def _select_sqlite(recorder: Any, ids: list[UUID]) -> Iterator[StoredEvent]:
    table = recorder.events_table_name
    for start in range(0, len(ids), SQLITE_CHUNK):
        chunk = [i.hex for i in ids[start : start + SQLITE_CHUNK]]
        statement = (
            f"SELECT originator_id, originator_version, topic, state FROM {table} "
            f"WHERE originator_id IN ({','.join('?' * len(chunk))}) ORDER BY originator_id, originator_version"
        )
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(statement, chunk)
            rows = c.fetchall()
        for row in rows:
            yield StoredEvent(
                originator_id=UUID(row["originator_id"]),
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=row["state"],
            )
