"""Tick benchmark on PostgreSQL: a tick costs what is due, not the size of the store.

1. A tick with N positions due among N (company ``SMALL``: its N positions only).
2. The same tick — N positions due, the same work: a case opened and a first step each — among M
   positions (company ``BIG``: N positions due, plus M − N positions not due). Goal: at most 1.5× (1).
3. A tick and a scheduler round with nothing due, among the M positions. Goal: under a second.

The N due positions of each company are built through the event store and the ``due_index``
projection. The M − N positions not due exist **only as due-index rows written directly in SQL**
(``COPY``, a wake-up date a year later): building a million positions through the event store takes
far longer than the tick measured, and a tick never reads a position that is not due — the rows are
what it would have to skip.

Sizes: N = 2,000 and M = 200,000 by default (a short ``make bench``); ``python -m bench tick
--tick-full`` (or ``BENCH_TICK_FULL=1``) runs the full figure, N = 10,000 among M = 1,000,000;
``BENCH_TICK_DUE`` / ``BENCH_TICK_STORE`` set them freely. Database: ``BENCH_TICK_POSTGRES_URL``
(default ``postgresql://postgres@127.0.0.1:5432/creditbox_bench_tick``, emptied first).
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

import psycopg

from bench.databases import fresh_database
from bench.figures import record
from creditbox.application.dunning import TickReport
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.codes import CustomerType, Service, SupplyType
from creditbox.domain.documents import CustomerDetails, SupplyDetails
from creditbox.domain.position import Position
from creditbox.settings import Settings

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/creditbox_bench_tick"
DUE = date(2026, 1, 31)
TODAY = date(2026, 2, 10)  # the bills are overdue past the grace period: every built position is due
SAVE_CHUNK = 500
TARGET_RATIO = 1.5
TARGET_EMPTY_SECONDS = 1.0


def _sizes() -> tuple[int, int]:
    full = os.environ.get("BENCH_TICK_FULL", "") not in ("", "0")
    due = int(os.environ.get("BENCH_TICK_DUE", 10_000 if full else 2_000))
    store = int(os.environ.get("BENCH_TICK_STORE", 1_000_000 if full else 200_000))
    return due, max(store, due)


def _position(company: str, n: int) -> Position:
    details = CustomerDetails(f"Cliente {n}", CustomerType.DOMESTIC, mobile="3330000000", email=f"c{n}@example.it")
    position = Position.register(company, f"C{n:07d}", details, by="bench")
    position.register_supply(SupplyDetails(f"S{n:07d}", Service.WATER, SupplyType.SUSPENDABLE), by="bench")
    position.issue_bill(f"B{n:07d}", f"S{n:07d}", DUE - timedelta(days=30), DUE, Decimal("150.00"), by="bench")
    return position


def build_due_positions(c: Container, company: str, count: int) -> float:
    """``count`` positions of ``company``, each due on TODAY (through the event store and the projection)."""
    c.companies.register(company, f"Azienda {company}", by="bench")
    started = time.perf_counter()
    for start in range(0, count, SAVE_CHUNK):
        c.app.save(*(_position(company, n) for n in range(start, min(start + SAVE_CHUNK, count))))
    c.projections.runner(["due_index"]).catch_up()
    return time.perf_counter() - started


def add_rows_not_due(c: Container, company: str, count: int) -> float:
    """``count`` due-index rows of ``company`` due a year later, written directly with COPY."""
    started = time.perf_counter()
    later = TODAY + timedelta(days=365)
    with psycopg.connect(c.database.psycopg_conninfo(), autocommit=False) as conn:
        with conn.cursor() as cursor:
            copy_sql = "COPY due_index (position_id, company, customer_code, wake_on, version) FROM STDIN"
            with cursor.copy(copy_sql) as copy:
                for n in range(count):
                    copy.write_row((str(uuid.uuid4()), company, f"F{n:07d}", later, 3))
        conn.commit()
        conn.execute("ANALYZE due_index")
        conn.commit()
    return time.perf_counter() - started


def timed_tick(c: Container, company: str, day: date) -> tuple[float, TickReport]:
    started = time.perf_counter()
    report = c.dunning().run_due(company, day, by="bench")
    return time.perf_counter() - started, report


def run() -> None:
    url = os.environ.get("BENCH_TICK_POSTGRES_URL", DEFAULT_PG)
    due, store = _sizes()
    fresh_database(url)
    # External read models: the tick does not catch up every view, only the due index is kept here.
    settings = Settings(database_url=url, projections="external", scheduler_chunk_size=500)
    with bootstrap(settings, clock=FixedClock(TODAY)) as c:
        c.projections.ensure_schema()
        print(f"  building {due:,} due positions of SMALL (event store + due_index projection)...", flush=True)
        built = build_due_positions(c, "SMALL", due)
        print(f"  built in {built:.1f} s")
        small, small_report = timed_tick(c, "SMALL", TODAY)
        assert small_report.positions == due, small_report
        print(
            f"  tick, {due:,} due among {due:,} positions: {small:.2f} s "
            f"({small_report.events['DunningCaseOpened']:,} cases opened, {small_report.event_count:,} events)"
        )
        record(f"tick, {due:,} due among {due:,}", small, "s")

        print(
            f"  building {due:,} due positions of BIG, and {store - due:,} rows not due written in SQL...", flush=True
        )
        build_due_positions(c, "BIG", due)
        filler = add_rows_not_due(c, "BIG", store - due)
        print(
            f"  {store - due:,} due-index rows not due written directly in SQL (COPY) in {filler:.1f} s: "
            "those positions do not exist in the event store (a tick never reads a position not due)"
        )
        big, big_report = timed_tick(c, "BIG", TODAY)
        assert big_report.positions == due, big_report
        ratio = big / small if small else float("inf")
        verdict = "OK" if ratio <= TARGET_RATIO else "ABOVE GOAL"
        print(f"  tick, {due:,} due among {store:,} positions: {big:.2f} s")
        print(f"  ratio {ratio:.2f}× (goal: at most {TARGET_RATIO}×) {verdict}")
        record(
            f"tick, {due:,} due among {store:,} (ceiling: {due:,} due among {due:,})",
            big,
            "s",
            ceiling=small,
            goal=f"at most {TARGET_RATIO:.0%} of the ceiling",
            met=ratio <= TARGET_RATIO,
        )

        empty, empty_report = timed_tick(c, "BIG", TODAY + timedelta(days=1))
        assert empty_report.positions == 0, empty_report
        verdict = "OK" if empty < TARGET_EMPTY_SECONDS else "ABOVE GOAL"
        print(f"  tick with nothing due among {store:,} positions: {empty * 1000:.1f} ms {verdict}")
        record(
            f"tick with nothing due among {store:,}",
            empty * 1000,
            "ms",
            goal=f"under {TARGET_EMPTY_SECONDS * 1000:,.0f} ms",
            met=empty < TARGET_EMPTY_SECONDS,
        )
        scheduler = c.scheduler()
        started = time.perf_counter()
        report = scheduler.run_once(TODAY + timedelta(days=1))
        elapsed = time.perf_counter() - started
        assert report.claimed == 0, report
        verdict = "OK" if elapsed < TARGET_EMPTY_SECONDS else "ABOVE GOAL"
        print(
            f"  scheduler round with nothing due (every company, {store + due:,} rows): "
            f"{elapsed * 1000:.1f} ms {verdict}"
        )
        record(
            f"scheduler round with nothing due ({store + due:,} rows)",
            elapsed * 1000,
            "ms",
            goal=f"under {TARGET_EMPTY_SECONDS * 1000:,.0f} ms",
            met=elapsed < TARGET_EMPTY_SECONDS,
        )
