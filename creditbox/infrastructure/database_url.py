"""One place that turns ``CREDITBOX_DATABASE_URL`` into what each library wants.

The event store's recorders are eventsourcing's own with the hash chain of every event
(``infrastructure/chain/recorders.py``): the persistence module names their factories.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

# The chained recorders' factories (their module imports eventsourcing: named here, loaded by it).
SQLITE_FACTORY_TOPIC = "creditbox.infrastructure.chain.recorders:ChainedSQLiteFactory"
POSTGRES_FACTORY_TOPIC = "creditbox.infrastructure.chain.recorders:ChainedPostgresFactory"

OWNER_ONLY = 0o600
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def make_private_sqlite_file(path: Path) -> None:
    """Create the SQLite database file readable and writable by its owner only (0600) before SQLite
    opens it: SQLite creates the ``-wal``, ``-shm`` and ``-journal`` companions with the database
    file's mode. A file (and companions) already there lose any group or other access."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, OWNER_ONLY))
    for suffix in SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.exists() and companion.stat().st_mode & 0o077:
            os.chmod(companion, OWNER_ONLY)


class UnsupportedDatabaseUrl(ValueError):
    """``CREDITBOX_DATABASE_URL`` names neither SQLite nor PostgreSQL."""


@dataclass(frozen=True)
class DatabaseUrl:
    raw: str

    @property
    def scheme(self) -> str:
        return urlparse(self.raw).scheme.split("+")[0]

    @property
    def is_sqlite(self) -> bool:
        return self.scheme == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.scheme in ("postgresql", "postgres")

    def sqlite_path(self) -> str:
        """``sqlite:///relative.db``, ``sqlite:////abs/path.db`` or ``sqlite:///:memory:``."""
        path = self.raw.split(":///", 1)[1] if ":///" in self.raw else ""
        if not path:
            raise UnsupportedDatabaseUrl(f"percorso SQLite mancante in {self.raw!r}")
        return path

    def eventsourcing_env(self, *, pool_size: int = 5, lock_timeout: int = 5) -> dict[str, str]:
        """The eventsourcing persistence settings for this URL. ``lock_timeout``: PostgreSQL, seconds
        one attempt of a write waits for the event table's write lock (the event store makes 10)."""
        if self.is_sqlite:
            path = self.sqlite_path()
            if path != ":memory:":
                make_private_sqlite_file(Path(path))
            return {
                "PERSISTENCE_MODULE": SQLITE_FACTORY_TOPIC,
                "SQLITE_DBNAME": path,
                "SQLITE_LOCK_TIMEOUT": "30",
            }
        if self.is_postgres:
            parts = urlparse(self.raw)
            query = parse_qs(parts.query)
            env = {
                "PERSISTENCE_MODULE": POSTGRES_FACTORY_TOPIC,
                "POSTGRES_DBNAME": unquote(parts.path.lstrip("/")) or "postgres",
                "POSTGRES_HOST": parts.hostname or "127.0.0.1",
                "POSTGRES_PORT": str(parts.port or 5432),
                "POSTGRES_USER": unquote(parts.username or "postgres"),
                "POSTGRES_PASSWORD": unquote(parts.password or ""),
                "POSTGRES_POOL_SIZE": str(pool_size),
                "POSTGRES_MAX_OVERFLOW": str(pool_size),
                "POSTGRES_CONN_MAX_AGE": "600",
                "POSTGRES_PRE_PING": "y",
                "POSTGRES_LOCK_TIMEOUT": str(max(1, lock_timeout)),
            }
            if "schema" in query:
                env["POSTGRES_SCHEMA"] = query["schema"][0]
            return env
        raise UnsupportedDatabaseUrl(
            f"database non supportato: {self.raw!r} (usare sqlite:///percorso o postgresql://…)"
        )

    def psycopg_conninfo(self) -> str:
        """The PostgreSQL URL for a plain psycopg connection (without our own ``schema`` option)."""
        if not self.is_postgres:
            raise UnsupportedDatabaseUrl(f"non è un database PostgreSQL: {self.raw!r}")
        return self.raw.split("?", 1)[0]

    def sqlalchemy_url(self) -> str:
        """SQLAlchemy URL: psycopg 3 driver for PostgreSQL, stdlib sqlite3 for SQLite."""
        if self.is_sqlite:
            path = self.sqlite_path()
            if path != ":memory:":
                make_private_sqlite_file(Path(path))
            return f"sqlite:///{path}"
        if self.is_postgres:
            parts = urlparse(self.raw)
            rest = self.raw.split("://", 1)[1]
            if parts.query:
                rest = rest.split("?", 1)[0]
            return f"postgresql+psycopg://{rest}"
        raise UnsupportedDatabaseUrl(f"database non supportato: {self.raw!r}")
