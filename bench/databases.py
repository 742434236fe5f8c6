"""The benchmarks' PostgreSQL databases: created when missing, emptied before a run."""

from __future__ import annotations

from urllib.parse import urlparse

import psycopg
from psycopg import sql


def fresh_database(url: str) -> None:
    """Create the database of ``url`` if missing, then drop everything in its public schema."""
    name = urlparse(url).path.lstrip("/")
    admin = urlparse(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
