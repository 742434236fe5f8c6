"""Connections for the API's hot queries: one round trip each, and no thread hop on PostgreSQL.

The read-model engine pings each connection on checkout and wraps every query in a transaction
(``BEGIN`` … ``ROLLBACK``): three extra round trips that cost more than a position summary itself.
On PostgreSQL the API reads through its own *asynchronous* engine (psycopg async): no ping, autocommit
(each query is one statement, so it sees one consistent snapshot), and the query functions of
``projections.queries`` run unchanged through ``AsyncConnection.run_sync`` — in a greenlet on the
event loop, so a request needs no worker thread and no hand-over of the GIL. A connection found dead
is discarded and the query retried once on a fresh one, which is what the ping was for. Each read
first sets the connection's company scope (``creditbox.company``, read by the row-level security of
the company-keyed tables): the request's company, or none at all outside a request.

SQLite keeps the read-model engine in the thread pool (no network; its transactions are handled by
``projections.database``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from starlette.concurrency import run_in_threadpool

from creditbox.infrastructure.company_scope import NO_SCOPE, SETTING, current_scope
from creditbox.projections.service import ReadModels

T = TypeVar("T")

# The company scope of the reads that follow on the connection (row-level security). The engine is in
# autocommit (one statement, one transaction), so the setting is the session's: every read sets it
# first, the request's company or none (nothing of any company), so a value left by an earlier read
# on the same pooled connection never carries over.
SET_SCOPE = text(f"SELECT set_config('{SETTING}', :scope, false)")


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
        scope = current_scope() or NO_SCOPE
        try:
            async with self._engine.connect() as conn:
                await conn.execute(SET_SCOPE, {"scope": scope})
                return await conn.run_sync(query, *args, **kwargs)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        async with self._engine.connect() as conn:
            await conn.execute(SET_SCOPE, {"scope": scope})
            return await conn.run_sync(query, *args, **kwargs)

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
