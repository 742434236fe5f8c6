"""Writing many rows fast: ``COPY`` on PostgreSQL, ``executemany`` on SQLite — inside the caller's transaction."""

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
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), list(rows))
        return
    names, converters = _plan(table)
    schema = schema_of(conn, table)
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
