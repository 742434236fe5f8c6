"""Fault tests with real processes: worker processes (``dramatiq creditbox.workers.actors``) on a real
Redis and PostgreSQL, the scheduler and the reconciliation through the real command line.

- a worker killed with SIGKILL between marking an entry ``sending`` and calling the channel, and one
  killed between the channel call and ``sent`` (the worker kills itself at that exact point: the
  ``CREDITBOX_TEST_CRASH_AT`` test hook, ``creditbox/workers/crash_points.py``), then
  ``creditbox outbox reconcile`` and a restarted worker;
- two ``creditbox scheduler --once`` processes at once over the same due positions, workers running;
- messages delivered twice (``run_position`` and ``send_action`` enqueued more than once);
- a payment recorded while ``run_position`` waits in the queue.

Every test checks the same three things: no action lost (every action the events record is in the
outbox, sent, with its one file in the channel folder — or, when a worker died before the channel,
``uncertain`` for a person), none sent twice (one attempt, one file, one ``sent`` in the workers' log),
no step run for a paid case.

Redis and PostgreSQL missing fail the tests (these tests never skip). Each test has queue names of its
own (``CREDITBOX_QUEUE_PREFIX``), removed from Redis afterwards.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

import pytest

from creditbox.application.ports import SENDING, SENT, UNCERTAIN, DueWork
from creditbox.application.records import BillRecord, CustomerRecord, PaymentRecord, SupplyRecord
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock, SystemClock
from creditbox.domain.company import CompanySettings
from creditbox.domain.ids import position_id
from creditbox.infrastructure.channels.files import action_key_of
from creditbox.settings import Settings
from creditbox.workers.broker import Queues, make_broker
from creditbox.workers.crash_points import AFTER_CHANNEL, BEFORE_CHANNEL
from creditbox.workers.queue import DramatiqQueue
from tests.builders import details, supply
from tests.conftest import reset_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
DUE = date(2026, 1, 31)
OPENING = DUE + timedelta(days=CompanySettings().grace_period_days)  # the first step (the SMS) is due
SECOND_STEP = date(2026, 2, 25)  # the registered letter is due
PROCESS_SECONDS = 60.0  # at most, for a process to start and finish its work (seconds in practice)


def sms_of(customer: str) -> str:
    """The action key of a customer's first step (the SMS of case 1 of its one supply)."""
    return f"ACQ/{customer}/S-{customer}/1/1"


