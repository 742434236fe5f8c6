"""Connections for the API's queries: one round trip per query on PostgreSQL.

The read-model engine pings each connection on checkout and wraps every query in a transaction
(``BEGIN`` … ``ROLLBACK``): three extra round trips that cost more than a position summary itself.
On PostgreSQL the API reads through its own engine instead, without the ping and in autocommit (each
query is one statement, so it sees one consistent snapshot). A connection found dead is discarded
and the query retried once on a fresh one, which is what the ping was for. SQLite keeps the
read-model engine (no network, and its transactions are handled by ``projections.database``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import DBAPIError

from creditbox.projections.service import ReadModels

T = TypeVar("T")


class QueryConnections:
    def __init__(self, projections: ReadModels, *, pool_size: int = 10) -> None:
        self._projections = projections
        self._engine: Engine | None = None
        if projections.database.is_postgres:
            self._engine = create_engine(
                projections.engine.url,
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_pre_ping=False,
                isolation_level="AUTOCOMMIT",
            )

    def read(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``query(conn, *args, **kwargs)`` on a pooled connection; retried once if the connection had died."""
        if self._engine is None:
            with self._projections.connect() as conn:
                return query(conn, *args, **kwargs)
        self._projections.ensure_schema()
        try:
            with self._engine.connect() as conn:
                return query(conn, *args, **kwargs)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        with self._engine.connect() as conn:
            return query(conn, *args, **kwargs)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
