"""A poison event never halts the group: it is quarantined, the other companies stay current, and a
retry after the fix catches its position up (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from creditbox.application.records import BillRecord, PaymentRecord, Record
from creditbox.bootstrap import Container
from creditbox.clock import FixedClock
from creditbox.domain.ids import position_id
from creditbox.domain.position import Position
from creditbox.domain.position_events import BillIssued
from creditbox.projections.queries.ageing import ageing_summary
from creditbox.projections.queries.positions import PositionFilters, list_positions
from creditbox.projections.queries.worklists import worklist_counts
from creditbox.projections.schema import cases, open_items, positions
from tests.integration.fragile_projections import FragileOpenItems, use_projections
from tests.integration.projection_history import BY, customer, dump

A, B = "ACQ", "GAS"
PREFIX = {A: "A", B: "B"}
TODAY = date(2026, 3, 2)


def bill(code: str, number: str, amount: str, due: date = date(2026, 1, 31)) -> BillRecord:
    return BillRecord(number, code, f"S-{code}", due.replace(day=1), due, Decimal(amount))


def position(container: Container, company: str, code: str) -> Position:
    found = container.app.repository.get(position_id(company, code))
    assert isinstance(found, Position)
    return found


def poison(container: Container, company: str, code: str, number: str = "BX") -> None:
    """A bill issued 01/12/9999, due 31/12/9999, stored as code older than the date bounds stored it.

    The domain refuses such a date now, so the event is recorded below its check: the read side must
    stand whatever the store holds.
    """
    target = position(container, company, code)
    target.trigger_event(
        BillIssued,
        by=BY,
        number=number,
        supply_code=f"S-{code}",
        issue_date=date(9999, 12, 1),
        due_date=date(9999, 12, 31),
        amount=Decimal("100.00"),
    )
    container.app.save(target)


def stored_items(container: Container, company: str, code: str) -> list[tuple[str, Decimal, date]]:
    pid = str(position_id(company, code))
    o = open_items.c
    with container.projections.connect() as conn:
        rows = conn.execute(
            select(o.bill_number, o.residual, o.prescription_date).where(o.position_id == pid).order_by(o.bill_number)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def expected_items(container: Container, company: str, code: str) -> list[tuple[str, Decimal, date]]:
    from creditbox.projections.position_rows import prescription_date

    items = position(container, company, code).open_items()
    return sorted((i.bill_number, i.residual, prescription_date(i.due_date)) for i in items)


@pytest.fixture
def fragile(monkeypatch: pytest.MonkeyPatch) -> type[FragileOpenItems]:
    monkeypatch.setattr(FragileOpenItems, "fixed", False)
    use_projections(monkeypatch, FragileOpenItems())
    return FragileOpenItems


@pytest.fixture
def group(fragile: type[FragileOpenItems], container: Container, clock: FixedClock) -> Container:
    """Two companies with two customers each, caught up; open_items is the fragile one."""
    assert isinstance(next(p for p in container.projections.all.projections if p.name == "open_items"), fragile)
    for company in (A, B):
        container.companies.register(company, f"Azienda {company}", by=BY)
        records: list[Record] = []
        for n in (1, 2):
            code = f"{PREFIX[company]}{n}"
            records += [*customer(code), bill(code, f"F-{code}", "120.00")]
        container.ingestor().ingest(company, records, by=BY)
    container.projections.catch_up()
    return container


def test_a_poison_event_is_quarantined_with_its_later_events_and_the_group_stays_current(
    group: Container, fragile: type[FragileOpenItems], clock: FixedClock
) -> None:
    container = group
    before_a1 = stored_items(container, A, "A1")
    # Given a poison event of company A's customer A1, and a later payment of A1 (held behind it)
    poison(container, A, "A1")
    container.ingestor().ingest(A, [PaymentRecord("PA1", "A1", date(2026, 2, 20), Decimal("50.00"))], by=BY)
    # and the rest of the group carrying on: A2 billed, B imports, pays, runs its dunning
    container.ingestor().ingest(A, [bill("A2", "F2-A2", "30.00")], by=BY)
    container.projections.catch_up()  # when it catches up: it does not raise
    container.ingestor().ingest(
        B,
        [bill("B1", "F2-B1", "80.00"), PaymentRecord("PB2", "B2", date(2026, 2, 25), Decimal("20.00"))],
        by=BY,
    )
    clock.set(TODAY)
    container.dunning().run_due(B, TODAY)
    container.projections.catch_up()

    # then the failed event and the one held behind it are in quarantine, with ids and the error
    status = {s.name: s for s in container.projections.status()}
    assert all(s.lag == 0 for s in status.values())  # every projection moved past them
    assert (status["open_items"].quarantined.failed, status["open_items"].quarantined.held) == (1, 1)
    assert all(s.quarantined.total == 0 for name, s in status.items() if name != "open_items")
    failed, held = container.projections.quarantined()
    assert (failed.company, failed.customer_code, failed.event) == (A, "A1", "BillIssued")
    assert failed.originator_id == str(position_id(A, "A1"))
    assert failed.held_behind is None and "ValueError" in failed.error and failed.attempts == 1
    assert (held.customer_code, held.event, held.held_behind) == ("A1", "PaymentReceived", failed.notification_id)
    # A1's rows stay as they were before the poison event (never built out of order)
    assert stored_items(container, A, "A1") == before_a1
    # every other position of every company is current: open items, cases, ageing, worklists
    for company, code in ((A, "A2"), (B, "B1"), (B, "B2")):
        assert stored_items(container, company, code) == expected_items(container, company, code)
    with container.projections.connect() as conn:
        ageing_b = ageing_summary(conn, B, TODAY)
        ageing_a = ageing_summary(conn, A, TODAY)
        b_cases = conn.execute(select(cases.c.customer_code).where(cases.c.company == B)).scalars().all()
        counts = worklist_counts(conn, B)
    owed_b = sum((i.residual for c in ("B1", "B2") for i in position(container, B, c).open_items()), Decimal(0))
    assert ageing_b.total == owed_b == Decimal("300.00")
    assert ageing_a.total == Decimal("270.00")  # A1 as before the poison (120) + A2 (150)
    assert sorted(b_cases) == sorted(
        code for code in ("B1", "B2") for _ in position(container, B, code).dunning.cases.values()
    )
    assert b_cases and isinstance(counts, dict)


def test_retry_applies_the_quarantined_events_after_the_fix_and_equals_a_rebuild(
    group: Container, fragile: type[FragileOpenItems]
) -> None:
    container = group
    poison(container, A, "A1")
    container.ingestor().ingest(A, [PaymentRecord("PA1", "A1", date(2026, 2, 20), Decimal("50.00"))], by=BY)
    container.projections.catch_up()
    # when retried before the fix: still in quarantine, the attempt counted, A1 unchanged
    outcome = container.projections.retry()
    assert (outcome.released, outcome.still) == ({}, {"open_items": 1})
    assert [q.attempts for q in container.projections.quarantined()] == [2, 2]
    # when retried after the fix: applied in order, released, A1 caught up
    fragile.fixed = True
    outcome = container.projections.retry()
    assert (outcome.released, outcome.still) == ({"open_items": 1}, {})
    assert container.projections.quarantined() == []
    assert stored_items(container, A, "A1") == expected_items(container, A, "A1")
    assert ("BX", Decimal("100.00"), date(9999, 12, 31)) in stored_items(container, A, "A1")
    # and a later event of A1 is applied normally (nothing held any more)
    container.ingestor().ingest(A, [PaymentRecord("PA2", "A1", date(2026, 2, 21), Decimal("10.00"))], by=BY)
    container.projections.catch_up()
    assert stored_items(container, A, "A1") == expected_items(container, A, "A1")
    with container.projections.connect() as conn:
        followed = dump(conn)
    container.projections.rebuild()
    with container.projections.connect() as conn:
        assert dump(conn) == followed


def test_a_rebuild_meets_the_poison_event_quarantines_it_and_keeps_every_other_row(
    group: Container, fragile: type[FragileOpenItems]
) -> None:
    container = group
    poison(container, B, "B2")
    container.projections.catch_up()
    container.projections.rebuild(["open_items"])
    assert [(q.company, q.customer_code) for q in container.projections.quarantined()] == [(B, "B2")]
    for company, code in ((A, "A1"), (A, "A2"), (B, "B1")):
        assert stored_items(container, company, code) == expected_items(container, company, code)
    # B2 rebuilt up to the event before the poison: its first bill, not the poison one
    assert [r[0] for r in stored_items(container, B, "B2")] == ["F-B2"]
    fragile.fixed = True
    assert container.projections.retry(["open_items"]).released == {"open_items": 1}
    assert stored_items(container, B, "B2") == expected_items(container, B, "B2")


def test_the_bill_dated_9999_goes_through_the_real_projections_without_quarantine(
    container: Container, clock: FixedClock
) -> None:
    container.companies.register(A, "Azienda A", by=BY)
    container.ingestor().ingest(A, [*customer("A1"), bill("A1", "F-A1", "120.00")], by=BY)
    poison(container, A, "A1")
    container.projections.catch_up()
    assert container.projections.quarantined() == []
    assert stored_items(container, A, "A1") == [
        ("BX", Decimal("100.00"), date(9999, 12, 31)),  # due 31/12/9999 + 2 years: the end of the calendar
        ("F-A1", Decimal("120.00"), date(2028, 1, 31)),
    ]
    with container.projections.connect() as conn:
        for as_of, window in ((TODAY, 60), (date(9999, 12, 31), 10**12), (date(1, 1, 1), -(10**12))):
            summary = ageing_summary(conn, A, as_of, window_days=window)
            assert summary.total == Decimal("220.00")
        old_debt = PositionFilters(days_overdue_min=10**12)
        any_age = PositionFilters(days_overdue_min=-(10**12), days_overdue_max=10**12)
        assert list_positions(conn, A, old_debt, as_of=TODAY).items == []
        assert [p.customer_code for p in list_positions(conn, A, any_age, as_of=date.max).items] == ["A1"]


def corrupt(container: Container, notification_id: int, state: bytes) -> bytes:
    """Overwrite the stored body of one event (as a faulty disk or tool might); returns the old one."""
    recorder = container.app.recorder
    table = recorder.events_table_name  # type: ignore[attr-defined]
    with container.projections.engine.begin() as conn:
        nid = "rowid" if conn.dialect.name == "sqlite" else "notification_id"  # how each store numbers the log
        old = conn.execute(text(f"SELECT state FROM {table} WHERE {nid} = :nid"), {"nid": notification_id}).scalar_one()
        conn.execute(
            text(f"UPDATE {table} SET state = :state WHERE {nid} = :nid"), {"state": state, "nid": notification_id}
        )
    return bytes(old)


def test_an_event_that_does_not_decode_is_quarantined_in_every_projection_and_retried_once_readable(
    container: Container,
) -> None:
    for company in (A, B):
        container.companies.register(company, f"Azienda {company}", by=BY)
        code = f"{PREFIX[company]}1"
        container.ingestor().ingest(company, [*customer(code), bill(code, f"F-{code}", "120.00")], by=BY)
    container.projections.catch_up()
    container.ingestor().ingest(A, [bill("A1", "F2-A1", "10.00")], by=BY)
    container.ingestor().ingest(A, [PaymentRecord("PA1", "A1", date(2026, 2, 20), Decimal("5.00"))], by=BY)
    container.ingestor().ingest(B, [bill("B1", "F2-B1", "80.00")], by=BY)
    logged = container.app.recorder.select_notifications(start=1, limit=10_000)
    bad, after = [n.id for n in logged if n.originator_id == position_id(A, "A1")][-2:]  # A1's second bill, payment
    original = corrupt(container, bad, b"{not json")
    container.projections.catch_up()
    status = {s.name: s for s in container.projections.status()}
    assert all(s.lag == 0 for s in status.values())
    quarantined = container.projections.quarantined()
    assert {q.projection for q in quarantined} == set(status)  # every projection: none could read it
    assert all(q.customer_code == "A1" for q in quarantined)
    assert {(q.notification_id, q.held_behind) for q in quarantined} == {(bad, None), (after, bad)}
    assert stored_items(container, B, "B1") == expected_items(container, B, "B1")
    corrupt(container, bad, original)
    outcome = container.projections.retry()
    assert outcome.still == {} and sum(outcome.released.values()) == len(status)
    assert stored_items(container, A, "A1") == expected_items(container, A, "A1")
    with container.projections.connect() as conn:
        followed = dump(conn)
    container.projections.rebuild()
    with container.projections.connect() as conn:
        assert dump(conn) == followed


def test_a_position_whose_history_no_longer_reads_keeps_its_valuation_and_the_others_are_revalued(
    container: Container, clock: FixedClock
) -> None:
    due = date(2026, 3, 10)  # not yet due on 02/03
    for company in (A, B):
        container.companies.register(company, f"Azienda {company}", by=BY)
        code = f"{PREFIX[company]}1"
        container.ingestor().ingest(company, [*customer(code), bill(code, f"F-{code}", "120.00", due)], by=BY)
    container.projections.catch_up()
    logged = container.app.recorder.select_notifications(start=1, limit=10_000)
    corrupt(container, [n.id for n in logged if n.originator_id == position_id(A, "A1")][-1], b"{not json")
    container.projections.states.clear()  # as in a new process: states are read from the store
    clock.set(date(2026, 3, 20))
    container.projections.catch_up()
    with container.projections.connect() as conn:
        overdue = dict(conn.execute(select(positions.c.customer_code, positions.c.overdue)).all())
    assert overdue == {"A1": Decimal("0.00"), "B1": Decimal("120.00")}
    assert {s.name: s.as_of for s in container.projections.status()}["positions"] == date(2026, 3, 20)
