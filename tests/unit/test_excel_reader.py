"""Reading workbooks of the default profile into records and rejections (no database)."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook

from creditbox.application.records import BillRecord, CustomerRecord, UnreadableFile
from creditbox.domain.codes import CustomerType
from creditbox.infrastructure.excel.workbook_reader import ExcelWorkbookParser
from creditbox.sample_data import SampleSpec, generate, workbook_bytes

CUSTOMER_HEADER = ["Codice Cliente", "Nominativo", "Tipologia Cliente", "Codice Fiscale"]
BILL_HEADER = ["Numero Bolletta", "Codice Cliente", "Codice Fornitura", "Data Emissione", "Data Scadenza", "Importo"]


def xlsx(**sheets: list[list[Any]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def parse(content: bytes) -> Any:
    return ExcelWorkbookParser().parse(content, "prova.xlsx")


class TestGoodWorkbooks:
    def test_a_generated_workbook_reads_back_every_row(self) -> None:
        data = generate(SampleSpec(customers=20))
        workbook = parse(workbook_bytes(data))
        for name, sheet in workbook.sheets.items():
            assert len(sheet.records) == data.count(name)
            assert sheet.rejections == []
        first = workbook.sheets["Clienti"].records[0]
        assert first.row == 2
        assert isinstance(first.record, CustomerRecord)
        assert first.record.customer_code == data.rows["Clienti"][0][0]

    def test_headers_as_people_write_them_and_codes_as_labels(self) -> None:
        content = xlsx(
            clienti=[
                ["CODICE_CLIENTE", "nominativo", "Tipologia cliente", "Note"],
                ["C1", "Rossi Mario", "Domestico", "cliente storico"],
                [],
                ["C2", "Comune di Bari", 4.0, None],
            ]
        )
        workbook = parse(content)
        records = workbook.sheets["Clienti"].records
        assert [(r.row, r.record.customer_code) for r in records] == [(2, "C1"), (4, "C2")]
        assert records[1].record.details.customer_type is CustomerType.PUBLIC_BODY
        assert workbook.sheets["Clienti"].headers["Codice Cliente"] == "CODICE_CLIENTE"
        assert any("'Note' ignorata" in w for w in workbook.warnings)

    def test_amounts_and_dates_in_every_accepted_form(self) -> None:
        content = xlsx(
            Bollette=[
                BILL_HEADER,
                ["B1", "C1", "S1", date(2026, 1, 1), "31/01/2026", 10.1],
                ["B2", "C1", "S1", "2026-02-01", date(2026, 2, 28), "1.234,50 €"],
            ]
        )
        records = [r.record for r in parse(content).sheets["Bollette"].records]
        assert records == [
            BillRecord("B1", "C1", "S1", date(2026, 1, 1), date(2026, 1, 31), Decimal("10.10")),
            BillRecord("B2", "C1", "S1", date(2026, 2, 1), date(2026, 2, 28), Decimal("1234.50")),
        ]

    def test_unknown_sheets_are_ignored_and_reported(self) -> None:
        content = xlsx(Clienti=[CUSTOMER_HEADER, ["C1", "Rossi", 1, None]], Riepilogo=[["x"]])
        workbook = parse(content)
        assert list(workbook.sheets) == ["Clienti"]
        assert any("'Riepilogo' ignorato" in w for w in workbook.warnings)


class TestBadRows:
    def test_every_bad_cell_is_named_with_row_and_column_as_written(self) -> None:
        content = xlsx(
            Clienti=[
                ["Codice Cliente", "NOMINATIVO", "Tipologia Cliente", "Codice Fiscale"],
                ["C1", "", 9, "RSSMRA80A01F205Z"],
                ["C2", "Bianchi", 1, None],
            ]
        )
        sheet = parse(content).sheets["Clienti"]
        assert [(r.row, r.column) for r in sheet.rejections] == [
            (2, "NOMINATIVO"),
            (2, "Tipologia Cliente"),
            (2, "Codice Fiscale"),
        ]
        assert "obbligatorio" in sheet.rejections[0].reason
        assert "carattere di controllo" in sheet.rejections[2].reason
        assert sheet.rejected_rows == {2}
        assert [r.record.customer_code for r in sheet.records] == ["C2"]

    def test_due_date_before_issue_date_names_the_due_date(self) -> None:
        content = xlsx(Bollette=[BILL_HEADER, ["B1", "C1", "S1", "01/02/2026", "01/01/2026", "10,00"]])
        (rejection,) = parse(content).sheets["Bollette"].rejections
        assert (rejection.row, rejection.column) == (2, "Data Scadenza")
        assert "precedente" in rejection.reason


class TestUnreadableFiles:
    def test_not_an_xlsx(self) -> None:
        with pytest.raises(UnreadableFile, match="non è una cartella di lavoro Excel"):
            parse(b"Codice Cliente;Nominativo\nC1;Rossi\n")

    def test_a_zip_that_is_not_a_workbook(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "ciao")
        with pytest.raises(UnreadableFile, match="illeggibile"):
            parse(buffer.getvalue())

    def test_no_known_sheet(self) -> None:
        with pytest.raises(UnreadableFile, match=r"nessun foglio riconosciuto.*'Foglio1'"):
            parse(xlsx(Foglio1=[["a", "b"], [1, 2]]))

    def test_a_missing_required_column_refuses_the_file(self) -> None:
        content = xlsx(Bollette=[BILL_HEADER[:-1], ["B1", "C1", "S1", "01/01/2026", "31/01/2026"]])
        with pytest.raises(UnreadableFile, match="'Bollette' mancano le colonne obbligatorie: Importo"):
            parse(content)
