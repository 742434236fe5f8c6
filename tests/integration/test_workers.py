"""The actors on the in-process broker (Dramatiq's stub broker, worker threads in this process), on a
real Redis and on a real RabbitMQ (worker processes started with ``dramatiq creditbox.workers.actors``).

A position runs through its ladder only through the workers: ``run_position`` for each business date,
then ``send_action`` for each action the outbox hands out, every message written by the file channel.
Redis and RabbitMQ missing fail the test when ``CI=true`` (else they are required all the same:
these tests never skip).
"""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from creditbox.application.ports import SENT, DueWork
from creditbox.application.records import BillRecord, CustomerRecord, SupplyRecord
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.ids import position_id
from creditbox.infrastructure.channels.files import FileChannel
from creditbox.settings import Settings
from creditbox.workers.broker import Queues, make_broker
from creditbox.workers.queue import DramatiqQueue
from tests.builders import details, supply
from tests.integration.brokers import (
    amqp_test_url,
    forget_amqp_queues,
    forget_redis_queues,
    redis_test_url,
    require,
    start_workers,
    stop,
    unique_prefix,
    wait_for,
)

pytestmark = pytest.mark.cli_or_api  # one storage (SQLite): the brokers are what these tests are about

DUE = date(2026, 1, 31)


def _given_customers(c: Container, customers: list[str]) -> None:
    c.companies.register("ACQ", "Acque", by="test")
    records: list[object] = []
    for code in customers:
        records += [
            CustomerRecord(
                code,
                details(
                    mobile="3331234567",
                    email=f"{code.lower()}@example.it",
                    address="Via Roma 1",
                    postcode="00184",
                    city="Roma",
                ),
            ),
            SupplyRecord(code, supply(f"S-{code}")),
            BillRecord(f"B-{code}", code, f"S-{code}", date(2026, 1, 1), DUE, Decimal("120.00")),
        ]
    c.ingestor().ingest("ACQ", records, by="test")  # type: ignore[arg-type]
    c.projections.catch_up()


def _work(customers: list[str], day: date) -> list[DueWork]:
    return [DueWork("ACQ", position_id("ACQ", code), day) for code in customers]


@pytest.mark.today(date(2026, 6, 30))
def test_a_ladder_runs_on_the_in_process_broker(tmp_path: Path, clock: FixedClock) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}", channel_dir=str(tmp_path / "canali"))
    customers = ["C1", "C2"]
    with bootstrap(settings, clock=clock) as c:
        _given_customers(c, customers)
        queue = c.work_queue()
        assert isinstance(queue, DramatiqQueue)
        day = date(2026, 2, 10)
        while day <= date(2026, 6, 30):
            queue.run_positions(_work(customers, day))
            queue.run_positions(_work(customers, day))  # a message delivered twice: nothing more happens
            queue.wait()
            day += timedelta(days=5)
        entries = c.outbox().list("ACQ")
        assert len(entries) >= 4 and {e.status for e in entries} == {SENT}
        assert all(e.attempts == 1 for e in entries)  # none sent twice
        channel = c.channel()
        assert isinstance(channel, FileChannel)
        written = [
            key
            for ch in ("sms", "email", "lettera", "raccomandata", "pec", "agenzia", "ufficio_tecnico")
            for key in channel.messages("ACQ", ch)
        ]
        assert sorted(written) == sorted(e.action_key for e in entries)
        assert {e.channel for e in entries} >= {"sms", "raccomandata"}


# ---- real brokers -----------------------------------------------------------------------------


@pytest.fixture
def redis_url() -> str:
    return require(redis_test_url(), 6379, "Redis")


@pytest.fixture
def amqp_url() -> str:
    return require(amqp_test_url(), 5672, "RabbitMQ")


@pytest.fixture
def prefix() -> str:
    """Queue names of this run only, so runs at once never take each other's messages."""
    return unique_prefix()


def _ladder_through_worker_processes(
    broker_url: str, tmp_path: Path, prefix: str, stop_workers: list[subprocess.Popen[bytes]], days: list[date]
) -> Container:
    # The worker processes read the real clock: the business dates travel with the messages.
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}", channel_dir=str(tmp_path / "canali"))
    c = bootstrap(settings, clock=FixedClock(days[-1]))
    customers = ["C1"]
    _given_customers(c, customers)
    stop_workers.append(start_workers(broker_url, settings.database_url, settings.channel_dir, prefix))
    queue = DramatiqQueue(make_broker(broker_url), Queues(prefix))
    for executed, day in enumerate(days, start=1):
        queue.run_positions(_work(customers, day))
        wait_for(lambda n=executed: len([e for e in c.outbox().list("ACQ") if e.status == SENT]) >= n, 60)
    return c


def test_the_workers_run_a_ladder_on_redis(
    redis_url: str, tmp_path: Path, prefix: str, stop_workers: list[subprocess.Popen[bytes]]
) -> None:
    days = [date(2026, 2, 10), date(2026, 2, 25)]  # the SMS, then the registered letter
    c = _ladder_through_worker_processes(redis_url, tmp_path, prefix, stop_workers, days)
    with c:
        entries = c.outbox().list("ACQ")
        assert [(e.seq, e.channel, e.status, e.attempts) for e in entries] == [
            (1, "sms", SENT, 1),
            (2, "raccomandata", SENT, 1),
        ]
    forget_redis_queues(redis_url, prefix)  # only this run's queues


def test_the_workers_run_a_step_on_rabbitmq(
    amqp_url: str, tmp_path: Path, prefix: str, stop_workers: list[subprocess.Popen[bytes]]
) -> None:
    c = _ladder_through_worker_processes(amqp_url, tmp_path, prefix, stop_workers, [date(2026, 2, 10)])
    with c:
        for process in stop_workers:
            stop(process)
        forget_amqp_queues(amqp_url, Queues(prefix).all())  # only this run's queues
        [entry] = c.outbox().list("ACQ")
        assert (entry.action_key, entry.status, entry.attempts) == ("ACQ/C1/S-C1/1/1", SENT, 1)
        channel = c.channel()
        assert isinstance(channel, FileChannel) and channel.messages("ACQ", "sms") == ["ACQ/C1/S-C1/1/1"]
