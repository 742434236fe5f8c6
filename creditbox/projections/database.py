"""The SQLAlchemy engine of the read models: the same database as the event store."""

from __future__ import annotations

from typing import Any

from psycopg.abc import Buffer
from psycopg.types.string import StrBinaryDumper, StrDumper
from sqlalchemy import Connection, Engine, Table, create_engine, event

from creditbox.infrastructure.company_scope import GROUP_SCOPE, SETTING, current_scope
from creditbox.infrastructure.database_url import DatabaseUrl

WRITE = "creditbox_write"
# The company scope of a transaction (``is_local``: it ends with the transaction).
SET_SCOPE = "SELECT set_config(%s, %s, true)"


def create_read_model_engine(database: DatabaseUrl, *, pool_size: int = 5, default_scope: str = GROUP_SCOPE) -> Engine:
    """An engine for projections and queries.

    On PostgreSQL each transaction starts by setting ``creditbox.company`` (local to the transaction)
    to the scope of the work in progress (``infrastructure/company_scope.py``: a request's company),
    else to ``default_scope``: the row-level security policies of the company-keyed tables read it.

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
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)

    @event.listens_for(engine, "begin")
    def _company_scope(conn: Connection) -> None:
        scope = current_scope()
        conn.exec_driver_sql(SET_SCOPE, (SETTING, default_scope if scope is None else scope))

    @event.listens_for(engine, "connect")
    def _nul_safe_text(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.adapters.register_dumper(str, NulSafeText)
        dbapi_connection.adapters.register_dumper(str, NulSafeBinaryText)

    return engine


class NulSafeText(StrDumper):
    """PostgreSQL refuses NUL in text: a NUL stored in an event before the text policy existed
    reaches the read models as U+FFFD instead of stopping every projection of the group."""

    def dump(self, obj: str) -> Buffer | None:
        return super().dump(obj.replace("\x00", "\ufffd") if "\x00" in obj else obj)


class NulSafeBinaryText(StrBinaryDumper):
    def dump(self, obj: str) -> Buffer | None:
        return super().dump(obj.replace("\x00", "\ufffd") if "\x00" in obj else obj)


def schema_of(conn: Connection, table: Table) -> str | None:
    """The schema ``table`` is written to on ``conn`` (a rebuild's shadow translates it), None: the default."""
    translate = conn.get_execution_options().get("schema_translate_map") or {}
    schema = translate.get(table.schema, table.schema)
    return schema if isinstance(schema, str) else None


def quoted_name(conn: Connection, table: Table) -> str:
    """``"schema"."table"`` or ``"table"``, for the statements written by hand (COPY, ANALYZE)."""
    schema = schema_of(conn, table)
    return f'"{schema}"."{table.name}"' if schema else f'"{table.name}"'
