"""Console pages on the 100,000-position benchmark data (PostgreSQL): how long each page takes.

Setup: the API benchmark's data set (``bench_api``: 100,000 positions of one company, each with an
overdue bill and an open case whose first step is a proposal, so the ``proposal`` worklist has
100,000 items), built the same way in the dedicated database ``creditbox_bench_console`` and reused by
later runs; an operator with a console password; then ``VACUUM (ANALYZE)`` of the read models the
pages read, as autovacuum leaves a live database (a freshly loaded table has no visibility map, so
an index-only scan, such as a deep worklist page's skip over the order's index, still reads every
row from the table; a server with autovacuum off never gets one).

Load: ``creditbox serve`` on 127.0.0.1 and one signed-in browser session, a closed loop
(one request at a time, as a person clicks): each round asks for the company's home, a worklist page
by amount, the same list by age, a page deep in the list (page 2,000 of 4,000), a random customer's
position, and that position as of an earlier date. Goal: every page under 200 ms at the 95th percentile.

Environment: ``BENCH_SCALE`` (positions × scale, default 1.0), ``BENCH_CONSOLE_ROUNDS`` (default 200),
``BENCH_CONSOLE_WORKERS`` (uvicorn workers, default 1: one person clicking), ``BENCH_CONSOLE_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/creditbox_bench_console``).
"""

from __future__ import annotations

import os
import random
import re
import statistics
import time

import httpx
import psycopg

from bench.bench_api import COMPANY, POSITIONS, TODAY, _database, _free_port, _populate, _scale, _serve
from bench.figures import record
from creditbox.bootstrap import bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.tokens import Role
from creditbox.settings import Settings

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/creditbox_bench_console"
OPERATOR, PASSWORD = "bench.operatore", "password-del-benchmark"
TARGET_P95_MS = 200.0


def _operator(url: str) -> None:
    with bootstrap(Settings(database_url=url), clock=FixedClock(TODAY)) as c:
        if not any(o.name == OPERATOR for o in c.operators().list(COMPANY)):
            c.operators().add(OPERATOR, COMPANY, Role.OPERATOR, by="bench")
        c.console_accounts().set_password(OPERATOR, COMPANY, PASSWORD, by="bench")


READ_MODELS = ("rm_worklist", "rm_open_items", "rm_audit_trail", "rm_positions", "rm_cases")


def _vacuum(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"VACUUM (ANALYZE) {', '.join(READ_MODELS)}")


def _sign_in(client: httpx.Client) -> None:
    client.get("/console/accesso")
    token = client.cookies.get("cbx_accesso")
    answer = client.post("/console/accesso", data={"nome": OPERATOR, "password": PASSWORD, "csrf": token})
    if answer.status_code != 303:
        raise RuntimeError(f"accesso non riuscito: {answer.status_code}")


def _pages(positions: int, rng: random.Random) -> dict[str, str]:
    customer = f"C{rng.randrange(positions):07d}"
    base = f"/console/{COMPANY}"
    return {
        "home": base,
        "lista per importo": f"{base}/liste/proposal",
        "lista per anzianità": f"{base}/liste/proposal?ordina=anzianita",
        "lista, pagina profonda": f"{base}/liste/proposal?pagina={max(1, positions // 50)}",
        "posizione": f"{base}/clienti/{customer}",
        "posizione a una data": f"{base}/clienti/{customer}?al=2026-01-15",
    }


def run() -> None:
    url = os.environ.get("BENCH_CONSOLE_POSTGRES_URL", DEFAULT_PG)
    positions = int(POSITIONS * _scale())
    rounds = int(os.environ.get("BENCH_CONSOLE_ROUNDS", "200"))
    workers = int(os.environ.get("BENCH_CONSOLE_WORKERS", "1"))
    _database(url)
    _populate(url, positions)
    _operator(url)
    _vacuum(url)
    port = _free_port()
    server = _serve(url, port, workers)
    try:
        timings: dict[str, list[float]] = {}
        rng = random.Random(11)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30, follow_redirects=False) as client:
            _sign_in(client)
            for path in _pages(positions, rng).values():  # warm-up: pools, caches
                client.get(path)
            for _ in range(rounds):
                for name, path in _pages(positions, rng).items():
                    started = time.perf_counter()
                    answer = client.get(path)
                    elapsed = (time.perf_counter() - started) * 1000
                    if answer.status_code != 200 or not re.search("</html>", answer.text):
                        raise RuntimeError(f"{path}: {answer.status_code}")
                    timings.setdefault(name, []).append(elapsed)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"console, {positions:,} positions, {rounds} rounds, {workers} workers (ms)")
    print(f"{'page':<26} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}")
    verdict = True
    for name, values in timings.items():
        values.sort()
        p95 = values[int(0.95 * (len(values) - 1))]
        p99 = values[int(0.99 * (len(values) - 1))]
        verdict &= p95 < TARGET_P95_MS
        print(f"{name:<26} {statistics.median(values):8.1f} {p95:8.1f} {p99:8.1f} {values[-1]:8.1f}")
        record(f"{name}: p50", statistics.median(values), "ms")
        record(f"{name}: p95", p95, "ms", goal=f"under {TARGET_P95_MS:.0f} ms", met=p95 < TARGET_P95_MS)
    print(f"goal p95 < {TARGET_P95_MS:.0f} ms: {'met' if verdict else 'MISSED'}")


if __name__ == "__main__":
    run()
