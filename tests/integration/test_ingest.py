"""Feeding records through the event store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from creditbox.application.records import BillRecord, CustomerRecord, Outcome, PaymentRecord, SupplyRecord
from creditbox.bootstrap import Container
from tests.builders import details, supply


def _records() -> list:
    return [
        CustomerRecord("C1", details()),
        SupplyRecord("C1", supply("S1")),
        BillRecord("B1", "C1", "S1", date(2026, 1, 1), date(2026, 1, 31), Decimal("100.00")),
        PaymentRecord("P1", "C1", date(2026, 2, 5), Decimal("40.00")),
    ]


def test_records_become_a_position_that_reads_back(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    report = container.ingestor().ingest("ACQ", _records(), by="test")
    assert [r.outcome for r in report.results] == [Outcome.ACCEPTED] * 4
    summary = container.positions.summary("ACQ", "C1", date(2026, 3, 1))
    assert summary.balance == Decimal("60.00")
    assert summary.overdue == Decimal("60.00")


def test_the_same_records_twice_add_no_event(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    container.ingestor().ingest("ACQ", _records(), by="test")
    before = container.app.recorder.max_notification_id()
    report = container.ingestor().ingest("ACQ", _records(), by="test")
    assert [r.outcome for r in report.results] == [Outcome.UNCHANGED] * 4
    assert container.app.recorder.max_notification_id() == before


def test_a_supply_cannot_belong_to_two_customers(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    container.ingestor().ingest("ACQ", _records(), by="test")
    report = container.ingestor().ingest(
        "ACQ", [CustomerRecord("C2", details(name="Bianchi")), SupplyRecord("C2", supply("S1"))], by="test"
    )
    assert report.results[0].outcome is Outcome.ACCEPTED
    assert report.results[1].outcome is Outcome.REJECTED
    assert "C1" in (report.results[1].reason or "")


def test_records_for_an_unknown_customer_are_rejected(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    report = container.ingestor().ingest("ACQ", [SupplyRecord("NOBODY", supply("S9"))], by="test")
    assert report.results[0].outcome is Outcome.REJECTED
    assert report.results[0].column == "Codice Cliente"
