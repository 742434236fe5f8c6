"""Read models on SQLite and PostgreSQL: views equal the aggregates; exactly once; crash, resume, rebuild."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from creditbox.bootstrap import Container
from creditbox.clock import FixedClock
from creditbox.domain.ids import position_id
from creditbox.domain.position import Position
from creditbox.projections.framework import Batch
from creditbox.projections.runner import ProjectionFailed
from creditbox.projections.schema import audit_trail, cases, open_items, positions, worklist
from tests.integration.projection_history import END, dump, run_history

CUSTOMERS = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "G1"]


def _position(container: Container, code: str) -> Position:
    position = container.app.repository.get(position_id("ACQ", code))
    assert isinstance(position, Position)
    return position


def test_after_a_scripted_history_every_view_equals_what_the_aggregates_say(
    container: Container, clock: FixedClock
) -> None:
    run_history(container, clock)
    with container.projections.connect() as conn:
        for code in CUSTOMERS:
            position = _position(container, code)
            pid = str(position.id)
            row = conn.execute(select(positions).where(positions.c.position_id == pid)).one()._mapping
            assert row["balance"] == position.balance()
            assert row["overdue"] == position.overdue(END)
            assert row["name"] == position.details.name
            assert row["version"] == position.version
            items = position.open_items()
            assert row["oldest_due_date"] == min((i.due_date for i in items), default=None)
            assert row["open_cases"] == sum(1 for c in position.dunning.cases.values() if c.is_open)
            stored = conn.execute(
                select(open_items.c.bill_number, open_items.c.residual, open_items.c.due_date)
                .where(open_items.c.position_id == pid)
                .order_by(open_items.c.due_date, open_items.c.bill_number)
            ).all()
            assert [tuple(r) for r in stored] == [(i.bill_number, i.residual, i.due_date) for i in items]
            case_rows = conn.execute(select(cases.c.supply_code, cases.c.status).where(cases.c.position_id == pid))
            assert sorted(tuple(r) for r in case_rows) == sorted(
                (c.supply_code, c.status.value) for c in position.dunning.cases.values()
            )
        kinds = {(r.customer_code, r.kind) for r in conn.execute(select(worklist.c.customer_code, worklist.c.kind))}
        trail = conn.execute(select(audit_trail.c.notification_id, audit_trail.c.event)).all()
    assert ("C1", "failed_delivery") in kinds  # the A/R came back
    assert ("C2", "proposal") in kinds  # delivered: the technical-office step waits for an operator
    assert ("C3", "missing_contact") in kinds  # no mobile for the SMS
    assert not any(code == "C4" for code, _ in kinds)  # paid: case closed
    head = container.app.recorder.max_notification_id()
    logged = container.app.recorder.select_notifications(start=1, limit=head or 1)
    assert [n for n, _ in trail] == [n.id for n in logged]
    assert [e for _, e in trail] == [n.topic.rsplit(".", 1)[-1] for n in logged]


def test_following_step_by_step_and_rebuilding_from_zero_give_identical_tables(
    container: Container, clock: FixedClock
) -> None:
    run_history(container, clock, catch_up_each_step=True)
    with container.projections.connect() as conn:
        followed = dump(conn)
    assert followed["rm_positions"] and followed["rm_cases"] and followed["rm_worklist"] and followed["rm_upcoming"]
    container.projections.rebuild()
    with container.projections.connect() as conn:
        assert dump(conn) == followed


def test_a_projection_killed_mid_batch_resumes_to_identical_tables(container: Container, clock: FixedClock) -> None:
    run_history(container, clock, catch_up_each_step=False)
    runner = container.projections.runner(batch_size=7)
    runner.catch_up()
    with container.projections.connect() as conn:
        reference = dump(conn)
    calls = {"n": 0}

    def crash(name: str, batch: Batch) -> None:
        if name == "cases":
            calls["n"] += 1
            if calls["n"] == 3:
                raise RuntimeError("killed mid-batch")

    restarted = container.projections.runner(batch_size=7)
    restarted.reset()
    restarted.before_commit = crash
    with pytest.raises(ProjectionFailed) as failed:
        restarted.catch_up()
    assert set(failed.value.failures) == {"cases"}
    stuck = {s.name: s.position for s in restarted.status()}
    assert 0 < stuck["cases"] < stuck["positions"] == restarted.head()
    restarted.before_commit = None
    fresh = container.projections.runner(batch_size=7)  # a new process: cold cache
    fresh.states.clear()
    fresh.catch_up()
    with container.projections.connect() as conn:
        assert dump(conn) == reference


def test_the_same_notifications_fed_twice_change_nothing(container: Container, clock: FixedClock) -> None:
    run_history(container, clock, catch_up_each_step=False)
    container.projections.catch_up()
    with container.projections.connect() as conn:
        before = dump(conn)
    runner = container.projections.all
    head = runner.head()
    again = container.app.recorder.select_notifications(start=head - 19, limit=20)
    runner.process(again)
    runner.process(again)
    with container.projections.connect() as conn:
        assert dump(conn) == before
    # Past the tracking guard, the projections' writes are idempotent too: the last batch applied
    # again rewrites the same rows (views are rewritten from the state after the batch).
    batch = Batch(runner._decode(again), runner.states, as_of=END, lookups=runner.lookups)
    with container.projections.engine.begin() as conn:
        for projection in runner.projections:
            projection.apply(batch, conn)
    with container.projections.connect() as conn:
        assert dump(conn) == before


def test_overdue_is_revalued_when_the_business_date_moves(container: Container, clock: FixedClock) -> None:
    run_history(container, clock)
    later = date(2026, 6, 10)  # C7's bill (due 31/05) is now overdue
    clock.set(later)
    container.projections.catch_up()

    def overdue_of(code: str) -> Any:
        with container.projections.connect() as conn:
            return conn.scalar(select(positions.c.overdue).where(positions.c.customer_code == code))

    assert overdue_of("C7") == _position(container, "C7").overdue(later) > 0
    with container.projections.connect() as conn:
        moved = dump(conn)
    container.projections.rebuild()
    with container.projections.connect() as conn:
        assert dump(conn) == moved
