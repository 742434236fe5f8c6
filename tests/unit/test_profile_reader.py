"""Reading another layout through a profile, without a database: the same records as our layout, and
rejections and warnings in their words (sheet, row, header)."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import Workbook

from creditbox.application.records import CustomerRecord, ParsedWorkbook, Sheet, UnreadableFile
from creditbox.domain.codes import CustomerType, SupplyStatus
from creditbox.domain.import_profile import ImportProfile, ProfileVersion
from creditbox.domain.import_profile_rules import InvalidImportProfile, parse_profile
from creditbox.infrastructure.excel.profile_reader import ProfileWorkbookParser, check_profile_value
from creditbox.infrastructure.excel.workbook_reader import ExcelWorkbookParser
from creditbox.sample_data import SampleSpec, generate, with_bad_rows, workbook_bytes
from tests.profile_workbooks import HEADER_ROW, PROFILE, SHEETS, every_supply_active, other_layout_bytes, their_location


def version(data: dict[str, Any], name: str = "nord") -> ProfileVersion:
    document = parse_profile(data, check_profile_value)
    return ImportProfile.define("ACQ", name, document, by="test", at=datetime(2026, 3, 2)).current


def read(profile: dict[str, Any], content: bytes) -> ParsedWorkbook:
    return ProfileWorkbookParser(version(profile)).parse(content, "loro.xlsx")


def xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_their_layout_gives_exactly_the_records_of_ours() -> None:
    data = every_supply_active(generate(SampleSpec(customers=20)))
    ours = ExcelWorkbookParser().parse(workbook_bytes(data), "nostro.xlsx")
    theirs = read(PROFILE, other_layout_bytes(data))

    assert (theirs.profile, theirs.profile_version) == ("nord", 1)
    for name in Sheet.ALL:
        expected = [(r.row + HEADER_ROW - 1, r.record) for r in ours.sheets[name].records]
        assert [(r.row, r.record) for r in theirs.sheets[name].records] == expected
        assert theirs.sheets[name].source == SHEETS[name]
        assert theirs.sheets[name].rejections == []
    assert len(theirs.sheets[Sheet.BILLS].records) == data.count(Sheet.BILLS)
    assert theirs.warnings == [
        "foglio 'Note' ignorato (fogli del profilo 'nord': 'Anagrafica' (Clienti), 'Contratti' (Forniture),"
        " 'Fatture' (Bollette), 'Incassi' (Pagamenti))",
        "foglio 'Anagrafica': colonna 'Agente' ignorata",
    ]


def test_bad_cells_are_reported_at_their_row_under_their_header() -> None:
    data = every_supply_active(generate(SampleSpec(customers=8)))
    bad = with_bad_rows(data)
    theirs = read(PROFILE, other_layout_bytes(data))

    found = {(r.row, r.column) for s in theirs.sheets.values() for r in s.rejections}
    # Cells refused while reading (the others are refused later, against the stored positions).
    for cell in (bad[0], bad[1], bad[2], bad[4], bad[5], bad[10]):
        _, row, header = their_location(cell)
        assert (row, header) in found, (cell, found)
    payment = next(r for r in theirs.sheets[Sheet.PAYMENTS].rejections if r.column == "Data valuta")
    assert payment.reason == "data non valida: '31/02/2026' (formato atteso %Y%m%d, es. 20260131)"


def test_defaults_fill_missing_columns_and_empty_cells_and_value_maps_ignore_case() -> None:
    profile = {
        "sheets": {
            "Clienti": {
                "sheet": "Anag",
                "header_row": 2,
                "columns": {
                    "Codice Cliente": "Cod",
                    "Nominativo": "Nome",
                    "Tipologia Cliente": {"header": "Cat", "values": {"RES": 1, "Bus": "Non domestico"}, "default": 1},
                    "Comune": {"default": "Trento"},
                    "Email": "Mail",
                },
            }
        }
    }
    content = xlsx(
        {
            "ANAG": [
                ["titolo"],
                ["COD", "nome", "cat"],
                ["C1", "Rossi", " res "],
                ["C2", "Bianchi", "BUS"],
                ["C3", "Verdi", None],
                ["C4", "Neri", 4],
                ["C5", "Gialli", "XYZ"],
                [],
                [None, None],
            ]
        }
    )
    parsed = read(profile, content)

    sheet = parsed.sheets[Sheet.CUSTOMERS]
    records = {r.record.customer_code: r.record for r in sheet.records if isinstance(r.record, CustomerRecord)}
    assert {code: r.details.customer_type for code, r in records.items()} == {
        "C1": CustomerType.DOMESTIC,
        "C2": CustomerType.NON_DOMESTIC,
        "C3": CustomerType.DOMESTIC,
        "C4": CustomerType.PUBLIC_BODY,  # not in the map: read as our code
    }
    assert {r.details.city for r in records.values()} == {"Trento"}
    assert [(r.sheet, r.row, r.column) for r in sheet.rejections] == [("Clienti", 7, "cat")]
    assert sheet.rejections[0].reason.startswith("valore sconosciuto 'XYZ'")
    assert sheet.source == "ANAG"  # as the file writes it
    assert parsed.warnings == ["foglio 'ANAG': colonna 'Mail' (Email) assente"]


def test_two_of_our_sheets_may_read_one_flat_sheet_of_theirs() -> None:
    profile = {
        "date_format": "%d.%m.%Y",
        "sheets": {
            "Clienti": {
                "sheet": "Export",
                "columns": {
                    "Codice Cliente": "Cliente",
                    "Nominativo": "Nome",
                    "Tipologia Cliente": {"default": "Domestico"},
                },
            },
            "Forniture": {
                "sheet": "Export",
                "columns": {
                    "Codice Fornitura": "POD",
                    "Codice Cliente": "Cliente",
                    "Tipologia Servizio": {"default": 1},
                    "Tipologia Fornitura": {"default": 1},
                    "Stato": "Stato",
                },
            },
        },
    }
    content = xlsx(
        {
            "Export": [
                ["Cliente", "Nome", "POD", "Stato", "Zona"],
                ["C1", "Rossi", "P1", "Sospeso", "N"],
                ["C1", "Rossi", "P2", None, "N"],
            ]
        }
    )
    parsed = read(profile, content)

    # The customer repeated identically on the second row is kept once and counted as unchanged.
    assert [r.record.customer_code for r in parsed.sheets[Sheet.CUSTOMERS].records] == ["C1"]  # type: ignore[union-attr]
    assert parsed.sheets[Sheet.CUSTOMERS].repeated == 1
    supplies = [r.record.supply for r in parsed.sheets[Sheet.SUPPLIES].records]  # type: ignore[union-attr]
    assert [(s.code, s.status) for s in supplies] == [("P1", SupplyStatus.SUSPENDED), ("P2", SupplyStatus.ACTIVE)]
    assert parsed.warnings == ["foglio 'Export': colonna 'Zona' ignorata"]


def test_a_date_format_reads_text_and_still_takes_date_cells() -> None:
    profile = {
        "sheets": {
            "Pagamenti": {
                "columns": {
                    "Id Pagamento": "Id",
                    "Codice Cliente": "Cliente",
                    "Data Pagamento": {"header": "Data", "format": "%m/%d/%Y"},
                    "Importo": "Euro",
                }
            }
        }
    }
    content = xlsx(
        {
            "Pagamenti": [
                ["Id", "Cliente", "Data", "Euro"],
                ["P1", "C1", "01/31/2026", "1.234,50"],
                ["P2", "C1", date(2026, 2, 3), 12.5],
                ["P3", "C1", "31/01/2026", 1],
            ]
        }
    )
    parsed = read(profile, content).sheets[Sheet.PAYMENTS]

    assert [(r.record.payment_date, str(r.record.amount)) for r in parsed.records] == [  # type: ignore[union-attr]
        (date(2026, 1, 31), "1234.50"),
        (date(2026, 2, 3), "12.50"),
    ]
    assert [(r.row, r.column, r.reason) for r in parsed.rejections] == [
        (4, "Data", "data non valida: '31/01/2026' (formato atteso %m/%d/%Y, es. 01/31/2026)")
    ]


def test_files_that_do_not_fit_the_profile_are_refused_whole() -> None:
    with pytest.raises(UnreadableFile, match=r"nessun foglio del profilo 'nord' \(attesi: 'Anagrafica' \(Clienti\)"):
        read(PROFILE, xlsx({"Clienti": [["Codice Cliente"]]}))
    only_customers = {"Anagrafica": [["x"], [], ["Cod. Cliente", "Categoria"], ["C1", "RES"]]}
    with pytest.raises(UnreadableFile) as refused:
        read(PROFILE, xlsx(only_customers))
    assert str(refused.value) == (
        "loro.xlsx: nel foglio 'Anagrafica' (intestazione alla riga 3) mancano le colonne obbligatorie:"
        " 'Ragione sociale' (Nominativo)"
    )
    with pytest.raises(UnreadableFile, match="non è una cartella di lavoro Excel"):
        read(PROFILE, b"Cod;Nome\n")


def test_the_text_policy_holds_through_a_profile_under_their_headers() -> None:
    # Given a profile and a file of theirs with control and bidi characters, raw or as Excel escapes
    profile = {
        "sheets": {
            "Clienti": {
                "sheet": "ANAG",
                "columns": {
                    "Codice Cliente": "cod",
                    "Nominativo": "nome",
                    "Tipologia Cliente": {"default": "Domestico"},
                    "Comune": "citta",
                },
            }
        }
    }
    content = xlsx(
        {
            "ANAG": [
                ["cod", "nome", "citta"],
                ["C1", "Rossi", "Trento\nNord"],
                ["C2", "_x0001_Bianchi", "Trento"],
                ["C_x001B_3", "Verdi", "Trento"],
                ["C4", "Neri", "Tren\u202eto"],
            ]
        }
    )
    # When it is read through the profile
    sheet = read(profile, content).sheets[Sheet.CUSTOMERS]
    # Then the bad rows are rejected under their own headers, naming the character
    assert [(r.row, r.column) for r in sheet.rejections] == [(3, "nome"), (4, "cod"), (5, "citta")]
    assert ["U+0001" in sheet.rejections[0].reason, "U+001B" in sheet.rejections[1].reason] == [True, True]
    assert "U+202E" in sheet.rejections[2].reason
    only = sheet.records[0].record
    assert isinstance(only, CustomerRecord) and only.details.city == "Trento Nord"


@pytest.mark.parametrize(
    ("where", "bad"),
    [("sheet", "AN\x01AG"), ("header", "no\u202eme"), ("description", "profilo\x00")],
)
def test_a_profile_document_with_control_or_bidi_characters_is_refused(where: str, bad: str) -> None:
    columns: dict[str, Any] = {"Codice Cliente": "cod", "Nominativo": "nome", "Tipologia Cliente": {"default": 1}}
    sheet: dict[str, Any] = {"sheet": "ANAG", "columns": columns}
    document: dict[str, Any] = {"sheets": {"Clienti": sheet}}
    if where == "sheet":
        sheet["sheet"] = bad
    elif where == "header":
        columns["Nominativo"] = bad
    else:
        document["description"] = bad
    with pytest.raises(InvalidImportProfile, match=r"U\+00(01|00)|U\+202E"):
        parse_profile(document, check_profile_value)