# ---- services -------------------------------------------------------------------------------------


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("CREDITBOX_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    parts = urlparse(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2):
            return url
    except OSError as error:
        pytest.fail(f"Redis is required for the worker fault tests and is not reachable at {url}: {error}")


@pytest.fixture
def pg_url(postgres_url: str) -> str:
    reset_postgres(postgres_url)
    return postgres_url


# ---- the processes of one test ----------------------------------------------------------------------


@dataclass
class Installation:
    """One test's installation: its database, channel folder and queues, and the processes it runs
    (worker processes, schedulers, the command line), each with its output in a file."""

    database_url: str
    broker_url: str
    channel_dir: Path
    logs: Path
    prefix: str = field(default_factory=lambda: f"cbfault{uuid.uuid4().hex[:10]}")
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    worker_logs: list[Path] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith("CREDITBOX_")},
            "PYTHONPATH": str(ROOT),
            "CREDITBOX_DATABASE_URL": self.database_url,
            "CREDITBOX_BROKER_URL": self.broker_url,
            "CREDITBOX_CHANNEL_DIR": str(self.channel_dir),
            "CREDITBOX_QUEUE_PREFIX": self.prefix,
            **extra,
        }

    def _log(self, name: str) -> Path:
        self.logs.mkdir(parents=True, exist_ok=True)
        return self.logs / f"{len(list(self.logs.iterdir())):02d}-{name}.log"

    def start_workers(
        self, *, processes: int = 1, threads: int = 1, crash_at: str | None = None
    ) -> subprocess.Popen[bytes]:
        """``dramatiq creditbox.workers.actors`` (what ``creditbox worker`` runs), in a session of its own."""
        extra = {"CREDITBOX_TEST_CRASH_AT": crash_at} if crash_at is not None else {}
        log = self._log("worker")
        command = [sys.executable, "-m", "dramatiq", "creditbox.workers.actors"]
        command += ["--processes", str(processes), "--threads", str(threads)]
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, env=self.env(**extra), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.workers.append(process)
        self.worker_logs.append(log)
        return process

    def stop_workers(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=PROCESS_SECONDS)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

    def creditbox(self, *args: str, together: Path | None = None, **extra: str) -> subprocess.Popen[bytes]:
        """``creditbox ARGS`` in a process of its own. With ``together`` (a folder), the process does
        its imports (the lazy ones too), says it is ready there (``ready-<pid>``) and waits for
        ``go``: see :func:`release`."""
        launcher = (
            "import os, sys, time\n"
            "from pathlib import Path\n"
            "from creditbox.cli.main import main\n"
            "import creditbox.bootstrap, creditbox.workers.queue, dramatiq.brokers.redis\n"
            "together = sys.argv.pop(1)\n"
            "if together:\n"
            "    (Path(together) / f'ready-{os.getpid()}').touch()\n"
            "    while not (Path(together) / 'go').exists():\n"
            "        time.sleep(0.005)\n"
            "main()\n"
        )
        command = [sys.executable, "-c", launcher, str(together or ""), *args]
        return subprocess.Popen(
            command, env=self.env(**extra), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )

    def worker_log(self) -> str:
        return "".join(path.read_text(errors="replace") for path in self.worker_logs if path.exists())

    def sends_logged(self) -> Counter[str]:
        """How many times the workers' ``send_action`` had the channel take each action key."""
        return Counter(re.findall(r"send_action (\S+): sent\b", self.worker_log()))


def release(together: Path, processes: int) -> None:
    """Once ``processes`` commands started with ``together`` are ready, let them all go at once."""
    wait_until(lambda: len(list(together.glob("ready-*"))) == processes, "the commands to be ready")
    (together / "go").touch()


def finished(process: subprocess.Popen[bytes]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=PROCESS_SECONDS)
    return process.returncode, out.decode(), err.decode()


@pytest.fixture
def installation(pg_url: str, redis_url: str, tmp_path: Path) -> Iterator[Installation]:
    import redis

    setup = Installation(pg_url, redis_url, tmp_path / "canali", tmp_path / "logs")
    yield setup
    setup.stop_workers()
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"*{setup.prefix}*"):  # only this test's queues (and their acks)
        client.delete(key)
    client.close()


@pytest.fixture
def queue(installation: Installation) -> Iterator[DramatiqQueue]:
    """Enqueues on the test's queues, as the scheduler does (messages by actor name)."""
    broker = make_broker(installation.broker_url)
    yield DramatiqQueue(broker, Queues(installation.prefix))
    broker.close()


def drained(queue: DramatiqQueue, seconds: float = PROCESS_SECONDS) -> None:
    """Wait until every message of the test's queues has been processed and acknowledged (including
    the ones the processed messages enqueued in turn): Redis keeps a message until its ack."""
    deadline = time.monotonic() + seconds
    quiet = 0
    while quiet < 2:  # empty twice in a row: nothing was in flight between the two looks
        if time.monotonic() > deadline:
            raise AssertionError("the workers did not finish their messages in time")
        for name in queue.queues.all():
            queue.broker.join(name, timeout=int(seconds * 1000))
        sizes = [queue.broker.do_qsize(name) for name in queue.queues.all()]  # type: ignore[attr-defined]
        quiet = quiet + 1 if not any(sizes) else 0
        time.sleep(0.2)


