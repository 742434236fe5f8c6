"""One process at a time creates or migrates the schema.

Several processes starting together on a fresh PostgreSQL database (``creditbox serve --workers 2``,
projectors, a deploy's ``db upgrade``) would otherwise run the same ``CREATE TABLE`` /
``CREATE FUNCTION`` / Alembic statements at the same moment, and all but one fail (``tuple
concurrently updated``, a duplicate ``alembic_version`` type). A session-level advisory lock,
taken on a connection of its own, serialises them; the later processes find the schema made and
do nothing. SQLite needs nothing: its file lock already serialises DDL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from creditbox.infrastructure.database_url import DatabaseUrl

# An arbitrary constant of our own ("CBXSCHEM" read as 8 bytes of a signed 64-bit key).
SCHEMA_LOCK_KEY = 0x4342_5853_4348_454D


@contextmanager
def schema_lock(database: DatabaseUrl, *, timeout_seconds: int = 120) -> Iterator[None]:
    """Hold the schema lock for the duration of the block (PostgreSQL); a no-op on SQLite."""
    if not database.is_postgres:
        yield
        return
    with psycopg.connect(database.psycopg_conninfo(), autocommit=True) as conn:
        conn.execute(f"SET lock_timeout = '{int(timeout_seconds)}s'")
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK_KEY,))
