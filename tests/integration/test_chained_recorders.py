"""The chained recorders pass eventsourcing's own test suite for application recorders, on SQLite and
PostgreSQL: the chain changes nothing of what a recorder promises (ids, order, conflicts, concurrency),
and every event they insert has its link."""

from __future__ import annotations

import os
import tempfile
from uuid import UUID

import psycopg
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests import persistence as suite

from creditbox.domain.event_chain import GENESIS, link_hash
from creditbox.infrastructure.chain.recorders import (
    ChainedPostgresApplicationRecorder,
    ChainedSQLiteApplicationRecorder,
)
from tests.conftest import _ensure_database, postgres_test_url, reset_postgres


class ChainAsserted:
    """After each test of the suite: every stored event has its link and the links chain."""

    recorder: ChainedSQLiteApplicationRecorder | ChainedPostgresApplicationRecorder | None = None

    def links(self) -> dict[tuple[str, int], tuple[bytes, bytes]]:
        raise NotImplementedError

    def assert_chained(self) -> None:
        recorder = self.recorder
        if recorder is None:
            return
        links = self.links()
        events = recorder.select_notifications(start=None, limit=10_000_000)
        assert len(events) == len(links)
        last: dict[str, bytes] = {}
        for e in sorted(events, key=lambda n: (str(n.originator_id), n.originator_version)):
            key = str(e.originator_id)
            current, previous = links[(key, e.originator_version)]
            assert previous == last.get(key, GENESIS)
            assert current == link_hash(previous, e.originator_id, e.originator_version, e.topic, e.state)
            last[key] = current


class TestChainedSQLiteApplicationRecorder(
    ChainAsserted, suite.ApplicationRecorderTestCase[ChainedSQLiteApplicationRecorder]
):
    def setUp(self) -> None:
        self.folder = tempfile.TemporaryDirectory()
        self.datastore = SQLiteDatastore(os.path.join(self.folder.name, "events.sqlite3"))
        self.recorder = None

    def tearDown(self) -> None:
        self.assert_chained()
        self.datastore.close()
        self.folder.cleanup()

    def create_recorder(self) -> ChainedSQLiteApplicationRecorder:
        recorder = ChainedSQLiteApplicationRecorder(self.datastore)
        recorder.create_table()
        self.recorder = recorder
        return recorder

    def links(self) -> dict[tuple[str, int], tuple[bytes, bytes]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT originator_id, originator_version, hash, previous_hash FROM event_chain")
            return {(str(UUID(r[0])), r[1]): (r[2], r[3]) for r in c.fetchall()}

    def test_a_failed_insert_writes_no_link(self) -> None:
        recorder = self.create_recorder()
        first = StoredEvent(UUID(int=1), 1, "topic", b"{}")
        recorder.insert_events([first])
        with self.assertRaises(suite.IntegrityError):
            recorder.insert_events([StoredEvent(UUID(int=2), 1, "topic", b"{}"), first])
        assert set(self.links()) == {(str(UUID(int=1)), 1)}


class TestChainedPostgresApplicationRecorder(
    ChainAsserted, suite.ApplicationRecorderTestCase[ChainedPostgresApplicationRecorder]
):
    def setUp(self) -> None:
        url = postgres_test_url()
        _ensure_database(url)
        reset_postgres(url)
        conninfo = psycopg.conninfo.conninfo_to_dict(url)
        self.datastore = PostgresDatastore(
            dbname=str(conninfo["dbname"]),
            host=str(conninfo.get("host", "127.0.0.1")),
            port=str(conninfo.get("port", "5432")),
            user=str(conninfo.get("user", "postgres")),
            password=str(conninfo.get("password", "")),
            pool_size=10,
            max_overflow=10,
        )
        self.recorder = None

    def tearDown(self) -> None:
        self.assert_chained()
        self.datastore.close()

    def create_recorder(self) -> ChainedPostgresApplicationRecorder:
        recorder = ChainedPostgresApplicationRecorder(self.datastore, events_table_name="stored_events")
        recorder.create_table()
        self.recorder = recorder
        return recorder

    def links(self) -> dict[tuple[str, int], tuple[bytes, bytes]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT originator_id, originator_version, hash, previous_hash FROM event_chain")
            return {
                (str(r["originator_id"]), r["originator_version"]): (r["hash"], r["previous_hash"])
                for r in c.fetchall()
            }

    def test_a_failed_insert_writes_no_link(self) -> None:
        recorder = self.create_recorder()
        first = StoredEvent(UUID(int=1), 1, "topic", b"{}")
        recorder.insert_events([first])
        with self.assertRaises(suite.IntegrityError):
            recorder.insert_events([StoredEvent(UUID(int=2), 1, "topic", b"{}"), first])
        assert set(self.links()) == {(str(UUID(int=1)), 1)}
