"""The text policy in the spreadsheet reader, the ingestor and the command line, and exports of data
stored before the policy existed, on both backends (real .xlsx files, real databases)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from creditbox.application.records import BillRecord, CustomerRecord, Outcome, RejectionKind, SupplyRecord
from creditbox.bootstrap import Container
from creditbox.domain.position import Position
from tests.builders import details, supply
from tests.integration.command_line import run, use_database

# Names already in the event store with characters the policy now refuses (written before it).
STORED_NAMES = [
    "Ros\x01si",
    "Bian\x00chi",
    "_x0001_Verdi",  # reads as an Excel escape
    "Neri\u202e\u2066",  # bidi override and isolate
    "\x1b[31mGialli\x7f",  # a terminal escape, DEL
    '=HYPERLINK("http://x")\x02',  # a formula with a control character
    "Lungo" + "x" * 245,  # longer than the policy allows now (the read models hold 255)
]


def _store_unchecked(container: Container, code: str, name: str, bill_number: str) -> None:
    """A position recorded straight through the domain, as data stored before the policy was."""
    position = Position.register("ACQ", code, details(name=name), by="test")
    position.register_supply(supply(f"S-{code}"), by="test")
    position.issue_bill(bill_number, f"S-{code}", date(2025, 10, 1), date(2025, 10, 31), Decimal("80.00"), by="test")
    container.app.save(position)


def test_stored_names_with_control_characters_export_with_worklist_and_ageing(
    container: Container, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given positions stored with names and keys that break the text policy
    use_database(database_url, monkeypatch, company="ACQ", name="Acque Spa")
    for index, name in enumerate(STORED_NAMES):
        _store_unchecked(container, f"C{index}", name, f"B{index}\x03")
    code, out, err = run("tick", "--company", "ACQ", "--as-of", "2026-03-02")
    assert code == 0, out + err
    # When the worklist and the ageing are exported
    worklist, ageing = tmp_path / "liste.xlsx", tmp_path / "anzianita.xlsx"
    code, out, err = run("worklist", "--company", "ACQ", "--out", str(worklist))
    assert code == 0, out + err
    code, out, err = run("ageing", "--company", "ACQ", "--as-of", "2026-03-02", "--out", str(ageing))
    assert code == 0, out + err
    # Then both files open, every customer is there, and what Excel reads back is what was stored,
    # but for the characters a cell cannot hold (shown as U+FFFD) and the cut of the long name
    rows = list(load_workbook(worklist).active.iter_rows(min_row=2, values_only=True))
    names = {row[2] for row in rows}
    assert "Ros\ufffdsi" in names and "Bian\ufffdchi" in names and "Neri\u202e\u2066" in names
    assert "\ufffd[31mGialli\ufffd" in names
    assert "Lungo" + "x" * 245 in names
    read_back = CalamineWorkbook.from_path(str(worklist)).get_sheet_by_index(0).to_python()
    assert "_x0001_Verdi" in {row[2] for row in read_back}  # the escape was escaped, not decoded
    formula = next(
        c
        for row in load_workbook(worklist).active.iter_rows(min_row=2)
        for c in row
        if c.value and str(c.value).startswith("=HYPERLINK")
    )
    assert formula.data_type == "s"
    ageing_book = load_workbook(ageing)
    assert ageing_book.sheetnames[0] == "Riepilogo"
    assert sum(sheet.max_row - 1 for sheet in ageing_book.worksheets[1:]) >= len(STORED_NAMES)


def _workbook(rows: dict[str, list[list[object]]]) -> bytes:
    book = Workbook()
    first = True
    for title, content in rows.items():
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        sheet.title = title
        first = False
        for row in content:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


CUSTOMER_HEADER = ["Codice Cliente", "Nominativo", "Tipologia Cliente", "Indirizzo", "Email"]
BILL_HEADER = ["Numero Bolletta", "Codice Cliente", "Codice Fornitura", "Data Emissione", "Data Scadenza", "Importo"]


def test_spreadsheet_rows_breaking_the_text_policy_are_rejected_with_sheet_row_column_and_reason(
    container: Container,
) -> None:
    # Given a workbook whose cells hold control and bidi characters, written as Excel escapes too
    container.companies.register("ACQ", "Acque", by="test")
    customers = [
        CUSTOMER_HEADER,
        ["C1", "Mario Rossi", 1, "Via Roma 1\nPiano 2", None],  # accepted: the line break is folded
        ["C2", "_x0001_Bianchi", 1, None, None],  # decodes to U+0001
        ["C_x0000_3", "Verdi", 1, None, None],  # a key holding NUL
        ["C4", "Neri\u202e", 1, None, None],
        ["C\u200b5", "Gialli", 1, None, None],  # zero-width space in a key
        ["C6", "Blu", 1, "Via _x001B_[31m", None],
        ["C7", "Rosa", 1, None, "rosa\u2066@example.it"],
        ["C8", "Viola", 1, "_x000D_", None],  # a lone line break: folded to nothing
    ]
    bills = [
        BILL_HEADER,
        ["B1", "C1", "S1", date(2026, 1, 1), date(2026, 1, 31), "1_000"],
        ["B2", "C1", "S1", date(2026, 1, 1), date(2026, 1, 31), "\u0661\u0662"],
        ["B3", "C1", "S1", date(2026, 1, 1), date(2026, 1, 31), "1E+2"],
        ["B4", "C1", "S1", date(2026, 1, 1), date(2026, 1, 31), "+5"],
        ["B5", "C1", "S1", date(2026, 1, 1), date(2026, 1, 31), "NaN"],
        ["B6", "C1", "S1", date(2026, 1, 1), date(2026, 1, 31), "1 000,00"],
        ["B7", "C1", "S1", date(2026, 1, 1), date(2026, 1, 31), 1e300],
        ["B8", "C1", "S1", date(2026, 1, 1), date(2026, 1, 31), "12,345"],
        ["B_x0007_9", "C1", "S1", date(2026, 1, 1), date(2026, 1, 31), "10,00"],
    ]
    content = _workbook({"Clienti": customers, "Bollette": bills})
    # When it is imported
    result = container.importer().run(content, "testi.xlsx", "ACQ", by="test")
    # Then each bad row is rejected naming sheet, row, column and the character
    rejected = {(r.sheet, r.row, r.column): r.reason for r in result.rejected}
    assert ("Clienti", 3, "Nominativo") in rejected and "U+0001" in rejected[("Clienti", 3, "Nominativo")]
    assert "U+0000" in rejected[("Clienti", 4, "Codice Cliente")]
    assert "U+202E" in rejected[("Clienti", 5, "Nominativo")]
    assert "U+200B" in rejected[("Clienti", 6, "Codice Cliente")]
    assert "U+001B" in rejected[("Clienti", 7, "Indirizzo")]
    assert ("Clienti", 8, "Email") in rejected
    for row in range(2, 10):
        assert ("Bollette", row, "Importo") in rejected, row
    assert "U+0007" in rejected[("Bollette", 10, "Numero Bolletta")]
    assert result.sheets["Clienti"].accepted == 2  # C1 and C8
    position = container.app.repository.get(Position.create_id("ACQ", "C1"))
    assert position.details.address == "Via Roma 1 Piano 2"


def test_the_ingestor_refuses_bad_text_from_any_source_naming_the_column(container: Container) -> None:
    # Given records that did not pass through a reader that checks text (the last wall)
    container.companies.register("ACQ", "Acque", by="test")
    records = [
        CustomerRecord("C1", details()),
        CustomerRecord("C\x002", details()),
        CustomerRecord("C3", details(name="Ros\x01si")),
        CustomerRecord("C4", details(city="Roma\u202e")),
        SupplyRecord("C1", supply("S\u20661")),
        BillRecord("B\x7f1", "C1", "S1", date(2026, 1, 1), date(2026, 1, 31), Decimal("10.00")),
    ]
    # When they are ingested
    report = container.ingestor().ingest("ACQ", records, by="test")
    # Then every bad one is rejected as invalid, with its column
    results = report.results
    assert results[0].outcome is Outcome.ACCEPTED
    assert [(r.column, r.kind) for r in results[1:5]] == [
        ("Codice Cliente", RejectionKind.INVALID),
        ("Nominativo", RejectionKind.INVALID),
        ("Comune", RejectionKind.INVALID),
        ("Codice Fornitura", RejectionKind.INVALID),
    ]
    assert results[5].column == "Numero Bolletta" and results[5].outcome is Outcome.REJECTED


@pytest.mark.parametrize(
    "args",
    [
        ("companies", "add", "NEW", "--name", "Acque\x01"),
        ("companies", "add", "N\u202eW", "--name", "Acque"),
        ("positions", "show", "C\x00", "--company", "ACQ"),
        ("cases", "lock", "C1", "--company", "ACQ", "--reason", "complaint", "--note", "x\u2067"),
        ("worklist", "--company", "ACQ\x1b"),
        ("tokens", "create", "--company", "ACQ", "--role", "feed", "--name", "a\u200bb"),
        ("companies", "add", "NEW", "--name", "Acque\udcff"),  # a byte that was not UTF-8
    ],
)
@pytest.mark.cli_or_api
def test_command_line_arguments_breaking_the_policy_exit_2(cli_db: str, args: tuple[str, ...]) -> None:
    code, out, err = run(*args)
    assert code == 2, out + err
    assert "U+" in err and "Traceback" not in out + err


@pytest.mark.parametrize("name", ["Rossi [/]", "Rossi [/red] [bold]", "[/b] Acque", "Ros\x01si [/]"])
def test_stored_text_that_reads_as_console_markup_is_printed_as_written(
    container: Container, database_url: str, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # Given a customer whose stored name would be console markup (and one stored before the policy)
    use_database(database_url, monkeypatch, company="ACQ", name="Acque Spa")
    _store_unchecked(container, "C1", name, "B1")
    container.projections.catch_up()
    # When the position is shown
    code, out, err = run("positions", "show", "C1", "--company", "ACQ")
    # Then the command succeeds and prints the name as written
    assert code == 0, out + err
    assert name.replace("\x01", "") in out.replace("\x01", "")
