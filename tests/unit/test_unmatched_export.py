"""The *Risposte non abbinate* workbook: one row per answer, the moment in the installation's zone, the
sheet and row of an answer from a spreadsheet, the house style (bold filled header, frozen, autofilter,
widths, date-time format), and text from outside written as text, never as a formula."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from openpyxl import load_workbook

from creditbox.application.unmatched import UnmatchedAnswer
from creditbox.clock import ROME
from creditbox.infrastructure.excel.unmatched_export import write_unmatched


def test_the_worklist_in_the_house_style(tmp_path: Path) -> None:
    answers = [
        UnmatchedAnswer(
            "ACQ",
            "agenzia",
            '=HYPERLINK("x")',
            "esiti.xlsx",
            "ab" * 32,
            datetime(2026, 7, 1, 8, 30, tzinfo=UTC),
            "nessun affidamento con questo riferimento",
            {"sheet": "Esiti", "row": 7, "type": "pagamento"},
        ),
        UnmatchedAnswer(
            "ACQ",
            "ricevute",
            "<x@y.it>",
            "r.eml",
            "cd" * 32,
            datetime(2026, 1, 10, 9, 0, tzinfo=UTC),
            "Message-ID non di un invio",
            {"receipt_type": "accettazione", "issued_at": "2026-01-10T10:00:00+01:00"},
        ),
    ]
    target = tmp_path / "non-abbinate.xlsx"

    write_unmatched(answers, {"agenzia": "Agenzia di recupero", "ricevute": "Ricevute PEC"}, ROME, target)

    sheet = load_workbook(target).active
    assert sheet is not None and sheet.title == "Risposte non abbinate"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:J3"
    assert sheet["A1"].font.bold and sheet["A1"].fill.fgColor.rgb.endswith("1F4E78")
    assert sheet["A2"].value == datetime(2026, 7, 1, 10, 30)  # summer time in Rome
    assert sheet["A3"].value == datetime(2026, 1, 10, 10, 0)
    assert sheet["A2"].number_format == "DD/MM/YYYY HH:MM"
    assert sheet["B2"].value == "Agenzia di recupero" and sheet["C2"].data_type == "s"
    assert sheet["C2"].value == '=HYPERLINK("x")'
    assert (sheet["F2"].value, sheet["G2"].value, sheet["H2"].value) == ("Esiti", 7, "pagamento")
    assert (sheet["F3"].value, sheet["G3"].value, sheet["H3"].value) == (None, None, "accettazione")
    assert sheet.column_dimensions["D"].width >= 40
