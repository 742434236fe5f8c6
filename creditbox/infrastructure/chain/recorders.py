"""eventsourcing's application recorders for SQLite and PostgreSQL, with the hash chain.

Each recorder inserts the events exactly as eventsourcing's own does, then, in the same
transaction, one ``event_chain`` row per event (``links.py``): whatever commits an event commits its
link, and a failed insert leaves neither. The chain's head of each originator is read after the
events are inserted, when the transaction already holds the event table's write lock (PostgreSQL:
``LOCK TABLE … IN EXCLUSIVE MODE``; SQLite: the database's single writer), so two writers never
chain onto the same head.

The factories are selected by ``PERSISTENCE_MODULE`` (``infrastructure/database_url.py``), so every
place that builds a recorder from the application's environment — the application itself, the
background writer process, tools — writes the chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore, PostgresFactory
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore, SQLiteFactory
from eventsourcing.utils import Environment, EnvType
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from creditbox.infrastructure.chain.links import CHAIN_TABLE, POSTGRES_CHAIN_DDL, SQLITE_CHAIN_DDL, chain_rows

SQLITE_CHUNK = 900  # bound parameters per head lookup, well below SQLite's limit


def _sqlite_key(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else originator_id


class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events") -> None:
        self.chain_table_name = CHAIN_TABLE
        super().__init__(datastore, events_table_name)
        self.insert_link_statement = f"INSERT INTO {self.chain_table_name} VALUES (?,?,?,?,?,?,0)"

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), SQLITE_CHAIN_DDL.format(table=self.chain_table_name)]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        returning = super()._insert_events(c, stored_events, **kwargs)
        if stored_events:
            keys = list({_sqlite_key(s.originator_id) for s in stored_events})
            c.executemany(self.insert_link_statement, chain_rows(stored_events, self._heads(c, keys), _sqlite_key))
        return returning

    def _heads(self, c: SQLiteCursor, keys: list[str]) -> dict[str, bytes]:
        heads: dict[str, bytes] = {}
        for start in range(0, len(keys), SQLITE_CHUNK):
            chunk = keys[start : start + SQLITE_CHUNK]
            # SQLite returns the other columns of the row that holds the MAX (documented behaviour).
            c.execute(
                f"SELECT originator_id, MAX(originator_version), hash FROM {self.chain_table_name} "
                f"WHERE originator_id IN ({','.join('?' * len(chunk))}) GROUP BY originator_id",
                chunk,
            )
            heads.update((row[0], bytes(row[2])) for row in c.fetchall())
        return heads


class ChainedPostgresApplicationRecorder(PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.chain_table_name = CHAIN_TABLE
        schema, table = Identifier(self.datastore.schema), Identifier(self.chain_table_name)
        id_type = SQL(self.datastore.originator_id_type)
        self.sql_create_statements.append(SQL(POSTGRES_CHAIN_DDL).format(schema=schema, table=table, id_type=id_type))
        self.insert_links_statement = SQL(
            "INSERT INTO {schema}.{table} "
            "(originator_id, originator_version, topic, hash, previous_hash, digests) "
            "SELECT * FROM unnest(%b::{id_type}[], %b::bigint[], %b::text[], %b::bytea[], %b::bytea[], %b::text[])"
        ).format(schema=schema, table=table, id_type=id_type)
        # ``%b``: the arrays go in PostgreSQL's binary format. In the text format psycopg escapes every
        # element of every array (a regular expression per hash, locator and event state): in a worker
        # running chunks of positions that was a tenth of its time. The events' own insert is
        # eventsourcing's statement with its array of stored events bound the same way.
        self.insert_events_statement = SQL(
            "INSERT INTO {schema}.{events} AS t (originator_id, originator_version, topic, state) "
            "SELECT originator_id, originator_version, topic, state FROM unnest(%b::{schema}.{event_type}[]) "
            "RETURNING notification_id"
        ).format(
            schema=schema, events=Identifier(self.events_table_name), event_type=Identifier(self.stored_event_type_name)
        )
        self.select_heads_statement = SQL(
            "SELECT DISTINCT ON (originator_id) originator_id, hash FROM {schema}.{table} "
            "WHERE originator_id = ANY(%b) ORDER BY originator_id, originator_version DESC"
        ).format(schema=schema, table=table)

    def _insert_stored_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        super()._insert_stored_events(curs, stored_events, **kwargs)
        if not stored_events:
            return
        # Another cursor: the caller reads the notification ids from ``curs``. Fetching the heads
        # flushes the pipeline, so a conflicting event insert fails here, before any link is written.
        with curs.connection.cursor() as chain:
            ids = list({s.originator_id for s in stored_events})
            chain.execute(self.select_heads_statement, (ids,), prepare=True)
            heads = {row["originator_id"]: bytes(row["hash"]) for row in chain.fetchall()}
            rows = chain_rows(stored_events, heads, lambda i: i)
            chain.execute(self.insert_links_statement, [list(column) for column in zip(*rows, strict=True)])


class ChainedSQLiteFactory(SQLiteFactory):
    application_recorder_class = ChainedSQLiteApplicationRecorder


class ChainedPostgresFactory(PostgresFactory):
    application_recorder_class = ChainedPostgresApplicationRecorder

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        # The database-function insert would write events without their links.
        self.datastore.enable_db_functions = False
