"""``projections rebuild``: build from zero into shadow tables, swap them in only on success.

The projections write through SQLAlchemy Core, so the same code builds into another schema by a
``schema_translate_map``: on PostgreSQL the schema ``rm_shadow`` of the same database, on SQLite a
database file attached as ``rm_shadow`` beside the main one. The shadow has its own tracking and
quarantine tables. While it builds, the live tables keep serving queries and keep following the log.

When the build succeeds, one transaction on the live database swaps it in for every projection
rebuilt: on PostgreSQL the live tables are dropped and the shadow ones moved into the live schema
(``ALTER TABLE … SET SCHEMA``: indexes move with them); on SQLite the live tables' rows are replaced by
the shadow's. The same transaction puts each projection's tracking at the position (and valuation
date) the shadow reached and replaces its quarantine with the shadow's, so the next catch-up
continues from there. Projections that feed a process table (``REBUILDS = False``: the outbox) are
left out: their table, its rows and their tracking stay as they are. When the build fails, nothing
of the live database has been touched: the shadow is dropped and the error raised.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Table, event

from creditbox.projections import quarantine, tracking
from creditbox.projections.database import WRITE
from creditbox.projections.framework import Projection, StateCache
from creditbox.projections.registry import select_projections
from creditbox.projections.row_security import enable_statements, has_row_security
from creditbox.projections.schema import metadata, projection_tracking
from creditbox.projections.schema import quarantine as quarantine_table

if TYPE_CHECKING:
    from creditbox.projections.runner import ProjectionRunner

log = logging.getLogger(__name__)

SHADOW = "rm_shadow"
TRANSLATE = "schema_translate_map"


def rebuild_in_shadow(live: ProjectionRunner) -> int:
    """Rebuild ``live``'s projections in the shadow and swap them in; returns the notifications read."""
    from creditbox.projections.runner import ProjectionRunner

    rebuilt = [p for p in live.projections if rebuilds(p)]
    names = [p.name for p in rebuilt]
    if not rebuilt:
        return 0
    tables = [t for p in rebuilt for t in p.tables]
    with _shadow_engine(live.engine) as (shadow, plain):
        with shadow.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
            metadata.create_all(conn, tables=[projection_tracking, quarantine_table, *tables])
        builder = ProjectionRunner(
            live.app,
            shadow,
            select_projections(names),
            clock=live.clock,
            batch_size=live.batch_size,
            states=StateCache(live.app),
        )
        builder.before_commit = live.before_commit
        read = builder.catch_up()  # ProjectionFailed: the live tables are untouched
        with shadow.connect() as conn:
            reached = tracking.read(conn, names)
            held = quarantine.listing(conn, names)
        with plain.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
            for name in names:
                tracking.lock(conn, name)
            _swap_tables(conn, tables)
            for name in names:
                tracking.place(conn, name, reached[name].notification_id, reached[name].as_of)
                quarantine.replace_projection(conn, name, [q for q in held if q.projection == name])
        log.info("rebuilt %s: %s notifications, swapped in", ", ".join(names), read)
        return read


def rebuilds(projection: Projection) -> bool:
    """Whether a rebuild replays ``projection`` into the shadow: not a projection that feeds a process
    table (the outbox: its statuses live only there), which keeps its rows and its tracking."""
    return bool(getattr(projection, "REBUILDS", True))


def _swap_tables(conn: Connection, tables: Sequence[Table]) -> None:
    if conn.dialect.name == "postgresql":
        live_schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
        for table in tables:
            secured = has_row_security(conn, live_schema, table.name)
            conn.exec_driver_sql(f'DROP TABLE "{live_schema}"."{table.name}"')
            conn.exec_driver_sql(f'ALTER TABLE "{SHADOW}"."{table.name}" SET SCHEMA "{live_schema}"')
            if secured:  # the live table's row-level security goes on the table that replaces it
                for statement in enable_statements(table.name):
                    conn.exec_driver_sql(statement)
        return
    for table in tables:
        columns = ", ".join(f'"{c.name}"' for c in table.columns)
        conn.exec_driver_sql(f'DELETE FROM main."{table.name}"')
        conn.exec_driver_sql(
            f'INSERT INTO main."{table.name}" ({columns}) SELECT {columns} FROM {SHADOW}."{table.name}"'
        )


@contextmanager
def _shadow_engine(engine: Engine) -> Iterator[tuple[Engine, Engine]]:
    """(an engine writing into the shadow, an engine on the live tables that also sees the shadow)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{SHADOW}" CASCADE')
            conn.exec_driver_sql(f'CREATE SCHEMA "{SHADOW}"')
        try:
            yield engine.execution_options(**{TRANSLATE: {None: SHADOW}}), engine
        finally:
            with engine.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{SHADOW}" CASCADE')
        return
    yield from _sqlite_shadow(engine)


def _sqlite_shadow(engine: Engine) -> Iterator[tuple[Engine, Engine]]:
    from creditbox.infrastructure.database_url import DatabaseUrl
    from creditbox.projections.database import create_read_model_engine

    path = engine.url.database
    if not path or path == ":memory:":
        raise ValueError("ricostruzione: serve un database SQLite su file")
    shadow_path = f"{path}.rebuild"
    _remove(shadow_path)
    attached = create_read_model_engine(DatabaseUrl(engine.url.render_as_string(hide_password=False)), pool_size=1)

    @event.listens_for(attached, "connect")
    def _attach(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.execute(f"ATTACH DATABASE ? AS {SHADOW}", (shadow_path,))

    try:
        yield attached.execution_options(**{TRANSLATE: {None: SHADOW}}), attached
    finally:
        attached.dispose()
        _remove(shadow_path)


def _remove(path: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with suppress(FileNotFoundError):
            os.remove(path + suffix)
