"""Read-model benchmark on PostgreSQL.

1. Projection catch-up over 1,000,000 events (customers, supplies, bills, payments, dunning cases and
   steps), all projections together, from zero — beside the bare decoded read rate of the notification
   log measured in the same run (the ceiling). Goal: at least 25% of it.
2. A worklist page query (positions of one company, filtered, largest overdue first, keyset cursor)
   over 1,000,000 ``rm_positions`` rows: p95 under 20 ms, printed with its query plan.

Environment: ``BENCH_SCALE`` (default 1.0) scales both sizes; ``BENCH_PROJECTIONS_POSTGRES_URL``
(default ``postgresql://postgres@127.0.0.1:5432/creditbox_bench_projections``, emptied first).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import psycopg
from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from bench.databases import fresh_database
from bench.figures import record
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.codes import CustomerType, Service, SupplyType
from creditbox.domain.documents import CustomerDetails, SupplyDetails
from creditbox.domain.position import Position
from creditbox.projections.queries.positions import ORDERINGS, PositionFilters, list_positions
from creditbox.projections.schema import positions
from creditbox.settings import Settings

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/creditbox_bench_projections"
EVENTS = 1_000_000
POSITIONS_ROWS = 1_000_000
TARGET_RATIO = 0.25
TARGET_P95_MS = 20.0
TODAY = date(2026, 6, 30)
COMPANY = "BENCH"
BIG_COMPANY = "MILLION"
SAVE_CHUNK = 500  # positions per atomic save


def _scale() -> float:
    return float(os.environ.get("BENCH_SCALE", "1.0"))


def _has_events(url: str, events: int) -> bool:
    """The events of an earlier run at the same scale (generation takes minutes): reused as they are."""
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
            count = conn.execute("SELECT max(notification_id) FROM creditbox_events").fetchone()
    except psycopg.Error:
        return False
    return bool(count and count[0] and events <= count[0] < events + 1.1 * SAVE_CHUNK * 11)


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
    """Positions with about 11 events each (with a dunning case opened and a first step), saved in chunks."""
    code = container.companies.register(COMPANY, "Benchmark", by="bench").code
    table = container.actions_tables.current(code)
    settings = container.companies.get(code).settings
    rng = random.Random(7)
    written = int(container.app.recorder.max_notification_id() or 0)
    n = 0
    started = time.perf_counter()
    while written < events:
        chunk = []
        for _ in range(SAVE_CHUNK):
            position = _position(n, rng)
            position.run_workflow(table, settings, TODAY, by="bench")
            chunk.append(position)
            n += 1
        container.app.save(*chunk)
        written = int(container.app.recorder.max_notification_id() or 0)
    print(f"  generated {written:,} events ({n:,} positions) in {time.perf_counter() - started:.1f} s")
    return written


def bare_read_rate(container: Container, head: int, page: int = 5000) -> float:
    recorder, decode = container.app.recorder, container.app.mapper.to_domain_event
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
    return count / (time.perf_counter() - started)


# Production runs projector processes side by side (``creditbox projections run NAME``): here two of them,
# the position-derived views in one and the audit trail (with the imports) in the other.
PROCESS_GROUPS = (("positions", "open_items", "cases", "worklists", "upcoming"), ("audit_trail", "imports"))


def _catch_up_process(url: str, names: tuple[str, ...], head: int, results: Any) -> None:
    settings = Settings(database_url=url, projections="external", pool_size=2)
    with bootstrap(settings, clock=FixedClock(TODAY)) as container:
        started = time.perf_counter()
        container.projections.runner(names).catch_up(until=head)
        results.put((names, time.perf_counter() - started))


def catch_up_rate_in_processes(container: Container, url: str, head: int) -> float:
    container.projections.runner().reset()
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    processes = [context.Process(target=_catch_up_process, args=(url, g, head, results)) for g in PROCESS_GROUPS]
    started = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    while not results.empty():
        names, seconds = results.get()
        print(f"    process {' + '.join(names)}: {seconds:.1f} s")
    if any(process.exitcode != 0 for process in processes):
        raise RuntimeError("a projector process failed")
    return head / elapsed


def catch_up_rate(container: Container, head: int) -> float:
    runner = container.projections.runner()
    runner.reset()
    started = time.perf_counter()
    read = runner.catch_up(until=head)
    elapsed = time.perf_counter() - started
    print(f"  projection catch-up from zero: {read:,} events in {elapsed:.1f} s, batches of {runner.batch_size:,}")
    print(f"  state cache: {runner.states.loads:,} aggregates read back from the store (the rest replayed in memory)")
    return read / elapsed


FILL_POSITIONS = """
INSERT INTO rm_positions (position_id, company, customer_code, name, customer_type, services_mask, supplies,
    balance, open_amount, credit, overdue, oldest_due_date, next_due_date, open_items, open_cases, current_action,
    current_step, has_email, has_pec, has_mobile, version, updated_at)
SELECT md5(g::text)::uuid::text, :company, 'M' || lpad(g::text, 8, '0'), 'Cliente ' || g, 1 + g % 4,
    2 << (g % 3), 1, (g::bigint * 7919) % 500000, (g::bigint * 7919) % 500000, 0, (g::bigint * 7919) % 400000,
    DATE '2026-06-30' - (g % 700), NULL, 1 + g % 6, g % 2, CASE WHEN g % 2 = 1 THEN 1 + g % 10 END,
    CASE WHEN g % 2 = 1 THEN 1 + g % 5 END, true, false, true, 10, now()
