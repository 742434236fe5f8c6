"""What a big import holds: records handed to the ingestor are let go chunk by chunk, the run keeps
only the owner's code of each claimed key, and the reading process's chunks share equal values —
without changing a single result (on the in-memory event store where storage is involved)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from creditbox.application.ownerships import Ownerships
from creditbox.application.records import (
    BillRecord,
    CustomerRecord,
    PaymentRecord,
    Record,
    SourcedRecord,
    SupplyRecord,
)
from creditbox.bootstrap import Container
from creditbox.domain.document_ownership import DocumentKind
from creditbox.infrastructure.excel.isolated_parser import IsolatedParser, SharedValues
from creditbox.sample_data import SampleSpec, generate, with_bad_rows, workbook_bytes
from tests.builders import details, supply

pytestmark = pytest.mark.use_case


def _records() -> list[Record]:
    return [
        CustomerRecord("C1", details()),
        SupplyRecord("C1", supply("S1")),
        BillRecord("B1", "C1", "S1", date(2026, 1, 1), date(2026, 1, 31), Decimal("100.00")),
        CustomerRecord("C2", details(name="Bianchi")),
        SupplyRecord("C2", supply("S2")),
        # Another customer's bill number, and a supply that does not exist: both refused.
        BillRecord("B1", "C2", "S2", date(2026, 1, 1), date(2026, 1, 31), Decimal("100.00")),
        BillRecord("B2", "C2", "S9", date(2026, 1, 1), date(2026, 1, 31), Decimal("50.00")),
        PaymentRecord("P1", "C2", date(2026, 2, 5), Decimal("40.00")),
        CustomerRecord("C3", details(name="Verdi")),
        PaymentRecord("P1", "C3", date(2026, 2, 5), Decimal("40.00")),
    ]


class TestRecordsAreLetGo:
    def test_each_chunks_records_are_released_once_applied_during_the_run(self, container: Container) -> None:
        # Given records of three customers, applied one customer per chunk
        container.companies.register("ACQ", "Acque", by="test")
        handed = _records()
        held_at_each_chunk: list[int] = []

        def on_progress(_rows: int) -> None:
            held_at_each_chunk.append(sum(1 for r in handed if r is not None))

        # When the ingestor is handed the list to release
        container.ingestor(chunk_size=1, on_progress=on_progress).ingest("ACQ", handed, by="test", release=True)

        # Then the records of the chunks already applied are gone while the run goes on, and none at the end
        assert held_at_each_chunk == [10, 7, 2]
        assert handed == [None] * 10

    def test_releasing_changes_no_result(self, container: Container) -> None:
        # Given the same records fed to two companies, one run keeping them and one releasing them
        container.companies.register("ACQ", "Acque", by="test")
        container.companies.register("GAS", "Gas", by="test")

        # When both are applied in chunks of one customer
        kept = container.ingestor(chunk_size=1).ingest("ACQ", _records(), by="test")
        released = container.ingestor(chunk_size=1).ingest("GAS", _records(), by="test", release=True)

        # Then every outcome, reason, column and kind is the same, refusals included
        assert released.results == kept.results
        assert (released.events, released.saves) == (kept.events, kept.saves)
        refused = [r.column for r in released.results if r.reason]
        assert refused == ["Numero Bolletta", "Codice Fornitura", "Id Pagamento"]

    def test_the_run_knows_a_claimed_key_by_its_owners_code_only(self, container: Container) -> None:
        # Given a run that claimed a bill number and a supply for C1
        container.companies.register("ACQ", "Acque", by="test")
        ownerships = Ownerships("ACQ", container.loader)
        ownerships.claim_document(DocumentKind.BILL, "B1", "C1", by="test")
        ownerships.claim_supply("S1", "C1", by="test")

        # When it asks who owns them, and a number nobody claimed
        # Then it gets the customer's code, not the claim's aggregate
        assert ownerships.document_owner(DocumentKind.BILL, "B1") == "C1"
        assert ownerships.supply_owner("S1") == "C1"
        assert ownerships.document_owner(DocumentKind.PAYMENT, "B1") is None


class TestTheReadersChunksShareValues:
    def test_equal_dates_amounts_and_codes_are_one_object_across_chunks(self) -> None:
        # Given a workbook whose bills repeat dates, amounts and codes, read in chunks of 5 records
        data = generate(SampleSpec(customers=20))
        content = workbook_bytes(data)

        # When it is read in the child process
        bills = [s.record for s in IsolatedParser(chunk_records=5).parse(content, "g.xlsx").sheets["Bollette"].records]

        # Then every equal value is one object in the whole file, not one per chunk
        assert len(bills) > 20
        for name in ("customer_code", "supply_code", "issue_date", "due_date", "amount"):
            values = [getattr(b, name) for b in bills]
            assert len({id(v) for v in values}) == len(set(values)), name

    def test_the_shared_file_reads_the_same_as_before(self) -> None:
        # Given a workbook with bad rows
        data = generate(SampleSpec(customers=25))
        with_bad_rows(data)
        content = workbook_bytes(data)

        # When it is read in chunks of 3 and of the default size
        small = IsolatedParser(chunk_records=3).parse(content, "g.xlsx")
        whole = IsolatedParser().parse(content, "g.xlsx")

        # Then the records and rejections are equal
        for name, sheet in whole.sheets.items():
            assert small.sheets[name].records == sheet.records
            assert small.sheets[name].rejections == sheet.rejections

    def test_amounts_written_with_other_digits_stay_apart(self) -> None:
        # Given two chunks, with 1.0 in the first and 1.00 and 1.0 in the second
        def bill(number: str, amount: str) -> SourcedRecord:
            record = BillRecord(number, "C1", "S1", date(2026, 1, 1), date(2026, 1, 31), Decimal(amount))
            return SourcedRecord("Bollette", 2, record)

        shared = SharedValues()
        first = shared.share([bill("B1", "1.0")])
        second = shared.share([bill("B2", "1.00"), bill("B3", "1.0")])

        # Then 1.0 is one object, and 1.00 keeps its own digits
        one, one_hundredths, one_again = (s.record.amount for s in (*first, *second))  # type: ignore[union-attr]
        assert one_again is one
        assert str(one_hundredths) == "1.00"
        assert one_hundredths is not one
        # And bill numbers are never shared (unique: keeping them would cost, not save)
        assert [s.record.number for s in second] == ["B2", "B3"]  # type: ignore[union-attr]
