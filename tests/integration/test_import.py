"""Importing workbooks through ImportService, on the in-memory event store; the bulk loader on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from creditbox.application.import_results import ImportResult
from creditbox.application.records import Sheet, UnreadableFile
from creditbox.bootstrap import Container
from creditbox.domain.errors import NotFound
from creditbox.domain.imports import Import
from creditbox.infrastructure.bulk_loader import RepositoryBulkLoader, SqlBulkLoader
from creditbox.sample_data import SampleData, SampleSpec, generate, with_bad_rows, workbook_bytes
from tests.conftest import AFTER_THE_SAMPLE_DATA

pytestmark = pytest.mark.today(AFTER_THE_SAMPLE_DATA)

SPEC = SampleSpec(customers=25)


@pytest.fixture
def company(container: Container) -> str:
    container.companies.register("ACQ", "Acque S.p.A.", by="test")
    return "ACQ"


def run(container: Container, content: bytes, name: str = "clienti.xlsx") -> ImportResult:
    return container.importer(chunk_size=7).run(content, name, "ACQ", by="test")


@pytest.mark.use_case
class TestAGoodWorkbook:
    def test_every_row_goes_in_and_positions_read_back(self, container: Container, company: str) -> None:
        data = generate(SPEC)
        result = run(container, workbook_bytes(data))

        for name in Sheet.ALL:
            assert result.sheets[name].as_json() == {"accepted": data.count(name), "unchanged": 0, "rejected": 0}
        assert result.rejected == []
        # One event per row, one per claimed key (supply code, bill number, payment id), one for the Import.
        claims = data.count(Sheet.SUPPLIES) + data.count(Sheet.BILLS) + data.count(Sheet.PAYMENTS)
        assert result.events == data.total_rows + claims + 1
        customer = data.rows[Sheet.CUSTOMERS][0]
        position = container.positions.load(company, customer[0])
        assert position.details.name == customer[1]
        billed = sum((Decimal(b[5]) for b in data.rows[Sheet.BILLS] if b[1] == customer[0]), Decimal("0"))
        paid = sum((Decimal(p[4]) for p in data.rows[Sheet.PAYMENTS] if p[1] == customer[0]), Decimal("0"))
        assert position.balance() == billed - paid

    def test_the_import_is_recorded_for_audit(self, container: Container, company: str) -> None:
        result = run(container, workbook_bytes(generate(SPEC)), "gennaio.xlsx")
        recorded = container.app.get_or_none(result.import_id)
        assert isinstance(recorded, Import)
        assert recorded.file_name == "gennaio.xlsx"
        assert recorded.file_sha256 == result.file_sha256
        assert recorded.counts["Bollette"]["accepted"] == result.sheets["Bollette"].accepted
        assert recorded.company == "ACQ"

    def test_the_same_workbook_twice_is_all_unchanged_and_adds_no_event(
        self, container: Container, company: str
    ) -> None:
        content = workbook_bytes(generate(SPEC))
        first = run(container, content)
        before = container.app.recorder.max_notification_id()

        second = run(container, content)

        assert container.app.recorder.max_notification_id() == before
        assert second.import_id == first.import_id
        assert second.already_imported
        assert second.events == 0
        for name, counts in second.sheets.items():
            assert counts.accepted == 0 and counts.rejected == 0
            assert counts.unchanged == first.sheets[name].accepted

    def test_the_same_rows_in_another_file_change_nothing(self, container: Container, company: str) -> None:
        data = generate(SPEC)
        run(container, workbook_bytes(data))
        before = container.app.recorder.max_notification_id()
        data.rows[Sheet.CUSTOMERS].append([])  # a different file (an empty row more), the same records
        again = run(container, workbook_bytes(data), "copia.xlsx")
        assert again.totals.accepted == 0
        assert container.app.recorder.max_notification_id() == before + 1  # only the new Import


@pytest.mark.use_case
class TestAWorkbookWithBadRows:
    def test_good_rows_go_in_and_every_bad_row_is_named(self, container: Container, company: str) -> None:
        data = generate(SPEC)
        bad = with_bad_rows(data)

        result = run(container, workbook_bytes(data))

        named = {(r.sheet, r.row): r for r in result.rejected}
        for row in bad:
            assert (row.sheet, row.row) in named, f"{row.why} not reported"
            assert named[(row.sheet, row.row)].column == row.column, row.why
            assert named[(row.sheet, row.row)].reason
        assert len(result.rejected) == len(bad)
        for name in Sheet.ALL:
            bad_here = sum(1 for b in bad if b.sheet == name)
            assert result.sheets[name].rejected == bad_here
            assert result.sheets[name].accepted == data.count(name) - bad_here

    def test_the_reasons_are_precise(self, container: Container, company: str) -> None:
        data = generate(SPEC)
        with_bad_rows(data)
        reasons = {r.reason for r in run(container, workbook_bytes(data)).rejected}
        assert any("codice sconosciuto 9" in r for r in reasons)
        assert any("carattere di controllo" in r for r in reasons)
        assert any("'dieci euro'" in r for r in reasons)
        assert any("precedente alla data di emissione" in r for r in reasons)
        assert any("cliente 'NESSUNO' sconosciuto" in r for r in reasons)
        assert any("appartiene al cliente" in r for r in reasons)
        assert any("ripetuta nel file" in r for r in reasons)

    def test_a_bill_sent_again_with_another_amount_is_refused_on_the_amount(
        self, container: Container, company: str
    ) -> None:
        data = generate(SPEC)
        run(container, workbook_bytes(data))
        changed = _only_bills(data)
        original = changed.rows[Sheet.BILLS][0]
        changed.rows[Sheet.BILLS][0] = [*original[:5], Decimal(original[5]) + 1]

        result = run(container, workbook_bytes(changed), "rettifica.xlsx")

        (rejection,) = result.rejected
        assert (rejection.sheet, rejection.row, rejection.column) == ("Bollette", 2, "Importo")
        assert "già presente con importo" in rejection.reason
        assert result.sheets["Bollette"].unchanged == data.count(Sheet.BILLS) - 1

    def test_a_supply_of_another_customer_stored_earlier_is_refused(self, container: Container, company: str) -> None:
        data = generate(SPEC)
        run(container, workbook_bytes(data))
        supplies = data.rows[Sheet.SUPPLIES]
        other = next(s for s in supplies if s[1] != supplies[0][1])
        later = SampleData()
        later.rows[Sheet.BILLS] = [["NEW1", supplies[0][1], other[0], date(2026, 3, 1), date(2026, 3, 31), "10,00"]]
        later.rows[Sheet.SUPPLIES] = [[other[0], supplies[0][1], 1, 1, 1, None, None]]

        result = run(container, workbook_bytes(later), "tardivo.xlsx")

        columns = {(r.sheet, r.column) for r in result.rejected}
        assert columns == {("Forniture", "Codice Fornitura"), ("Bollette", "Codice Fornitura")}
        assert all(f"cliente {other[1]!r}" in r.reason for r in result.rejected)


@pytest.mark.use_case
class TestRefusedOutright:
    def test_an_unreadable_file_adds_nothing(self, container: Container, company: str) -> None:
        before = container.app.recorder.max_notification_id()
        with pytest.raises(UnreadableFile):
            run(container, b"not a workbook")
        assert container.app.recorder.max_notification_id() == before

    def test_an_unknown_company_is_refused(self, container: Container) -> None:
        with pytest.raises(NotFound, match="azienda sconosciuta"):
            container.importer().run(workbook_bytes(generate(SPEC)), "x.xlsx", "NESSUNA", by="test")

    def test_the_company_directory_refuses_an_unknown_company(self, container: Container) -> None:
        container.companies.register("ACQ", "Acque", by="test")
        assert container.companies.require("acq") == "ACQ"
        with pytest.raises(NotFound, match="'GAS'"):
            container.companies.require("GAS")


class TestBulkLoader:
    def test_loads_the_same_aggregates_as_the_repository(self, container: Container, company: str) -> None:
        data = generate(SampleSpec(customers=12))
        run(container, workbook_bytes(data))
        ids = [container.positions.load(company, c[0]).id for c in data.rows[Sheet.CUSTOMERS]]
        wanted = [*ids, uuid4()]
        fast = SqlBulkLoader(container.app).load_many(wanted)
        slow = RepositoryBulkLoader(container.app).load_many(wanted)
        assert set(fast) == set(slow) == set(ids)
        for i in ids:
            assert fast[i].version == slow[i].version
            assert fast[i].bills == slow[i].bills
            assert fast[i].payments == slow[i].payments
            assert fast[i].details == slow[i].details


def _only_bills(data: SampleData) -> SampleData:
    copy = SampleData()
    copy.rows[Sheet.BILLS] = [list(r) for r in data.rows[Sheet.BILLS]]
    return copy
