"""Worker throughput on Redis: end-to-end steps (claim → run → record → sent) beside the bare Dramatiq
no-op actor rate, both measured in this run, on the same Redis, with real worker processes of the same
size (``--processes`` × ``--threads``).

1. **The no-op rate.** M messages of an actor that does nothing (``bench/noop_actor.py``) are put on
   a queue of this run; then ``dramatiq bench.noop_actor`` starts, and the rate is M divided by the
   time from its first fetch to its last acknowledgement (its start-up is not counted).
2. **End to end**, laid out as in production (``docs/operations.md``): ``dramatiq
   creditbox.workers.actors`` with ``CREDITBOX_PROJECTIONS=external``, and one projector each for the
   ``outbox`` and the ``due_index`` (``creditbox projections run …``), all on a fresh PostgreSQL
   database. N positions are due (built through the event store; each will open its case and send
   its first step, an SMS, to the file channel). Once every process is up and warm, this process runs
   scheduler rounds (``Scheduler.run_once``: claim the due positions, enqueue ``run_position`` for
   each, relay the outbox) every ``ROUND_SECONDS`` until the N outbox entries are ``sent``; the time
   counts from the start of the first round (the claim and the enqueueing are inside it). The work
   travels in chunks (``run_positions`` for up to 50 positions, ``send_actions`` for up to 50 entries:
   ``workers/queue.py``), so a step costs the broker a fraction of a message; what bounds the rate is
   the work itself (load, decide, save, project, send).

Goal (issue 11): the end-to-end step rate at least 30 % of the no-op rate.

What the two figures share, so that they compare: the same Redis server, the same broker class made
the same way (``creditbox.workers.broker.make_broker``), the same ``dramatiq`` command line with the
same ``--processes`` × ``--threads``, both timed without the workers' start-up (the no-op from its
first fetch; the steps after a warm-up round that has bootstrapped every worker thread's container).
What differs, by design: the steps also have the projector processes of the production layout and
PostgreSQL on the same cores, a step is counted per position while the no-op rate counts messages
(a ``run_positions`` or ``send_actions`` message carries up to 50), and the end is seen by a round of
the scheduler, every ``ROUND_SECONDS`` (up to that much late). The load average is printed before and
after: on a machine shared with other work the two figures move together only roughly.

Sizes: N = 2,000 steps and M = 20,000 no-op messages by default (about two minutes); ``python -m bench
workers --steps N`` (``BENCH_WORKERS_STEPS``) for another size, M = 10 × N unless ``BENCH_WORKERS_NOOP``
says otherwise. N is a rate's size, not a latency's: the steps go through a pipeline (run, project,
relay, send) that takes a second or two to fill and to drain whatever N is — a large share of a run of
500 steps (ten chunks of positions, ten of sends) —; the no-op queue has no such pipeline.
``BENCH_WORKERS_PROCESSES`` / ``BENCH_WORKERS_THREADS``: 2 × 4. The chunk sizes are the settings'
(``CREDITBOX_WORKER_POSITION_CHUNK``, ``CREDITBOX_WORKER_ACTION_CHUNK``: 50), read by every process of the run.
Services: ``BENCH_REDIS_URL`` (default ``CREDITBOX_TEST_REDIS_URL`` or ``redis://127.0.0.1:6379/15``; only
this run's keys are written, and deleted after), ``BENCH_WORKERS_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/creditbox_bench_workers``, emptied first).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import dramatiq
import redis
from sqlalchemy import func, select

from bench.databases import fresh_database
from bench.figures import record
from creditbox.application.ports import SENT
from creditbox.bootstrap import Container, bootstrap
from creditbox.domain.codes import CustomerType, Service, SupplyType
from creditbox.domain.documents import CustomerDetails, SupplyDetails
from creditbox.domain.position import Position
from creditbox.projections.schema import due_index, outbox
from creditbox.settings import Settings
from creditbox.workers.broker import Queues, make_broker
from creditbox.workers.queue import DramatiqQueue

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/creditbox_bench_workers"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
COMPANY = "BENCH"
SAVE_CHUNK = 500
ROUND_SECONDS = 0.1  # between two scheduler rounds (each ends with the outbox relay)
TARGET_SHARE = 0.30
TIMEOUT_SECONDS = 1800.0
PROJECTORS = ("outbox", "due_index")  # the projector processes on the path of a step


@dataclass(frozen=True)
class Sizes:
    steps: int
    noop: int
    processes: int
    threads: int

    @classmethod
    def from_environment(cls) -> Sizes:
        steps = int(os.environ.get("BENCH_WORKERS_STEPS", 2000))
        return cls(
            steps=steps,
            noop=int(os.environ.get("BENCH_WORKERS_NOOP", 10 * steps)),
            processes=int(os.environ.get("BENCH_WORKERS_PROCESSES", 2)),
            threads=int(os.environ.get("BENCH_WORKERS_THREADS", 4)),
        )


# ---- processes ---------------------------------------------------------------------------------


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = log.open("wb")
    return subprocess.Popen(
        command, env={**os.environ, "PYTHONPATH": str(ROOT), **env}, cwd=ROOT, stdout=out, stderr=out,
        start_new_session=True,
    )  # fmt: skip


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (the process finishes what it holds), then SIGKILL to its whole group past 30 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _dramatiq(module: str, sizes: Sizes) -> list[str]:
    size = ["--processes", str(sizes.processes), "--threads", str(sizes.threads)]
    return [sys.executable, "-m", "dramatiq", module, *size]


def _wait(condition: Callable[[], bool], what: str, seconds: float = TIMEOUT_SECONDS, every: float = 0.01) -> float:
    """Polls ``condition`` until true; returns the monotonic time it was seen true."""
    deadline = time.monotonic() + seconds
    while True:
        if condition():
            return time.monotonic()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: non concluso entro {seconds:.0f} s")
        time.sleep(every)


# ---- 1. the bare Dramatiq no-op rate ----------------------------------------------------------------


def noop_rate(redis_url: str, sizes: Sizes, logs: Path) -> float:
    """Messages per second of the no-op actor, from the first fetch to the last acknowledgement."""
    queue = f"cbbench{uuid.uuid4().hex[:10]}.noop"
    broker = make_broker(redis_url)
    client = redis.Redis.from_url(redis_url)
    pending, unacked = f"dramatiq:{queue}", f"dramatiq:{queue}.msgs"
    try:
        broker.declare_queue(queue)
        for _ in range(sizes.noop):
            broker.enqueue(dramatiq.Message(queue_name=queue, actor_name="noop", args=(), kwargs={}, options={}))
        assert client.llen(pending) == sizes.noop
        env = {"BENCH_NOOP_BROKER_URL": redis_url, "BENCH_NOOP_QUEUE": queue}
        workers = _start(_dramatiq("bench.noop_actor", sizes), env, logs / "noop-workers.log")
        try:
            first = _wait(lambda: client.llen(pending) < sizes.noop, "avvio dei worker no-op", 120, 0.002)
            last = _wait(lambda: client.hlen(unacked) == 0, "messaggi no-op", every=0.002)
        finally:
            _stop(workers)
        return sizes.noop / (last - first)
    finally:
        for key in client.scan_iter(f"dramatiq:*{queue}*"):
            client.delete(key)
        client.close()
        broker.close()


# ---- 2. end to end: claim → run → record → sent ------------------------------------------------------


def _position(n: int, due: date) -> Position:
    details = CustomerDetails(f"Cliente {n}", CustomerType.DOMESTIC, mobile="3330000000", email=f"c{n}@example.it")
    position = Position.register(COMPANY, f"C{n:07d}", details, by="bench")
    position.register_supply(SupplyDetails(f"S{n:07d}", Service.WATER, SupplyType.SUSPENDABLE), by="bench")
    position.issue_bill(f"B{n:07d}", f"S{n:07d}", due - timedelta(days=30), due, Decimal("150.00"), by="bench")
    return position


def build_due_positions(c: Container, count: int, due: date, *, start: int = 0) -> None:
    """``count`` positions whose bill fell due on ``due``; returns once the projector processes (``outbox``,
    ``due_index``) have applied them, so that their catch-up is not inside the time measured."""
    for first in range(start, start + count, SAVE_CHUNK):
        c.app.save(*(_position(n, due) for n in range(first, min(first + SAVE_CHUNK, start + count))))
    runner = c.projections.runner(PROJECTORS)
    _wait(lambda: all(s.lag == 0 for s in runner.status()), "proiezioni", 600, 0.2)


def _count(c: Container, query: object) -> int:
    with c.projections.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())  # type: ignore[call-overload]


@dataclass
class Milestones:
    claimed: float = 0.0  # the first round returned: every due position claimed and enqueued
    recorded: float = 0.0  # every position run and recorded (no claim left on the due index)
    in_outbox: float = 0.0  # every step an outbox entry (the outbox projector)
    sent: float = 0.0  # every entry sent (the file channel written)


def run_rounds(c: Container, queue: DramatiqQueue, business_date: date, expected: int) -> Milestones:
    """Scheduler rounds until ``expected`` outbox entries are sent; the times from the first round's start."""
    scheduler = c.scheduler(queue=queue, relay=c.outbox().relay)
    claimed = select(func.count()).select_from(due_index).where(due_index.c.claimed_by.is_not(None))
    entries = select(func.count()).select_from(outbox)
    sent = select(func.count()).select_from(outbox).where(outbox.c.status == SENT)
    marks = Milestones()
    started = time.monotonic()
    deadline = started + TIMEOUT_SECONDS
    first = True
    while True:
        report = scheduler.run_once(business_date)
        now = time.monotonic() - started
        if first:
            if report.claimed != expected:
                raise RuntimeError(f"primo giro: {report.claimed} posizioni prese, attese {expected}")
            marks.claimed, first = now, False
        if not marks.recorded and _count(c, claimed) == 0:
            marks.recorded = now
        if marks.recorded and not marks.in_outbox and _count(c, entries) >= expected:
            marks.in_outbox = now
        if marks.in_outbox and _count(c, sent) >= expected:
            marks.sent = time.monotonic() - started
            return marks
        if time.monotonic() > deadline:
            raise TimeoutError(f"{_count(c, sent)} di {expected} passi inviati dopo {TIMEOUT_SECONDS:.0f} s")
        time.sleep(ROUND_SECONDS)


