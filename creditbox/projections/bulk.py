"""Writing many rows fast: ``COPY`` on PostgreSQL, ``executemany`` on SQLite — inside the caller's transaction.

PostgreSQL refuses ``COPY FROM`` into a table whose row-level security applies to the connected role
(the company-keyed tables, for every role but a superuser or one with ``BYPASSRLS``: migration 0019).
There the rows go in by batched multi-row ``INSERT`` (SQLAlchemy's *insertmanyvalues*), checked
against the policies; a projector connected as a ``BYPASSRLS`` role keeps ``COPY``
(docs/operations.md, "Database roles")."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from psycopg import sql
from sqlalchemy import Connection, Table
from sqlalchemy.types import TypeDecorator

from creditbox.projections.database import schema_of


def _plan(table: Table) -> tuple[list[str], list[tuple[int, Any]]]:
    """Column names, and (index, bind processor) of the columns that convert their values (money)."""
    names = [column.name for column in table.columns]
    converters = [
        (index, column.type.process_bind_param)
        for index, column in enumerate(table.columns)
        if isinstance(column.type, TypeDecorator)
    ]
    return names, converters


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    schema = schema_of(conn, table)
    if conn.dialect.name != "postgresql" or _row_security_applies(conn, schema, table.name):
        conn.execute(table.insert(), list(rows))
        return
    names, converters = _plan(table)
    target = sql.Identifier(schema, table.name) if schema else sql.Identifier(table.name)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        target, sql.SQL(", ").join(sql.Identifier(name) for name in names)
    )
    values = itemgetter(*names)
    raw: Any = conn.connection.driver_connection  # the psycopg connection of this transaction
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            record = list(values(row))
            for index, convert in converters:
                record[index] = convert(record[index], None)
            copy.write_row(record)


_SECURED = "creditbox_row_security"  # per database connection: {(schema, table): applies}


def _row_security_applies(conn: Connection, schema: str | None, table: str) -> bool:
    """Whether row-level security applies to this connection's role on the table (then no ``COPY``),
    asked once per database connection and table."""
    known: dict[tuple[str | None, str], bool] = conn.connection.info.setdefault(_SECURED, {})
    key = (schema, table)
    if key not in known:
        name = f'"{schema}"."{table}"' if schema else f'"{table}"'
        known[key] = bool(conn.exec_driver_sql("SELECT row_security_active(%s::regclass)", (name,)).scalar())
    return known[key]
