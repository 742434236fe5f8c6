"""Reading, sealing and backfilling the hash chains, in SQL, on SQLite and PostgreSQL.

:class:`SqlChainStorage` is the application's ``ChainStorage`` (``application/integrity.py``):

- ``histories()`` streams the events and the links of every aggregate in one read-only snapshot
  (PostgreSQL: a repeatable-read transaction with two server-side cursors; SQLite: one deferred
  transaction), both in primary-key order, merged aggregate by aggregate;
- ``seal(build)`` reads the heads, builds the seal's event and writes it, its own link and the
  leaves in one transaction that holds the event table's write lock, like the recorders do;
- :func:`seal_existing_store` is the one-off sealing of a store older than the chain (migration
  0015): the events without a link are chained as they are (``backfilled``), then sealed.

The event store's tables are eventsourcing's: ``stored_events`` on SQLite, ``creditbox_events`` (in
the store's schema) on PostgreSQL; ``event_chain`` beside them. The leaves (``chain_seal_leaf``)
are a process table of the read-model schema.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent
from sqlalchemy import Connection, Engine, bindparam, inspect, text

from creditbox.application.integrity import Head, History, SealRecord, StoredLink, StoredRecord
from creditbox.domain.chain_seal import CHAIN_SEALED, ChainSeal
from creditbox.infrastructure.chain.links import CHAIN_TABLE, POSTGRES_CHAIN_DDL, SQLITE_CHAIN_DDL, chain_rows
from creditbox.infrastructure.event_store import CreditBoxApplication
from creditbox.projections.database import WRITE

FETCH = 10_000  # rows per round trip of a server-side cursor
BACKFILL_CHUNK = 500  # aggregates per backfill statement
SQLITE_EVENTS = "stored_events"
POSTGRES_EVENTS = CreditBoxApplication.name.lower() + "_events"
MIGRATION_SEALER = "migrazione 0015"


@dataclass(frozen=True)
class ChainTables:
    """Where the chain lives on one backend, and how that backend keys an aggregate."""

    postgres: bool
    events: str  # quoted, qualified on PostgreSQL
    chain: str
    events_name: str
    schema: str | None

    @classmethod
    def of(cls, dialect: str, *, schema: str | None = None, events: str | None = None) -> ChainTables:
        if dialect == "postgresql":
            schema = schema or "public"
            name = events or POSTGRES_EVENTS
            return cls(True, f'"{schema}"."{name}"', f'"{schema}"."{CHAIN_TABLE}"', name, schema)
        name = events or SQLITE_EVENTS
        return cls(False, name, CHAIN_TABLE, name, None)

    @property
    def notification(self) -> str:
        return "notification_id" if self.postgres else "rowid"

    def key(self, originator_id: UUID | str) -> Any:
        """The aggregate id as the tables hold it (SQLite: hex text; PostgreSQL: uuid)."""
        if self.postgres:
            return originator_id
        return originator_id.hex if isinstance(originator_id, UUID) else originator_id

    def text_of(self, key: Any) -> str:
        """The aggregate id as the chain hashes it (36-character UUID text)."""
        if isinstance(key, UUID):
            return str(key)
        return str(UUID(key)) if len(key) == 32 else str(key)

    def uuid_of(self, key: Any) -> UUID | str:
        if isinstance(key, UUID):
            return key
        try:
            return UUID(key)
        except ValueError:
            return str(key)


class SqlChainStorage:
    """The chains of one event store (its tables, and the read-model engine on the same database)."""

    def __init__(self, engine: Engine, mapper: Mapper[UUID], tables: ChainTables) -> None:
        self._engine = engine
        self._mapper = mapper
        self._tables = tables

    @classmethod
    def of(cls, app: CreditBoxApplication, engine: Engine) -> SqlChainStorage:
        recorder: Any = app.recorder
        schema = getattr(recorder.datastore, "schema", None)
        return cls(
            engine, app.mapper, ChainTables.of(engine.dialect.name, schema=schema, events=recorder.events_table_name)
        )

    # ---- reading --------------------------------------------------------------------------------

    def histories(self) -> Iterator[History]:
        t = self._tables
        events_sql = (
            f"SELECT originator_id, originator_version, topic, state FROM {t.events} "
            "ORDER BY originator_id, originator_version"
        )
        links_sql = (
            f"SELECT originator_id, originator_version, topic, hash, previous_hash, digests, backfilled "
            f"FROM {t.chain} ORDER BY originator_id, originator_version"
        )
        raw = self._engine.raw_connection()
        try:
            driver: Any = raw.driver_connection
            if t.postgres:
                driver.rollback()
                driver.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                events, links = driver.cursor(name="cbx_chain_events"), driver.cursor(name="cbx_chain_links")
                events.itersize = links.itersize = FETCH
                events.execute(events_sql)
                links.execute(links_sql)
            else:
                driver.execute("BEGIN")
                events, links = driver.execute(events_sql), driver.execute(links_sql)
            yield from _merge(events, links, t.text_of)
        finally:
            try:
                driver.rollback()
            finally:
                raw.close()

    def history_of(self, originator_id: UUID) -> History:
        """One aggregate's stored events and links, each in version order (the evidence dossier)."""
        t = self._tables
        key = t.key(originator_id)
        with self._engine.connect() as conn:
            events = conn.execute(
                text(
                    f"SELECT originator_id, originator_version, topic, state FROM {t.events} "
                    "WHERE originator_id = :id ORDER BY originator_version"
                ),
                {"id": key},
            ).all()
            links = conn.execute(
                text(
                    f"SELECT originator_id, originator_version, topic, hash, previous_hash, digests, backfilled "
                    f"FROM {t.chain} WHERE originator_id = :id ORDER BY originator_version"
                ),
                {"id": key},
            ).all()
        return History(
            t.text_of(key),
            [StoredRecord(r[1], r[2], bytes(r[3])) for r in events],
            [StoredLink(r[1], r[2], bytes(r[3]), bytes(r[4]), r[5], bool(r[6])) for r in links],
        )

    def heads(self) -> list[Head]:
        with self._engine.connect() as conn:
            return _heads(conn, self._tables)

    def latest_seal(self) -> SealRecord | None:
        t = self._tables
        with self._engine.connect() as conn:
            row = conn.execute(
                text(
                    f"SELECT originator_id, originator_version, topic, state FROM {t.events} "
                    f"WHERE topic = :topic ORDER BY {t.notification} DESC LIMIT 1"
                ),
                {"topic": CHAIN_SEALED},
            ).first()
            if row is None:
                return None
            stored = StoredEvent(t.uuid_of(row[0]), row[1], row[2], bytes(row[3]))
            sealed: Any = self._mapper.to_domain_event(stored)
            seal_id = t.text_of(row[0])
            leaves = [
                Head(r[0], r[1], bytes(r[2]))
                for r in conn.execute(
                    text("SELECT originator_id, originator_version, hash FROM chain_seal_leaf WHERE seal_id = :id"),
                    {"id": seal_id},
                )
            ]
        return SealRecord(seal_id, sealed.root, sealed.chains, sealed.links, sealed.by, sealed.timestamp, leaves)

    # ---- writing --------------------------------------------------------------------------------

    def seal(self, build: Callable[[list[Head]], ChainSeal]) -> tuple[ChainSeal, list[Head]]:
        with self._engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
            return record_seal(conn, self._tables, self._mapper, build)


