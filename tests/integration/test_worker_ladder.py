"""A whole ladder, from the first reminder to the collection agency, run only by the scheduler and
the workers while the business date advances one day at a time — on the in-process broker, on a real
Redis and on a real RabbitMQ (worker processes ``dramatiq creditbox.workers.actors``), the events and
the read models on PostgreSQL.

The ladder is the standard table's ``ACQUA-DOMESTICI`` (a domestic water customer): SMS, registered
letter (A/R), limitation then suspension requested from the technical office (proposals: an operator
confirms, a supervisor approves), and step 5, the collection agency. Every day is one scheduler round
(``Scheduler.run_once``: claim what is due, hand it to the workers, relay the outbox); once the workers
are done, the world outside answers as a person or a channel would, through ``CaseCommands``: the
post office delivers the letter, the technical office answers, and on Fridays the operator and the
supervisor work their worklist. Suspensions are never requested on a Friday or a Saturday, so an
approval given on Friday is carried out by a later round — every ``StepExecuted`` is the workers'
(recorded by ``scheduler``), none is run by a command, a tick or ``run_due``.

Each action must end as one outbox entry ``sent`` after one attempt and one file in its channel's
folder. Redis and RabbitMQ missing fail the test (never a skip).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from creditbox.application.dunning import SCHEDULER
from creditbox.application.ports import SENT
from creditbox.application.records import BillRecord, CustomerRecord, SupplyRecord
from creditbox.application.scheduler import Scheduler
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.codes import ActionCode
from creditbox.domain.ids import position_id
from creditbox.domain.position import Position
from creditbox.domain.workflow.cases import StepStatus
from creditbox.domain.workflow.outcomes import StepOutcome
from creditbox.infrastructure.channels.files import SUFFIX, action_key_of
from creditbox.projections.schema import due_index
from creditbox.settings import Settings
from creditbox.workers.broker import Queues, make_broker
from creditbox.workers.queue import DramatiqQueue
from tests.builders import details, supply
from tests.conftest import reset_postgres
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

COMPANY = "ACQ"
FIRST_DAY = date(2026, 2, 1)  # the bills fell due on 31/01; the case opens after the 10 days of grace
LAST_DAY = date(2026, 6, 30)
WORKERS = SCHEDULER  # who records what the workers run (``run_position``)

# The ladder ACQUA-DOMESTICI up to the agency, with the days the rounds carry each step out.
LADDER = [
    (1, ActionCode.SMS, date(2026, 2, 10)),  # due 31/01 + 10 days of grace
    (2, ActionCode.REGISTERED_LETTER, date(2026, 2, 15)),  # 5 days after the SMS
    (3, ActionCode.TECHNICAL_OFFICE, date(2026, 4, 7)),  # approved Fri 03/04; Easter; Tue 07/04
    (4, ActionCode.TECHNICAL_OFFICE, date(2026, 5, 10)),  # approved Fri 08/05; Sat forbidden; Sun 10/05
    (5, ActionCode.COLLECTION_AGENCY, date(2026, 6, 9)),  # 30 days after the suspension request
]
AGENCY = 5  # the agency's step in ACQUA-DOMESTICI (creditbox/data/standard-actions-table.csv)
ANSWER_AFTER = timedelta(days=2)  # the post office and the technical office answer two days after


def _given_customers(c: Container, customers: list[str]) -> None:
    c.companies.register(COMPANY, "Acque", by="test")
    records: list[object] = []
    for code in customers:
        records += [
            CustomerRecord(
                code,
                details(mobile="3331234567", address="Via Roma 1", postcode="00184", city="Roma", province="RM"),
            ),
            SupplyRecord(code, supply(f"S-{code}")),
            BillRecord(f"B-{code}", code, f"S-{code}", date(2026, 1, 1), date(2026, 1, 31), Decimal("120.00")),
        ]
    c.ingestor().ingest(COMPANY, records, by="test")  # type: ignore[arg-type]
    c.projections.catch_up()


@dataclass
class World:
    """The people and the outside offices, answering through ``CaseCommands`` between two rounds."""

    c: Container
    customers: list[str]

    def position(self, customer: str) -> Position:
        return self.c.dunning().load(COMPANY, customer)

    def answer(self, day: date) -> None:
        commands = self.c.case_commands()
        for customer in self.customers:
            position = self.position(customer)
            for case in position.dunning.cases.values():
                for step in case.steps:
                    if step.status != StepStatus.EXECUTED or step.outcomes or step.executed_on is None:
                        continue
                    if day < step.executed_on + ANSWER_AFTER:
                        continue
                    if step.action_code == ActionCode.REGISTERED_LETTER:
                        commands.record_outcome(
                            COMPANY, customer, case.case_id, step.seq, StepOutcome.DELIVERED, day, by="poste"
                        )
                    elif step.action_code == ActionCode.TECHNICAL_OFFICE:
                        # The office could not do it: the ladder goes on to the next step.
                        commands.record_outcome(
                            COMPANY, customer, case.case_id, step.seq, StepOutcome.NEGATIVE, day, by="ufficio tecnico"
                        )
                pending = case.pending_step
                if day.weekday() != 4 or not case.is_open or pending is None:
                    continue  # the worklists are worked on Fridays
                if pending.status == StepStatus.PROPOSED:
                    commands.confirm_proposal(COMPANY, customer, case.case_id, pending.seq, by="operatore")
                if pending.status in (StepStatus.PROPOSED, StepStatus.AWAITING_APPROVAL):
                    commands.approve_step(COMPANY, customer, case.case_id, pending.seq, 1, by="supervisore")

    def at_the_agency(self) -> bool:
        return all(
            any(s.seq == AGENCY and s.status == StepStatus.EXECUTED for c in p.dunning.cases.values() for s in c.steps)
            for p in map(self.position, self.customers)
        )

    def steps_executed(self, customer: str) -> list[tuple[int, ActionCode, date, str, str]]:
        """``(seq, action code, business date, by, action key)`` of each ``StepExecuted``, in order."""
        events = self.c.app.events_of(position_id(COMPANY, customer))
        return [
            (e.seq, e.action_code, e.business_date, e.by, e.action_id)
            for e in events
            if type(e).__name__ == "StepExecuted"
        ]


def run_ladder(
    c: Container, clock: FixedClock, scheduler: Scheduler, settle: Callable[[], None], customers: list[str]
) -> World:
    """One scheduler round a day, the workers left to finish, then the world answers; until every
    position is at the agency (or the last day)."""
    world = World(c, customers)
    day = FIRST_DAY
    while day <= LAST_DAY:
        clock.set(day)
        scheduler.run_once(day)
        settle()
        if world.at_the_agency():
            break
        world.answer(day)
        day += timedelta(days=1)
    return world


def assert_the_ladder_ran(world: World, channel_dir: Path) -> None:
    c = world.c
    executed: list[str] = []
    for customer in world.customers:
        steps = world.steps_executed(customer)
        assert [(seq, code, on) for seq, code, on, _, _ in steps] == LADDER
        assert {by for _, _, _, by, _ in steps} == {WORKERS}  # every step run by the workers, none by a command
        executed += [key for *_, key in steps]
    entries = c.outbox().list(COMPANY)
    assert sorted(e.action_key for e in entries) == sorted(executed)  # one entry per action
    assert {(e.status, e.attempts) for e in entries} == {(SENT, 1)}  # each sent once
    files = sorted(
        (path.parent.name, action_key_of(path.name)) for path in (channel_dir / COMPANY).glob(f"*/*{SUFFIX}")
    )
    assert files == sorted((e.channel, e.action_key) for e in entries)  # one file per action, in its channel
    assert {e.channel for e in entries} == {"sms", "raccomandata", "ufficio_tecnico", "agenzia"}


@pytest.fixture
def pg(postgres_url: str) -> str:
    reset_postgres(postgres_url)
    return postgres_url


# ---- the in-process broker ------------------------------------------------------------------------


def test_a_ladder_runs_to_the_agency_on_the_in_process_broker(pg: str, tmp_path: Path) -> None:
    channel_dir = tmp_path / "canali"
    clock = FixedClock(FIRST_DAY)
    customers = ["C1", "C2", "C3"]
    with bootstrap(Settings(database_url=pg, channel_dir=str(channel_dir)), clock=clock) as c:
        _given_customers(c, customers)
        queue = c.work_queue()
        assert isinstance(queue, DramatiqQueue)  # the actors, in worker threads of this process
        scheduler = c.scheduler(queue=queue, relay=c.outbox().relay)
        world = run_ladder(c, clock, scheduler, queue.wait, customers)
        assert_the_ladder_ran(world, channel_dir)


# ---- real brokers, real worker processes -----------------------------------------------------------


def _settled(c: Container) -> bool:
    """The workers are done with the round: no position claimed any more, and every action the
    events hold (the outbox caught up here) sent."""
    with c.projections.engine.connect() as conn:
        claimed = conn.execute(
            select(func.count()).select_from(due_index).where(due_index.c.claimed_by.is_not(None))
        ).scalar_one()
    if claimed:
        return False
    c.projections.catch_up()
    return all(e.status == SENT for e in c.outbox().list(COMPANY))


def _ladder_through_worker_processes(
    broker_url: str, pg: str, tmp_path: Path, prefix: str, started: list[subprocess.Popen[bytes]]
) -> None:
    channel_dir = tmp_path / "canali"
    clock = FixedClock(FIRST_DAY)
    customers = ["C1", "C2"]
    # The worker processes read the wall clock: the business date travels with every message.
    with bootstrap(Settings(database_url=pg, channel_dir=str(channel_dir)), clock=clock) as c:
        _given_customers(c, customers)
        started.append(start_workers(broker_url, pg, str(channel_dir), prefix))
        broker = make_broker(broker_url)
        try:
            scheduler = c.scheduler(queue=DramatiqQueue(broker, Queues(prefix)), relay=c.outbox().relay)
            world = run_ladder(c, clock, scheduler, lambda: wait_for(lambda: _settled(c), 60), customers)
            assert_the_ladder_ran(world, channel_dir)
        finally:
            broker.close()
            for process in started:
                stop(process)


def test_a_ladder_runs_to_the_agency_on_redis(
    pg: str, tmp_path: Path, stop_workers: list[subprocess.Popen[bytes]]
) -> None:
    url = require(redis_test_url(), 6379, "Redis")
    prefix = unique_prefix()
    try:
        _ladder_through_worker_processes(url, pg, tmp_path, prefix, stop_workers)
    finally:
        forget_redis_queues(url, prefix)


def test_a_ladder_runs_to_the_agency_on_rabbitmq(
    pg: str, tmp_path: Path, stop_workers: list[subprocess.Popen[bytes]]
) -> None:
    url = require(amqp_test_url(), 5672, "RabbitMQ")
    prefix = unique_prefix()
    try:
        _ladder_through_worker_processes(url, pg, tmp_path, prefix, stop_workers)
    finally:
        forget_amqp_queues(url, Queues(prefix).all())
