"""Formatted exports, checked by reading the real .xlsx back with openpyxl."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from creditbox.domain.codes import Service
from creditbox.infrastructure.excel.writer import EURO_FORMAT, Column, Kind, SheetSpec, save_workbook


def test_export_has_italian_headers_formats_filter_and_frozen_header(tmp_path: Path) -> None:
    spec = SheetSpec(
        "Scaduto",
        [Column("Cliente"), Column("Servizio"), Column("Scaduto", Kind.EURO), Column("Scadenza", Kind.DATE)],
        [["Rossi", Service.WATER, Decimal("1234.56"), date(2026, 1, 31)]],
    )
    target = tmp_path / "out.xlsx"
    save_workbook([spec], target)
    sheet = load_workbook(target).active
    assert [c.value for c in sheet[1]] == ["Cliente", "Servizio", "Scaduto", "Scadenza"]
    assert sheet["B2"].value == "Acqua"
    assert sheet["C2"].value == 1234.56 and sheet["C2"].number_format == EURO_FORMAT
    assert sheet["D2"].number_format == "DD/MM/YYYY"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D2"
    assert sheet.column_dimensions["A"].width >= len("Cliente")


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    hostile = ['=HYPERLINK("http://x","clic")', "+39 333", "-1+1", "@SUM(A1)"]
    save_workbook([SheetSpec("Dati", [Column("Nota")], [[h] for h in hostile])], target)
    sheet = load_workbook(target).active
    for row, text in enumerate(hostile, start=2):
        assert sheet.cell(row=row, column=1).data_type == "s"
        assert sheet.cell(row=row, column=1).value == text
