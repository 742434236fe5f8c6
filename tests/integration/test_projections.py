"""Read models on SQLite and PostgreSQL: views equal the aggregates; exactly once; crash, resume, rebuild."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from creditbox.application.records import BillRecord, CustomerRecord, SupplyRecord
from creditbox.bootstrap import Container
from creditbox.clock import FixedClock
from creditbox.domain.codes import CustomerType, Service, SupplyStatus, SupplyType
from creditbox.domain.documents import SupplyDetails
from creditbox.domain.ids import position_id
from creditbox.domain.position import Position
from creditbox.projections.framework import Batch
from creditbox.projections.runner import ProjectionFailed
from creditbox.projections.schema import audit_trail, cases, open_items, positions, supplies, worklist
from tests.builders import details
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
        query = select(audit_trail.c.notification_id, audit_trail.c.event).order_by(audit_trail.c.notification_id)
        trail = conn.execute(query).all()
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
    batch = Batch(runner.decode(again), runner.states, as_of=END, lookups=runner.lookups)
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


# ---- supplies and contacts (kept by the positions projection) --------------------------------

CONTACTS = ("fiscal_code", "vat_number", "email", "pec", "mobile", "address", "postcode", "city", "province")


def _supply_and_contact_changes(container: Container, clock: FixedClock, *, catch_up_each_step: bool) -> None:
    """After the scripted history, the billing system reports supply changes and new contacts: C3's
    supply suspended (with its meter and address), then terminated; C1 takes a gas supply; C6 sends
    its PEC and address, C5 drops its e-mail."""
    ingest = container.ingestor().ingest
    clock.set(date(2026, 4, 10))
    ingest(
        "ACQ",
        [
            SupplyRecord(
                "C3",
                SupplyDetails(
                    "S-C3", Service.WATER, SupplyType.SUSPENDABLE, SupplyStatus.SUSPENDED, "M-77", "Via Po 3"
                ),
            ),
            SupplyRecord("C1", SupplyDetails("S-C1-GAS", Service.GAS, SupplyType.NON_SUSPENDABLE, meter="PDR-1")),
            BillRecord("BG-C1", "C1", "S-C1-GAS", date(2026, 3, 1), date(2026, 3, 31), Decimal("45.00")),
            CustomerRecord(
                "C6",
                details(
                    name="Cliente C6",
                    customer_type=CustomerType.NON_DOMESTIC,
                    mobile="3330000000",
                    vat_number="01234567890",
                    pec="c6@pec.it",
                    address="Corso Italia 1",
                    postcode="10100",
                    city="Torino",
                    province="TO",
                ),
            ),
            CustomerRecord("C5", details(name="Cliente C5", mobile="3330000000")),
        ],
        by="test",
    )
    if catch_up_each_step:
        container.projections.catch_up()
    ingest(
        "ACQ",
        [
            SupplyRecord(
                "C3",
                SupplyDetails(
                    "S-C3", Service.WATER, SupplyType.SUSPENDABLE, SupplyStatus.TERMINATED, "M-77", "Via Po 3"
                ),
            )
        ],
        by="test",
    )
    if catch_up_each_step:
        container.projections.catch_up()


SUPPLY_COLUMNS = ("supply_code", "company", "customer_code", "service", "supply_type", "status", "meter", "address")


def _supplies_and_contacts(container: Container) -> dict[str, Any]:
    """Per customer: its rm_supplies rows (by supply code) and the contact columns of its rm_positions row."""
    stored = {}
    with container.projections.connect() as conn:
        for code in CUSTOMERS:
            rows = conn.execute(
                select(*(supplies.c[name] for name in SUPPLY_COLUMNS))
                .where(supplies.c.position_id == str(_position(container, code).id))
                .order_by(supplies.c.supply_code)
            )
            contacts = conn.execute(
                select(*(positions.c[name] for name in CONTACTS)).where(positions.c.customer_code == code)
            ).one()
            stored[code] = ([tuple(r) for r in rows], tuple(contacts))
    return stored


def _expected(container: Container, code: str) -> tuple[list[tuple[Any, ...]], tuple[Any, ...]]:
    position = _position(container, code)
    rows = [
        (s.code, "ACQ", code, s.service.code, s.supply_type.code, s.status.code, s.meter, s.address)
        for s in sorted(position.supplies.values(), key=lambda s: s.code)
    ]
    return rows, tuple(getattr(position.details, name) for name in CONTACTS)


def test_supplies_and_contacts_equal_the_aggregates_after_status_changes(
    container: Container, clock: FixedClock
) -> None:
    run_history(container, clock)
    _supply_and_contact_changes(container, clock, catch_up_each_step=True)
    stored = _supplies_and_contacts(container)
    for code in CUSTOMERS:
        assert stored[code] == _expected(container, code), code
    assert stored["C3"][0] == [("S-C3", "ACQ", "C3", 1, 1, SupplyStatus.TERMINATED.code, "M-77", "Via Po 3")]
    assert [r[0] for r in stored["C1"][0]] == ["S-C1", "S-C1-GAS"]
    assert stored["C6"][1] == (
        None,
        "01234567890",
        None,
        "c6@pec.it",
        "3330000000",
        "Corso Italia 1",
        "10100",
        "Torino",
        "TO",
    )
    assert stored["C5"][1][2] is None  # the e-mail sent before was dropped
    with container.projections.connect() as conn:
        assert conn.scalar(select(positions.c.supplies).where(positions.c.customer_code == "C1")) == 2
        followed = dump(conn)
    container.projections.rebuild()
    with container.projections.connect() as conn:
        assert dump(conn) == followed


def test_supplies_survive_a_positions_crash_mid_batch_and_a_cold_restart(
    container: Container, clock: FixedClock
) -> None:
    run_history(container, clock, catch_up_each_step=False)
    _supply_and_contact_changes(container, clock, catch_up_each_step=False)
    container.projections.catch_up()
    with container.projections.connect() as conn:
        reference = dump(conn)
    assert reference["rm_supplies"]
    crashed = []

    def crash(name: str, batch: Batch) -> None:
        """Kills the positions projection in the batch holding the first supply status change."""
        changed = any(type(i.event).__name__ == "SupplyDetailsChanged" for i in batch.items)
        if name == "positions" and changed and not crashed:
            crashed.append(batch.first_id)
            raise RuntimeError("killed mid-batch")

    restarted = container.projections.runner(batch_size=7)
    restarted.reset()
    restarted.before_commit = crash
    with pytest.raises(ProjectionFailed) as failed:
        restarted.catch_up()
    assert set(failed.value.failures) == {"positions"} and crashed
    fresh = container.projections.runner(batch_size=7)
    fresh.states.clear()
    fresh.catch_up()
    with container.projections.connect() as conn:
        assert dump(conn) == reference