def _merge(events: Iterable[Any], links: Iterable[Any], text_of: Callable[[Any], str]) -> Iterator[History]:
    """Two streams in (aggregate, version) order, merged into one History per aggregate."""
    by_event = itertools.groupby(events, key=itemgetter(0))
    by_link = itertools.groupby(links, key=itemgetter(0))
    event_group = next(by_event, None)
    link_group = next(by_link, None)
    while event_group is not None or link_group is not None:
        if link_group is None or (event_group is not None and event_group[0] < link_group[0]):
            assert event_group is not None
            key, rows_e, rows_l = event_group[0], list(event_group[1]), []
            event_group = next(by_event, None)
        elif event_group is None or link_group[0] < event_group[0]:
            key, rows_e, rows_l = link_group[0], [], list(link_group[1])
            link_group = next(by_link, None)
        else:
            key, rows_e, rows_l = event_group[0], list(event_group[1]), list(link_group[1])
            event_group, link_group = next(by_event, None), next(by_link, None)
        yield History(
            text_of(key),
            [StoredRecord(r[1], r[2], bytes(r[3])) for r in rows_e],
            [StoredLink(r[1], r[2], bytes(r[3]), bytes(r[4]), r[5], bool(r[6])) for r in rows_l],
        )


def _heads(conn: Connection, t: ChainTables) -> list[Head]:
    if t.postgres:
        query = (
            f"SELECT DISTINCT ON (originator_id) originator_id, originator_version, hash FROM {t.chain} "
            "ORDER BY originator_id, originator_version DESC"
        )
    else:  # SQLite returns the other columns of the row holding the MAX (documented behaviour)
        query = f"SELECT originator_id, MAX(originator_version), hash FROM {t.chain} GROUP BY originator_id"
    return [Head(t.text_of(r[0]), int(r[1]), bytes(r[2])) for r in conn.execute(text(query))]


def _lock_events(conn: Connection, t: ChainTables) -> None:
    """Take the event table's write lock, as eventsourcing's PostgreSQL recorder does for each insert
    (SQLite: the write transaction already holds the database's)."""
    if t.postgres:
        conn.execute(text(f"LOCK TABLE {t.events} IN EXCLUSIVE MODE"))


