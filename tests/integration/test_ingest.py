"""Feeding records through the event store (in memory)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from creditbox.application.ingest import Ingestor
from creditbox.application.ports import BulkLoader
from creditbox.application.records import (
    BillRecord,
    CustomerRecord,
    Outcome,
    PaymentRecord,
    RejectionKind,
    SupplyRecord,
)
from creditbox.bootstrap import Container
from creditbox.domain.ids import document_ownership_id
from tests.builders import details, supply

pytestmark = pytest.mark.use_case


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


def test_a_supply_claimed_in_an_earlier_chunk_of_the_same_run_is_refused(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    records = [
        CustomerRecord("C1", details()),
        SupplyRecord("C1", supply("S1")),
        CustomerRecord("C2", details(name="Bianchi")),
        SupplyRecord("C2", supply("S1")),
    ]
    report = container.ingestor(chunk_size=1).ingest("ACQ", records, by="test")
    assert [r.outcome for r in report.results] == [Outcome.ACCEPTED] * 3 + [Outcome.REJECTED]
    assert report.results[3].column == "Codice Fornitura"
    assert "'C1'" in (report.results[3].reason or "")


def test_a_refused_record_names_the_column_it_is_about(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    container.ingestor().ingest("ACQ", _records(), by="test")
    again = [
        BillRecord("B1", "C1", "S1", date(2026, 1, 1), date(2026, 2, 28), Decimal("100.00")),
        PaymentRecord("P1", "C1", date(2026, 2, 5), Decimal("45.00")),
        PaymentRecord("P2", "C1", date(2026, 2, 5), Decimal("5.00"), bill_number="B9"),
        BillRecord("B2", "C1", "S9", date(2026, 1, 1), date(2026, 2, 28), Decimal("10.00")),
    ]
    report = container.ingestor().ingest("ACQ", again, by="test")
    assert [r.column for r in report.results] == ["Data Scadenza", "Importo", "Numero Bolletta", "Codice Fornitura"]
    assert all(r.outcome is Outcome.REJECTED for r in report.results)


class CountingLoader:
    """The real bulk loader, counting the aggregates asked for."""

    def __init__(self, inner: BulkLoader) -> None:
        self.inner = inner
        self.asked: list[UUID] = []

    def load_many(self, aggregate_ids: Iterable[UUID]) -> dict[UUID, Any]:
        ids = list(aggregate_ids)
        self.asked.extend(ids)
        return self.inner.load_many(ids)


def test_a_bill_number_of_another_customer_is_refused_even_in_a_later_run(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    container.ingestor().ingest("ACQ", _records(), by="test")
    before = container.app.recorder.max_notification_id()
    report = container.ingestor().ingest(
        "ACQ",
        [
            CustomerRecord("C2", details(name="Bianchi")),
            SupplyRecord("C2", supply("S2")),
            BillRecord("B1", "C2", "S2", date(2026, 1, 1), date(2026, 1, 31), Decimal("100.00")),
            PaymentRecord("P1", "C2", date(2026, 2, 5), Decimal("40.00")),
            BillRecord("B2", "C2", "S2", date(2026, 1, 1), date(2026, 1, 31), Decimal("70.00")),
        ],
        by="test",
    )
    bill, payment = report.results[2], report.results[3]
    assert (bill.outcome, bill.kind, bill.column) == (Outcome.REJECTED, RejectionKind.CONFLICT, "Numero Bolletta")
    assert "'C1'" in (bill.reason or "")
    assert (payment.outcome, payment.kind, payment.column) == (Outcome.REJECTED, RejectionKind.CONFLICT, "Id Pagamento")
    assert "'C1'" in (payment.reason or "")
    assert report.results[4].outcome is Outcome.ACCEPTED
    c2 = container.positions.summary("ACQ", "C2", date(2026, 3, 1))
    assert c2.balance == Decimal("70.00")  # only B2: neither B1 nor P1 went to C2
    assert container.positions.summary("ACQ", "C1", date(2026, 3, 1)).balance == Decimal("60.00")
    assert container.app.recorder.max_notification_id() > before


def test_the_same_numbers_in_two_chunks_of_one_run_go_to_the_first_customer_only(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    records = [
        CustomerRecord("C1", details()),
        SupplyRecord("C1", supply("S1")),
        BillRecord("B1", "C1", "S1", date(2026, 1, 1), date(2026, 1, 31), Decimal("100.00")),
        CustomerRecord("C2", details(name="Bianchi")),
        SupplyRecord("C2", supply("S2")),
        BillRecord("B1", "C2", "S2", date(2026, 1, 1), date(2026, 1, 31), Decimal("100.00")),
    ]
    report = container.ingestor(chunk_size=1).ingest("ACQ", records, by="test")
    assert [r.outcome for r in report.results] == [Outcome.ACCEPTED] * 5 + [Outcome.REJECTED]
    assert report.results[5].kind is RejectionKind.CONFLICT


def test_resending_known_documents_loads_no_ownership_claim(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    container.ingestor().ingest("ACQ", _records(), by="test")
    loader = CountingLoader(container.loader)
    report = Ingestor(container.app, loader).ingest("ACQ", _records(), by="test")
    assert [r.outcome for r in report.results] == [Outcome.UNCHANGED] * 4
    claims = {document_ownership_id("ACQ", "bill", "B1"), document_ownership_id("ACQ", "payment", "P1")}
    assert loader.asked and not claims & set(loader.asked)
