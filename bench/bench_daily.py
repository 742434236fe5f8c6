"""The headline: one day of a group's cycle, end to end on PostgreSQL — the day's billing export in
(bills and payments, through ``ImportService``), the due steps run and sent (a scheduler round: claim
the due positions, run them, relay the outbox and send through the file channel), and the read models
current (every projection caught up) — timed as a whole and step by step. The day's import is set
beside its ceiling, measured after the day as ``bench_import`` measures it: the bare batched append
of the same events, aggregates and saves (on ``BENCH_POSTGRES_URL``, dropped and recreated).

Setup, not timed: a group's customers and supplies (the sample generator's, ``creditbox.sample_data``:
C customers, a quarter of them with a second supply) imported into a fresh database; the read models
caught up. The day's workbook holds B bills and P payments of those customers (the generator's bills,
issued over the year before the day, so many are overdue and already past their grace period: the day's
round has real work — cases opened and a first step each — rather than an empty tick).

Sizes: ``BENCH_DAILY_CUSTOMERS`` (default 1,000,000, the issue's group), ``BENCH_DAILY_BILLS``
(default a tenth of the customers: 100,000), ``BENCH_DAILY_PAYMENTS`` (default 80 % of the bills:
80,000). Goal (issue 17), at the full size only: the whole day under 5 minutes on two cores. Database:
``BENCH_DAILY_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/creditbox_bench_daily``,
emptied first). The workbooks are cached in ``bench-output/``.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.bench_import import POSTGRES_TARGET_RATIO, ImportRun, measure_ceiling
from bench.databases import fresh_database
from bench.figures import record
from creditbox.application.ports import SENT
from creditbox.application.records import Sheet
from creditbox.application.scheduler import InlineQueue
from creditbox.bootstrap import bootstrap
from creditbox.clock import FixedClock
from creditbox.sample_data import SampleData, SampleSpec, generate, write_workbook
from creditbox.settings import Settings

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/creditbox_bench_daily"
OUTPUT = Path(__file__).resolve().parent.parent / "bench-output"
COMPANY = "GRUPPO"
END = date(2026, 10, 31)  # the generator's bills are issued over the year before this date
DAY = END + timedelta(days=10)
FULL_CUSTOMERS = 1_000_000
GOAL_SECONDS = 300.0


def _sizes() -> tuple[int, int, int]:
    customers = int(os.environ.get("BENCH_DAILY_CUSTOMERS", FULL_CUSTOMERS))
    bills = int(os.environ.get("BENCH_DAILY_BILLS", customers // 10))
    payments = int(os.environ.get("BENCH_DAILY_PAYMENTS", bills * 4 // 5))
    return customers, bills, payments


def _only(data: SampleData, sheets: tuple[str, ...]) -> SampleData:
    part = SampleData()
    for name in sheets:
        part.rows[name] = data.rows[name]
    return part


def workbooks(customers: int, bills: int, payments: int) -> tuple[Path, Path]:
    """The group's registry (customers, supplies) and the day's export (bills, payments), cached."""
    stem = f"bench-daily-{customers}-{bills}-{payments}"
    registry, day = OUTPUT / f"{stem}-registry.xlsx", OUTPUT / f"{stem}-day.xlsx"
    if not (registry.exists() and day.exists()):
        print(f"  generating {registry.name} and {day.name} ...", flush=True)
        started = time.perf_counter()
        data = generate(SampleSpec(customers=customers, bills=bills, payments=payments, end=END))
        write_workbook(_only(data, (Sheet.CUSTOMERS, Sheet.SUPPLIES)), registry)
        write_workbook(_only(data, (Sheet.BILLS, Sheet.PAYMENTS)), day)
        print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
    return registry, day


def run() -> None:
    OUTPUT.mkdir(exist_ok=True)
    customers, bills, payments = _sizes()
    url = os.environ.get("BENCH_DAILY_POSTGRES_URL", DEFAULT_PG)
    registry, day_file = workbooks(customers, bills, payments)
    fresh_database(url)
    with tempfile.TemporaryDirectory(prefix="creditbox-bench-daily-") as channels:
        settings = Settings(database_url=url, channel_dir=channels)
        with bootstrap(settings, clock=FixedClock(DAY)) as c:
            c.companies.register(COMPANY, "Gruppo del banco di prova", by="bench")
            started = time.perf_counter()
            setup = c.importer().run(registry.read_bytes(), registry.name, COMPANY, by="bench")
            c.projections.catch_up()
            print(
                f"  setup (not timed): {customers:,} customers, {setup.events:,} events in "
                f"{time.perf_counter() - started:.1f} s",
                flush=True,
            )

            marks: dict[str, float] = {}
            started = time.perf_counter()
            imported = c.importer().run(day_file.read_bytes(), day_file.name, COMPANY, by="bench")
            marks["import of the day's bills and payments"] = time.perf_counter() - started
            if imported.totals.rejected:
                raise AssertionError(f"{imported.totals.rejected} rows rejected: {imported.rejected[:3]}")
            outbox = c.outbox()
            queue = InlineQueue(c.dunning(), send=outbox.send, by="bench")
            at = time.perf_counter()
            round_ = c.scheduler(queue=queue, relay=outbox.relay).run_once(DAY)
            marks["scheduler round: due steps run, relayed and sent"] = time.perf_counter() - at
            at = time.perf_counter()
            c.projections.catch_up()
            marks["read models caught up"] = time.perf_counter() - at
            total = time.perf_counter() - started
            entries = outbox.list(COMPANY)

    import_seconds = marks["import of the day's bills and payments"]
    shape = ImportRun(
        bills + payments, imported.events, import_seconds, imported.saved_aggregates + 1, imported.saves + 1, ""
    )
    ceiling_events, ceiling_seconds = measure_ceiling("postgres", shape)
    rate, ceiling = imported.events / import_seconds, ceiling_events / ceiling_seconds
    print(
        f"  the day's import: {rate:,.0f} events/s; ceiling (bare batched append, same shape) {ceiling:,.0f} "
        f"events/s = {rate / ceiling:.0%}"
    )
    record(
        "the day's import (ceiling: bare batched append)",
        rate,
        "events/s",
        ceiling=ceiling,
        goal=f"at least {POSTGRES_TARGET_RATIO:.0%} of the ceiling",
        met=rate / ceiling >= POSTGRES_TARGET_RATIO,
    )
    sent = sum(1 for e in entries if e.status == SENT)
    opened = queue.events().get("DunningCaseOpened", 0)
    print(
        f"  the day: {bills:,} bills and {payments:,} payments in ({imported.events:,} events, "
        f"{len(imported.rejected):,} rejected), {round_.claimed:,} positions due run ({opened:,} cases opened), "
        f"{sent:,} of {len(entries):,} outbox entries sent, read models current"
    )
    for label, seconds in marks.items():
        print(f"    {label}: {seconds:.1f} s")
        record(label, seconds, "s")
    full = customers >= FULL_CUSTOMERS
    verdict = ("OK" if total < GOAL_SECONDS else "ABOVE GOAL") if full else "(goal at the full size only)"
    print(f"  whole day, {customers:,} customers: {total:.1f} s (goal: under {GOAL_SECONDS:.0f} s) {verdict}")
    record(
        f"whole day, {customers:,} customers, {bills:,} bills, {payments:,} payments",
        total,
        "s",
        goal=f"under {GOAL_SECONDS:.0f} s at 1,000,000 customers",
        met=(total < GOAL_SECONDS) if full else None,
    )
    record("positions due run", round_.claimed, "positions")
    record("actions sent", sent, "actions")


if __name__ == "__main__":
    run()
