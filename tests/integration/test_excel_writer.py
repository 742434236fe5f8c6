"""Formatted exports, checked by reading the real .xlsx back with openpyxl."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

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


def test_any_string_is_written_and_read_back_as_stored_or_marked(tmp_path: Path) -> None:
    # Given strings a workbook cannot hold as they are, and strings that read as Excel escapes
    stored = [
        "Ros\x01si",
        "\x00",
        "a\ud800b",  # an unpaired surrogate
        "x\ufffe\uffff",
        "\x1b[31m",
        "_x0001_",
        "_x005F_x0001_",
        "=SUM(A1)\x02",
        "x" * 40_000,
        "tab\tand\nnewline",
        "\u202eabc",
    ]
    target = tmp_path / "out.xlsx"
    # When they are exported
    save_workbook([SheetSpec("Dati:[1]\x01", [Column("Nome\x02")], [[s] for s in stored])], target)
    # Then the file opens and each cell is the stored text, illegal characters shown as U+FFFD
    sheet = load_workbook(target).active
    assert sheet.title == "Dati__1__"
    values = [sheet.cell(row=row, column=1).value for row in range(2, len(stored) + 2)]
    assert values[0] == "Ros\ufffdsi" and values[1] == "\ufffd" and values[2] == "a\ufffdb"
    assert values[3] == "x\ufffd\ufffd" and values[4] == "\ufffd[31m"
    assert values[7] == "=SUM(A1)\ufffd" and sheet.cell(row=9, column=1).data_type == "s"
    assert len(values[8]) == 32_767 and values[8].endswith("…")
    assert values[9] == "tab\tand\nnewline" and values[10] == "\u202eabc"
    read_back = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    assert read_back[6][0] == "_x0001_" and read_back[7][0] == "_x005F_x0001_"