def end_to_end(redis_url: str, pg_url: str, sizes: Sizes, logs: Path) -> Milestones:
    fresh_database(pg_url)
    today = date.today()  # the processes read the wall clock; the business date is today's
    due = today - timedelta(days=30)  # past the grace period: every position opens its case today
    prefix = f"cbbench{uuid.uuid4().hex[:10]}"
    channel_dir = logs / "canali"
    settings = Settings(database_url=pg_url, projections="external", channel_dir=str(channel_dir), queue_prefix=prefix)
    env = {
        "CREDITBOX_DATABASE_URL": pg_url,
        "CREDITBOX_PROJECTIONS": "external",
        "CREDITBOX_BROKER_URL": redis_url,
        "CREDITBOX_QUEUE_PREFIX": prefix,
        "CREDITBOX_CHANNEL_DIR": str(channel_dir),
    }
    broker = make_broker(redis_url)
    started: list[subprocess.Popen[bytes]] = []
    with bootstrap(settings) as c:
        try:
            c.companies.register(COMPANY, "Azienda del banco di prova", by="bench")
            c.projections.ensure_schema()
            queue = DramatiqQueue(
                broker,
                Queues(prefix),
                position_chunk=c.settings.worker_position_chunk,
                action_chunk=c.settings.worker_action_chunk,
            )
            cli = [sys.executable, "-m", "creditbox.cli.main", "projections", "run"]
            for name in PROJECTORS:
                started.append(_start([*cli, name], env, logs / f"projector-{name}.log"))
            started.append(_start(_dramatiq("creditbox.workers.actors", sizes), env, logs / "workers.log"))
            # Warm-up: enough positions for every worker thread to bootstrap its process's container.
            warm = sizes.processes * sizes.threads * 2
            build_due_positions(c, warm, due, start=sizes.steps)
            run_rounds(c, queue, today, warm)
            print(f"  processes up and warm ({warm} warm-up steps sent); building {sizes.steps:,} due positions...")
            build_due_positions(c, sizes.steps, due)
            return run_rounds(c, queue, today, sizes.steps)
        finally:
            for process in started:
                _stop(process)
            broker.close()
            client = redis.Redis.from_url(redis_url)
            for key in client.scan_iter(f"dramatiq:*{prefix}*"):
                client.delete(key)
            client.close()