def wait_until(condition: Callable[[], bool], what: str, seconds: float = PROCESS_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


# ---- the data ------------------------------------------------------------------------------------


def given_customers(c: Container, customers: list[str]) -> None:
    c.companies.register("ACQ", "Acque", by="test")
    records: list[object] = []
    for code in customers:
        contacts = details(
            mobile="3331234567", email=f"{code.lower()}@example.it", address="Via Roma 1", postcode="00184", city="Roma"
        )
        records += [
            CustomerRecord(code, contacts),
            SupplyRecord(code, supply(f"S-{code}")),
            BillRecord(f"B-{code}", code, f"S-{code}", date(2026, 1, 1), DUE, Decimal("120.00")),
        ]
    c.ingestor().ingest("ACQ", records, by="test")  # type: ignore[arg-type]
    c.projections.catch_up()


def pay_in_full(c: Container, customer: str, on: date) -> None:
    c.ingestor().ingest(
        "ACQ", [PaymentRecord(f"P-{customer}", customer, on, Decimal("120.00"), f"B-{customer}")], by="test"
    )
    c.projections.catch_up()


def events_of(c: Container, customer: str) -> list[object]:
    return list(c.app.repository.event_store.get(position_id("ACQ", customer)))


def steps_executed(c: Container, customer: str) -> Counter[tuple[str, int]]:
    """The ``StepExecuted`` events of a customer's position, by (case, step)."""
    return Counter(
        (e.case_id, e.seq)  # type: ignore[attr-defined]
        for e in events_of(c, customer)
        if type(e).__name__ == "StepExecuted"
    )


def files_in(channel_dir: Path) -> Counter[str]:
    """The messages written by the file channel, by action key (any company, any channel)."""
    return (
        Counter(action_key_of(path.name) for path in channel_dir.rglob("*.json")) if channel_dir.exists() else Counter()
    )


def no_action_lost_none_sent_twice(c: Container, installation: Installation, customers: list[str]) -> None:
    """Every step the events record is one outbox entry, sent once: one attempt, one file, one send."""
    executed = Counter(
        e.action_id  # type: ignore[attr-defined]
        for code in customers
        for e in events_of(c, code)
        if type(e).__name__ == "StepExecuted"
    )
    c.projections.catch_up()
    entries = {e.action_key: e for e in c.outbox().list("ACQ")}
    assert set(executed) == set(entries)  # no action lost between the events and the outbox
    assert set(executed.values()) == {1}  # one StepExecuted per step
    assert {(e.status, e.attempts) for e in entries.values()} == {(SENT, 1)}
    assert files_in(installation.channel_dir) == Counter(list(entries))  # exactly one file each
    assert installation.sends_logged() == Counter(list(entries))  # the channel took each one once


# ---- a worker killed mid-send -------------------------------------------------------------------


def _a_worker_dies_sending(
    c: Container, installation: Installation, queue: DramatiqQueue, crash_at: str
) -> tuple[str, str]:
    """C1's SMS is pending; a worker started with the crash hook takes it and kills itself at
    ``crash_at``. Returns the two action keys (C1's, and C2's still pending)."""
    given_customers(c, ["C1", "C2"])
    c.dunning().run_positions("ACQ", [position_id("ACQ", "C1"), position_id("ACQ", "C2")], OPENING, by="test")
    c.projections.catch_up()
    first, second = sms_of("C1"), sms_of("C2")
    dying = installation.start_workers(crash_at=crash_at)
    queue.send_actions([first])
    dying.wait(timeout=PROCESS_SECONDS)  # the worker process killed itself; Dramatiq's main process stops
    assert f"SIGKILL while sending {first}" in installation.worker_log()  # at the hook, not anywhere else
    entry = c.outbox().get(first)
    assert entry is not None and (entry.status, entry.attempts) == (SENDING, 1)
    return first, second


def _reconcile_after_the_lease(c: Container, installation: Installation, key: str) -> str:
    """``creditbox outbox reconcile --after 1`` once the entry has been ``sending`` for over a second."""
    entry = c.outbox().get(key)
    assert entry is not None
    wait_until(lambda: time.time() > entry.updated_at.timestamp() + 1.2, "the lease of the entry")
    code, out, err = finished(installation.creditbox("outbox", "reconcile", "--after", "1"))
    assert code == 0, out + err
    return out


def _a_restarted_worker_gets_it_again(
    c: Container, installation: Installation, queue: DramatiqQueue, key: str, other: str
) -> None:
    """A worker without the hook; the dead worker's message delivered again (as Redis redelivers an
    unacknowledged message), then the other pending entry — processed after it (one thread, FIFO)."""
    installation.start_workers(threads=1)
    queue.send_actions([key])
    queue.send_actions([other])
    wait_until(lambda: (e := c.outbox().get(other)) is not None and e.status == SENT, "the other entry to be sent")


def test_a_worker_killed_before_the_channel_call_leaves_the_action_uncertain_never_sent_blindly(
    installation: Installation, queue: DramatiqQueue
) -> None:
    with bootstrap(
        Settings(database_url=installation.database_url, channel_dir=str(installation.channel_dir)),
        clock=FixedClock(OPENING),
    ) as c:
        first, second = _a_worker_dies_sending(c, installation, queue, BEFORE_CHANNEL)
        assert files_in(installation.channel_dir) == Counter()  # the channel never had it
        out = _reconcile_after_the_lease(c, installation, first)
        assert "0 inviate, 1 incerte" in out
        _a_restarted_worker_gets_it_again(c, installation, queue, first, second)
        entry = c.outbox().get(first)
        assert entry is not None and (entry.status, entry.attempts) == (UNCERTAIN, 1)  # on the worklist for a person
        assert files_in(installation.channel_dir) == Counter({second: 1})  # never sent blindly again
        assert installation.sends_logged() == Counter({second: 1})
        assert steps_executed(c, "C1") == Counter({("S-C1/1", 1): 1})  # the action is recorded once, not lost


def test_a_worker_killed_after_the_channel_call_ends_sent_with_one_message(
    installation: Installation, queue: DramatiqQueue
) -> None:
    with bootstrap(
        Settings(database_url=installation.database_url, channel_dir=str(installation.channel_dir)),
        clock=FixedClock(OPENING),
    ) as c:
        first, second = _a_worker_dies_sending(c, installation, queue, AFTER_CHANNEL)
        assert files_in(installation.channel_dir) == Counter({first: 1})  # the channel has it, the outbox not yet
        out = _reconcile_after_the_lease(c, installation, first)
        assert "1 inviate, 0 incerte" in out
        _a_restarted_worker_gets_it_again(c, installation, queue, first, second)
        entries = {e.action_key: (e.status, e.attempts) for e in c.outbox().list("ACQ")}
        assert entries == {first: (SENT, 1), second: (SENT, 1)}
        assert files_in(installation.channel_dir) == Counter({first: 1, second: 1})  # exactly one file each
        assert installation.sends_logged() == Counter({second: 1})  # the dead worker's send is not sent again


# ---- two schedulers at once ---------------------------------------------------------------------------


def test_two_schedulers_at_once_run_every_due_step_exactly_once(
    installation: Installation, queue: DramatiqQueue
) -> None:
    customers = [f"C{n:02d}" for n in range(60)]
    # The read models valued at today's date, as the schedulers' clocks read it: otherwise the first
    # catch-up of each scheduler revalues them, one after the other (the tracking row is locked), and
    # the first one through may have claimed everything before the second starts claiming.
    today = FixedClock(SystemClock(Settings().timezone).now())
    with bootstrap(
        Settings(database_url=installation.database_url, channel_dir=str(installation.channel_dir)), clock=today
    ) as c:
        given_customers(c, customers)
        installation.start_workers(processes=2, threads=2)
        together = installation.logs.parent / "together"
        together.mkdir()
        args = ("scheduler", "--once", "--as-of", OPENING.isoformat(), "--no-inbox", "--json")
        schedulers = [
            installation.creditbox(*args, together=together, CREDITBOX_SCHEDULER_CHUNK_SIZE="1") for _ in range(2)
        ]
        release(together, 2)  # both past their imports: the two rounds run at the same time
        results = [finished(s) for s in schedulers]
        assert [code for code, _, _ in results] == [0, 0], results
        claimed = [int(re.search(r'"positions": (\d+)', out).group(1)) for _, out, _ in results]  # type: ignore[union-attr]
        assert sum(claimed) == len(customers)  # each due position handed to the workers once
        assert all(claimed)  # by both schedulers: the two rounds did run at the same time
        drained(queue)
        # A further round (as the scheduler's loop would run): nothing is due any more, nothing is left to send.
        code, out, err = finished(
            installation.creditbox("scheduler", "--once", "--as-of", OPENING.isoformat(), "--no-inbox", "--json")
        )
        assert code == 0 and '"positions": 0' in out, out + err
        drained(queue)
        for customer in customers:
            assert steps_executed(c, customer) == Counter({(f"S-{customer}/1", 1): 1})
        no_action_lost_none_sent_twice(c, installation, customers)


# ---- a message delivered twice --------------------------------------------------------------------


def test_messages_delivered_twice_send_one_message_and_run_one_step(
    installation: Installation, queue: DramatiqQueue
) -> None:
    with bootstrap(
        Settings(database_url=installation.database_url, channel_dir=str(installation.channel_dir)),
        clock=FixedClock(OPENING),
    ) as c:
        given_customers(c, ["C1", "C2"])
        c.dunning().run_positions("ACQ", [position_id("ACQ", "C1")], OPENING, by="test")
        c.projections.catch_up()  # C1's SMS is pending in the outbox
        # Before any worker runs: C1's send three times, C2's run three times (redeliveries, a relay and a retry).
        for _ in range(3):  # three messages each (a chunk names an id once)
            queue.send_actions([sms_of("C1")])
            queue.run_positions([DueWork("ACQ", position_id("ACQ", "C2"), OPENING)])
        installation.start_workers(processes=2, threads=2)  # the copies are taken at the same time
        drained(queue)
        assert steps_executed(c, "C2") == Counter({("S-C2/1", 1): 1})
        no_action_lost_none_sent_twice(c, installation, ["C1", "C2"])
        assert re.findall(r"send_action \S+: skipped", installation.worker_log())  # the copies did nothing


# ---- a payment while a step is queued -------------------------------------------------------------------


def test_a_payment_recorded_while_a_step_is_queued_means_no_step(
    installation: Installation, queue: DramatiqQueue
) -> None:
    clock = FixedClock(SECOND_STEP)
    with bootstrap(
        Settings(database_url=installation.database_url, channel_dir=str(installation.channel_dir)), clock=clock
    ) as c:
        given_customers(c, ["C1", "C2", "C3"])
        # C1 and C3 got their SMS (a case open on each); C2 has no case yet.
        c.dunning().run_positions("ACQ", [position_id("ACQ", "C1"), position_id("ACQ", "C3")], OPENING, by="test")
        c.projections.catch_up()
        for customer in ("C1", "C3"):
            assert c.outbox().send(sms_of(customer)).result == "sent"
        # The registered letter of C1 and C3 (due today) and C2's first step are queued; no worker runs yet.
        queue.run_positions([DueWork("ACQ", position_id("ACQ", code), SECOND_STEP) for code in ("C1", "C2", "C3")])
        pay_in_full(c, "C1", SECOND_STEP - timedelta(days=1))  # C1 pays while its step waits in the queue
        pay_in_full(c, "C2", SECOND_STEP - timedelta(days=1))
        installation.start_workers(threads=2)
        drained(queue)
        c.projections.catch_up()
        closed = Counter(type(e).__name__ for e in events_of(c, "C1"))
        assert steps_executed(c, "C1") == Counter({("S-C1/1", 1): 1})  # no step 2 for the paid case
        assert closed["CaseClosedAsPaid"] == 1  # the case closes as paid instead
        assert steps_executed(c, "C2") == Counter() and "DunningCaseOpened" not in {
            type(e).__name__ for e in events_of(c, "C2")
        }
        assert steps_executed(c, "C3") == Counter({("S-C3/1", 1): 1, ("S-C3/1", 2): 1})  # the unpaid one goes on
        entries = {e.action_key: (e.status, e.attempts) for e in c.outbox().list("ACQ")}
        letter = "ACQ/C3/S-C3/1/2"
        assert entries == {sms_of("C1"): (SENT, 1), sms_of("C3"): (SENT, 1), letter: (SENT, 1)}
        assert files_in(installation.channel_dir) == Counter({sms_of("C1"): 1, sms_of("C3"): 1, letter: 1})
        assert installation.sends_logged() == Counter({letter: 1})
