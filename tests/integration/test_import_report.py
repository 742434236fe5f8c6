"""The Excel report of an import (Riepilogo, Scarti), read back with openpyxl."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from uuid import uuid4

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from creditbox.application.import_results import ImportResult, SheetCounts
from creditbox.application.records import Sheet
from creditbox.bootstrap import Container
from creditbox.clock import ROME
from creditbox.infrastructure.excel.import_report import write_import_report, write_refused_report
from creditbox.sample_data import SampleSpec, generate, with_bad_rows, workbook_bytes
from tests.conftest import AFTER_THE_SAMPLE_DATA

pytestmark = [pytest.mark.use_case, pytest.mark.today(AFTER_THE_SAMPLE_DATA)]

SUMMARY_HEADERS = [
    "File",
    "Azienda",
    "Elaborato il",
    "Profilo",
    "Esito",
    "Foglio",
    "Accettate",
    "Invariate",
    "Scartate",
]
REJECTION_HEADERS = ["Foglio", "Riga", "Colonna", "Motivo"]
AT = datetime(2026, 3, 2, 9, 30, tzinfo=ROME)


@pytest.fixture
def company(container: Container) -> str:
    container.companies.register("ACQ", "Acque S.p.A.", by="test")
    return "ACQ"


def rows(sheet: Worksheet) -> list[tuple[object, ...]]:
    return [tuple(r) for r in sheet.iter_rows(min_row=2, values_only=True)]


def test_rejected_rows_are_listed_exactly_with_a_summary_per_sheet(
    container: Container, company: str, tmp_path: Path
) -> None:
    data = generate(SampleSpec(customers=12))
    bad = with_bad_rows(data)
    result = container.importer().run(workbook_bytes(data), "marzo.xlsx", company, by="test")
    target = tmp_path / "rapporto.xlsx"

    write_import_report(result, AT, target)

    book = load_workbook(target)
    assert book.sheetnames == ["Riepilogo", "Scarti"]
    summary, rejected = book["Riepilogo"], book["Scarti"]
    assert [c.value for c in summary[1]] == SUMMARY_HEADERS
    listed = rows(summary)
    assert [r[5] for r in listed] == [*Sheet.ALL, "Totale"]
    assert all(
        r[:5] == ("marzo.xlsx", "ACQ", datetime(2026, 3, 2, 9, 30), "default", "importato con scarti") for r in listed
    )
    by_sheet = {r[5]: r[6:] for r in listed}
    for name in Sheet.ALL:
        counts = result.sheets[name]
        assert by_sheet[name] == (counts.accepted, counts.unchanged, counts.rejected)
    assert by_sheet["Clienti"] == (12, 0, 2)
    assert by_sheet["Totale"] == (result.totals.accepted, 0, len(bad))
    assert summary["C2"].number_format == "DD/MM/YYYY HH:MM"

    assert [c.value for c in rejected[1]] == REJECTION_HEADERS
    lines = rows(rejected)
    assert {(s, r, c) for s, r, c, _ in lines} == {(b.sheet, b.row, b.column) for b in bad}
    assert len(lines) == len(result.rejected)
    assert [line[3] for line in lines] == [r.reason for r in result.rejected]
    for sheet, last_row in ((summary, len(listed) + 1), (rejected, len(lines) + 1)):
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(row=1, column=sheet.max_column).column_letter}{last_row}"
        assert sheet["A1"].font.bold
    assert rejected.column_dimensions["D"].width > len("Motivo") + 10


def test_a_clean_file_has_an_empty_scarti_sheet_and_a_reimport_says_nothing_changed(
    container: Container, company: str, tmp_path: Path
) -> None:
    content = workbook_bytes(generate(SampleSpec(customers=5)))
    container.importer().run(content, "aprile.xlsx", company, by="test")
    again = container.importer().run(content, "aprile.xlsx", company, by="test")
    target = tmp_path / "rapporto.xlsx"

    write_import_report(again, AT, target)

    book = load_workbook(target)
    assert book.sheetnames == ["Riepilogo", "Scarti", "Avvisi"]
    assert rows(book["Scarti"]) == []
    assert book["Scarti"].auto_filter.ref == "A1:D1"
    total = rows(book["Riepilogo"])[-1]
    assert total[4] == "già importato: nessuna modifica"
    assert total[6:] == (0, again.totals.unchanged, 0)
    assert rows(book["Avvisi"])[0][0].startswith("file già importato il ")


def test_a_refused_file_reports_its_reason(tmp_path: Path) -> None:
    target = tmp_path / "rapporto.xlsx"
    reason = "clienti.csv: non è una cartella di lavoro Excel (.xlsx)"

    write_refused_report("ACQ", "clienti.csv", reason, AT, target)

    book = load_workbook(target)
    assert rows(book["Riepilogo"]) == [
        ("clienti.csv", "ACQ", datetime(2026, 3, 2, 9, 30), None, f"non importato: {reason}", None, None, None, None)
    ]
    assert rows(book["Scarti"]) == [(None, None, None, reason)]


def test_an_import_through_a_company_profile_names_its_version(tmp_path: Path) -> None:
    result = ImportResult(
        import_id=uuid4(),
        company="ACQ",
        file_name="sap.xlsx",
        file_sha256="0" * 64,
        profile="sap",
        sheets={"Clienti": SheetCounts(accepted=3)},
        rejected=[],
        profile_version=3,
    )
    target = tmp_path / "rapporto.xlsx"

    write_import_report(result, AT, target)

    assert {r[3] for r in rows(load_workbook(target)["Riepilogo"])} == {"sap (versione 3)"}