def run() -> None:
    sizes = Sizes.from_environment()
    redis_url = os.environ.get("BENCH_REDIS_URL", os.environ.get("CREDITBOX_TEST_REDIS_URL", DEFAULT_REDIS))
    pg_url = os.environ.get("BENCH_WORKERS_POSTGRES_URL", DEFAULT_PG)
    print(
        f"  Redis {redis_url}; worker processes: {sizes.processes} × {sizes.threads} threads (both measures); "
        f"load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="creditbox-bench-workers-") as folder:
        logs = Path(folder)
        rate = noop_rate(redis_url, sizes, logs)
        print(f"  bare Dramatiq no-op actor: {sizes.noop:,} messages, {rate:,.0f} messages/s", flush=True)
        marks = end_to_end(redis_url, pg_url, sizes, logs)
    steps = sizes.steps / marks.sent
    share = steps / rate
    chunks = Settings()  # CREDITBOX_WORKER_POSITION_CHUNK / _ACTION_CHUNK, as every process of the run reads them
    print(
        f"  end to end, {sizes.steps:,} steps (claim → run → record → sent): {marks.sent:.2f} s, {steps:,.1f} steps/s "
        f"(in chunks of {chunks.worker_position_chunk} positions and {chunks.worker_action_chunk} sends per message)"
    )
    print(
        f"    from the first round's start: claimed and enqueued {marks.claimed:.2f} s, run and recorded "
        f"{marks.recorded:.2f} s, in the outbox {marks.in_outbox:.2f} s, sent {marks.sent:.2f} s"
    )
    verdict = "OK" if share >= TARGET_SHARE else "BELOW GOAL"
    print(f"  steps/s ÷ no-op messages/s = {share:.1%} (goal: at least {TARGET_SHARE:.0%}) {verdict}")
    record(
        f"end to end, {sizes.steps:,} steps (ceiling: Dramatiq no-op messages/s)",
        steps,
        "steps/s",
        ceiling=rate,
        goal=f"at least {TARGET_SHARE:.0%} of the ceiling",
        met=share >= TARGET_SHARE,
    )
    record(f"end to end, {sizes.steps:,} steps: all sent", marks.sent, "s")
    print(f"  load after: {os.getloadavg()[0]:.2f}")
