"""Import benchmark: a workbook of 20,000 customers, 20,000 supplies, 100,000 bills and 80,000
payments imported on SQLite and on PostgreSQL (parse + validate + save, end to end through
``ImportService``), against the bare eventsourcing batched-append rate of the same number of
events in the same batch sizes on the same database (the ceiling).

Environment: ``BENCH_SCALE`` (default 1.0) scales the counts; ``BENCH_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/creditbox_bench``, dropped and recreated);
``BENCH_BACKENDS`` (default ``sqlite,postgres``). The workbook is cached in ``bench-output/``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import psycopg
from eventsourcing.domain import Aggregate, event
from psycopg import sql

from bench.figures import record
from creditbox.application.ingest import relaxed_gc
from creditbox.bootstrap import bootstrap
from creditbox.sample_data import SampleSpec, sample_workbook
from creditbox.settings import Settings

OUTPUT = Path("bench-output")
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/creditbox_bench"
SQLITE_TARGET_SECONDS = 60.0
POSTGRES_TARGET_RATIO = 0.5


class BenchItem(Aggregate):
    """The trivial aggregate of the ceiling measurement."""

    TOPIC = "bench.BenchItem"

    class Created(Aggregate.Created):
        TOPIC = "bench.BenchItem.Created"

    @event("Noted", topic="bench.BenchItem.Noted")
    def note(self, n: int) -> None:
        self.n = n


@dataclass
class Measure:
    backend: str
    rows: int
    events: int
    seconds: float
    ceiling_events: int
    ceiling_seconds: float

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds

    @property
    def ceiling_rate(self) -> float:
        return self.ceiling_events / self.ceiling_seconds

    @property
    def ratio(self) -> float:
        return self.events_per_second / self.ceiling_rate


def spec() -> SampleSpec:
    scale = float(os.environ.get("BENCH_SCALE", "1.0"))
    return SampleSpec(
        customers=int(20_000 * scale),
        supplies=int(20_000 * scale),
        bills=int(100_000 * scale),
        payments=int(80_000 * scale),
        seed=4242,
    )


def workbook(sample: SampleSpec) -> Path:
    path = OUTPUT / f"import-{sample.customers}-{sample.supplies}-{sample.bills}-{sample.payments}-{sample.seed}.xlsx"
    if not path.exists():
        started = time.perf_counter()
        print(f"generating {path} ...", flush=True)
        sample_workbook(path.with_suffix(".tmp.xlsx"), sample)
        path.with_suffix(".tmp.xlsx").rename(path)
        print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)
    return path


def fresh_database(backend: str) -> str:
    if backend == "sqlite":
        path = OUTPUT / "bench-import.sqlite3"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    url = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_PG)
    name = urlparse(url).path.lstrip("/")
    admin = urlparse(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url


@dataclass
class ImportRun:
    rows: int
    events: int
    seconds: float
    aggregates: int  # aggregates the import saved (positions and supply claims)
    saves: int  # atomic app.save calls it made
    writer: str  # how the batches were written


def measure_import(backend: str, content: bytes, file_name: str, *, in_process: bool = False) -> ImportRun:
    """The import as the CLI runs it; ``in_process`` forbids the writer process (for comparison)."""
    settings = Settings(database_url=fresh_database(backend))
    if in_process:
        settings.background_write_threshold = 0
    with bootstrap(settings) as container:
        container.companies.register("BENCH", "Benchmark S.p.A.", by="bench")
        threshold = container.settings.background_write_threshold
        background = container.database.is_postgres and 0 < threshold <= sum(spec().counts())
        writer = "in a writer process (BackgroundEventWriter)" if background else "in process (app.save)"
        started = time.perf_counter()
        result = container.importer().run(content, file_name, "BENCH", by="bench")
        seconds = time.perf_counter() - started
        totals = result.totals
        if totals.rejected:
            raise AssertionError(f"{totals.rejected} rows rejected: {result.rejected[:3]}")
        rows = totals.accepted + totals.unchanged
        # The Import aggregate is saved apart, once.
        return ImportRun(rows, result.events, seconds, result.saved_aggregates + 1, result.saves + 1, writer)


def measure_ceiling(backend: str, shape: ImportRun) -> tuple[int, float]:
    """The bare eventsourcing append of the import's shape: as many trivial aggregates as the import
    saved, carrying as many events in total, in as many ``app.save(*many)`` calls (so the same batch
    sizes). Events are created through the aggregates and saved, as the import does. Returns (events, seconds)."""
    aggregates = max(1, shape.aggregates)
    per_save = -(-aggregates // max(1, shape.saves))
    with bootstrap(Settings(database_url=fresh_database(backend))) as container:
        started = time.perf_counter()
        with relaxed_gc():  # the same collector settings as the import, to compare like with like
            _append(container.app, shape.events, aggregates, per_save)
        return shape.events, time.perf_counter() - started


def _append(app: Any, events: int, aggregates: int, per_save: int) -> None:
    base, extra = divmod(events, aggregates)
    batch: list[Any] = []
    for index in range(aggregates):
        item = BenchItem()
        for n in range(base + (1 if index < extra else 0) - 1):
            item.note(n)
        batch.append(item)
        if len(batch) == per_save:
            app.save(*batch)
            batch = []
    if batch:
        app.save(*batch)


def report(m: Measure) -> None:
    print(
        f"[{m.backend}] import: {m.rows:,} rows, {m.events:,} events in {m.seconds:.1f} s = "
        f"{m.rows / m.seconds:,.0f} rows/s, {m.events_per_second:,.0f} events/s",
        flush=True,
    )
    print(
        f"[{m.backend}] ceiling (bare batched append): {m.ceiling_events:,} events in {m.ceiling_seconds:.1f} s = "
        f"{m.ceiling_rate:,.0f} events/s; import/ceiling = {m.ratio:.0%}",
        flush=True,
    )
    if m.backend == "sqlite":
        verdict = "OK" if m.seconds < SQLITE_TARGET_SECONDS * spec().bills / 100_000 else "MISSED"
        print(f"[{m.backend}] target: whole import under {SQLITE_TARGET_SECONDS:.0f} s: {verdict}", flush=True)
        record(f"{m.backend}: import events/s", m.events_per_second, "events/s", ceiling=m.ceiling_rate)
        record(
            f"{m.backend}: whole import, {m.rows:,} rows",
            m.seconds,
            "s",
            goal=f"under {SQLITE_TARGET_SECONDS * spec().bills / 100_000:,.0f} s "
            f"({SQLITE_TARGET_SECONDS:.0f} s per 100,000 bills)",
            met=verdict == "OK",
        )
    else:
        verdict = "OK" if m.ratio >= POSTGRES_TARGET_RATIO else "MISSED"
        record(
            f"{m.backend}: import events/s",
            m.events_per_second,
            "events/s",
            ceiling=m.ceiling_rate,
            goal=f"at least {POSTGRES_TARGET_RATIO:.0%} of the ceiling",
            met=verdict == "OK",
        )
        record(f"{m.backend}: whole import, {m.rows:,} rows", m.seconds, "s")
        print(f"[{m.backend}] target: import >= {POSTGRES_TARGET_RATIO:.0%} of the ceiling: {verdict}", flush=True)


def run() -> None:
    OUTPUT.mkdir(exist_ok=True)
    sample = spec()
    path = workbook(sample)
    content = path.read_bytes()
    print(
        f"workbook {path.name}: {sample.customers:,} customers, {sample.supplies:,} supplies, "
        f"{sample.bills:,} bills, {sample.payments:,} payments ({len(content) / 1e6:.1f} MB)",
        flush=True,
    )
    backends = [b.strip() for b in os.environ.get("BENCH_BACKENDS", "sqlite,postgres").split(",") if b.strip()]
    for backend in backends:
        run_ = measure_import(backend, content, path.name)
        ceiling_events, ceiling_seconds = measure_ceiling(backend, run_)
        print(
            f"[{backend}] shape: {run_.aggregates:,} aggregates in {run_.saves} saves "
            f"(ceiling: the same counts of trivial aggregates, events and saves, each saved in process); "
            f"import batches written {run_.writer}",
            flush=True,
        )
        report(Measure(backend, run_.rows, run_.events, run_.seconds, ceiling_events, ceiling_seconds))
        if "writer process" in run_.writer:
            alone = measure_import(backend, content, path.name, in_process=True)
            alone_ratio = alone.events / alone.seconds / (ceiling_events / ceiling_seconds)
            print(
                f"[{backend}] for comparison, the same import saved in process: {alone.seconds:.1f} s = "
                f"{alone.events / alone.seconds:,.0f} events/s = {alone_ratio:.0%} "
                "of the ceiling",
                flush=True,
            )
            record(
                f"{backend}: the same import saved in process",
                alone.events / alone.seconds,
                "events/s",
                ceiling=ceiling_events / ceiling_seconds,
            )
