"""Connections for the API's hot queries: one round trip each, and no thread hop on PostgreSQL.

The read-model engine pings each connection on checkout and wraps every query in a transaction
(``BEGIN`` … ``ROLLBACK``): three extra round trips that cost more than a position summary itself.
On PostgreSQL the API reads through its own *asynchronous* engine (psycopg async): no ping, autocommit
(each query is one statement, so it sees one consistent snapshot), and the query functions of
``projections.queries`` run unchanged through ``AsyncConnection.run_sync`` — in a greenlet on the
event loop, so a request needs no worker thread and no hand-over of the GIL. A connection found dead
is discarded and the query retried once on a fresh one, which is what the ping was for.

SQLite keeps the read-model engine in the thread pool (no network; its transactions are handled by
``projections.database``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from starlette.concurrency import run_in_threadpool

from creditbox.projections.service import ReadModels

T = TypeVar("T")


class QueryConnections:
    def __init__(self, projections: ReadModels, *, pool_size: int = 10) -> None:
        self._projections = projections
        self._engine: AsyncEngine | None = None
        self._schema_checked = False
        if projections.database.is_postgres:
            self._engine = create_async_engine(
                projections.engine.url,
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_pre_ping=False,
                isolation_level="AUTOCOMMIT",
            )

    def _sync(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self._projections.connect() as conn:
            return query(conn, *args, **kwargs)

    async def read(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``query(conn, *args, **kwargs)`` on a pooled connection; retried once if the connection had died."""
        if self._engine is None:
            return await run_in_threadpool(self._sync, query, *args, **kwargs)
        if not self._schema_checked:
            await run_in_threadpool(self._projections.ensure_schema)
            self._schema_checked = True
        try:
            async with self._engine.connect() as conn:
                return await conn.run_sync(query, *args, **kwargs)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        async with self._engine.connect() as conn:
            return await conn.run_sync(query, *args, **kwargs)

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