def _insert_links(conn: Connection, t: ChainTables, stored: Sequence[StoredEvent], *, backfilled: bool) -> None:
    rows = chain_rows(stored, {}, t.key)
    if not rows:
        return
    conn.execute(
        text(
            f"INSERT INTO {t.chain} (originator_id, originator_version, topic, hash, previous_hash, digests, "
            "backfilled) VALUES (:id, :version, :topic, :hash, :previous, :digests, :backfilled)"
        ),
        [
            {
                "id": r[0],
                "version": r[1],
                "topic": r[2],
                "hash": r[3],
                "previous": r[4],
                "digests": r[5],
                "backfilled": backfilled,
            }
            for r in rows
        ],
    )


def record_seal(
    conn: Connection, t: ChainTables, mapper: Mapper[UUID], build: Callable[[list[Head]], ChainSeal]
) -> tuple[ChainSeal, list[Head]]:
    """In ``conn``'s transaction: lock, read the heads, record the seal ``build`` makes of them (its
    event, its link) and keep its leaves in place of the previous seal's."""
    _lock_events(conn, t)
    heads = _heads(conn, t)
    seal = build(heads)
    stored = [mapper.to_stored_event(event) for event in seal.collect_events()]
    conn.execute(
        text(
            f"INSERT INTO {t.events} (originator_id, originator_version, topic, state) "
            "VALUES (:id, :version, :topic, :state)"
        ),
        [
            {"id": t.key(s.originator_id), "version": s.originator_version, "topic": s.topic, "state": s.state}
            for s in stored
        ],
    )
    _insert_links(conn, t, stored, backfilled=False)
    if t.postgres:
        conn.execute(text(f'NOTIFY "{t.events_name.replace(".", "_")}"'))
    conn.execute(text("DELETE FROM chain_seal_leaf"))
    if heads:
        conn.execute(
            text(
                "INSERT INTO chain_seal_leaf (seal_id, originator_id, originator_version, hash) "
                "VALUES (:seal, :id, :version, :hash)"
            ),
            [{"seal": str(seal.id), "id": h.originator_id, "version": h.version, "hash": h.hash} for h in heads],
        )
    return seal, heads


def backfill(conn: Connection, t: ChainTables) -> int:
    """Chain, as they are, the events of every aggregate that has an event without a link (a store
    written before the chain): all of that aggregate's links are rewritten from the first event,
    flagged ``backfilled``. Returns the events chained. Only for the one-off sealing: run later, it
    would bless an event inserted by hand."""
    unlinked = [
        row[0]
        for row in conn.execute(
            text(
                f"SELECT DISTINCT e.originator_id FROM {t.events} e LEFT JOIN {t.chain} c "
                "ON c.originator_id = e.originator_id AND c.originator_version = e.originator_version "
                "WHERE c.originator_id IS NULL"
            )
        )
    ]
    chained = 0
    for start in range(0, len(unlinked), BACKFILL_CHUNK):
        ids = {"ids": unlinked[start : start + BACKFILL_CHUNK]}
        conn.execute(
            text(f"DELETE FROM {t.chain} WHERE originator_id IN :ids").bindparams(bindparam("ids", expanding=True)), ids
        )
        rows = conn.execute(
            text(
                f"SELECT originator_id, originator_version, topic, state FROM {t.events} "
                "WHERE originator_id IN :ids ORDER BY originator_id, originator_version"
            ).bindparams(bindparam("ids", expanding=True)),
            ids,
        )
        stored = [StoredEvent(t.uuid_of(r[0]), r[1], r[2], bytes(r[3])) for r in rows]
        _insert_links(conn, t, stored, backfilled=True)
        chained += len(stored)
    return chained


def seal_existing_store(conn: Connection) -> int:
    """Migration 0015: chain the events stored before the chain existed, as they are, and seal every
    chain. Returns the events chained after the fact (0: nothing to do, or no event store here)."""
    t = ChainTables.of(conn.dialect.name)
    inspector = inspect(conn)
    if not inspector.has_table(t.events_name, schema=t.schema):
        return 0
    if t.postgres:
        conn.execute(text(POSTGRES_CHAIN_DDL.format(schema=f'"{t.schema}"', table=f'"{CHAIN_TABLE}"', id_type="uuid")))
    else:
        conn.execute(text(SQLITE_CHAIN_DDL.format(table=CHAIN_TABLE)))
    _lock_events(conn, t)
    chained = backfill(conn, t)
    if chained:
        from creditbox.application.integrity import seal_builder

        mapper = CreditBoxApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
        record_seal(conn, t, mapper, seal_builder(MIGRATION_SEALER))
    return chained
