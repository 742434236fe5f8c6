"""HTTP API load benchmark on PostgreSQL: position summary and a worklist page under a steady rate.

Setup (reused on the next run at the same scale): 100,000 positions of one company, each with a
supply and an overdue bill; an actions table whose first step is a proposal; one dunning tick, so
every position has an open case and the ``proposal`` worklist has 100,000 items; projections caught up.

Load: ``creditbox serve`` (uvicorn, ``--workers``) on 127.0.0.1; an open-loop client (httpx, worker
threads each owning every N-th time slot) sends 200 requests/s for 60 s, half ``GET positions/{code}``
for random customers, half ``GET worklists?kind=proposal`` (first page or a random next page).
Latency counts from each request's *scheduled* time, so a stalled server cannot hide behind a slow
client (no coordinated omission). Goal: p99 under 100 ms, no errors, the rate sustained.

Environment: ``BENCH_SCALE`` (positions × scale, default 1.0), ``BENCH_API_SECONDS`` (default 60),
``BENCH_API_RATE`` (default 200), ``BENCH_API_WORKERS`` (uvicorn workers, default: the CPU count, at least 2),
``BENCH_API_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/creditbox_bench_api``).
"""

from __future__ import annotations

import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

import httpx
import psycopg
from psycopg import sql

from creditbox.bootstrap import bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.actions import ActionRow, StartPoint, StepMode
from creditbox.domain.codes import ActionCode, CustomerType, Service, SupplyType
from creditbox.domain.documents import CustomerDetails, SupplyDetails
from creditbox.domain.position import Position
from creditbox.domain.tokens import Role
from creditbox.settings import Settings

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/creditbox_bench_api"
POSITIONS = 100_000
TODAY = date(2026, 3, 2)
COMPANY = "BENCH"
SAVE_CHUNK = 500
TARGET_P99_MS = 100.0
CLIENT_THREADS = 16


