"""The SQLAlchemy engine of the read models: the same database as the event store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event

from creditbox.infrastructure.database_url import DatabaseUrl

WRITE = "creditbox_write"


def create_read_model_engine(database: DatabaseUrl, *, pool_size: int = 5) -> Engine:
    """An engine for projections and queries.

    On SQLite a projection's write transaction starts with ``BEGIN IMMEDIATE`` (asked for with the
    ``creditbox_write`` execution option), so it waits for the event store's writer instead of failing
    to upgrade a read lock; reads start a plain deferred transaction and never block writers (WAL).
    """
    url = database.sqlalchemy_url()
    if database.is_sqlite:
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _manual_transactions(dbapi_connection: Any, _: Any) -> None:
            dbapi_connection.isolation_level = None  # we emit BEGIN ourselves

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            immediate = conn.get_execution_options().get(WRITE, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def schema_of(conn: Connection, table: Table) -> str | None:
    """The schema ``table`` is written to on ``conn`` (a rebuild's shadow translates it), None: the default."""
    translate = conn.get_execution_options().get("schema_translate_map") or {}
    schema = translate.get(table.schema, table.schema)
    return schema if isinstance(schema, str) else None


def quoted_name(conn: Connection, table: Table) -> str:
    """``"schema"."table"`` or ``"table"``, for the statements written by hand (COPY, ANALYZE)."""
    schema = schema_of(conn, table)
    return f'"{schema}"."{table.name}"' if schema else f'"{table.name}"'