FROM generate_series(1, :rows) AS g
"""


def page_query_p95(container: Container, rows: int, runs: int = 300) -> None:
    engine = container.projections.engine
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM rm_positions WHERE company = :c"), {"c": BIG_COMPANY})
        started = time.perf_counter()
        conn.execute(text(FILL_POSITIONS), {"company": BIG_COMPANY, "rows": rows})
        print(f"  filled {rows:,} rm_positions rows in {time.perf_counter() - started:.1f} s")
    with engine.connect() as conn:
        conn.execute(text("ANALYZE rm_positions"))
        conn.commit()
        total = conn.scalar(text("SELECT count(*) FROM rm_positions"))
        print(f"  rm_positions holds {total:,} rows")
        rng = random.Random(11)
        cases = [
            ("first page, overdue >= 100 €", PositionFilters(overdue_min=Decimal("100")), None),
            ("stage = 4 (A/R), largest overdue first", PositionFilters(stage=4), None),
            ("customer type 1, service gas", PositionFilters(customer_type=1, service=2), None),
        ]
        timings: list[float] = []
        pages = 0
        for i in range(runs):
            _label, filters, _ = cases[i % len(cases)]
            cursor = None
            # Walk a few pages deep now and then: keyset pages cost the same at any depth.
            depth = rng.choice([1, 1, 2, 5])
            for _ in range(depth):
                started = time.perf_counter()
                page = list_positions(conn, BIG_COMPANY, filters, limit=50, cursor=cursor)
                timings.append((time.perf_counter() - started) * 1000)
                pages += 1
                cursor = page.next_cursor
                if cursor is None:
                    break
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[int(len(timings) * 0.95) - 1]
        verdict = "OK" if p95 < TARGET_P95_MS else "BELOW TARGET"
        print(f"  worklist page (50 rows) over {total:,} positions: {pages} pages, p50 {p50:.2f} ms, p95 {p95:.2f} ms")
        print(f"  target p95 < {TARGET_P95_MS:.0f} ms: {verdict}")
        record(f"worklist page (50 rows) over {total:,} positions: p50", p50, "ms")
        record(
            f"worklist page (50 rows) over {total:,} positions: p95",
            p95,
            "ms",
            goal=f"under {TARGET_P95_MS:.0f} ms",
            met=p95 < TARGET_P95_MS,
        )
        _explain(conn)


def _explain(conn: Any) -> None:
    """The plan of the first page's query (as ``list_positions`` builds it), with literal values."""
    ordering = ORDERINGS["overdue"]
    query = (
        positions.select()
        .where(positions.c.company == BIG_COMPANY, positions.c.overdue >= Decimal("100"))
        .order_by(*ordering.order_by())
        .limit(51)
    )
    compiled = query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    plan = conn.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}")).scalars().all()
    print("  query plan (first page, overdue >= 100 €, largest overdue first):")
    for line in plan:
        print(f"    {line}")


def run() -> None:
    scale = _scale()
    url = os.environ.get("BENCH_PROJECTIONS_POSTGRES_URL", DEFAULT_PG)
    events, rows = int(EVENTS * scale), int(POSITIONS_ROWS * scale)
    print(f"Read models on PostgreSQL ({url}), scale {scale}: {events:,} events, {rows:,} positions rows")
    reuse = _has_events(url, events)
    if not reuse:
        fresh_database(url)
    settings = Settings(database_url=url, projections="external", pool_size=4)
    with bootstrap(settings, clock=FixedClock(TODAY)) as container:
        container.projections.ensure_schema()
        if reuse:
            head = int(container.app.recorder.max_notification_id() or 0)
            print(f"  reusing the {head:,} events already generated in {url}")
        else:
            head = generate(container, events)
            with container.projections.engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
        # The bare read is measured before and after the catch-up (the machine may be busy): their mean.
        before = bare_read_rate(container, head)
        rate = catch_up_rate(container, head)
        after = bare_read_rate(container, head)
        bare = (before + after) / 2
        print(f"  bare decoded read of the notification log: {bare:,.0f} events/s ({before:,.0f} / {after:,.0f})")
        ratio = rate / bare
        verdict = "OK" if ratio >= TARGET_RATIO else "BELOW TARGET"
        print(f"  projection catch-up, all {len(container.projections.all.projections)} projections in one process:")
        print(f"    {rate:,.0f} events/s = {ratio:.0%} of the bare read rate (goal >= {TARGET_RATIO:.0%}): {verdict}")
        record(
            f"catch-up of {head:,} events, all projections in one process (ceiling: bare decoded read)",
            rate,
            "events/s",
            ceiling=bare,
            goal=f"at least {TARGET_RATIO:.0%} of the ceiling",
            met=ratio >= TARGET_RATIO,
        )
        print(f"  projection catch-up, all projections in {len(PROCESS_GROUPS)} projector processes side by side:")
        split = catch_up_rate_in_processes(container, url, head)
        verdict = "OK" if split / bare >= TARGET_RATIO else "BELOW TARGET"
        print(f"    {split:,.0f} events/s = {split / bare:.0%} of the bare read rate: {verdict}")
        record(
            f"catch-up of {head:,} events, {len(PROCESS_GROUPS)} projector processes (ceiling: bare decoded read)",
            split,
            "events/s",
            ceiling=bare,
            goal=f"at least {TARGET_RATIO:.0%} of the ceiling",
            met=split / bare >= TARGET_RATIO,
        )
        page_query_p95(container, rows)


if __name__ == "__main__":
    run()
