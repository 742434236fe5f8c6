"""The background writer (PostgreSQL only): a big run's batches written by a second process.

It must leave the store exactly as in-process saves would, keep the batch order, and never
lose or duplicate anything when the writer fails: an error surfaces in the importing process,
the batches before it stay committed, and running the import again completes it.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError

from creditbox.application.import_results import ImportResult
from creditbox.application.ports import BatchSaver
from creditbox.application.records import Sheet
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.company import Company, CompanySettings
from creditbox.infrastructure.background_writer import BackgroundEventWriter, BackgroundWriteFailed
from creditbox.sample_data import SampleSpec, generate, workbook_bytes
from creditbox.settings import Settings
from tests.conftest import AFTER_THE_SAMPLE_DATA, reset_postgres

pytestmark = pytest.mark.today(AFTER_THE_SAMPLE_DATA)

SPEC = SampleSpec(customers=60, seed=7)
CHUNK = 9  # several chunks, so several batches in flight


@pytest.fixture
def pg(postgres_url: str) -> str:
    reset_postgres(postgres_url)
    return postgres_url


def open_container(url: str, clock: FixedClock, *, threshold: int) -> Container:
    return bootstrap(Settings(database_url=url, background_write_threshold=threshold), clock=clock)


def stored_history(url: str) -> list[tuple[str, int, str, dict[str, Any]]]:
    """The positions' and supply claims' events in log order, without the wall-clock timestamps
    eventsourcing adds (the import's own record holds its counts, which differ on a rerun)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT originator_id, originator_version, topic, state FROM creditbox_events ORDER BY notification_id"
        ).fetchall()
    history = []
    for originator_id, version, topic, state in rows:
        if not topic.startswith(("creditbox.position.", "creditbox.supply.")):
            continue
        payload = json.loads(bytes(state))
        payload.pop("timestamp")
        history.append((str(originator_id), version, topic, payload))
    return history


def import_sample(container: Container, content: bytes, **options: Any) -> ImportResult:
    return container.importer(chunk_size=CHUNK, **options).run(content, "campione.xlsx", "ACQ", by="test")


def test_an_import_written_in_the_background_stores_exactly_what_an_in_process_one_does(
    pg: str, clock: FixedClock
) -> None:
    content = workbook_bytes(generate(SPEC))
    histories = []
    for threshold in (0, 1):  # 0: never in the background; 1: always
        reset_postgres(pg)
        with open_container(pg, clock, threshold=threshold) as container:
            container.companies.register("ACQ", "Acque S.p.A.", by="test")
            result = import_sample(container, content)
            assert result.totals.rejected == 0
            assert result.saves > 3
        histories.append(stored_history(pg))
    in_process, background = histories
    assert len(background) == len(in_process) > 300
    assert background == in_process


def test_the_container_writes_in_the_background_only_big_runs_on_postgresql(pg: str, clock: FixedClock) -> None:
    with open_container(pg, clock, threshold=1000) as container:
        with container.batch_saver(999) as small:
            assert not isinstance(small, BackgroundEventWriter)
        with container.batch_saver(1000) as big:
            assert isinstance(big, BackgroundEventWriter)


def test_a_conflict_stops_the_writer_keeps_earlier_batches_and_sends_no_later_one(pg: str, clock: FixedClock) -> None:
    with open_container(pg, clock, threshold=1) as container:
        first = Company.register("ONE", "Uno", CompanySettings(), by="test")
        container.app.save(first)
        twin = Company.register("ONE", "Uno bis", CompanySettings(), by="test")  # the same id: version 1 again
        before = Company.register("TWO", "Due", CompanySettings(), by="test")
        after = Company.register("THREE", "Tre", CompanySettings(), by="test")
        writer = BackgroundEventWriter(container.app, max_in_flight=1)
        with pytest.raises(IntegrityError), writer:
            writer.save(before)
            writer.save(twin)
            writer.save(after)
        assert container.app.get_or_none(before.id) is not None
        assert container.app.get_or_none(after.id) is None
        assert container.app.repository.get(first.id).name == "Uno"


class KilledAfter:
    """A background writer whose process dies after ``batches`` batches (a crash mid-import)."""

    def __init__(self, container: Container, batches: int) -> None:
        self._container = container
        self._batches = batches

    def __call__(self, _records: int) -> AbstractContextManager[BatchSaver]:
        return self._run()

    def _run(self) -> AbstractContextManager[BatchSaver]:
        from contextlib import contextmanager

        @contextmanager
        def saver() -> Iterator[BatchSaver]:
            writer = BackgroundEventWriter(self._container.app, max_in_flight=1)
            sent = 0
            original = writer.save

            def save(*aggregates: Any) -> None:
                nonlocal sent
                if sent == self._batches:
                    os.kill(writer.pid, signal.SIGKILL)
                original(*aggregates)
                sent += 1

            writer.save = save  # type: ignore[method-assign]
            with writer:
                yield writer

        return saver()


def test_a_writer_killed_mid_import_loses_nothing_and_the_rerun_completes_without_duplicates(
    pg: str, clock: FixedClock
) -> None:
    data = generate(SPEC)
    content = workbook_bytes(data)
    reset_postgres(pg)
    with open_container(pg, clock, threshold=0) as container:
        container.companies.register("ACQ", "Acque S.p.A.", by="test")
        clean = import_sample(container, content)
    clean_history = stored_history(pg)

    reset_postgres(pg)
    with open_container(pg, clock, threshold=1) as container:
        container.companies.register("ACQ", "Acque S.p.A.", by="test")
        with pytest.raises(BackgroundWriteFailed):
            import_sample(container, content, savers=KilledAfter(container, batches=2))
        partial = len(stored_history(pg))
        assert 0 < partial < len(clean_history)  # some batches committed, the import not recorded
        assert container.app.get_or_none(clean.import_id) is None

        rerun = import_sample(container, content)
        assert rerun.totals.rejected == 0
        assert rerun.totals.accepted + rerun.totals.unchanged == data.total_rows
        assert rerun.sheets[Sheet.CUSTOMERS].unchanged > 0  # the committed batches were kept
    recovered = stored_history(pg)
    assert len(recovered) == len(clean_history)
    assert sorted(map(repr, recovered)) == sorted(map(repr, clean_history))