def _scale() -> float:
    return float(os.environ.get("BENCH_SCALE", "1.0"))


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def _database(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    admin = urlparse(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _prepared_positions(url: str) -> int:
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
            row = conn.execute("SELECT count(*) FROM rm_positions WHERE company = %s", (COMPANY,)).fetchone()
    except psycopg.Error:
        return 0
    return int(row[0]) if row else 0


def _reset(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def _proposal_table() -> list[ActionRow]:
    def row(seq: int, code: ActionCode, mode: StepMode, start: StartPoint) -> ActionRow:
        return ActionRow(
            ladder="BENCH",
            seq=seq,
            action_code=code,
            description=f"passo {seq}",
            wait_before_days=0,
            start_point=start,
            wait_after_days=15,
            amount_min=Decimal("0"),
            amount_max=None,
            threshold=Decimal("10"),
            approval_level=0,
            mode=mode,
        )

    return [
        row(1, ActionCode.FRIENDLY_REMINDER, StepMode.PROPOSAL, StartPoint.OPENED),
        row(2, ActionCode.REGISTERED_LETTER, StepMode.AUTO, StartPoint.PREVIOUS_SENT),
    ]


def _populate(url: str, positions: int) -> str:
    """Positions, a tick, projections; returns a fresh operator token."""
    if _prepared_positions(url) != positions:
        _reset(url)
        return _populate_fresh(url, positions)
    print(f"[setup] reusing {positions:,} positions from an earlier run", flush=True)
    with bootstrap(Settings(database_url=url), clock=FixedClock(TODAY)) as c:
        return c.tokens().issue(COMPANY, Role.OPERATOR, issued_on=TODAY, by="bench").secret


def _populate_fresh(url: str, positions: int) -> str:
    settings = Settings(database_url=url, pool_size=10)
    with bootstrap(settings, clock=FixedClock(TODAY)) as c:
        started = time.perf_counter()
        c.companies.register(COMPANY, "Benchmark Spa", by="bench")
        c.actions_tables.revise(COMPANY, _proposal_table(), by="bench", source="bench")
        rng = random.Random(7)
        batch: list[Position] = []
        for n in range(positions):
            code = f"C{n:07d}"
            position = Position.register(
                COMPANY,
                code,
                CustomerDetails(f"Cliente {n}", CustomerType.DOMESTIC, address="Via Roma 1", city="Roma"),
                by="bench",
            )
            position.register_supply(SupplyDetails(f"S{n:07d}", Service.WATER, SupplyType.SUSPENDABLE), by="bench")
            due = date(2026, 1, rng.randint(1, 31))
            amount = Decimal(rng.randint(2000, 90000)) / 100
            position.issue_bill(f"B{n:07d}", f"S{n:07d}", due.replace(day=1), due, amount, by="bench")
            batch.append(position)
            if len(batch) == SAVE_CHUNK:
                c.app.save(*batch)
                batch = []
        if batch:
            c.app.save(*batch)
        print(f"[setup] {positions:,} positions saved in {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        report = c.dunning().run_due(COMPANY, TODAY)
        print(f"[setup] tick: {report.changed:,} positions changed in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        read = c.projections.catch_up()
        print(f"[setup] projections: {read:,} notifications in {time.perf_counter() - started:.1f} s", flush=True)
        return c.tokens().issue(COMPANY, Role.OPERATOR, issued_on=TODAY, by="bench").secret


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CREDITBOX_DATABASE_URL": url, "CREDITBOX_PROJECTIONS": "external"}
    command = [sys.executable, "-m", "creditbox.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), "--log-level", "warning"]
    server = subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parent.parent)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("il server non è partito entro 60 s")


@dataclass
class Sample:
    kind: str
    latency_ms: float
    status: int


def _load(port: int, token: str, positions: int, rate: int, seconds: int) -> tuple[list[Sample], float]:
    base = f"http://127.0.0.1:{port}/api/v1/companies/{COMPANY}"
    headers = {"Authorization": f"Bearer {token}"}
    total = rate * seconds
    interval = 1.0 / rate
    samples: list[Sample] = []
    lock = threading.Lock()
    with httpx.Client(headers=headers, timeout=10) as warm:  # a cursor to ask for "a next page" too
        cursor = warm.get(f"{base}/worklists", params={"kind": "proposal", "limit": 50}).json()["next_cursor"]
    start = time.perf_counter() + 0.5

    def worker(index: int) -> None:
        rng = random.Random(index)
        local: list[Sample] = []
        with httpx.Client(headers=headers, timeout=10) as client:
            for slot in range(index, total, CLIENT_THREADS):
                scheduled = start + slot * interval
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                if slot % 2:
                    kind = "summary"
                    request = client.build_request("GET", f"{base}/positions/C{rng.randrange(positions):07d}")
                else:
                    kind = "worklist"
                    params: dict[str, str | int] = {"kind": "proposal", "limit": 50}
                    if slot % 4 == 2 and cursor:
                        params["cursor"] = cursor
                    request = client.build_request("GET", f"{base}/worklists", params=params)
                try:
                    status = client.send(request).status_code
                except httpx.HTTPError:
                    status = 0
                local.append(Sample(kind, (time.perf_counter() - scheduled) * 1000, status))
        with lock:
            samples.extend(local)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return samples, elapsed


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run() -> None:
    url = os.environ.get("BENCH_API_POSTGRES_URL", DEFAULT_PG)
    positions = max(1000, int(POSITIONS * _scale()))
    rate = _env_int("BENCH_API_RATE", 200)
    seconds = _env_int("BENCH_API_SECONDS", 60)
    workers = _env_int("BENCH_API_WORKERS", max(2, os.cpu_count() or 2))
    _database(url)
    token = _populate(url, positions)
    port = _free_port()
    server = _serve(url, port, workers)
    try:
        samples, elapsed = _load(port, token, positions, rate, seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"{len(samples):,} requests in {elapsed:.1f} s = {len(samples) / elapsed:.0f} req/s "
        f"(target {rate}/s for {seconds} s), {positions:,} positions, {workers} uvicorn workers, PostgreSQL"
    )
    worst = 0.0
    for kind in ("summary", "worklist"):
        mine = [s for s in samples if s.kind == kind]
        latencies = [s.latency_ms for s in mine]
        errors = sum(1 for s in mine if s.status != 200)
        p99 = _percentile(latencies, 99)
        worst = max(worst, p99)
        print(
            f"  {kind:9s} n={len(mine):5d}  p50 {_percentile(latencies, 50):6.1f} ms  "
            f"p95 {_percentile(latencies, 95):6.1f} ms  p99 {p99:6.1f} ms  max {max(latencies):7.1f} ms  "
            f"mean {statistics.fmean(latencies):6.1f} ms  errors {errors}"
        )
    errors = sum(1 for s in samples if s.status != 200)
    sustained = len(samples) / elapsed >= 0.98 * rate
    verdict = "OK" if worst < TARGET_P99_MS and errors == 0 and sustained else "MISSED"
    print(f"  goal: p99 < {TARGET_P99_MS:.0f} ms, no errors, rate sustained -> {verdict}")


if __name__ == "__main__":
    run()
