"""Integrity benchmark: ``audit verify`` over 1,000,000 events, beside the bare decoded read rate of the
store measured in the same run, and the cost of the hash chain on the write path.

1. A store of 1,000,000 events (positions of 9 events each: customer, supply, five bills, two
   payments), appended in batches of 500 positions a transaction (``app.save(*batch)``, the batched
   append imports take), on SQLite by default.
2. The bare decoded read rate: the notification log read page by page and every event decoded by the
   application's mapper — what any full pass over the store costs at least.
3. ``Integrity.verify()``: every event's link recomputed, every chain walked, the seal checked.
4. The write path: the same 100,000 events appended by eventsourcing's plain recorder and by the
   chained one, each into a fresh database — as stored events (the recorder alone), and as positions
   saved by the application (``app.save``: encoding and insert, what an import pays).

Environment: ``BENCH_SCALE`` (default 1.0) scales the sizes; ``BENCH_AUDIT_SQLITE`` (a file, default in
the temporary folder: an earlier run's events are reused); ``BENCH_AUDIT_POSTGRES_URL`` runs the same
on PostgreSQL too (emptied first).
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

from bench.databases import fresh_database
from bench.figures import record
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.codes import CustomerType, Service, SupplyType
from creditbox.domain.documents import CustomerDetails, SupplyDetails
from creditbox.domain.ids import company_id
from creditbox.domain.position import Position
from creditbox.infrastructure.chain.recorders import ChainedSQLiteApplicationRecorder
from creditbox.infrastructure.database_url import SQLITE_FACTORY_TOPIC
from creditbox.infrastructure.event_store import CreditBoxApplication
from creditbox.settings import Settings

EVENTS = 1_000_000
WRITE_SAMPLE = 100_000
SAVE_CHUNK = 500  # positions per atomic save
TODAY = date(2026, 6, 30)
COMPANY = "BENCH"


def _scale() -> float:
    return float(os.environ.get("BENCH_SCALE", "1.0"))


def _position(n: int, rng: random.Random) -> Position:
    code = f"C{n:07d}"
    kind = CustomerType.DOMESTIC if n % 5 else CustomerType.NON_DOMESTIC
    position = Position.register(
        COMPANY, code, CustomerDetails(f"Cliente {n}", kind, mobile="3330000000", email=f"c{n}@example.it"), by="bench"
    )
    service = (Service.WATER, Service.GAS, Service.ELECTRICITY)[n % 3]
    position.register_supply(SupplyDetails(f"S{n:07d}", service, SupplyType.SUSPENDABLE), by="bench")
    for k in range(5):
        due = TODAY - timedelta(days=30 * (k + 1) + rng.randint(0, 20))
        amount = Decimal(rng.randint(2_000, 40_000)) / 100
        position.issue_bill(f"B{n:07d}-{k}", f"S{n:07d}", due - timedelta(days=20), due, amount, by="bench")
    for k in range(2):
        paid = Decimal(rng.randint(1_000, 20_000)) / 100
        position.receive_payment(f"P{n:07d}-{k}", TODAY - timedelta(days=10 * k + 5), paid, by="bench")
    return position


def generate(container: Container, events: int) -> int:
    """Positions saved 500 to a transaction until ``events`` are stored (an earlier run's are reused)."""
    written = container.app.last_notification_id()
    if written >= events:
        print(f"  reusing the {written:,} events already stored")
        return written
    if not container.app.exists(company_id(COMPANY)):
        container.companies.register(COMPANY, "Benchmark", by="bench")
    rng = random.Random(7)
    n = written  # position numbers never clash with an interrupted earlier run's
    started, first = time.perf_counter(), written
    while written < events:
        chunk = []
        for _ in range(SAVE_CHUNK):
            chunk.append(_position(n, rng))
            n += 1
        container.app.save(*chunk)
        written = container.app.last_notification_id()
    elapsed = time.perf_counter() - started
    rate = (written - first) / elapsed
    print(f"  appended {written - first:,} events in {elapsed:.1f} s ({rate:,.0f} events/s, chained)")
    return written


def bare_read_rate(container: Container, page: int = 5000) -> tuple[int, float]:
    recorder, decode = container.app.recorder, container.app.mapper.to_domain_event
    head = container.app.last_notification_id()
    started = time.perf_counter()
    start, count = 1, 0
    while start <= head:
        notifications = recorder.select_notifications(start=start, limit=page, stop=head)
        if not notifications:
            break
        for n in notifications:
            decode(n)
        count += len(notifications)
        start = notifications[-1].id + 1
    return count, count / (time.perf_counter() - started)


def measure(container: Container, label: str) -> None:
    events = generate(container, int(EVENTS * _scale()))
    read, read_rate = bare_read_rate(container)
    print(f"  [{label}] bare decoded read: {read:,} events at {read_rate:,.0f} events/s")
    integrity = container.integrity()
    started = time.perf_counter()
    result = integrity.verify()
    elapsed = time.perf_counter() - started
    verify_rate = result.events / elapsed
    print(
        f"  [{label}] audit verify: {result.events:,} events, {result.chains:,} chains in {elapsed:.1f} s "
        f"= {verify_rate:,.0f} events/s ({verify_rate / read_rate:.0%} of the bare decoded read); "
        f"findings: {len(result.findings)}"
    )
    assert result.clean and result.events >= events - 2, "the benchmark store must verify clean"
    record(f"[{label}] bare decoded read, {read:,} events", read_rate, "events/s")
    record(
        f"[{label}] audit verify, {result.events:,} events (ceiling: bare decoded read)",
        verify_rate,
        "events/s",
        ceiling=read_rate,
    )
    record(f"[{label}] audit verify, {result.events:,} events", elapsed, "s")
    started = time.perf_counter()
    sealed = integrity.seal(by="bench")
    print(
        f"  [{label}] audit seal: {sealed.chains:,} chains in {time.perf_counter() - started:.1f} s, root {sealed.root}"
    )


def _positions(count: int) -> list[list[Position]]:
    rng = random.Random(11)
    return [
        [_position(n, rng) for n in range(start, min(start + SAVE_CHUNK, count))]
        for start in range(0, count, SAVE_CHUNK)
    ]


def write_cost(folder: Path) -> None:
    """The same events appended by the plain and the chained SQLite recorder, 500 positions a batch:
    as stored events through the recorder alone, then as positions saved by the application."""
    positions = int(WRITE_SAMPLE * _scale()) // 9
    mapper = CreditBoxApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    batches = [
        [mapper.to_stored_event(e) for p in chunk for e in p.collect_events()] for chunk in _positions(positions)
    ]
    total = sum(len(batch) for batch in batches)
    recorder_rates, save_rates = {}, {}
    for name, recorder_class in (("plain", SQLiteApplicationRecorder), ("chained", ChainedSQLiteApplicationRecorder)):
        datastore = SQLiteDatastore(str(folder / f"{name}.sqlite3"))
        recorder = recorder_class(datastore)
        recorder.create_table()
        started = time.perf_counter()
        for batch in batches:
            recorder.insert_events(batch)
        recorder_rates[name] = total / (time.perf_counter() - started)
        datastore.close()
    for name, module in (("plain", "eventsourcing.sqlite"), ("chained", SQLITE_FACTORY_TOPIC)):
        env = {"PERSISTENCE_MODULE": module, "SQLITE_DBNAME": str(folder / f"app-{name}.sqlite3")}
        app = CreditBoxApplication(env=env)
        chunks = _positions(positions)
        started = time.perf_counter()
        for chunk in chunks:
            app.save(*chunk)
        save_rates[name] = total / (time.perf_counter() - started)
        app.close()
    for what, rates in (("recorder alone", recorder_rates), ("app.save of positions", save_rates)):
        cost_us = (1 / rates["chained"] - 1 / rates["plain"]) * 1e6
        print(
            f"  [write path, SQLite, {what}] {total:,} events: plain {rates['plain']:,.0f} events/s, "
            f"chained {rates['chained']:,.0f} events/s ({cost_us:.0f} µs more per event, "
            f"{rates['chained'] / rates['plain']:.0%} of the plain rate)"
        )
        record(
            f"[write path, SQLite, {what}] chained recorder, {total:,} events (ceiling: plain recorder)",
            rates["chained"],
            "events/s",
            ceiling=rates["plain"],
        )


def run() -> None:
    path = os.environ.get("BENCH_AUDIT_SQLITE") or str(Path(tempfile.gettempdir()) / "creditbox-bench-audit.sqlite3")
    with tempfile.TemporaryDirectory() as scratch:
        write_cost(Path(scratch))
    with bootstrap(Settings(database_url=f"sqlite:///{path}"), clock=FixedClock(TODAY)) as container:
        measure(container, "SQLite")
    url = os.environ.get("BENCH_AUDIT_POSTGRES_URL")
    if url:
        fresh_database(url)
        settings = Settings(database_url=url, background_write_threshold=0)
        with bootstrap(settings, clock=FixedClock(TODAY)) as container:
            measure(container, "PostgreSQL")
