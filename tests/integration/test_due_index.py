"""The due index (durable timers) on SQLite and PostgreSQL: kept by its projection from the positions'
state, claimed with leases (two schedulers at once never get the same row), and the scheduler that
runs what is due — a tick looks only at the positions due."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from sqlalchemy import select, update

from creditbox.application.ports import Rescheduled
from creditbox.application.records import BillRecord, CustomerRecord, PaymentRecord, SupplyRecord
from creditbox.application.scheduler import InlineQueue
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.company import CompanySettings
from creditbox.domain.ids import position_id
from creditbox.projections.schema import due_index
from creditbox.settings import Settings
from tests.builders import details, supply

DUE = date(2026, 1, 31)
GRACE = CompanySettings().grace_period_days
OPENING = DUE + timedelta(days=GRACE)


def _customers(c: Container, count: int, *, start: int = 0, due: date = DUE) -> None:
    records: list[object] = []
    for n in range(start, start + count):
        code = f"C{n}"
        records += [
            CustomerRecord(code, details(mobile="3331234567", address="Via Roma 1", postcode="00184", city="Roma")),
            SupplyRecord(code, supply(f"S-{code}")),
            BillRecord(f"B-{code}", code, f"S-{code}", due - timedelta(days=30), due, Decimal("120.00")),
        ]
    c.ingestor().ingest("ACQ", records, by="test")


def _rows(c: Container) -> dict[str, tuple[date | None, str | None]]:
    c.projections.catch_up()
    with c.projections.connect() as conn:
        found = conn.execute(select(due_index.c.customer_code, due_index.c.wake_on, due_index.c.claimed_by)).all()
    return {row.customer_code: (row.wake_on, row.claimed_by) for row in found}


def test_each_position_gets_its_wake_up_and_a_payment_cancels_it(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    _customers(container, 2)
    assert _rows(container) == {"C0": (OPENING, None), "C1": (OPENING, None)}
    container.ingestor().ingest("ACQ", [PaymentRecord("P1", "C1", DUE, Decimal("120.00"))], by="test")
    assert _rows(container)["C1"] == (None, None)


def test_a_tick_runs_only_the_positions_due_and_writes_their_next_wake_up(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    _customers(container, 3)
    _customers(container, 2, start=3, due=DUE + timedelta(days=20))  # due later: not yet
    report = container.dunning().run_due("ACQ", OPENING)
    assert report.positions == 3
    assert report.events["DunningCaseOpened"] == 3
    rows = _rows(container)
    assert all(rows[f"C{n}"][0] is not None and rows[f"C{n}"][0] > OPENING for n in range(3))  # type: ignore[operator]
    assert rows["C3"] == (OPENING + timedelta(days=20), None)
    # Nothing due the next day: the tick looks at no position.
    assert container.dunning().run_due("ACQ", OPENING + timedelta(days=1)).positions == 0


def test_a_settings_change_makes_every_position_of_the_company_due(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    _customers(container, 2)
    assert {wake for wake, _ in _rows(container).values()} == {OPENING}
    container.company_settings().change("ACQ", {"grace_period_days": GRACE + 30}, by="test")
    rows = _rows(container)
    assert {wake for wake, _ in rows.values()} == {date(1, 1, 1)}
    # Run once with the new settings: the exact wake-up is written back.
    report = container.dunning().run_due("ACQ", OPENING)
    assert report.positions == 2 and report.event_count == 0
    assert {wake for wake, _ in _rows(container).values()} == {DUE + timedelta(days=GRACE + 30)}


def test_claims_are_leases_released_or_done(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    _customers(container, 3)
    container.projections.catch_up()
    due = container.due_index()
    first = due.claim(OPENING, 2, 60, "a")
    assert len(first) == 2 and {w.business_date for w in first} == {OPENING}
    second = due.claim(OPENING, 10, 60, "b")
    assert len(second) == 1 and second[0].position_id not in {w.position_id for w in first}
    assert due.claim(OPENING, 10, 60, "c") == []
    due.release([first[0].position_id])
    assert [w.position_id for w in due.claim(OPENING, 10, 60, "c")] == [first[0].position_id]
    # An expired lease can be claimed again.
    assert isinstance(container.clock, FixedClock)
    container.clock.advance(seconds=61)
    assert len(due.claim(OPENING, 10, 60, "d")) == 3
    assert due.count_due(OPENING, company="ACQ") == 3


def test_two_schedulers_at_once_never_claim_the_same_position(container: Container, database_url: str) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    _customers(container, 200)
    container.projections.catch_up()
    claimed: dict[str, list[UUID]] = {"a": [], "b": []}
    barrier = threading.Barrier(2)

    def claim(name: str) -> None:
        with bootstrap(Settings(database_url=database_url), clock=FixedClock(OPENING)) as other:
            due = other.due_index()
            barrier.wait()
            while batch := due.claim(OPENING, 7, 600, name):
                claimed[name] += [w.position_id for w in batch]

    threads = [threading.Thread(target=claim, args=(name,)) for name in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    together = claimed["a"] + claimed["b"]
    assert len(together) == 200
    assert len(set(together)) == 200


def test_the_scheduler_runs_what_is_due_once(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    _customers(container, 4)
    queue = InlineQueue(container.dunning())
    scheduler = container.scheduler(queue=queue)
    report = scheduler.run_once(OPENING)
    assert report.claimed == 4 and report.by_company == {"ACQ": 4}
    assert queue.events()["DunningCaseOpened"] == 4
    again = scheduler.run_once(OPENING)
    assert again.claimed == 0


def test_a_position_claimed_by_a_dead_scheduler_runs_once_its_lease_expires(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    _customers(container, 1)
    container.projections.catch_up()
    container.due_index().claim(OPENING, 10, 120, "dead")
    assert container.dunning().run_due("ACQ", OPENING).positions == 0
    assert isinstance(container.clock, FixedClock)
    container.clock.advance(seconds=121)
    assert container.dunning().run_due("ACQ", OPENING).events["DunningCaseOpened"] == 1


def test_done_never_goes_back_to_an_older_version(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    _customers(container, 1)
    container.projections.catch_up()
    pid = position_id("ACQ", "C0")
    with container.projections.engine.begin() as conn:
        conn.execute(update(due_index).where(due_index.c.position_id == str(pid)).values(version=99))
    container.due_index().done([Rescheduled(pid, 5, None, OPENING)])
    with container.projections.connect() as conn:
        row = conn.execute(select(due_index).where(due_index.c.position_id == str(pid))).one()
    assert row.wake_on == OPENING and row.version == 99 and row.checked_through == OPENING


def test_two_schedulers_running_at_once_run_each_due_position_once(container: Container, database_url: str) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    _customers(container, 60)
    container.projections.catch_up()
    claimed: dict[str, int] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def scheduler(name: str) -> None:
        try:
            settings = Settings(database_url=database_url, scheduler_chunk_size=5)
            with bootstrap(settings, clock=FixedClock(OPENING)) as other:
                barrier.wait()
                claimed[name] = other.scheduler().run_once(OPENING).claimed
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=scheduler, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert claimed["a"] + claimed["b"] == 60
    for n in range(60):
        events = [type(e).__name__ for e in container.app.repository.event_store.get(position_id("ACQ", f"C{n}"))]
        assert events.count("DunningCaseOpened") == 1 and events.count("StepExecuted") == 1
